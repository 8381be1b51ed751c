#pragma once

// The build arguments of the open Dockerfile: each ARG it declares, its default as written and the value
// the session builds with. Editing a value asks for it (valueEdited); the session's answer comes back through
// setArgs. QtCore only.

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <optional>

namespace Stagelens {

struct BuildArgRow
{
    QString name;
    std::optional<QString> defaultValue; ///< as written after '=', unexpanded; none when declared without
    QString value; ///< --build-arg value; empty when the default applies
    bool set = false; ///< a value was given
};

class BuildArgsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        DefaultColumn,
        ValueColumn,
        ColumnCount
    };

    explicit BuildArgsModel(QObject *parent = nullptr);

    void setArgs(QList<BuildArgRow> rows);
    const QList<BuildArgRow> &args() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

Q_SIGNALS:
    void valueEdited(const QString &name, const QString &value);

private:
    QList<BuildArgRow> m_rows;
};

} // namespace Stagelens
