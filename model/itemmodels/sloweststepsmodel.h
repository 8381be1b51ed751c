#pragma once

// The "Slowest steps" list: every vertex of one build with its duration and share of the wall time, like
// hotspot's or Jaeger's span list, so that where the time went is one sort away even in a 20,000-line CI log
// with no Dockerfile at hand. Durations follow the summary's definition (end - start when both are known,
// else BuildKit's own seconds); a cached or unfinished vertex has no duration and shows "—", never 0.
// QtCore only.

#include "model/core/stepstate.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

namespace Stagelens {

struct BuildAnalysis;
struct BuildGraph;
struct BuildRun;

struct SlowStepRow
{
    int vertex = -1; ///< index into BuildRun::vertices
    QString name; ///< the vertex name as BuildKit printed it
    QString stage; ///< its stage ("internal" for context, metadata, exporter vertices)
    StepState state = StepState::NoLog;
    std::optional<double> seconds;
    bool critical = false; ///< on the build's critical path
};

/// One row per vertex of `run`, in log order. A vertex matched to a step of `graph` takes that stage's
/// token; others take the stage their label names ("internal" for BuildKit's own vertices).
QList<SlowStepRow> slowStepRows(const BuildGraph &graph, const BuildRun &run, const BuildAnalysis &analysis);

/// Puts `rows` in the order SlowestStepsModel::sort(column, order) gives (any thread): a caller with a big
/// build can sort on a worker, and setRows() then finds them in order.
void sortSlowStepRows(
    QList<SlowStepRow> *rows, int column, Qt::SortOrder order, std::optional<double> wallSeconds);

class SlowestStepsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        StepColumn, ///< the vertex name, its stage in the bracket prefix; stage and state in the tooltip
        SecondsColumn, ///< the duration, "cached" for cached steps, "—" when unknown
        ShareColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, ///< numbers for the time columns (unknown sorts below 0), text otherwise
        VertexRole, ///< int: index into BuildRun::vertices
        CriticalRole, ///< bool
        StageRole, ///< QString: the stage token, "internal" for BuildKit's own vertices
        StateRole ///< int(StepState)
    };

    explicit SlowestStepsModel(QObject *parent = nullptr);

    /// `wallSeconds` is the build's wall time for the share column; unknown leaves every share unknown.
    /// The rows are put in the model's sort order (sort()); rows that come already in it cost one pass.
    void setRows(QList<SlowStepRow> rows, std::optional<double> wallSeconds);
    /// Sorts the rows themselves by the column's numbers (times, shares; unknown lowest) or the step's name,
    /// ties in log order, and keeps the order for later setRows(). A proxy over 90,000 rows sorted through
    /// QVariant took ~90 ms on the GUI thread; this takes a few.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    const QList<SlowStepRow> &rows() const { return m_rows; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<double> share(const SlowStepRow &row) const;

    int m_sortColumn = -1; ///< -1: log order
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;

    QList<SlowStepRow> m_rows;
    std::optional<double> m_wallSeconds;
};

} // namespace Stagelens
