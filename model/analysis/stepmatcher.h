#pragma once

// The one place that decides which log vertex is which Dockerfile step. Everything that joins a build to the
// graph (the analysis, the what-if costs, the views, the report) uses this answer; nobody matches labels
// again. Plain values, any thread.

#include "model/buildlog/buildrun.h"
#include "model/core/stepref.h"
#include "model/graph/buildgraph.h"

#include <QHash>
#include <QList>

namespace Stagelens {

struct StepMatch
{
    /// Per vertex of the run: the step it is, or an invalid ref (BuildKit's own vertices, unmatched ones). A
    /// FROM vertex shared by several stages built on one image names the first of them here...
    QList<StepRef> stepOfVertex;
    /// ...and every one of them here: step -> the vertex that built it (a repeated vertex keeps the last).
    QHash<StepRef, int> vertexOfStep;
    /// Vertices that look like Dockerfile steps ("[stage k/n] ...") but are no step of the graph.
    QList<int> unmatchedVertices;
    int stepVertices = 0; ///< vertices that look like Dockerfile steps
};

/// Matches by stage token, k of k/n and instruction, then by the expanded text; tolerant of BuildKit's
/// whitespace changes, of expanded ARG values that differ from the graph's (a unique candidate of the same
/// stage and counter), and of one FROM vertex printed for several stages.
StepMatch matchSteps(const BuildGraph &graph, const BuildRun &run);

/// What each step costs when it runs: for every step of `graph`, BuildKit's seconds from the latest of
/// `runs` (oldest first) in which it ran (was not CACHED). Steps that ran in none have no entry.
QHash<StepRef, double> stepCosts(const BuildGraph &graph, const QList<const BuildRun *> &runs);

} // namespace Stagelens
