#include "comparestepsmodel.h"

#include "model/core/duration.h"

namespace Stagelens {

namespace {

QString side(const std::optional<VertexStatus> &status, const std::optional<double> &seconds)
{
    if (!status)
        return QStringLiteral("—");
    const QString name = vertexStatusName(*status).toLower();
    return seconds ? QStringLiteral("%1 %2").arg(name, formatDuration(seconds)) : name;
}

int group(const ComparedStep &s)
{
    return s.root ? 0 : s.change == StepChange::Missed ? 1 : 2;
}

} // namespace

void CompareStepsModel::setResult(const CompareResult &result)
{
    beginResetModel();
    m_steps = result.steps;
    m_order.clear();
    m_order.reserve(m_steps.size());
    // Three passes keep each group in build order without a sort. Read through a const reference: a
    // non-const operator[] would detach the list from the comparison's and copy every step.
    const QList<ComparedStep> &steps = m_steps;
    for (int pass = 0; pass < 3; ++pass) {
        for (int i = 0; i < steps.size(); ++i) {
            if (group(steps[i]) == pass)
                m_order.append(i);
        }
    }
    endResetModel();
}

void CompareStepsModel::clear()
{
    beginResetModel();
    m_steps.clear();
    m_order.clear();
    endResetModel();
}

const ComparedStep &CompareStepsModel::step(int row) const
{
    return m_steps[m_order[row]];
}

QList<int> CompareStepsModel::rowsOf(const QSet<QString> &labels) const
{
    QList<int> rows;
    for (int r = 0; r < m_order.size(); ++r) {
        if (labels.contains(step(r).label))
            rows.append(r);
    }
    return rows;
}

int CompareStepsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int CompareStepsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString CompareStepsModel::text(const ComparedStep &s, int column) const
{
    switch (column) {
    case StepColumn:
        return s.label;
    case ChangeColumn:
        return s.root ? tr("root miss") : stepChangeName(s.change);
    case BeforeColumn:
        return side(s.before, s.beforeSeconds);
    case AfterColumn:
        return side(s.after, s.afterSeconds);
    }
    return {};
}

QVariant CompareStepsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_order.size())
        return {};
    const ComparedStep &s = step(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return text(s, index.column());
    case LabelRole:
        return s.label;
    case Qt::FontRole:
        return s.root ? QVariant(m_bold) : QVariant();
    case Qt::ToolTipRole: {
        if (index.column() != StepColumn)
            return text(s, index.column());
        QStringList tip {s.label};
        if (s.root)
            tip << tr("Root miss: %1").arg(s.cause ? causeKindName(s.cause->kind) : tr("unknown"));
        else if (!s.follows.isEmpty())
            tip << tr("Follows the miss of %1").arg(s.follows);
        if (s.cause)
            tip << s.cause->detail;
        return tip.join(QLatin1Char('\n'));
    }
    }
    return {};
}

QVariant CompareStepsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StepColumn:
        return tr("Step");
    case ChangeColumn:
        return tr("Change");
    case BeforeColumn:
        return tr("Before");
    case AfterColumn:
        return tr("After");
    }
    return {};
}

} // namespace Stagelens
