#include "dagmodel.h"

#include "model/core/duration.h"

#include <cmath>

namespace Stagelens {

QString dagStepStateName(StepState state)
{
    switch (state) {
    case StepState::NoLog:
        return QStringLiteral("no build loaded");
    case StepState::Ran:
        return QStringLiteral("ran");
    case StepState::Cached:
        return QStringLiteral("cached");
    case StepState::Error:
        return QStringLiteral("error");
    case StepState::Canceled:
        return QStringLiteral("canceled");
    case StepState::Running:
        return QStringLiteral("unfinished");
    case StepState::NotInLog:
        return QStringLiteral("not in log");
    }
    return {};
}

QString whatIfVerdictName(WhatIfVerdict verdict)
{
    switch (verdict) {
    case WhatIfVerdict::None:
        return {};
    case WhatIfVerdict::Rerun:
        return QStringLiteral("rerun");
    case WhatIfVerdict::Maybe:
        return QStringLiteral("maybe");
    case WhatIfVerdict::Cached:
        return QStringLiteral("cached");
    }
    return {};
}

QString dagChangeName(DagChange change)
{
    switch (change) {
    case DagChange::None:
        return {};
    case DagChange::Missed:
        return QStringLiteral("missed");
    case DagChange::Hit:
        return QStringLiteral("hit");
    case DagChange::Same:
        return QStringLiteral("same");
    case DagChange::Ran:
        return QStringLiteral("ran in both");
    case DagChange::Added:
        return QStringLiteral("added");
    }
    return {};
}

QString dagChangeBadge(DagChange change, bool rootMiss)
{
    if (change == DagChange::Missed && rootMiss)
        return QStringLiteral("ROOT MISS");
    if (change == DagChange::Same || change == DagChange::None)
        return {};
    if (change == DagChange::Ran)
        return QStringLiteral("RAN");
    return dagChangeName(change).toUpper();
}

QString dagEdgeKindName(DagEdgeKind kind)
{
    switch (kind) {
    case DagEdgeKind::From:
        return QStringLiteral("from");
    case DagEdgeKind::Copy:
        return QStringLiteral("copy");
    case DagEdgeKind::Mount:
        return QStringLiteral("mount");
    }
    return {};
}

bool opensCollapsed(const DagModel &model)
{
    constexpr qsizetype LargeGraphSteps = 90;
    qsizetype steps = 0;
    for (const DagStage &stage : model.stages)
        steps += stage.steps.size();
    return steps > LargeGraphSteps;
}

QString formatSeconds(double seconds)
{
    // Nodes and bars without a time (cached, not in the log) draw no time at all rather than "unknown".
    return std::isfinite(seconds) && seconds >= 0 ? formatDuration(seconds) : QString();
}

} // namespace Stagelens
