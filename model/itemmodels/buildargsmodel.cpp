#include "buildargsmodel.h"

namespace Stagelens {

BuildArgsModel::BuildArgsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void BuildArgsModel::setArgs(QList<BuildArgRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int BuildArgsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BuildArgsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BuildArgsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BuildArgRow &row = m_rows.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case DefaultColumn:
            if (role == Qt::DisplayRole && !row.defaultValue)
                return tr("(none)");
            return row.defaultValue.value_or(QString());
        case ValueColumn:
            return row.value;
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == DefaultColumn && row.defaultValue)
            return tr("Default: %1").arg(*row.defaultValue);
        if (index.column() == ValueColumn)
            return tr("Edit to see the build with --build-arg %1=VALUE and what it re-runs").arg(row.name);
        if (index.column() == DefaultColumn && !row.defaultValue)
            return tr("Declared without a default: empty unless given");
    }
    return {};
}

QVariant BuildArgsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Build arg");
    case DefaultColumn:
        return tr("Default");
    case ValueColumn:
        return tr("Value");
    }
    return {};
}

Qt::ItemFlags BuildArgsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == ValueColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

bool BuildArgsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || index.column() != ValueColumn
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    BuildArgRow &row = m_rows[index.row()];
    const QString text = value.toString();
    if (row.set && row.value == text)
        return false;
    row.value = text;
    row.set = true;
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole});
    Q_EMIT valueEdited(row.name, text);
    return true;
}

} // namespace Stagelens
