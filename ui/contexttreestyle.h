#pragma once

#include <QIdentityProxyModel>

namespace Stagelens {

/// Maps the context tree's semantic roles to looks: ignored files greyed and struck out, files no needed
/// stage reads in italics. Colours come from the palette so light and dark themes both read well.
class ContextTreeStyle : public QIdentityProxyModel
{
    Q_OBJECT
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
};

} // namespace Stagelens
