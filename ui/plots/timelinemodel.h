#pragma once

// What the timeline draws: one row per vertex with its stage, times and state, the concurrency over time
// and a predicted rebuild. Plain values, made on a worker (viewadapters) and drawn by the timeline chart,
// which lives in the plots module (plotcharts.h): this header needs no QCustomPlot.

#include "ui/graph/dagmodel.h"

#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QString>

namespace Stagelens {

struct TimelineRow
{
    QString label; ///< BuildKit vertex name ("[builder 2/3] COPY src/ ./")
    int stage = -1; ///< stage index, for grouping and colour (matches the DAG); -1: not a Dockerfile stage
    QString stageName; ///< group caption; "internal" etc. for stage -1
    double start = -1; ///< seconds since the build began; negative: unknown
    double end = -1;
    StepState state = StepState::NoLog;
    bool critical = false;
    bool estimated = false; ///< start/end reconstructed rather than read from the log
};

/// A step that would run again after the what-if edit, laid out with its last duration.
struct TimelinePrediction
{
    int row = -1; ///< index into TimelineModel::rows
    double start = 0;
    double end = 0;
};

struct TimelineModel
{
    QList<TimelineRow> rows;
    /// Running vertices over time as a step function (time, count), as the analysis computes it. Empty: the
    /// plot derives it from the rows' bars.
    QList<QPointF> concurrency;
    QList<TimelinePrediction> predicted;
    /// The rows in start order (timelineStartOrder()), made with the rows: off the GUI thread for a big
    /// build, where ordering 90,000 rows took the plot ~12 ms. Empty: the plot orders them itself.
    QList<int> startOrder;
};

/// Rows grouped by stage, stages in the order they first start (BuildKit's own vertices last), rows by start
/// time within a stage; rows whose start is unknown last in their stage. Indices into `rows`.
QList<int> timelineStartOrder(const QList<TimelineRow> &rows);

/// How the rows are ordered: grouped by stage in start order (the build as it happened), or every step by
/// duration, longest first (where the time went).
enum class TimelineSort
{
    Start,
    Duration
};

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::TimelineModel)
