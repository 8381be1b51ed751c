#include "reportcommand.h"

#include "changeoptions.h"
#include "clicommon.h"
#include "model/report/reportdata.h"
#include "model/report/reportoutput.h"
#include "model/session/projectsession.h"
#include "ui/report/reportrenderer.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Stagelens::Cli {

namespace {

const QString Usage = QStringLiteral(
    "stagelens report [CONTEXT_DIR | DOCKERFILE] [-f DOCKERFILE] [--log LOGFILE ...] [--target NAME] "
    "[--build-arg NAME=VALUE ...] [--changed PATH ...] [--chmod PATH ...] [--touched PATH ...] "
    "[--changed-arg NAME ...] [--changed-line N ...] "
    "-o OUT.(pdf|png|svg|md)");

int usageError(const QString &message)
{
    printError(QStringLiteral("stagelens report: %1").arg(message));
    printError(QStringLiteral("usage: %1").arg(Usage));
    return ExitUsage;
}

} // namespace

int runReportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes a timing report of a Docker (BuildKit) build: headline figures, the stage "
                       "graph, the timeline and the slowest steps, as PDF, PNG, SVG or Markdown."));
    parser.addPositionalArgument(QStringLiteral("CONTEXT_DIR|DOCKERFILE"),
        QStringLiteral("the build context (its Dockerfile is used unless -f names another) or a Dockerfile; "
                       "without one, the report is made from the logs (or build records) alone"));
    const QCommandLineOption fileOption(QStringList {QStringLiteral("f"), QStringLiteral("file")},
        QStringLiteral("the Dockerfile (default CONTEXT_DIR/Dockerfile)"), QStringLiteral("DOCKERFILE"));
    const QCommandLineOption logOption(QStringLiteral("log"),
        QStringLiteral("a build log; repeat to compare builds (the last build is detailed)"),
        QStringLiteral("LOGFILE"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("the target stage (default: the last)"), QStringLiteral("NAME"));
    const QCommandLineOption argOption(QStringLiteral("build-arg"),
        QStringLiteral("a build argument, as docker build takes it"), QStringLiteral("NAME=VALUE"));
    const ChangeOptions changeOptions(QStringLiteral(" (for the what-if section)"));
    const QCommandLineOption outputOption(QStringList {QStringLiteral("o"), QStringLiteral("output")},
        QStringLiteral("the report file; its suffix picks the format: .pdf, .png, .svg or .md"),
        QStringLiteral("OUT"));
    parser.addOptions({fileOption, logOption, targetOption, argOption, outputOption});
    parser.addOptions(changeOptions.options());
    const int early = parseCommandLine(parser, args, Usage);
    if (early >= 0)
        return early;

    const QStringList positional = parser.positionalArguments();
    const QStringList logs = parser.values(logOption);
    if (positional.size() > 1)
        return usageError(QStringLiteral("one CONTEXT_DIR or DOCKERFILE at a time"));
    if (positional.isEmpty() && logs.isEmpty() && !parser.isSet(fileOption))
        return usageError(QStringLiteral("expected a CONTEXT_DIR or DOCKERFILE, or --log LOGFILE"));
    if (!parser.isSet(outputOption))
        return usageError(QStringLiteral("missing -o OUT.(pdf|png|svg|md)"));
    const QString output = parser.value(outputOption);
    if (!reportFormatForPath(output))
        return usageError(
            QStringLiteral("%1: unknown report format (use .pdf, .png, .svg or .md)").arg(output));
    const QFileInfo outputInfo(output);
    if (!outputInfo.absoluteDir().exists())
        return usageError(QStringLiteral("no such directory: %1").arg(outputInfo.absolutePath()));
    if (outputInfo.isDir())
        return usageError(QStringLiteral("%1 is a directory").arg(output));

    QString context;
    QString dockerfile;
    bool defaultDockerfile = false; ///< CONTEXT_DIR's Dockerfile, not named by the user
    if (!positional.isEmpty()) {
        const QFileInfo input(positional.first());
        if (input.isDir()) {
            context = input.absoluteFilePath();
            dockerfile = QDir(context).filePath(QStringLiteral("Dockerfile"));
            defaultDockerfile = true;
        } else if (input.isFile()) {
            dockerfile = input.absoluteFilePath();
            context = input.absolutePath();
        } else {
            return usageError(QStringLiteral("no such file or directory: %1").arg(positional.first()));
        }
    }
    // -f is relative to the working directory, as with docker build.
    if (parser.isSet(fileOption)) {
        defaultDockerfile = false;
        dockerfile = QFileInfo(parser.value(fileOption)).absoluteFilePath();
        if (context.isEmpty())
            context = QFileInfo(dockerfile).absolutePath();
    }
    if (!dockerfile.isEmpty() && !QFileInfo(dockerfile).isFile())
        return usageError(QStringLiteral("no such file: %1").arg(dockerfile));
    if (dockerfile.isEmpty() && (parser.isSet(targetOption) || parser.isSet(argOption)))
        return usageError(
            QStringLiteral("--target and --build-arg need a Dockerfile (CONTEXT_DIR, DOCKERFILE or -f)"));

    BuildOptions options;
    options.target = parser.value(targetOption);
    if (const QString bad = parseBuildArgs(parser.values(argOption), &options.buildArgs); !bad.isEmpty())
        return usageError(QStringLiteral("--build-arg needs NAME=VALUE, got %1").arg(bad));

    for (const QString &log : logs) {
        if (!QFileInfo(log).isFile())
            return usageError(QStringLiteral("no such file: %1").arg(log));
    }
    WhatIfChanges changes;
    if (const QString error = changeOptions.read(parser, context, &changes); !error.isEmpty())
        return usageError(error);

    // The same session the window runs, driven synchronously: File > Export Report writes the same report.
    ProjectSession session;
    bool inputErrors = false;
    if (!dockerfile.isEmpty()) {
        session.openDockerfile(dockerfile, context, options);
        if (!options.target.isEmpty() && session.graph().stageIndex(options.target) < 0) {
            QStringList stages;
            for (const Stage &stage : session.graph().stages)
                stages.append(stage.name.isEmpty() ? QString::number(stage.index) : stage.name);
            return usageError(QStringLiteral("--target %1 is no stage of %2; its stages are: %3")
                                  .arg(options.target, dockerfile, stages.join(QStringLiteral(", "))));
        }
        for (const Diagnostic &d : session.graph().diagnostics)
            printError(d.toString());
        inputErrors = hasErrors(session.graph().diagnostics);
        // As in the window: a log of `docker build -f Dockerfile.fail .` is about that file of the folder.
        // A target or build args were asked of the default Dockerfile, so it stays then.
        if (defaultDockerfile && options.target.isEmpty() && options.buildArgs.isEmpty())
            session.letLogChooseDockerfile();
    }
    for (const QString &log : logs) {
        const int before = session.buildCount();
        session.addLog(log);
        if (session.buildCount() == before)
            printError(QStringLiteral("stagelens report: %1 holds no build").arg(log));
    }
    for (const Problem &p : session.diagnostics()->problems()) {
        if (p.source != ProblemSource::Log)
            continue;
        printError(p.diagnostic.toString());
        inputErrors = inputErrors || p.diagnostic.severity == Severity::Error;
    }
    session.setChanges(changes);
    const ReportInput reportInput = session.reportInput();

    if (inputErrors) {
        // A failed command leaves no file behind: a CI step must not attach a report of broken input.
        printError(QStringLiteral("stagelens report: the input has errors (above); no report written"));
        return ExitInputErrors;
    }
    if (reportInput.graph.stages.isEmpty() && reportInput.builds.isEmpty()) {
        printError(QStringLiteral("stagelens report: nothing to report: no stage and no build was found"));
        return ExitInputErrors;
    }
    const ReportData data = makeReportData(reportInput);
    // Written next to the output and renamed into place once complete: never a half report under its name.
    const QString partial = QFileInfo(output).absoluteDir().filePath(
        QStringLiteral(".%1.partial.%2")
            .arg(QFileInfo(output).completeBaseName(), QFileInfo(output).suffix()));
    const QString error = writeReport(data, partial);
    if (!error.isEmpty()) {
        QFile::remove(partial);
        printError(QStringLiteral("stagelens report: %1").arg(error));
        return ExitUsage;
    }
    QFile::remove(output);
    if (!QFile::rename(partial, output)) {
        QFile::remove(partial);
        printError(QStringLiteral("stagelens report: cannot write %1").arg(output));
        return ExitUsage;
    }
    return ExitOk;
}

} // namespace Stagelens::Cli
