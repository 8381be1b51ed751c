// Rule apt-update-alone: `RUN apt-get update` on its own is cached on its own, so a later edit of the
// install line re-runs the install with package lists from whenever the update was first cached (old
// versions, 404s). Docker's Dockerfile best practices: update and install in the same RUN.

#include "advicerules.h"
#include "packagemanagers.h"

#include <QRegularExpression>

namespace Stagelens {

void adviseAptUpdateAlone(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *)
{
    static const QRegularExpression updateOnly(
        QStringLiteral(R"(^\s*(?:sudo\s+)?apt(?:-get)?\s+(?:-\S+\s+)*update(?:\s+-\S+)*\s*;?\s*$)"));
    const QString rule = QString::fromLatin1(AdviceRule::AptUpdateAlone);
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed)
            continue;
        for (int i = 1; i < stage.steps.size(); ++i) {
            const Step &update = stage.steps.at(i);
            if (update.kind != InstructionKind::Run || !update.isVertex()
                || !updateOnly.match(runCommand(update.text)).hasMatch())
                continue;
            // The next RUN that installs with apt.
            int k = i + 1;
            for (; k < stage.steps.size(); ++k) {
                const Step &s = stage.steps.at(k);
                if (s.kind != InstructionKind::Run)
                    continue;
                const QList<PackageManager> pms = installsIn(runCommand(s.text));
                if (std::any_of(pms.cbegin(), pms.cend(),
                        [](const PackageManager &p) { return p.id == QLatin1String("apt"); }))
                    break;
            }
            if (k >= stage.steps.size())
                continue;
            const Step &install = stage.steps.at(k);
            QStringList installLines = ctx.stepLines(install);
            // Where the install's command starts: after RUN and its flags, on the first line or the next.
            static const QRegularExpression prefix(
                QStringLiteral(R"(^(\s*RUN\s+(?:--\S+\s+)*))"), QRegularExpression::CaseInsensitiveOption);
            const QRegularExpressionMatch m = prefix.match(installLines.first());
            if (!m.hasMatch())
                continue;
            int lineIndex = 0;
            qsizetype at = m.capturedEnd();
            QString rest = installLines.first().mid(at).trimmed();
            if (rest.startsWith(QLatin1Char('[')))
                continue; // exec form: no shell to chain in
            if (rest.isEmpty() || rest == QLatin1String("\\")) {
                if (installLines.size() < 2)
                    continue;
                lineIndex = 1;
                const QString next = installLines.at(1);
                at = next.size() - next.trimmed().size() > 0 ? next.indexOf(next.trimmed().left(1)) : 0;
            }
            installLines[lineIndex].insert(at, QStringLiteral("apt-get update && "));
            const QString updateCommand = runCommand(update.text);

            Proposal p;
            p.rule = rule;
            p.line = update.line;
            p.lines = {update.line, install.line};
            p.title = QStringLiteral("Run %1 in the same RUN as the install on line %2")
                          .arg(quoteCommand(updateCommand))
                          .arg(install.line);
            p.detail = QStringLiteral(
                "%1 (line %2) is a step of its own, so BuildKit keeps its result: when the install on line "
                "%3 "
                "changes, it re-runs with the package lists of whenever the update was first cached, which "
                "can install old versions or fail with 404. Updating in the same RUN refreshes the lists "
                "whenever the install re-runs.")
                           .arg(quoteCommand(updateCommand))
                           .arg(update.line)
                           .arg(install.line);
            const QStringList updateLines = ctx.stepLines(update);
            p.dockerfileEdits = {LineEdit {update.line, update.line + int(updateLines.size()) - 1, {}, {}},
                LineEdit {install.line, install.line + int(installLines.size()) - 1, installLines, {}}};
            p.removableLines = {update.line};
            p.correctness = true;
            p.changeText =
                QStringLiteral("none: a cached update makes later installs use stale package lists");
            out->append(p);
        }
    }
}

} // namespace Stagelens
