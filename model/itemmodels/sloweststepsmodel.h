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
    void setRows(QList<SlowStepRow> rows, std::optional<double> wallSeconds);
    const QList<SlowStepRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<double> share(const SlowStepRow &row) const;

    QList<SlowStepRow> m_rows;
    std::optional<double> m_wallSeconds;
};

} // namespace Stagelens
