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
    "stagelens report (CONTEXT_DIR | DOCKERFILE) [-f DOCKERFILE] [--log LOGFILE ...] [--target NAME] "
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
        QStringLiteral("the build context (its Dockerfile is used unless -f names another) or a Dockerfile"));
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
    if (positional.size() != 1)
        return usageError(QStringLiteral("expected exactly one CONTEXT_DIR or DOCKERFILE"));
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

    const QFileInfo input(positional.first());
    QString context;
    QString dockerfile;
    if (input.isDir()) {
        context = input.absoluteFilePath();
        dockerfile = QDir(context).filePath(QStringLiteral("Dockerfile"));
    } else if (input.isFile()) {
        dockerfile = input.absoluteFilePath();
        context = input.absolutePath();
    } else {
        return usageError(QStringLiteral("no such file or directory: %1").arg(positional.first()));
    }
    // -f is relative to the working directory, as with docker build.
    if (parser.isSet(fileOption))
        dockerfile = QFileInfo(parser.value(fileOption)).absoluteFilePath();
    if (!QFileInfo(dockerfile).isFile())
        return usageError(QStringLiteral("no such file: %1").arg(dockerfile));

    BuildOptions options;
    options.target = parser.value(targetOption);
    if (const QString bad = parseBuildArgs(parser.values(argOption), &options.buildArgs); !bad.isEmpty())
        return usageError(QStringLiteral("--build-arg needs NAME=VALUE, got %1").arg(bad));

    const QStringList logs = parser.values(logOption);
    for (const QString &log : logs) {
        if (!QFileInfo(log).isFile())
            return usageError(QStringLiteral("no such file: %1").arg(log));
    }
    WhatIfChanges changes;
    if (const QString error = changeOptions.read(parser, context, &changes); !error.isEmpty())
        return usageError(error);

    // The same session the window runs, driven synchronously: File > Export Report writes the same report.
    ProjectSession session;
    session.openDockerfile(dockerfile, context, options);
    for (const Diagnostic &d : session.graph().diagnostics)
        printError(d.toString());
    bool inputErrors = hasErrors(session.graph().diagnostics);
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

    const ReportData data = makeReportData(reportInput);
    const QString error = writeReport(data, output);
    if (!error.isEmpty()) {
        printError(QStringLiteral("stagelens report: %1").arg(error));
        return ExitUsage;
    }
    return inputErrors ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
