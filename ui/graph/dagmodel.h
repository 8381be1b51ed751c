#pragma once

// The input of the stage DAG view: plain values the main window fills from the BuildGraph, the matched log
// and the what-if verdicts. The view never reaches into the model layer itself.

#include "model/core/stepstate.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace Stagelens {

/// What the cache engine predicts for a step after the user's edit.
enum class WhatIfVerdict
{
    None,
    Rerun,
    Maybe,
    Cached
};

/// How a step fared against an earlier build, in compare mode (#19); None outside it.
enum class DagChange
{
    None,
    Missed, ///< ran although the build before produced it
    Hit, ///< cached, ran before
    Same, ///< cached in both
    Ran, ///< ran in both with nothing to compare (failed or unfinished)
    Added ///< not in the build before
};

enum class DagEdgeKind
{
    From, ///< FROM <stage or image>
    Copy, ///< COPY/ADD --from=
    Mount ///< RUN --mount=...,from=
};

struct DagStep
{
    QString label; ///< full instruction or BuildKit label, shown in the tooltip
    QString shortText; ///< what the node shows ("COPY src/ ./"); elided when very long
    int line = 0; ///< Dockerfile line, 0 when unknown
    StepState state = StepState::NoLog;
    double seconds = -1; ///< negative: unknown
    double heat = 0; ///< 0..1, duration relative to the slowest step
    bool critical = false; ///< on the critical path
    WhatIfVerdict verdict = WhatIfVerdict::None;
    DagChange change = DagChange::None;
    bool rootMiss = false; ///< the first miss of its chain: marked with a thick border and a badge
    QString changeNote; ///< the comparison's words for the tooltip (cause, seconds, the root it follows)
};

struct DagStage
{
    QString name; ///< stage token ("builder", "stage-2")
    QString baseImage; ///< shown under the title; may be empty
    bool needed = true; ///< false: the target does not need it, drawn dimmed
    QList<DagStep> steps;
};

/// An image from a registry: a FROM base or a COPY --from=<image> source.
struct DagImage
{
    QString name;
};

struct DagEdge
{
    int fromStage = -1; ///< producing stage, or -1 when the source is an image
    int fromImage = -1; ///< index into DagModel::images when fromStage is -1
    int toStage = 0;
    int toStep = 0; ///< consuming step within toStage (0: the FROM step)
    DagEdgeKind kind = DagEdgeKind::From;
};

struct DagModel
{
    QList<DagStage> stages;
    QList<DagImage> images;
    QList<DagEdge> edges;
    double maxSeconds = 0; ///< the duration heat 1.0 stands for, for the legend; 0: no timing
    bool showHeat = true; ///< colour steps by duration
    bool collapsed = false; ///< one node per stage, for large files
    bool compareMode = false; ///< steps coloured by DagStep::change; laid out again on entering or leaving
};

/// Whether the DAG view opens `model` collapsed (one node per stage) until the user says otherwise: above
/// 90 step nodes one node per step is unreadable (moby/buildkit has ~200). Benchmarks use it too.
bool opensCollapsed(const DagModel &model);

QString dagStepStateName(StepState state);
QString whatIfVerdictName(WhatIfVerdict verdict);
QString dagChangeName(DagChange change);
/// What a step node's badge says in compare mode ("ROOT MISS", "HIT"); empty for unchanged steps.
QString dagChangeBadge(DagChange change, bool rootMiss);
QString dagEdgeKindName(DagEdgeKind kind);
/// "0.4 s", "12 s", "2 min 05 s": short, for nodes and tooltips.
/// formatDuration for a node or bar: empty when `seconds` is negative (no time to draw).
QString formatSeconds(double seconds);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::DagModel)
