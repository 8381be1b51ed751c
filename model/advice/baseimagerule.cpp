// Rule unpinned-base: `FROM image:tag` follows the tag, so when the tag moves (a rebuild upstream, a new
// patch release) every step of the stage and of the stages after it re-runs without any edit here. Docker's
// "Best practices" (pin base image versions): pin the digest, and update it on purpose.

#include "advicerules.h"
#include "model/buildlog/buildrun.h"

#include <QRegularExpression>

namespace Stagelens {

void adviseUnpinnedBase(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes)
{
    const QString rule = QString::fromLatin1(AdviceRule::UnpinnedBase);
    static const QRegularExpression digest(QStringLiteral(R"(@(sha256:[0-9a-f]{64})\b)"));
    QSet<QString> seen;
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed || stage.base.isEmpty() || stage.baseName.contains(QLatin1Char('@'))
            || stage.baseStage >= 0 || seen.contains(stage.base))
            continue;
        seen.insert(stage.base);
        const Step &from = stage.steps.first();
        if (from.line <= 0 || from.line > ctx.lines.size())
            continue;
        // The digest the loaded build resolved the tag to (BuildKit names the FROM vertex with it).
        QString found;
        QString logLine;
        if (ctx.input.run) {
            for (const BuildVertex &v : ctx.input.run->vertices) {
                if (v.label.instruction != QLatin1String("FROM"))
                    continue;
                const qsizetype at = v.label.text.indexOf(stage.base + QLatin1Char('@'));
                if (at < 0)
                    continue;
                const QRegularExpressionMatch m = digest.match(v.label.text, at);
                if (m.hasMatch()) {
                    found = m.captured(1);
                    logLine = v.name;
                    break;
                }
            }
        }
        const QString raw = ctx.lines.at(from.line - 1);
        if (found.isEmpty()) {
            if (ctx.input.run)
                notes->append({rule, from.line,
                    QStringLiteral("%1 (line %2) follows a tag; the loaded build does not show the digest it "
                                   "resolved to (a local image?), so no pin is written")
                        .arg(stage.baseName)
                        .arg(from.line)});
            continue;
        }
        const qsizetype at = raw.indexOf(stage.baseName);
        if (at < 0 || raw.contains(QLatin1Char('$'))) {
            notes->append({rule, from.line,
                QStringLiteral("%1 (line %2) follows a tag and comes from a build arg: pin it where the ARG "
                               "gets its value (%3)")
                    .arg(stage.baseName)
                    .arg(from.line)
                    .arg(found)});
            continue;
        }
        QString pinned = raw;
        pinned.insert(at + stage.baseName.size(), QLatin1Char('@') + found);
        Proposal p;
        p.rule = rule;
        p.line = from.line;
        for (const Stage &other : ctx.graph.stages) {
            if (other.needed && other.base == stage.base && other.index != stage.index && other.baseStage < 0)
                p.lines.append(other.line);
        }
        p.lines.prepend(from.line);
        p.title = QStringLiteral("Pin %1 to the digest the build used").arg(stage.baseName);
        p.detail = QStringLiteral(
            "`FROM %1` (line %2) follows the tag: when it moves to a new image upstream, every step built on "
            "it "
            "re-runs with no edit here, and builds stop being reproducible. Pin the digest the last build "
            "resolved (%3) and move it on purpose (Renovate or Dependabot can propose the updates).")
                       .arg(stage.baseName)
                       .arg(from.line)
                       .arg(found);
        p.dockerfileEdits = {LineEdit {from.line, from.line, {pinned}, {}}};
        // The tag moves for every stage built on it.
        p.whatifArgs.clear();
        for (const Stage &other : ctx.graph.stages) {
            if (other.needed && other.base == stage.base && other.baseStage < 0) {
                // The name BuildKit's --target takes: the stage name, else its index.
                const QString ref = other.name.isEmpty() ? QString::number(other.index) : other.name;
                p.change.movedBases.append(ref);
                p.whatifArgs << QStringLiteral("--changed-base") << ref;
            }
        }
        p.changeGoesAway = true;
        p.changeText = QStringLiteral("the tag %1 moving to another image").arg(stage.baseName);
        p.evidence.append(QStringLiteral("the build resolved it as: %1").arg(logLine));
        out->append(p);
    }
}

} // namespace Stagelens
