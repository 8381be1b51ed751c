#pragma once

// Joins a build log to the Dockerfile: which log vertex is which step, and what the build's timing says
// (critical path, concurrency, totals). Plain values, callable from any thread.

#include "model/analysis/buildsummary.h"
#include "model/analysis/stepmatcher.h"
#include "model/buildlog/buildrun.h"
#include "model/core/stepstate.h"
#include "model/graph/buildgraph.h"

#include <QList>
#include <QPointF>

#include <optional>

namespace Stagelens {

struct StepTiming
{
    StepState state = StepState::NoLog;
    int vertex = -1; ///< index into BuildRun::vertices
    std::optional<double> seconds; ///< BuildKit's own duration; absent when cached or unknown
    std::optional<double> start;
    std::optional<double> end;
    bool exact = false; ///< start/end read from the log rather than estimated
    bool critical = false; ///< on the chain of steps that set the wall time
};

struct BuildAnalysis
{
    /// The build's figures (steps, cached, ran, errors, wall time, critical path), from the log alone: the
    /// one definition every view, the report and the CLI show.
    BuildSummary summary;
    /// [stage][step], parallel to BuildGraph::stages[i].steps.
    QList<QList<StepTiming>> steps;
    /// Per log vertex: the (stage, step) it was matched to, or (-1, -1). A shared FROM vertex is matched to
    /// the first stage that names it here, and to every such stage in `steps`.
    QList<StepRef> stepOfVertex;
    /// Vertices that look like Dockerfile steps ("[stage k/n] ...") but match no step of the graph.
    QList<int> unmatchedVertices;
    /// Vertex indices on the critical path, in time order (the summary's).
    QList<int> criticalPath;
    double summedSeconds = 0; ///< sum of every vertex's BuildKit duration
    int stepVertices = 0; ///< vertices that are Dockerfile steps
    double slowestStepSeconds = 0; ///< for heat scales
    bool estimatedTimes = false; ///< any start/end was reconstructed rather than read
    /// Number of vertices running over time, as a step function: (time, count) at each change.
    QList<QPointF> concurrency;
};

/// Matches `run`'s vertices to `graph`'s steps (matchSteps) and derives the timing figures.
BuildAnalysis analyseBuild(const BuildGraph &graph, const BuildRun &run);
/// The analysis of no build: shaped like the graph, every step NoLog.
BuildAnalysis emptyAnalysis(const BuildGraph &graph);

/// One step of a predicted rebuild, laid out with its last known duration.
struct PredictedStep
{
    int stage = -1;
    int step = -1;
    double start = 0;
    double end = 0;
};

/// Lays out the steps that would run again (with their seconds) as BuildKit would schedule them: each
/// starts when the steps it depends on (BuildGraph::dependencies) have finished; independent stages overlap.
/// The wall time of the rebuild is the largest end.
QList<PredictedStep> predictRebuild(const BuildGraph &graph, const QHash<StepRef, double> &steps);

/// The state of a step whose vertex has `status`.
StepState stepStateOf(VertexStatus status);

/// A short text for a step state, for tooltips and tables ("ran", "cached", ...).
QString stepStateName(StepState state);

} // namespace Stagelens
