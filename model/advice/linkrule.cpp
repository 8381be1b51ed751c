// Rule copy-link: without --link, a COPY is keyed on every layer below it, so a new base image (or an
// earlier step that re-ran) re-runs the copy too. With --link (Dockerfile 1.4, BuildKit 0.10) the files are
// copied onto an empty layer that is merged onto the chain, keyed by the sources alone: the copy stays cached
// and only the merge is redone. Sources: Docker's Dockerfile reference (COPY --link) and BuildKit's
// announcement of the flag (image rebase and improved remote cache support).

#include "advicerules.h"
#include "model/core/duration.h"

#include <QRegularExpression>

namespace Stagelens {

void adviseCopyLink(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *)
{
    if (ctx.input.stepSeconds.isEmpty())
        return; // the premise is the time the copies take: without a log it is unknown
    static const QRegularExpression numeric(QStringLiteral(R"(^\d+(?::\d+)?$)"));
    const QString rule = QString::fromLatin1(AdviceRule::CopyLink);
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed || stage.steps.isEmpty() || (stage.base.isEmpty() && stage.baseStage < 0))
            continue;
        QList<int> copies;
        double seconds = 0;
        for (int i = 1; i < stage.steps.size(); ++i) {
            const Step &s = stage.steps.at(i);
            if (!s.isVertex() || (s.kind != InstructionKind::Copy && s.kind != InstructionKind::Add) || s.link
                || s.parents || (!s.chown.isEmpty() && !numeric.match(s.chown).hasMatch()))
                continue;
            const std::optional<double> t = ctx.seconds({stage.index, i});
            if (!t)
                continue;
            copies.append(i);
            seconds += *t;
        }
        // A fraction of a second is not worth a changed copy semantics (see the detail's caveat).
        if (copies.isEmpty() || seconds < 1.0)
            continue;
        Proposal p;
        p.rule = rule;
        p.line = stage.steps.at(copies.first()).line;
        QStringList names;
        for (int i : std::as_const(copies)) {
            const Step &s = stage.steps.at(i);
            p.lines.append(s.line);
            names.append(QString::number(s.line));
            QString first = ctx.lines.value(s.line - 1);
            static const QRegularExpression keyword(
                QStringLiteral(R"(^(\s*(?:COPY|ADD)\s+))"), QRegularExpression::CaseInsensitiveOption);
            const QRegularExpressionMatch m = keyword.match(first);
            if (!m.hasMatch())
                continue;
            first.insert(m.capturedEnd(), QStringLiteral("--link "));
            p.dockerfileEdits.append(LineEdit {s.line, s.line, {first}, {}});
            if (const QString e = ctx.timeEvidence({stage.index, i}); !e.isEmpty())
                p.evidence.append(e);
        }
        if (p.dockerfileEdits.isEmpty())
            continue;
        p.title = QStringLiteral("Copy with --link in stage %1 so a new base does not redo the copies")
                      .arg(stage.token());
        p.detail = QStringLiteral(
            "The COPY/ADD steps on lines %1 of stage %2 took %3 and re-run whenever the base (%4) or a step "
            "before them changes. With --link BuildKit keeps the copied layer and only re-applies it on the "
            "new base. Caveats: a --link copy does not see the base's files, so a destination that is a "
            "symlink in the base is not followed, and --chown needs numeric ids.")
                       .arg(names.join(QStringLiteral(", ")), stage.token(), formatDuration(seconds),
                           stage.baseName.isEmpty() ? stage.token() : stage.baseName);
        // A base with other layers; for a stage built FROM another stage, the root image of that chain.
        int root = stage.index;
        for (int hops = 0; ctx.graph.stages.at(root).baseStage >= 0 && hops < ctx.graph.stages.size(); ++hops)
            root = ctx.graph.stages.at(root).baseStage;
        if (ctx.graph.stages.at(root).base.isEmpty())
            continue; // FROM scratch at the root: nothing moves
        const QString rootToken =
            ctx.graph.stages.at(root).name.isEmpty() ? QString::number(root) : ctx.graph.stages.at(root).name;
        p.change.movedBases = {rootToken};
        p.changeText = QStringLiteral("a new image behind %1 (FROM on line %2)")
                           .arg(ctx.graph.stages.at(root).baseName)
                           .arg(ctx.graph.stages.at(root).line);
        p.whatifArgs = {QStringLiteral("--changed-base"), rootToken};
        out->append(p);
    }
}

} // namespace Stagelens
