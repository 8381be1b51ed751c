#include "whatifcommand.h"

#include "changeoptions.h"
#include "clicommon.h"
#include "model/cache/baseimages.h"
#include "model/cache/changedescription.h"
#include "model/cache/dockerdaemon.h"
#include "model/core/duration.h"
#include "model/session/projectsession.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <optional>

namespace Stagelens::Cli {

namespace {

const QString Usage = QStringLiteral(
    "stagelens whatif CONTEXT_DIR [-f DOCKERFILE] [--target NAME] [--build-arg NAME=VALUE ...] "
    "[--platform P[,P...]] [--changed PATH ...] [--chmod PATH ...] [--touched PATH ...] [--changed-arg NAME "
    "...] "
    "[--changed-line N "
    "...] "
    "[--log LOGFILE] [--resolve-images] --json");

int usageError(const QString &message)
{
    printError(QStringLiteral("stagelens whatif: %1").arg(message));
    printError(QStringLiteral("usage: %1").arg(Usage));
    return ExitUsage;
}

QString verdictMark(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Rerun:
        return QStringLiteral("RERUN ");
    case Verdict::Maybe:
        return QStringLiteral("MAYBE ");
    case Verdict::Cached:
        break;
    }
    return QStringLiteral("cached");
}

QString seconds(const QJsonValue &value)
{
    return value.isNull() ? QStringLiteral("time unknown") : formatDuration(value.toDouble());
}

// The human form, when --json is not given: one line per step, then the totals and notes.
void printText(const WhatIfResult &result, const QJsonObject &json, bool logGiven)
{
    QString out;
    for (const StepVerdict &v : result.steps) {
        out += QStringLiteral("%1  %2").arg(verdictMark(v.verdict), v.label);
        if (v.verdict != Verdict::Cached)
            out += QStringLiteral("\n          because %1").arg(v.reason());
        out += QLatin1Char('\n');
    }
    out += QStringLiteral("re-runs: %1, %2; maybe: %3, %4\n")
               .arg(countSteps(result.count(Verdict::Rerun)))
               .arg(seconds(json.value(QStringLiteral("rerun_seconds"))))
               .arg(countSteps(result.count(Verdict::Maybe)))
               .arg(seconds(json.value(QStringLiteral("maybe_seconds"))));
    for (const BaseImageVerdict &b : result.baseImages)
        out += QStringLiteral("base of %1: %2 -> %3: %4, %5 (rests on %6)\n")
                   .arg(b.stageToken, b.previous, b.next, verdictName(b.verdict), b.detail,
                       baseEvidenceName(b.restsOn));
    for (const QString &note : result.notes)
        out += QStringLiteral("note: %1\n").arg(note);
    if (!logGiven)
        out += QStringLiteral("note: no log given (--log): times unknown\n");
    printOut(out);
}

} // namespace

int runWhatifCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Predict which BuildKit cache layers an edit invalidates, and what that costs."));
    parser.addPositionalArgument(QStringLiteral("CONTEXT_DIR"), QStringLiteral("the build context folder"));
    const QCommandLineOption fileOption({QStringLiteral("f"), QStringLiteral("file")},
        QStringLiteral("the Dockerfile (default: CONTEXT_DIR/Dockerfile)"), QStringLiteral("DOCKERFILE"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("the stage to build (default: the last)"), QStringLiteral("NAME"));
    const QCommandLineOption buildArgOption(QStringLiteral("build-arg"),
        QStringLiteral("a build argument, as docker build takes it"), QStringLiteral("NAME=VALUE"));
    const QCommandLineOption platformOption(QStringLiteral("platform"),
        QStringLiteral(
            "target platform(s), comma-separated: several label steps with BuildKit's platform prefix "
            "([linux/arm64 build 3/7]); the verdicts are those of the first"),
        QStringLiteral("P[,P...]"));
    const ChangeOptions changeOptions;
    const QCommandLineOption logOption(QStringLiteral("log"),
        QStringLiteral("a build log giving each step's time (last uncached run)"), QStringLiteral("LOGFILE"));
    const QCommandLineOption resolveOption(QStringLiteral("resolve-images"),
        QStringLiteral("ask the local Docker daemon (read-only, its unix socket; DOCKER_HOST=unix://... "
                       "honoured) what the base images before and after the edit are, to make a changed "
                       "FROM exact"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("print the JSON document"));
    parser.addOptions(
        {fileOption, targetOption, buildArgOption, platformOption, logOption, resolveOption, jsonOption});
    parser.addOptions(changeOptions.options());
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

    BuildOptions options;
    options.target = parser.value(targetOption);
    if (const QString bad = parseBuildArgs(parser.values(buildArgOption), &options.buildArgs); !bad.isEmpty())
        return usageError(QStringLiteral("invalid --build-arg \"%1\"").arg(bad));
    if (parser.isSet(platformOption)) {
        const QStringList platforms =
            parser.value(platformOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (platforms.isEmpty())
            return usageError(QStringLiteral("--platform needs P[,P...]"));
        options.platform = platforms.first();
        options.multiPlatform = platforms.size() > 1; // BuildKit prefixes vertex names only then
    }

    WhatIfChanges changes;
    if (const QString error = changeOptions.read(parser, contextDir, &changes); !error.isEmpty())
        return usageError(error);
    if (parser.isSet(logOption) && !QFileInfo(parser.value(logOption)).isFile())
        return usageError(QStringLiteral("cannot read %1").arg(parser.value(logOption)));

    // Refused before anything is read: only a local unix socket is ever asked.
    std::optional<DockerDaemonClient> daemon;
    if (parser.isSet(resolveOption)) {
        const DaemonEndpoint endpoint = daemonEndpoint(qEnvironmentVariable("DOCKER_HOST"));
        if (!endpoint.isValid())
            return usageError(QStringLiteral("--resolve-images: %1").arg(endpoint.error));
        daemon.emplace(endpoint.socketPath);
    }

    // The same session the window runs, driven synchronously.
    ProjectSession session;
    session.openDockerfile(dockerfile, contextDir, options);
    QList<Diagnostic> logDiagnostics;
    if (parser.isSet(logOption)) {
        session.addLog(parser.value(logOption));
        for (const Problem &p : session.diagnostics()->problems()) {
            if (p.source == ProblemSource::Log)
                logDiagnostics.append(p.diagnostic);
        }
        if (session.stepCosts().isEmpty())
            printError(QStringLiteral(
                "stagelens whatif: the log has no step that ran (every step CACHED?): times unknown"));
    }
    // The bases the logged build used and, when allowed, what the daemon says they are (rule 2).
    changes.bases = gatherBaseImages(session.graph(), session.selectedRun(), daemon ? &*daemon : nullptr);
    session.setChanges(changes);
    const BuildGraph &graph = session.graph();
    const std::shared_ptr<const ContextIndex> context = session.context();
    WhatIfResult result = session.whatIf();
    result.diagnostics = graph.diagnostics + context->diagnostics();

    QJsonObject json = toJson(result);
    json.insert(QStringLiteral("context"), context->rootPath());
    json.insert(QStringLiteral("dockerfile"), dockerfile);
    json.insert(QStringLiteral("ignore_file"),
        context->ignoreFile().isEmpty() ? QJsonValue() : context->ignoreFile());
    json.insert(QStringLiteral("context_entries"), context->includedCount());
    if (parser.isSet(jsonOption))
        printJson(json);
    else
        printText(result, json, parser.isSet(logOption));
    for (const Diagnostic &d : result.diagnostics + logDiagnostics)
        printError(d.toString());
    return hasErrors(graph.diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
