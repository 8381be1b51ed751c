// Rule copy-instead-of-bind: a file copied only so that the next RUN can read it (and then left in the
// image, or deleted by that RUN) costs a layer and a step of its own. A bind mount gives the RUN the file for
// its duration: nothing is copied, the image does not keep it, and an edit of the file re-runs the RUN
// alone. Docker's "Optimize cache usage" guide (use bind mounts) and BuildKit's RUN --mount=type=bind.

#include "advicerules.h"

#include <QRegularExpression>

namespace Stagelens {

void adviseCopyInsteadOfBind(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *)
{
    if (!ctx.context())
        return;
    const QString rule = QString::fromLatin1(AdviceRule::CopyInsteadOfBind);
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed)
            continue;
        for (int i = 1; i + 1 < stage.steps.size(); ++i) {
            const Step &copy = stage.steps.at(i);
            const Step &run = stage.steps.at(i + 1);
            if (copy.kind != InstructionKind::Copy || !copy.isVertex() || !copy.readsContext()
                || copy.sources.size() != 1 || copy.parents || !copy.excludes.isEmpty()
                || !copy.chmod.isEmpty() || !copy.chown.isEmpty() || run.kind != InstructionKind::Run
                || !run.isVertex())
                continue;
            // One file of the context, to an absolute path under /tmp (a path meant to be thrown away).
            const QString source = copy.sources.first();
            const int entry = ctx.context()->indexOf(source);
            if (entry < 0 || ctx.context()->entries().at(entry).type != EntryType::File
                || ctx.context()->entries().at(entry).ignored)
                continue;
            QString target = copy.destination;
            if (!target.startsWith(QLatin1String("/tmp/")))
                continue;
            if (target.endsWith(QLatin1Char('/')))
                target += source.mid(source.lastIndexOf(QLatin1Char('/')) + 1);
            // The RUN right after reads it; no later step of the stage, or of any stage, names it.
            const QStringList runLines = ctx.stepLines(run);
            if (!runLines.join(QLatin1Char('\n')).contains(target))
                continue;
            bool laterUse = false;
            for (const StepRef ref : ctx.graph.neededVertices()) {
                const Step *s = ctx.graph.step(ref);
                if ((ref.stage != stage.index || ref.step > i + 1) && s->text.contains(target))
                    laterUse = true;
            }
            for (const Stage &other : ctx.graph.stages) {
                if (other.baseStage == stage.index)
                    laterUse = true; // a stage built on this one could read the file: leave it
            }
            if (laterUse)
                continue;
            static const QRegularExpression keyword(
                QStringLiteral(R"(^(\s*RUN\s+))"), QRegularExpression::CaseInsensitiveOption);
            const QRegularExpressionMatch m = keyword.match(runLines.first());
            if (!m.hasMatch())
                continue;
            QStringList newRun = runLines;
            newRun.first().insert(m.capturedEnd(),
                QStringLiteral("--mount=type=bind,source=%1,target=%2 ").arg(source, target));
            Proposal p;
            p.rule = rule;
            p.line = copy.line;
            p.lines = {copy.line, run.line};
            p.title = QStringLiteral("Bind-mount %1 into the RUN on line %2 instead of copying it")
                          .arg(source)
                          .arg(run.line);
            p.detail = QStringLiteral(
                "%1 (line %2) copies %3 only for the RUN on line %4. A bind mount gives that RUN the file "
                "without a COPY step or a layer that keeps it in the image; an edit of %3 then re-runs the "
                "RUN "
                "alone.")
                           .arg(quoteCommand(copy.text))
                           .arg(copy.line)
                           .arg(source)
                           .arg(run.line);
            p.dockerfileEdits = {LineEdit {copy.line, std::max(copy.line, copy.endLine), {}, {}},
                LineEdit {run.line, run.line + int(runLines.size()) - 1, newRun, {}}};
            p.removableLines = {copy.line};
            p.change.paths = {{source, ChangeKind::Content}};
            p.changeText = QStringLiteral("an edit of %1").arg(source);
            p.whatifArgs = {QStringLiteral("--changed"), source};
            if (const QString e = ctx.timeEvidence({stage.index, i}); !e.isEmpty())
                p.evidence.append(e);
            out->append(p);
        }
    }
}

} // namespace Stagelens
