#include "changedescription.h"

#include "model/core/duration.h"

namespace Stagelens {

QString countSteps(int n)
{
    return n == 1 ? QStringLiteral("1 step") : QStringLiteral("%1 steps").arg(n);
}

QStringList describeChanges(const WhatIfChanges &changes)
{
    QStringList words;
    for (const PathChange &path : changes.paths) {
        switch (path.kind) {
        case ChangeKind::Content:
            words.append(path.path);
            break;
        case ChangeKind::Mode:
            words.append(QStringLiteral("%1 (mode changed)").arg(path.path));
            break;
        case ChangeKind::Added:
            words.append(QStringLiteral("%1 (added)").arg(path.path));
            break;
        case ChangeKind::Deleted:
            words.append(QStringLiteral("%1 (deleted)").arg(path.path));
            break;
        case ChangeKind::Touched:
            words.append(QStringLiteral("%1 (touched)").arg(path.path));
            break;
        }
    }
    for (const QString &arg : changes.args)
        words.append(QStringLiteral("ARG %1").arg(arg));
    for (int line : changes.lines)
        words.append(QStringLiteral("line %1").arg(line));
    for (const QString &stage : changes.movedBases)
        words.append(QStringLiteral("the base image of %1").arg(stage));
    return words;
}

namespace {

// ", about 1.6 s" with what is missing said; empty without times.
QString cost(const WhatIfResult &result, double seconds, int unknown, int count)
{
    if (!result.timed || count == 0)
        return {};
    if (unknown == count)
        return QStringLiteral(", time unknown");
    QString text = QStringLiteral(", about %1").arg(formatDuration(seconds));
    if (unknown > 0)
        text += QStringLiteral(" (+%1 without a known time)").arg(countSteps(unknown));
    return text;
}

} // namespace

QString describeAnswer(
    const WhatIfResult &result, const WhatIfChanges &changes, std::optional<double> buildSeconds)
{
    QStringList what = describeChanges(changes);
    if (what.isEmpty())
        return {};
    if (what.size() > 3) {
        const qsizetype more = what.size() - 2;
        what = what.mid(0, 2);
        what.append(QStringLiteral("%1 more").arg(more));
    }
    const int rerun = result.count(Verdict::Rerun);
    const int maybe = result.count(Verdict::Maybe);
    QString text = QStringLiteral("Changing %1 ").arg(what.join(QStringLiteral(", ")));
    if (rerun == 0 && maybe == 0)
        return text + QStringLiteral("re-runs nothing: every step stays cached.");
    text += QStringLiteral("re-runs %1%2")
                .arg(countSteps(rerun))
                .arg(cost(result, result.rerunSeconds, result.rerunUnknown, rerun));
    // Against the whole build, so the cost reads as a share ("about 1.4 s of the 2.3 s build").
    if (rerun > 0 && result.timed && result.rerunUnknown < rerun && buildSeconds && *buildSeconds > 0)
        text += QStringLiteral(" of the %1 build").arg(formatDuration(*buildSeconds));
    if (maybe > 0)
        text += QStringLiteral("; %1 more may re-run%2")
                    .arg(maybe)
                    .arg(cost(result, result.maybeSeconds, result.maybeUnknown, maybe));
    if (!result.timed)
        text += QStringLiteral(" (no log loaded: times unknown)");
    return text + QLatin1Char('.');
}

} // namespace Stagelens
