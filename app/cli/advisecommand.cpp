#include "advisecommand.h"

#include "clicommon.h"
#include "model/advice/advice.h"
#include "model/core/duration.h"
#include "model/session/projectsession.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace Stagelens::Cli {

namespace {

const QString Usage = QStringLiteral(
    "stagelens advise CONTEXT_DIR [-f DOCKERFILE] [--target NAME] [--build-arg NAME=VALUE ...] "
    "[--log LOGFILE ...] [--verbose] --json");

int usageError(const QString &message)
{
    printError(QStringLiteral("stagelens advise: %1").arg(message));
    printError(QStringLiteral("usage: %1").arg(Usage));
    return ExitUsage;
}

QString figure(const std::optional<double> &seconds, int untimed)
{
    if (!seconds)
        return QStringLiteral("time unknown");
    return untimed > 0
        ? QStringLiteral("%1 + %2 step(s) without a time").arg(formatDuration(*seconds)).arg(untimed)
        : formatDuration(*seconds);
}

// The human form: each advice with its measurement and patch, then the notes.
void printText(const AdviceResult &result)
{
    QString out;
    if (result.advice.isEmpty())
        out += QStringLiteral("No advice: every rule either does not apply or is already followed.\n");
    for (const Advice &a : result.advice) {
        out += QStringLiteral("line %1 [%2] %3\n  %4\n").arg(a.line).arg(a.rule, a.title, a.detail);
        if (!a.whatifArgs.isEmpty())
            out += QStringLiteral("  on %1: re-runs %2 step(s) now (%3), %4 after the rewrite (%5)\n")
                       .arg(a.change)
                       .arg(a.stepsNow)
                       .arg(figure(a.secondsNow, a.untimedNow))
                       .arg(a.stepsAfter)
                       .arg(figure(a.secondsAfter, a.untimedAfter));
        for (const QString &e : a.evidence)
            out += QStringLiteral("  evidence: %1\n").arg(e);
        if (!a.patch.isEmpty())
            out += a.patch;
        out += QLatin1Char('\n');
    }
    for (const AdviceNote &n : result.notes)
        out += QStringLiteral("note (%1%2): %3\n")
                   .arg(n.rule, n.line > 0 ? QStringLiteral(", line %1").arg(n.line) : QString(), n.detail);
    printOut(out);
}

} // namespace

int runAdviseCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cache advice proven by the what-if engine: each finding "
                                                    "with its rewrite and the seconds it saves."));
    parser.addPositionalArgument(QStringLiteral("CONTEXT_DIR"), QStringLiteral("the build context folder"));
    const QCommandLineOption fileOption({QStringLiteral("f"), QStringLiteral("file")},
        QStringLiteral("the Dockerfile (default: CONTEXT_DIR/Dockerfile)"), QStringLiteral("DOCKERFILE"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("the stage to build (default: the last)"), QStringLiteral("NAME"));
    const QCommandLineOption buildArgOption(QStringLiteral("build-arg"),
        QStringLiteral("a build argument, as docker build takes it"), QStringLiteral("NAME=VALUE"));
    const QCommandLineOption logOption(QStringLiteral("log"),
        QStringLiteral("a build log or record giving the step times (repeat for several; the last build is "
                       "the evidence)"),
        QStringLiteral("LOGFILE"));
    const QCommandLineOption verboseOption(
        QStringLiteral("verbose"), QStringLiteral("also say which proposals failed their check, and why"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("print the JSON document"));
    parser.addOptions({fileOption, targetOption, buildArgOption, logOption, verboseOption, jsonOption});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(positional.isEmpty() ? QStringLiteral("no CONTEXT_DIR given")
                                               : QStringLiteral("one CONTEXT_DIR at a time"));
    const QString contextDir = positional.first();
    if (!QFileInfo(contextDir).isDir())
        return usageError(QStringLiteral("%1 is not a folder").arg(contextDir));
    const QString dockerfile =
        parser.isSet(fileOption) ? parser.value(fileOption) : contextDir + QStringLiteral("/Dockerfile");
    if (!QFileInfo(dockerfile).isFile() || !QFileInfo(dockerfile).isReadable())
        return usageError(QStringLiteral("cannot read %1").arg(dockerfile));
    for (const QString &log : parser.values(logOption)) {
        if (!QFileInfo(log).isFile())
            return usageError(QStringLiteral("cannot read %1").arg(log));
    }
    BuildOptions options;
    options.target = parser.value(targetOption);
    if (const QString bad = parseBuildArgs(parser.values(buildArgOption), &options.buildArgs); !bad.isEmpty())
        return usageError(QStringLiteral("invalid --build-arg \"%1\"").arg(bad));

    // The same session the window runs, driven synchronously.
    ProjectSession session;
    session.openDockerfile(dockerfile, contextDir, options);
    for (const QString &log : parser.values(logOption))
        session.addLog(log);
    const AdviceResult result = adviseOn(session.adviceInput());

    if (parser.isSet(jsonOption)) {
        QJsonObject json = toJson(result);
        json.insert(QStringLiteral("dockerfile"), dockerfile);
        json.insert(QStringLiteral("context"), session.context() ? session.context()->rootPath() : QString());
        printJson(json);
    } else {
        printText(result);
    }
    if (parser.isSet(verboseOption)) {
        for (const QString &why : result.dropped)
            printError(QStringLiteral("dropped: %1").arg(why));
    }
    for (const Diagnostic &d : session.graph().diagnostics) {
        if (d.severity == Severity::Error)
            printError(d.toString());
    }
    return hasErrors(session.graph().diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
