#include "reportwhatif.h"

namespace Stagelens {

ReportWhatIf reportWhatIf(const WhatIfResult &result, const QStringList &changes)
{
    ReportWhatIf whatIf;
    whatIf.changes = changes;
    for (const StepVerdict &step : result.steps)
        whatIf.steps.append(
            {step.label, step.stageToken, step.line, verdictName(step.verdict), step.reason(), step.seconds});
    // Without a log the engine knows no times: say "unknown" rather than print 0 s.
    if (result.timed) {
        whatIf.rerunSeconds = result.rerunSeconds;
        whatIf.maybeSeconds = result.maybeSeconds;
    }
    return whatIf;
}

QStringList describeChanges(const WhatIfChanges &changes)
{
    QStringList words;
    for (const PathChange &path : changes.paths)
        words.append(path.kind == ChangeKind::Content
                ? path.path
                : QStringLiteral("%1 (%2)").arg(path.path, changeKindName(path.kind)));
    for (const QString &arg : changes.args)
        words.append(QStringLiteral("ARG %1").arg(arg));
    for (int line : changes.lines)
        words.append(QStringLiteral("line %1").arg(line));
    return words;
}

} // namespace Stagelens
