#include "reportwhatif.h"

namespace Stagelens {

ReportWhatIf reportWhatIf(const WhatIfResult &result, const QStringList &changes)
{
    ReportWhatIf whatIf;
    whatIf.changes = changes;
    for (const StepVerdict &step : result.steps)
        whatIf.steps.append(
            {step.label, step.stageToken, step.line, step.verdict, step.reason(), step.seconds});
    // Without a log the engine knows no times: say "unknown" rather than print 0 s.
    if (result.timed) {
        whatIf.rerunSeconds = result.rerunSeconds;
        whatIf.maybeSeconds = result.maybeSeconds;
    }
    return whatIf;
}

} // namespace Stagelens
