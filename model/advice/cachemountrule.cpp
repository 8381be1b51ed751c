// Rule no-cache-mount: a package manager that downloads in a RUN without a cache mount downloads everything
// again each time the step re-runs. Docker's "Optimize cache usage" guide (cache mounts) and BuildKit's
// RUN --mount=type=cache reference: keep the download cache in a mount; apt needs sharing=locked and its
// docker-clean hook off to keep what it downloads.

#include "advicerules.h"
#include "model/core/duration.h"
#include "packagemanagers.h"

namespace Stagelens {

namespace {

bool hasCacheMount(const Step &step, const QStringList &targets)
{
    for (const Mount &m : step.mounts) {
        if (m.type != QLatin1String("cache"))
            continue;
        for (const QString &t : targets) {
            if (m.target == t || t.startsWith(m.target + QLatin1Char('/'))
                || m.target.startsWith(t + QLatin1Char('/')))
                return true;
        }
    }
    return false;
}

// The user the step runs as, when a USER before it (in its stage or the stages it is built FROM) says one.
QString userOf(const BuildGraph &graph, int stage, int step)
{
    for (int s = stage; s >= 0; s = graph.stages.at(s).baseStage) {
        const QList<Step> &steps = graph.stages.at(s).steps;
        for (int i = (s == stage ? step : int(steps.size())) - 1; i > 0; --i) {
            if (steps.at(i).kind == InstructionKind::User)
                return steps.at(i).text.mid(4).trimmed();
        }
        if (graph.stages.at(s).baseStage == s)
            break;
    }
    return {};
}

} // namespace

void adviseNoCacheMount(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes)
{
    const QString rule = QString::fromLatin1(AdviceRule::NoCacheMount);
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed)
            continue;
        for (int i = 1; i < stage.steps.size(); ++i) {
            const Step &run = stage.steps.at(i);
            if (run.kind != InstructionKind::Run || !run.isVertex())
                continue;
            const QString command = runCommand(run.text);
            for (const PackageManager &pm : installsIn(command)) {
                if (pm.cacheTargets.isEmpty() || hasCacheMount(run, pm.cacheTargets))
                    continue;
                const StepRef ref {stage.index, i};
                const QString user = userOf(ctx.graph, stage.index, i);
                if (!user.isEmpty() && user != QLatin1String("root") && user != QLatin1String("0")
                    && !user.startsWith(QLatin1String("0:")) && !user.startsWith(QLatin1String("root:"))) {
                    notes->append({rule, run.line,
                        QStringLiteral("%1 on line %2 downloads without a cache mount, but runs as USER %3: "
                                       "mount the cache at that user's cache folder (with uid=)")
                            .arg(quoteCommand(command))
                            .arg(run.line)
                            .arg(user)});
                    break;
                }
                // The log shows whether the step downloads (when it ran there).
                DownloadEvidence downloads;
                if (ctx.ranInBuild(ref)) {
                    downloads = downloadEvidence(ctx.stepOutput(ref));
                    if (downloads.downloads == 0)
                        break; // it ran and downloaded nothing the log shows: no premise
                }
                const QStringList runLines = ctx.stepLines(run);
                if (runLines.isEmpty())
                    break;
                QString first = runLines.first();
                const qsizetype at = first.indexOf(QLatin1String("RUN"), 0, Qt::CaseInsensitive);
                if (at < 0)
                    break;
                // One mount per line, as Docker's documentation writes them, then the command as it was.
                const QString indent = first.left(at);
                QStringList head;
                for (int m = 0; m < pm.cacheTargets.size(); ++m)
                    head.append(QStringLiteral("%1%2--mount=type=cache,target=%3%4 \\")
                                    .arg(indent, m == 0 ? QStringLiteral("RUN ") : QStringLiteral("    "),
                                        pm.cacheTargets.at(m),
                                        pm.locked ? QStringLiteral(",sharing=locked") : QString()));
                const QString rest = first.mid(at + 3).trimmed();
                LineEdit edit {run.line, run.line, head, {}};
                edit.lines.append(indent + QStringLiteral("    ") + rest);
                for (int k = 1; k < runLines.size(); ++k)
                    edit.lines.append(runLines.at(k));
                // A tool told not to cache would leave the mount empty.
                if (!pm.noCacheOption.isEmpty()) {
                    for (QString &l : edit.lines)
                        l.replace(QStringLiteral(" %1").arg(pm.noCacheOption), QString());
                }
                edit.last = run.line + int(runLines.size()) - 1;
                QString extra;
                if (pm.id == QLatin1String("apt")) {
                    // Debian's images delete what apt downloads (docker-clean): keep it for the mount.
                    edit.lines.prepend(indent
                        + QStringLiteral("RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo "
                                         "'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > "
                                         "/etc/apt/apt.conf.d/keep-cache"));
                    // The new RUN is new; every other line comes from the install's lines (its first line
                    // now spans the mount lines and the command).
                    edit.origins = {0};
                    for (int k = 0; k <= head.size(); ++k)
                        edit.origins.append(run.line);
                    for (int k = 1; k < runLines.size(); ++k)
                        edit.origins.append(run.line + k);
                    extra = QStringLiteral(
                        " sharing=locked lets two builds wait for apt's lock instead of failing, and the RUN "
                        "before it stops Debian's docker-clean hook from deleting the downloads; a later "
                        "`rm -rf /var/lib/apt/lists/*` only empties the mount and can go.");
                }
                Proposal p;
                p.rule = rule;
                p.line = run.line;
                p.title = QStringLiteral("Keep %1's downloads in a cache mount").arg(pm.name);
                const std::optional<double> t = ctx.seconds(ref);
                p.detail = QStringLiteral(
                    "%1 (line %2) downloads its packages again every time it re-runs%3. A cache mount keeps "
                    "them between builds on the same builder, so a re-run only fetches what changed.%4%5")
                               .arg(quoteCommand(command))
                               .arg(run.line)
                               .arg(t ? QStringLiteral(" (%1 when it last ran)").arg(formatDuration(*t))
                                      : QString(),
                                   extra,
                                   ctx.fromCi() ? QStringLiteral(
                                       " This build ran in CI: cache mounts are not part of an exported "
                                       "cache (--cache-to), so on ephemeral runners they start empty and "
                                       "this helps only where the builder persists.")
                                                : QString());
                p.dockerfileEdits = {edit};
                p.change.lines = {run.line};
                p.changeText = QStringLiteral("a change that re-runs line %1 (an edit of its package list)")
                                   .arg(run.line);
                p.whatifArgs = {QStringLiteral("--changed-line"), QString::number(run.line)};
                p.cheaperRerun = true;
                p.measuredSaving = downloads.seconds;
                if (const QString e = ctx.timeEvidence(ref); !e.isEmpty())
                    p.evidence.append(e);
                for (const QString &l : std::as_const(downloads.lines))
                    p.evidence.append(QStringLiteral("line %1 printed: %2").arg(run.line).arg(l));
                if (downloads.downloads > downloads.lines.size())
                    p.evidence.append(QStringLiteral("%1 download lines in all").arg(downloads.downloads));
                if (downloads.seconds)
                    p.evidence.append(QStringLiteral("apt reports %1 spent downloading")
                                          .arg(formatDuration(*downloads.seconds)));
                if (!ctx.input.run)
                    p.evidence.append(QStringLiteral("no build log loaded: the download time is unknown"));
                out->append(p);
                break;
            }
        }
    }
}

} // namespace Stagelens
