#include "logcommand.h"

#include "clicommon.h"
#include "model/buildlog/buildlogreader.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonObject>

namespace Stagelens::Cli {

namespace {

QString summaryText(const BuildLogResult &result)
{
    QString text;
    for (const BuildRun &run : result.builds) {
        const BuildTotals t = run.totals();
        text += QStringLiteral("build %1 (%2, wrapper %3): %4 steps, %5 done, %6 cached, %7 failed, %8 s\n")
                    .arg(run.index)
                    .arg(logFormatName(run.format), ciWrapperName(run.wrapper))
                    .arg(t.vertices)
                    .arg(t.done)
                    .arg(t.cached)
                    .arg(t.errors)
                    .arg(t.wallSeconds, 0, 'f', 1);
        for (const BuildVertex &v : run.vertices) {
            text += QStringLiteral("  %1 %2 %3 %4\n")
                        .arg(v.id, -6)
                        .arg(vertexStatusName(v.status), -8)
                        .arg(v.seconds ? QString::number(*v.seconds, 'f', 1) + QLatin1Char('s')
                                       : QStringLiteral("-"),
                            7)
                        .arg(v.name);
        }
        if (!run.error.isEmpty())
            text += QStringLiteral("  error: %1\n").arg(run.error);
    }
    return text;
}

} // namespace

int runLogCommand(const QStringList &args)
{
    const QString usage = QStringLiteral("stagelens log LOGFILE --json [--dockerfile DOCKERFILE]");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Reads a Docker/BuildKit build log (plain, tty, rawjson or the "
                       "legacy builder, optionally wrapped by a CI system)."));
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

    BuildLogReadOptions options;
    options.splitTargets = parser.isSet(splitOption);
    const BuildLogResult result = readBuildLogFile(path, options);
    if (parser.isSet(jsonOption)) {
        QJsonObject json = toJson(result);
        json.insert(QStringLiteral("file"), path);
        printJson(json);
    } else {
        printOut(summaryText(result));
        for (const Diagnostic &d : result.diagnostics)
            printError(d.toString());
    }
    return hasErrors(result.diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
