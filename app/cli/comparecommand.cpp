#include "comparecommand.h"

#include "clicommon.h"
#include "model/buildlog/buildlogreader.h"
#include "model/compare/buildcompare.h"
#include "model/compare/buildcomparison.h"
#include "model/compare/gitrevisions.h"
#include "model/context/dockerignore.h"
#include "model/context/patternmatcher.h"
#include "model/graph/buildgraph.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>

#include <cstdio>

namespace Stagelens::Cli {

namespace {

const QString Usage =
    QStringLiteral("stagelens compare BEFORE[#N] AFTER[#N] [--project DIR] [--revisions A..B] "
                   "[--dockerfile F] [--json | --markdown]");

struct PickedBuild
{
    QString file;
    int number = 0; ///< 1-based
    BuildRun run;
};

// "FILE#N": the N-th build of FILE (only when no file has that very name); the last build by default.
std::optional<PickedBuild> pickBuild(const QString &spec, QString *error)
{
    QString path = spec;
    int number = 0;
    static const QRegularExpression numbered(QStringLiteral("^(.+)#([1-9][0-9]{0,5})$"));
    if (const QRegularExpressionMatch m = numbered.match(spec); m.hasMatch() && !QFileInfo(spec).isFile()) {
        path = m.captured(1);
        number = m.captured(2).toInt();
    }
    if (!QFileInfo(path).isFile()) {
        *error = QStringLiteral("no such file: %1").arg(path);
        return std::nullopt;
    }
    const BuildLogResult result = readBuildLogFile(path);
    if (result.builds.isEmpty()) {
        *error = QStringLiteral("%1 holds no build").arg(path);
        return std::nullopt;
    }
    if (number > result.builds.size()) {
        *error = QStringLiteral("%1 holds %2 builds, not %3").arg(path).arg(result.builds.size()).arg(number);
        return std::nullopt;
    }
    const int index = number > 0 ? number - 1 : int(result.builds.size()) - 1;
    return PickedBuild {path, index + 1, result.builds.at(index)};
}

} // namespace

int runCompareCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Compares two builds (logs or build records): which steps missed the cache, the first miss of each "
        "chain, why, and what each cause cost."));
    parser.addPositionalArgument(
        QStringLiteral("BEFORE"), QStringLiteral("the earlier build: FILE or FILE#N"));
    parser.addPositionalArgument(QStringLiteral("AFTER"), QStringLiteral("the later build: FILE or FILE#N"));
    const QCommandLineOption projectOption(QStringLiteral("project"),
        QStringLiteral("the build context, a git work tree: its history names the files that changed"),
        QStringLiteral("DIR"));
    const QCommandLineOption revisionsOption(QStringLiteral("revisions"),
        QStringLiteral("the revisions of BEFORE and AFTER (default: the records' vcs:revision)"),
        QStringLiteral("A..B"));
    const QCommandLineOption dockerfileOption(QStringLiteral("dockerfile"),
        QStringLiteral("the Dockerfile (default: DIR/Dockerfile): which stage each FROM <stage> builds on"),
        QStringLiteral("F"));
    const QCommandLineOption jsonOption(
        QStringLiteral("json"), QStringLiteral("print the comparison as JSON"));
    const QCommandLineOption markdownOption(
        QStringLiteral("markdown"), QStringLiteral("print the 'Why it changed' section as Markdown"));
    parser.addOptions({projectOption, revisionsOption, dockerfileOption, jsonOption, markdownOption});
    const int early = parseCommandLine(parser, args, Usage);
    if (early >= 0)
        return early;
    const QStringList positional = parser.positionalArguments();
    auto usageError = [](const QString &message) {
        printError(QStringLiteral("stagelens compare: %1").arg(message));
        printError(QStringLiteral("usage: %1").arg(Usage));
        return ExitUsage;
    };
    if (positional.size() != 2)
        return usageError(QStringLiteral("expected BEFORE and AFTER"));
    QString error;
    const std::optional<PickedBuild> before = pickBuild(positional.at(0), &error);
    if (!before)
        return usageError(error);
    const std::optional<PickedBuild> after = pickBuild(positional.at(1), &error);
    if (!after)
        return usageError(error);

    CompareContext context;
    const QString project = parser.value(projectOption);
    if (!project.isEmpty() && !QFileInfo(project).isDir())
        return usageError(QStringLiteral("no such folder: %1").arg(project));
    QString dockerfile = parser.value(dockerfileOption);
    if (dockerfile.isEmpty() && !project.isEmpty()
        && QFileInfo(QDir(project).filePath(QStringLiteral("Dockerfile"))).isFile())
        dockerfile = QDir(project).filePath(QStringLiteral("Dockerfile"));
    if (!dockerfile.isEmpty()) {
        if (!QFileInfo(dockerfile).isFile())
            return usageError(QStringLiteral("no such file: %1").arg(dockerfile));
        // What the Dockerfile says that logs do not: the FROM <stage> chains and each stage's ARGs.
        context = compareContextOf(buildGraphFromFile(dockerfile, {}));
    }

    // The revisions: given, or from the records' vcs:revision or the CI logs' checkout lines.
    QString from, to;
    QString revisionsNote;
    if (parser.isSet(revisionsOption)) {
        const QStringList parts = parser.value(revisionsOption).split(QStringLiteral(".."));
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            return usageError(QStringLiteral("--revisions wants A..B"));
        from = parts[0];
        to = parts[1];
        revisionsNote = QStringLiteral("revisions %1..%2").arg(from, to);
    } else if (!revisionOf(before->run).isEmpty() && !revisionOf(after->run).isEmpty()) {
        from = revisionOf(before->run);
        to = revisionOf(after->run);
        revisionsNote = before->run.record && after->run.record
            ? QStringLiteral("the records' vcs:revision")
            : QStringLiteral("the commits the CI logs checked out");
    }
    if (parser.isSet(revisionsOption) && project.isEmpty())
        return usageError(QStringLiteral("--revisions needs --project DIR (a git work tree)"));
    // Without a work tree the builds' revisions are only reported: no history to name files with.
    if (!from.isEmpty() && !project.isEmpty()
        && !addRevisionChanges(&context, project, dockerfile, from, to, revisionsNote, &error)) {
        printError(QStringLiteral("stagelens compare: %1").arg(error));
        return ExitInputErrors;
    }

    const CompareResult result = compareBuilds(before->run, after->run, context);
    auto side = [](const PickedBuild &b, const QString &revision, const std::optional<double> &seconds) {
        return QJsonObject {{QStringLiteral("file"), b.file}, {QStringLiteral("build"), b.number},
            {QStringLiteral("duration"), seconds ? QJsonValue(*seconds) : QJsonValue()},
            {QStringLiteral("revision"), revision.isEmpty() ? QJsonValue() : QJsonValue(revision)}};
    };
    if (parser.isSet(jsonOption)) {
        QJsonObject o = toJson(result);
        o.insert(QStringLiteral("before"), side(*before, from, result.beforeSeconds));
        o.insert(QStringLiteral("after"), side(*after, to, result.afterSeconds));
        printJson(o);
        return ExitOk;
    }
    const auto name = [](const PickedBuild &b) {
        return QStringLiteral("%1 #%2").arg(QFileInfo(b.file).fileName()).arg(b.number);
    };
    const QByteArray text = compareToMarkdown(result, name(*before), name(*after)).toUtf8();
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    return ExitOk;
}

} // namespace Stagelens::Cli
