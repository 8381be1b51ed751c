// Rule early-arg: BuildKit puts every ARG in scope into each RUN's environment, so a RUN after `ARG NAME`
// is keyed on NAME's value whether it uses it or not: a changed value re-runs the first RUN after the
// declaration and everything after it (shared/corpus/buildkit-real, 09-build-arg-declared-unused). Docker's
// build-variables guide: declare an ARG where it is used.

#include "advicerules.h"
#include "model/core/duration.h"
#include "packagemanagers.h"

#include <QRegularExpression>

namespace Stagelens {

namespace {

bool usesArg(const Step &step, const QString &name)
{
    if (step.variables.contains(name))
        return true;
    // A RUN's argDependencies are every ARG in scope; other steps list only what they depend on.
    return step.kind != InstructionKind::Run && step.argDependencies.contains(name);
}

// A script a RUN runs that mentions the ARG's name: the RUN may read it from its environment.
QString scriptUsing(const RuleContext &ctx, const Step &run, const QString &name)
{
    const ContextIndex *c = ctx.context();
    if (!c)
        return {};
    static const QRegularExpression token(QStringLiteral(R"([^\s'"=<>|;&()]+)"));
    const QRegularExpression word(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(name)));
    const QString command = runCommand(run.text);
    QStringList names;
    for (auto it = token.globalMatch(command); it.hasNext();) {
        const QString t = it.next().captured();
        const QString base = t.mid(t.lastIndexOf(QLatin1Char('/')) + 1);
        if (base.contains(QLatin1Char('.')) && !base.startsWith(QLatin1Char('-')))
            names.append(base);
        if (t == QLatin1String("make"))
            names.append(QStringLiteral("Makefile"));
    }
    if (names.isEmpty())
        return {};
    int read = 0;
    for (const ContextEntry &e : c->entries()) {
        if (e.type != EntryType::File || e.ignored)
            continue;
        const QString base = e.path.mid(e.path.lastIndexOf(QLatin1Char('/')) + 1);
        if (!names.contains(base))
            continue;
        if (++read > 8)
            break;
        if (word.match(QString::fromUtf8(ctx.readContextFile(e.path))).hasMatch())
            return e.path;
    }
    return {};
}

} // namespace

void adviseEarlyArg(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes)
{
    const QString rule = QString::fromLatin1(AdviceRule::EarlyArg);
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed)
            continue;
        for (int a = 1; a < stage.steps.size(); ++a) {
            const Step &arg = stage.steps.at(a);
            if (arg.kind != InstructionKind::Arg || arg.declares.size() != 1)
                continue;
            const QString name = arg.declares.first();
            int use = -1;
            bool redeclared = false;
            QList<int> wasted; // RUN steps before the first use
            for (int k = a + 1; k < stage.steps.size(); ++k) {
                const Step &s = stage.steps.at(k);
                if (s.kind == InstructionKind::Arg && s.declares.contains(name)) {
                    redeclared = true;
                    break;
                }
                if (usesArg(s, name)) {
                    use = k;
                    break;
                }
                if (s.kind == InstructionKind::Run && s.isVertex())
                    wasted.append(k);
            }
            if (redeclared || wasted.isEmpty())
                continue;
            const Step &firstRun = stage.steps.at(wasted.first());
            QString script;
            for (int k : std::as_const(wasted)) {
                if (!(script = scriptUsing(ctx, stage.steps.at(k), name)).isEmpty()) {
                    notes->append({rule, arg.line,
                        QStringLiteral("ARG %1 (line %2) comes before RUN steps that do not name it, but %3 "
                                       "(run on line %4) mentions %1 and may read it from its environment: "
                                       "keep the ARG before it")
                            .arg(name)
                            .arg(arg.line)
                            .arg(script)
                            .arg(stage.steps.at(k).line)});
                    break;
                }
            }
            if (!script.isEmpty())
                continue;

            const QStringList argLines = ctx.stepLines(arg);
            LineEdit remove {arg.line, arg.line + int(argLines.size()) - 1, {}, {}};
            LineEdit insert;
            if (use >= 0) {
                insert.first = stage.steps.at(use).line;
            } else {
                const Step &last = stage.steps.constLast();
                insert.first = std::max(last.line, last.endLine) + 1;
            }
            insert.last = insert.first - 1;
            insert.lines = argLines;
            for (int k = 0; k < argLines.size(); ++k)
                insert.origins.append(arg.line + k);

            Proposal p;
            p.rule = rule;
            p.line = arg.line;
            p.lines = {arg.line};
            for (int k : std::as_const(wasted))
                p.lines.append(stage.steps.at(k).line);
            double wastedSeconds = 0;
            bool allTimed = true;
            for (int k : std::as_const(wasted)) {
                if (const auto t = ctx.seconds({stage.index, k}))
                    wastedSeconds += *t;
                else
                    allTimed = false;
            }
            if (use >= 0) {
                p.title = QStringLiteral("Declare ARG %1 where line %2 first uses it")
                              .arg(name)
                              .arg(stage.steps.at(use).line);
            } else {
                p.title = QStringLiteral("ARG %1 is never used in stage %2: declare it after its last RUN")
                              .arg(name, stage.token());
            }
            p.detail = QStringLiteral(
                "BuildKit passes every ARG in scope to each RUN, so a new value of %1 re-runs %2 (line %3)%4 "
                "although %5. Moving the ARG %6 keeps them cached. Checked: no RUN in between names $%1%7.")
                           .arg(name, quoteCommand(runCommand(firstRun.text)))
                           .arg(firstRun.line)
                           .arg(wasted.size() > 1
                                   ? QStringLiteral(" and the %1 RUN steps after it").arg(wasted.size() - 1)
                                   : QString(),
                               wasted.size() > 1 ? QStringLiteral("none of them uses it")
                                                 : QStringLiteral("it does not use it"),
                               use >= 0 ? QStringLiteral("down to line %1").arg(stage.steps.at(use).line)
                                        : QStringLiteral("after the stage's last step"),
                               QStringLiteral(" (a script that reads it from the environment without the "
                                              "Dockerfile naming it would need it kept)"));
            p.dockerfileEdits = {remove, insert};
            p.change.args = {name};
            p.changeText = QStringLiteral("a new value of the build arg %1").arg(name);
            p.whatifArgs = {QStringLiteral("--changed-arg"), name};
            if (allTimed && !wasted.isEmpty())
                p.evidence.append(
                    QStringLiteral("the RUN steps that do not use it took %1 when they last ran")
                        .arg(formatDuration(wastedSeconds)));
            for (int k : std::as_const(wasted)) {
                if (const QString e = ctx.timeEvidence({stage.index, k}); !e.isEmpty())
                    p.evidence.append(e);
            }
            out->append(p);
        }
    }
}

} // namespace Stagelens
