#include "contexttreestyle.h"

#include "model/analysis/contexttreemodel.h"

#include <QApplication>
#include <QFont>
#include <QPalette>

namespace Stagelens {

QVariant ContextTreeStyle::data(const QModelIndex &index, int role) const
{
    if (role == Qt::ForegroundRole) {
        const bool ignored = QIdentityProxyModel::data(index, ContextTreeModel::IgnoredRole).toBool();
        const bool unused = QIdentityProxyModel::data(index, ContextTreeModel::UnusedRole).toBool();
        if (ignored || unused)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
    }
    if (role == Qt::ToolTipRole) {
        // QToolTip guesses rich text; a file may be named "<b>x</b>". Escape it and keep line breaks.
        const QString tip = QIdentityProxyModel::data(index, role).toString();
        if (tip.isEmpty())
            return {};
        return QStringLiteral("<p style='white-space:pre'>%1</p>").arg(tip.toHtmlEscaped());
    }
    if (role == Qt::FontRole) {
        QFont font;
        font.setStrikeOut(QIdentityProxyModel::data(index, ContextTreeModel::IgnoredRole).toBool());
        font.setItalic(QIdentityProxyModel::data(index, ContextTreeModel::UnusedRole).toBool());
        return font;
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace Stagelens
