#include "sloweststepsmodel.h"

#include "model/analysis/buildanalysis.h"
#include "model/core/duration.h"
#include "model/graph/buildgraph.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <numeric>

namespace Stagelens {

QList<SlowStepRow> slowStepRows(const BuildGraph &graph, const BuildRun &run, const BuildAnalysis &analysis)
{
    const QSet<int> critical(analysis.summary.criticalPath.begin(), analysis.summary.criticalPath.end());
    QList<SlowStepRow> rows;
    rows.reserve(run.vertices.size());
    for (int i = 0; i < run.vertices.size(); ++i) {
        const BuildVertex &v = run.vertices[i];
        SlowStepRow row;
        row.vertex = i;
        row.name = v.name;
        const StepRef ref = analysis.stepOfVertex.value(i);
        if (ref.isValid() && ref.stage < graph.stages.size())
            row.stage = graph.stages[ref.stage].token();
        else if (v.label.internal || v.label.step == 0)
            row.stage = QStringLiteral("internal");
        else
            row.stage = v.label.stage; // unnamed stages of a log alone have no token to show
        row.state = stepStateOf(v.status);
        // A cached vertex did no work: its "duration" would be the time BuildKit took to say so.
        if (row.state != StepState::Cached)
            row.seconds = vertexDuration(v);
        row.critical = critical.contains(i);
        rows.append(row);
    }
    return rows;
}

void sortSlowStepRows(
    QList<SlowStepRow> *rows, int column, Qt::SortOrder order, std::optional<double> wallSeconds)
{
    using Model = SlowestStepsModel;
    if (column < 0 || column >= Model::ColumnCount)
        return;
    // The numbers the SortRole gives, once per row; ties stay in log order whatever the direction.
    const bool byName = column == Model::StepColumn;
    QList<double> keys(rows->size());
    for (qsizetype i = 0; i < rows->size(); ++i) {
        const SlowStepRow &row = rows->at(i);
        // The share as SlowestStepsModel::data gives it: of the wall time, at most all of it.
        const double seconds = row.seconds.value_or(-1.0);
        keys[i] = column == Model::SecondsColumn || seconds < 0 ? seconds
            : wallSeconds && *wallSeconds > 0                   ? std::min(1.0, seconds / *wallSeconds)
                                                                : -1.0;
    }
    const bool descending = order == Qt::DescendingOrder;
    const auto before = [&](qsizetype a, qsizetype b) {
        const SlowStepRow &ra = rows->at(a);
        const SlowStepRow &rb = rows->at(b);
        if (byName) {
            const int c = ra.name.compare(rb.name);
            if (c != 0)
                return descending ? c > 0 : c < 0;
        } else if (keys[a] != keys[b]) {
            return descending ? keys[a] > keys[b] : keys[a] < keys[b];
        }
        return ra.vertex < rb.vertex;
    };
    QList<qsizetype> permutation(rows->size());
    std::iota(permutation.begin(), permutation.end(), 0);
    if (std::is_sorted(permutation.cbegin(), permutation.cend(), before))
        return;
    std::sort(permutation.begin(), permutation.end(), before);
    QList<SlowStepRow> sorted;
    sorted.reserve(rows->size());
    for (qsizetype i : std::as_const(permutation))
        sorted.append(std::move((*rows)[i]));
    *rows = std::move(sorted);
}

SlowestStepsModel::SlowestStepsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void SlowestStepsModel::setRows(QList<SlowStepRow> rows, std::optional<double> wallSeconds)
{
    beginResetModel();
    m_wallSeconds = (wallSeconds && *wallSeconds > 0) ? wallSeconds : std::nullopt;
    sortSlowStepRows(&rows, m_sortColumn, m_sortOrder, m_wallSeconds);
    m_rows = std::move(rows);
    endResetModel();
}

void SlowestStepsModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Persistent indexes (a view's selection) follow their rows, found again by vertex.
    const QModelIndexList persistent = persistentIndexList();
    QList<int> vertexOf;
    vertexOf.reserve(persistent.size());
    for (const QModelIndex &index : persistent)
        vertexOf.append(m_rows.at(index.row()).vertex);
    sortSlowStepRows(&m_rows, m_sortColumn, m_sortOrder, m_wallSeconds);
    if (!persistent.isEmpty()) {
        QHash<int, int> rowOfVertex;
        for (int r = 0; r < m_rows.size(); ++r)
            rowOfVertex.insert(m_rows.at(r).vertex, r);
        QModelIndexList moved;
        moved.reserve(persistent.size());
        for (qsizetype i = 0; i < persistent.size(); ++i)
            moved.append(index(rowOfVertex.value(vertexOf.at(i)), persistent.at(i).column()));
        changePersistentIndexList(persistent, moved);
    }
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

int SlowestStepsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SlowestStepsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::optional<double> SlowestStepsModel::share(const SlowStepRow &row) const
{
    if (!row.seconds || !m_wallSeconds)
        return std::nullopt;
    // Steps run in parallel, so a step's share is of the wall time it overlapped, at most all of it.
    return std::min(1.0, *row.seconds / *m_wallSeconds);
}

QVariant SlowestStepsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SlowStepRow &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StepColumn:
            return row.name;
        case SecondsColumn:
            // A cached step did no work; saying so is more than a dash and is no made-up 0.
            return !row.seconds && row.state == StepState::Cached ? stepStateName(row.state)
                                                                  : formatDuration(row.seconds);
        case ShareColumn: {
            const std::optional<double> s = share(row);
            return s ? QStringLiteral("%1%").arg(*s * 100, 0, 'f', *s < 0.1 ? 1 : 0) : unknownFigure();
        }
        }
        break;
    case SortRole:
        switch (index.column()) {
        case SecondsColumn:
            return row.seconds.value_or(-1.0);
        case ShareColumn:
            return share(row).value_or(-1.0);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        if (index.column() == StepColumn) {
            QString tip = tr("%1\nStage: %2, %3")
                              .arg(row.name, row.stage.isEmpty() ? unknownFigure() : row.stage,
                                  stepStateName(row.state));
            if (row.critical)
                tip += tr("\nOn the critical path: it set the build's wall time");
            return tip;
        }
        if (index.column() == SecondsColumn && !row.seconds)
            return row.state == StepState::Cached ? tr("Cached: BuildKit did no work for it")
                                                  : tr("The log does not say how long it took");
        if (index.column() == ShareColumn)
            return tr("Its time as a share of the build's wall time");
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SecondsColumn || index.column() == ShareColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case VertexRole:
        return row.vertex;
    case CriticalRole:
        return row.critical;
    case StageRole:
        return row.stage;
    case StateRole:
        return int(row.state);
    default:
        break;
    }
    return {};
}

QVariant SlowestStepsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StepColumn:
        return tr("Step");
    case SecondsColumn:
        return tr("Time");
    case ShareColumn:
        return tr("Share");
    }
    return {};
}

} // namespace Stagelens
