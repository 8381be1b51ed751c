#include "dagmodel.h"

#include <cmath>

namespace Stagelens {

QString dagStepStateName(DagStepState state)
{
    switch (state) {
    case DagStepState::None:
        return QStringLiteral("no build loaded");
    case DagStepState::Ran:
        return QStringLiteral("ran");
    case DagStepState::Cached:
        return QStringLiteral("cached");
    case DagStepState::Error:
        return QStringLiteral("error");
    case DagStepState::Canceled:
        return QStringLiteral("canceled");
    case DagStepState::NotInLog:
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
    if (!std::isfinite(seconds) || seconds < 0)
        return {};
    if (seconds < 10)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(qRound(seconds));
    if (seconds < 3600) {
        const int total = qRound(seconds);
        return QStringLiteral("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
    }
    const qint64 minutes = qint64(seconds / 60);
    return QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

} // namespace Stagelens
