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

bool usesArg(const RuleContext &ctx, const Step &step, const QString &name)
{
    if (step.variables.contains(name))
        return true;
    // A RUN's argDependencies are every ARG in scope; other steps list only what they depend on.
    if (step.kind != InstructionKind::Run && step.argDependencies.contains(name))
        return true;
    // The raw lines too: a heredoc body (RUN <<EOT ... EOT) is shell text the instruction's own variables
    // do not cover.
    const QRegularExpression ref(QStringLiteral("\\$(?:\\{)?%1\\b").arg(QRegularExpression::escape(name)));
    return ref.match(ctx.stepLines(step).join(QLatin1Char('\n'))).hasMatch();
}

// Names programs read from their environment without the Dockerfile naming them: BuildKit's automatic
// platform args (xx and other cross-compilation helpers read TARGETPLATFORM), and the variables of
// compilers, package managers and proxies. Moving such an ARG changes what a RUN does.
bool readByTools(const QString &name)
{
    static const QRegularExpression known(
        QStringLiteral("^(?:(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)|CGO_\\w+|GO\\w+|NODE_\\w+|NPM_\\w+|"
                       "npm_\\w+|YARN_\\w+|"
                       "PIP_\\w+|PYTHON\\w*|UV_\\w+|POETRY_\\w+|CARGO_\\w+|RUST\\w*|DEBIAN_\\w+|APT_\\w+|"
                       "(?:HTTPS?|FTP|NO|ALL)_PROXY|(?:https?|ftp|no|all)_proxy|LANG|LC_\\w+|TZ|PATH|HOME|"
                       "USER|CC|CXX|CFLAGS|"
                       "CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|JAVA_\\w+|MAVEN_\\w+|GRADLE_\\w+|BUILDKIT_\\w+|"
                       "SOURCE_DATE_EPOCH|"
                       "XX_\\w+|CI)$"));
    return known.match(name).hasMatch();
}

// Commands whose behaviour no build arg can reach through the environment (they read only their own, fixed
// variables such as PATH or LANG, which readByTools keeps out of this rule).
bool isPlainCommand(const QString &word)
{
    static const QSet<QString> plain = {QStringLiteral("apt-get"), QStringLiteral("apt"),
        QStringLiteral("apk"), QStringLiteral("dpkg"), QStringLiteral("yum"), QStringLiteral("dnf"),
        QStringLiteral("microdnf"), QStringLiteral("echo"), QStringLiteral("printf"), QStringLiteral("cd"),
        QStringLiteral("mkdir"), QStringLiteral("rm"), QStringLiteral("rmdir"), QStringLiteral("cp"),
        QStringLiteral("mv"), QStringLiteral("ln"), QStringLiteral("chmod"), QStringLiteral("chown"),
        QStringLiteral("chgrp"), QStringLiteral("touch"), QStringLiteral("tar"), QStringLiteral("gzip"),
        QStringLiteral("gunzip"), QStringLiteral("unzip"), QStringLiteral("xz"), QStringLiteral("curl"),
        QStringLiteral("wget"), QStringLiteral("cat"), QStringLiteral("sed"), QStringLiteral("grep"),
        QStringLiteral("awk"), QStringLiteral("tr"), QStringLiteral("cut"), QStringLiteral("sort"),
        QStringLiteral("uniq"), QStringLiteral("head"), QStringLiteral("tail"), QStringLiteral("wc"),
        QStringLiteral("ls"), QStringLiteral("find"), QStringLiteral("xargs"), QStringLiteral("test"),
        QStringLiteral("["), QStringLiteral("[["), QStringLiteral("true"), QStringLiteral("false"),
        QStringLiteral("sleep"), QStringLiteral("sha256sum"), QStringLiteral("sha512sum"),
        QStringLiteral("md5sum"), QStringLiteral("useradd"), QStringLiteral("userdel"),
        QStringLiteral("usermod"), QStringLiteral("groupadd"), QStringLiteral("addgroup"),
        QStringLiteral("adduser"), QStringLiteral("update-alternatives"),
        QStringLiteral("update-ca-certificates"), QStringLiteral("locale-gen"), QStringLiteral("ldconfig"),
        QStringLiteral("install"), QStringLiteral("tee"), QStringLiteral("date"), QStringLiteral("id"),
        QStringLiteral("whoami"), QStringLiteral("which"), QStringLiteral("command"), QStringLiteral("for"),
        QStringLiteral("while"), QStringLiteral("if"), QStringLiteral("then"), QStringLiteral("else"),
        QStringLiteral("elif"), QStringLiteral("fi"), QStringLiteral("do"), QStringLiteral("done"),
        QStringLiteral("case"), QStringLiteral("esac"), QStringLiteral("set"), QStringLiteral("export"),
        QStringLiteral("exit"), QStringLiteral("gpg"), QStringLiteral("gpgconf"), QStringLiteral("ln"),
        QStringLiteral("mktemp"), QStringLiteral("basename"), QStringLiteral("dirname"),
        QStringLiteral("readlink"), QStringLiteral("realpath"), QStringLiteral("stat"), QStringLiteral("du"),
        QStringLiteral("df"), QStringLiteral("env"), QStringLiteral("sh"), QStringLiteral("bash")};
    return plain.contains(word);
}

// The programs a RUN's shell text runs: the first word of each command (after `&&`, `||`, `;`, `|`, a
// newline, then/do), past variable assignments and `sudo`; for `sh script` the script.
QStringList commandWords(const QString &command)
{
    static const QRegularExpression split(
        QStringLiteral(R"(&&|\|\||[;|\n(`]|\$\(|\bthen\b|\bdo\b|\belse\b)"));
    static const QRegularExpression assignment(QStringLiteral(R"(^[A-Za-z_][A-Za-z0-9_]*=)"));
    QStringList words;
    for (const QString &segment : command.split(split)) {
        QStringList tokens = segment.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        while (!tokens.isEmpty()
            && (assignment.match(tokens.first()).hasMatch() || tokens.first() == QLatin1String("sudo")
                || tokens.first() == QLatin1String("exec") || tokens.first() == QLatin1String("\\")
                || tokens.first() == QLatin1String("!")))
            tokens.removeFirst();
        if (tokens.isEmpty())
            continue;
        QString word = tokens.first();
        if ((word == QLatin1String("sh") || word == QLatin1String("bash")) && tokens.size() > 1) {
            for (int i = 1; i < tokens.size(); ++i) {
                if (!tokens.at(i).startsWith(QLatin1Char('-'))) {
                    word = tokens.at(i);
                    break;
                }
                if (tokens.at(i) == QLatin1String("-c"))
                    break; // sh -c '...': the quoted text is more shell
            }
        }
        words.append(word);
    }
    return words;
}

// Why a RUN might read the ARG from its environment although its text does not name it: a script of the
// context that mentions the name, or a program whose text Stagelens cannot see. Empty when every program it
// runs is a plain command (or a context script that does not mention the name).
QString mayReadArg(const RuleContext &ctx, const Step &run, const QString &name, bool *definite)
{
    const ContextIndex *c = ctx.context();
    const QRegularExpression word(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(name)));
    // Continuation lines joined and comment lines inside them dropped, as BuildKit reads them.
    QStringList lines = ctx.stepLines(run);
    lines.removeIf([](const QString &l) { return l.trimmed().startsWith(QLatin1Char('#')); });
    QString text = lines.join(QLatin1Char('\n'));
    static const QRegularExpression continuation(QStringLiteral("\\\\[ \\t]*\\n"));
    text.replace(continuation, QStringLiteral(" "));
    QString unseen;
    for (QString w : commandWords(runCommand(text))) {
        w.remove(QLatin1Char('"'));
        w.remove(QLatin1Char('\''));
        if (w.isEmpty() || isPlainCommand(w) || w.startsWith(QLatin1Char('#'))
            || w.startsWith(QLatin1Char('-')) || w.startsWith(QLatin1Char('$')) || w == QLatin1String("RUN"))
            continue;
        // A script: look for it in the context by its name.
        const QString base = w.mid(w.lastIndexOf(QLatin1Char('/')) + 1);
        if (c && !base.isEmpty()) {
            for (const ContextEntry &e : c->entries()) {
                if (e.type != EntryType::File || e.ignored
                    || e.path.mid(e.path.lastIndexOf(QLatin1Char('/')) + 1) != base)
                    continue;
                if (word.match(QString::fromUtf8(ctx.readContextFile(e.path))).hasMatch()) {
                    *definite = true;
                    return QStringLiteral("%1 (run on line %2) mentions %3")
                        .arg(e.path)
                        .arg(run.line)
                        .arg(name);
                }
                w.clear();
                break;
            }
        }
        if (!w.isEmpty() && unseen.isEmpty())
            unseen = QStringLiteral("line %1 runs %2, whose text Stagelens cannot see,").arg(run.line).arg(w);
    }
    *definite = false;
    return unseen;
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
                if (usesArg(ctx, s, name)) {
                    use = k;
                    break;
                }
                if (s.kind == InstructionKind::Run && s.isVertex())
                    wasted.append(k);
            }
            if (redeclared || wasted.isEmpty())
                continue;
            static const QRegularExpression platformArg(
                QStringLiteral("^(?:TARGET|BUILD)(?:PLATFORM|OS|ARCH|VARIANT)$"));
            if (platformArg.match(name).hasMatch())
                continue; // changes only with the platform, which changes the base image anyway
            if (readByTools(name)) {
                notes->append({rule, arg.line,
                    QStringLiteral(
                        "ARG %1 (line %2) comes before RUN steps that do not name it, but programs "
                        "read %1 from their environment (BuildKit passes it to every RUN): keep it "
                        "where it is unless none of them does")
                        .arg(name)
                        .arg(arg.line)});
                continue;
            }
            const Step &firstRun = stage.steps.at(wasted.first());
            // A script that names the ARG outranks a program nobody can read.
            QString why;
            for (int k : std::as_const(wasted)) {
                bool definite = false;
                const QString reason = mayReadArg(ctx, stage.steps.at(k), name, &definite);
                if (definite || (why.isEmpty() && !reason.isEmpty()))
                    why = reason;
                if (definite)
                    break;
            }
            if (!why.isEmpty()) {
                notes->append({rule, arg.line,
                    QStringLiteral(
                        "ARG %1 (line %2) comes before RUN steps that do not name it, but %3 and may "
                        "read %1 from its environment (BuildKit passes it to every RUN): keep the "
                        "ARG before it unless it does not")
                        .arg(name)
                        .arg(arg.line)
                        .arg(why)});
                continue;
            }

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
                "although %5. Moving the ARG %6 keeps them cached. Checked: no RUN in between names $%1, and "
                "each "
                "runs only plain commands%7.")
                           .arg(name, quoteCommand(runCommand(firstRun.text)))
                           .arg(firstRun.line)
                           .arg(wasted.size() > 1
                                   ? QStringLiteral(" and the %1 RUN steps after it").arg(wasted.size() - 1)
                                   : QString(),
                               wasted.size() > 1 ? QStringLiteral("none of them uses it")
                                                 : QStringLiteral("it does not use it"),
                               use >= 0 ? QStringLiteral("down to line %1").arg(stage.steps.at(use).line)
                                        : QStringLiteral("after the stage's last step"),
                               QStringLiteral(" or context scripts that do not mention it"));
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
