#pragma once

// Thin glue from the model's values to the plain inputs of the views. No figures are computed here:
// states, timings, heat and the critical path come from the model's BuildAnalysis.

#include "model/analysis/buildanalysis.h"
#include "model/cache/cacheengine.h"
#include "model/compare/buildcompare.h"
#include "model/compare/buildcomparison.h"
#include "model/graph/buildgraph.h"
#include "ui/graph/dagmodel.h"
#include "ui/plots/timelinemodel.h"

namespace Stagelens {

/// The DAG view's input. Only vertex steps (those BuildKit prints) become step nodes; `refs` maps each
/// node back to its (stage, step) in the graph, in the order of DagModel::stages[i].steps.
struct DagInput
{
    DagModel model;
    QList<QList<int>> stepIndex; ///< [dag stage][dag step] -> index into BuildGraph::stages[i].steps
    QList<int>
        stageIndex; ///< [dag stage] -> index into BuildGraph::stages (they differ once stages are hidden)
    int hiddenStages = 0; ///< stages left out by hideUnneededStages()

    /// The DAG's stage for a graph stage, or -1 when it is hidden.
    int dagStageOf(int graphStage) const { return int(stageIndex.indexOf(graphStage)); }
};

DagInput makeDagInput(
    const BuildGraph &graph, const BuildAnalysis &analysis, const WhatIfResult &whatIf = {});

/// Leaves out the stages the target does not need (BuildKit neither builds nor prints them), with their
/// edges and the images only they use: docker/buildx has 33 stages and builds a third of them for its
/// default target. Does nothing when every stage would go.
void hideUnneededStages(DagInput *input);

/// Compare mode (#19): colours each step node by how it fared in `after` against the build before, marks
/// the root misses and puts the cause in the tooltip. Steps are found by the label `after` printed for
/// them (`analysis` is after's), else by the Dockerfile's label. Heat and what-if verdicts are left out.
void applyComparison(DagInput *input, const BuildGraph &graph, const BuildRun &after,
    const BuildAnalysis &analysis, const CompareResult &result);

/// Compare mode's graph: the later build's steps (the stages its target does not need left out unless
/// `showUnneeded`) with applyComparison's colours and notes. Any thread: the window makes it on the
/// comparison's worker.
DagInput compareDagInput(const BuildGraph &graph, const BuildComparison &comparison, bool showUnneeded);

/// The timeline's input: one row per log vertex, Dockerfile steps first in stage order, then BuildKit's own
/// vertices (context loads, export). `vertexOfRow` maps rows back to BuildRun::vertices.
struct TimelineInput
{
    TimelineModel model;
    QList<int> vertexOfRow;
    QList<int> rowOfVertexList; ///< the inverse of vertexOfRow, so selection needs no search
    int rowOfVertex(int vertex) const { return rowOfVertexList.value(vertex, -1); }
};

/// With a what-if answer, the steps that would re-run (and may re-run) are added as the predicted rebuild.
TimelineInput makeTimelineInput(const BuildGraph &graph, const BuildRun &run, const BuildAnalysis &analysis,
    const WhatIfResult &whatIf = {});

} // namespace Stagelens
