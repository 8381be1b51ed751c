#include "logcommand.h"

#include "clicommon.h"
#include "model/analysis/buildsummary.h"
#include "model/session/projectsession.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>
#include <future>

namespace Stagelens::Cli {

namespace {

QString secondsText(const std::optional<double> &seconds)
{
    return seconds ? QStringLiteral("%1 s").arg(*seconds, 0, 'f', 1) : QStringLiteral("\u2014");
}

// One header per build with the summary figures every view shows (builds numbered from 1, as people
// count them), then one line per vertex.
QString summaryText(const BuildLogResult &result)
{
    QString text;
    for (const BuildRun &run : result.builds) {
        const BuildSummary s = summarizeBuild(run);
        const std::optional<double> rate = s.cacheHitRate();
        text +=
            QStringLiteral("build %1 (%2, wrapper %3): %4 Dockerfile steps, %5 cached, %6 ran, %7 errors, "
                           "%8 internal; cache hits %9; wall %10; critical path %11 (%12)\n")
                .arg(run.index + 1)
                .arg(logFormatName(run.format), ciWrapperName(run.wrapper))
                .arg(s.steps)
                .arg(s.cached)
                .arg(s.ran)
                .arg(s.errors)
                .arg(s.internal)
                .arg(rate ? QStringLiteral("%1%").arg(*rate * 100, 0, 'f', 0) : QStringLiteral("\u2014"),
                    secondsText(s.wallSeconds), secondsText(s.criticalPathSeconds),
                    s.exactTiming ? QStringLiteral("exact") : QStringLiteral("estimated"));
        if (s.failed())
            text += QStringLiteral("  FAILED%1%2\n")
                        .arg(s.failedStep.isEmpty() ? QString() : QStringLiteral(" at ") + s.failedStep,
                            s.error.isEmpty() ? QString() : QStringLiteral(": ") + s.error);
        for (const BuildVertex &v : run.vertices) {
            text += QStringLiteral("  %1 %2 %3 %4\n")
                        .arg(v.id, -6)
                        .arg(vertexStatusName(v.status), -8)
                        .arg(v.seconds ? QString::number(*v.seconds, 'f', 1) + QLatin1Char('s')
                                       : QStringLiteral("-"),
                            7)
                        .arg(v.name);
        }
    }
    return text;
}

// The document printJson(toJson(result) + "file") would print, byte for byte, written build by build
// through a reused buffer: no QJsonObject of the whole log (for a 1 GB log that was more memory than the
// builds themselves, and most of the time).
void printJsonText(const BuildLogResult &result, const QString &path)
{
    QByteArray out;
    out.reserve(1 << 21);
    const std::function<void(QByteArray *)> write = [](QByteArray *bytes) {
        std::fwrite(bytes->constData(), 1, size_t(bytes->size()), stdout);
        bytes->resize(0); // keeps the capacity
    };
    const auto flush = [&] {
        write(&out);
    };
    out.append("{\n    \"builds\": [\n");
    // One build's text, with its summary merged in (linear in the vertices: a small share of writing them).
    const auto appendBuild = [&result](QByteArray *text, qsizetype i,
                                 const std::function<void(QByteArray *)> &drain) {
        text->append("        ");
        const BuildRun &run = result.builds.at(i);
        const QJsonObject extra {{QStringLiteral("summary"), toJson(summarizeBuild(run), run)}};
        appendJsonText(text, run, 2, drain, extra);
        text->append(i + 1 < result.builds.size() ? ",\n" : "\n");
    };
    // Builds go in batches of about BatchVertices vertices; while this thread writes one batch, a helper
    // writes the next into its own buffer (a log is thousands of builds: the second core was idle). A build
    // larger than a batch is written here alone, drained to stdout as it grows, so memory stays bounded.
    constexpr qsizetype BatchVertices = 20000;
    const auto batchEnd = [&result](qsizetype from) {
        qsizetype vertices = 0;
        qsizetype i = from;
        while (i < result.builds.size()
            && (i == from || vertices + result.builds.at(i).vertices.size() <= BatchVertices))
            vertices += result.builds.at(i++).vertices.size();
        return i;
    };
    const auto formatBatch = [&appendBuild](qsizetype from, qsizetype to) {
        QByteArray text;
        for (qsizetype i = from; i < to; ++i)
            appendBuild(&text, i, {});
        return text;
    };
    const qsizetype count = result.builds.size();
    for (qsizetype i = 0; i < count;) {
        const qsizetype end = batchEnd(i);
        const bool big = result.builds.at(i).vertices.size() > BatchVertices; // then alone in its batch
        std::future<QByteArray> ahead;
        qsizetype next = end;
        if (!big && end < count && result.builds.at(end).vertices.size() <= BatchVertices) {
            next = batchEnd(end);
            ahead = std::async(std::launch::async, formatBatch, end, next);
        }
        for (qsizetype k = i; k < end; ++k)
            appendBuild(&out, k, big ? write : std::function<void(QByteArray *)>());
        flush();
        if (ahead.valid()) {
            out.append(ahead.get());
            flush();
        }
        i = next;
    }
    out.append("    ],\n    \"diagnostics\": ");
    QJsonArray diagnostics;
    for (const Diagnostic &d : result.diagnostics)
        diagnostics.append(d.toJson());
    appendJsonText(&out, diagnostics, 1);
    out.append(",\n    \"file\": ");
    appendJsonText(&out, QJsonValue(path), 1);
    out.append("\n}\n");
    flush();
    std::fflush(stdout);
}

} // namespace

int runLogCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("stagelens log LOGFILE --json [--dockerfile DOCKERFILE]");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Reads a Docker/BuildKit build log (plain, tty, rawjson or the "
        "legacy builder, optionally wrapped by a CI system) or a build record (.dockerbuild)."));
    parser.addPositionalArgument(QStringLiteral("LOGFILE"), QStringLiteral("the build log"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("print the builds as JSON"));
    // Accepted now so scripts can pass it; matching steps to the Dockerfile happens in a later stage.
    const QCommandLineOption dockerfileOption(QStringLiteral("dockerfile"),
        QStringLiteral("the Dockerfile that was built"), QStringLiteral("DOCKERFILE"));
    const QCommandLineOption splitOption(
        QStringLiteral("split-targets"), QStringLiteral("one build per bake/compose target and platform"));
    parser.addOption(jsonOption);
    parser.addOption(splitOption);
    parser.addOption(dockerfileOption);
    const int early = parseCommandLine(parser, args, usage);
    if (early >= 0)
        return early;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printError(QStringLiteral("stagelens log: expected exactly one LOGFILE"));
        printError(QStringLiteral("usage: %1").arg(usage));
        return ExitUsage;
    }
    const QString path = positional.first();
    if (!QFileInfo(path).isFile()) {
        printError(QStringLiteral("stagelens log: no such file: %1").arg(path));
        return ExitUsage;
    }
    if (parser.isSet(dockerfileOption) && !QFileInfo(parser.value(dockerfileOption)).isFile()) {
        printError(QStringLiteral("stagelens log: no such file: %1").arg(parser.value(dockerfileOption)));
        return ExitUsage;
    }

    // The same session the window runs, driven synchronously.
    ProjectSession session;
    session.setSplitTargets(parser.isSet(splitOption));
    // The builds are printed as read; only a Dockerfile to check them against needs the analysis.
    session.setAnalyseBuilds(parser.isSet(dockerfileOption));
    if (parser.isSet(dockerfileOption))
        session.openDockerfile(parser.value(dockerfileOption));
    session.addLog(path);
    BuildLogResult result = session.logResult(session.logCount() - 1);
    // Joined to a Dockerfile, the log says whether it fits it (log-dockerfile-mismatch).
    result.diagnostics += session.matchDiagnostics();
    if (parser.isSet(jsonOption)) {
        printJsonText(result, path);
    } else {
        printOut(summaryText(result));
        for (const Diagnostic &d : result.diagnostics)
            printError(d.toString());
    }
    return hasErrors(result.diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
