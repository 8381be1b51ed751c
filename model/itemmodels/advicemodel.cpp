#include "advicemodel.h"

#include "model/core/duration.h"

namespace Stagelens {

AdviceModel::AdviceModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void AdviceModel::setResult(const AdviceResult &result)
{
    beginResetModel();
    m_result = result;
    endResetModel();
}

const Advice *AdviceModel::adviceAt(int row) const
{
    return row >= 0 && row < m_result.advice.size() ? &m_result.advice.at(row) : nullptr;
}

int AdviceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_result.advice.size());
}

int AdviceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AdviceModel::savesText(const Advice &a)
{
    return Stagelens::savesText(a);
}

QVariant AdviceModel::data(const QModelIndex &index, int role) const
{
    const Advice *a = adviceAt(index.row());
    if (!a)
        return {};
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case SavesColumn:
            return savesText(*a);
        case RuleColumn:
            return a->rule;
        case LineColumn:
            return a->line;
        case FindingColumn:
            return a->title;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return QStringLiteral("%1 (%2)").arg(a->detail, a->rule);
    if (role == Qt::TextAlignmentRole && (index.column() == SavesColumn || index.column() == LineColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant AdviceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SavesColumn:
        return tr("Saves");
    case RuleColumn:
        return tr("Rule");
    case LineColumn:
        return tr("Line");
    case FindingColumn:
        return tr("Finding");
    default:
        return {};
    }
}

} // namespace Stagelens
