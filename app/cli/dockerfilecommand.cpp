#include "dockerfilecommand.h"

#include "clicommon.h"
#include "model/analysis/loggraph.h"
#include "model/buildlog/buildrecordreader.h"
#include "model/dockerfile/dockerfileparser.h"
#include "model/graph/buildgraph.h"
#include "model/session/projectsession.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <cstdio>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace Stagelens::Cli {

namespace {

const QString Usage =
    QStringLiteral("stagelens dockerfile (DOCKERFILE | RECORD.dockerbuild[#N]) (--ast | --json | --dot) "
                   "[--target NAME] [--build-arg NAME=VALUE ...] [--platform P[,P...]]");

void printDiagnostics(const QList<Diagnostic> &diagnostics)
{
    for (const Diagnostic &d : diagnostics)
        printError(d.toString());
}

/// The Dockerfile a build record carries, with the record's request as defaults.
struct RecordDockerfile
{
    QByteArray text;
    QString name; ///< "Dockerfile", as the record names it
    BuildRecordInfo info;
};

/// Reads the N-th record (1-based; 0: the first that carries a Dockerfile) of a `.dockerbuild`. An empty
/// text with `error` set when there is none.
RecordDockerfile readRecordDockerfile(const QString &path, int wanted, QString *error)
{
    RecordDockerfile found;
    const BuildLogResult result = readBuildRecordFile(path);
    if (wanted > result.builds.size()) {
        *error = QStringLiteral("%1 holds %2 build record(s), not %3")
                     .arg(path)
                     .arg(result.builds.size())
                     .arg(wanted);
        return found;
    }
    for (const BuildRun &run : result.builds) {
        if ((wanted > 0 && run.index != wanted - 1) || !run.record || run.record->dockerfile.isEmpty())
            continue;
        found.text = run.record->dockerfile.toUtf8();
        found.name =
            run.record->dockerfileName.isEmpty() ? QStringLiteral("Dockerfile") : run.record->dockerfileName;
        found.info = *run.record;
        return found;
    }
    *error = QStringLiteral("%1: no Dockerfile in the build record's provenance").arg(path);
    for (const Diagnostic &d : result.diagnostics) {
        if (d.severity == Severity::Error)
            *error += QStringLiteral("\n") + d.toString();
    }
    return found;
}

} // namespace

int runDockerfileCommand(const QStringList &args)
{
#ifdef M_MXFAST
    // The parse tree and the graph are hundreds of thousands of small strings, freed as they are replaced
    // and at the end: glibc's fastbins made each larger request consolidate them first (12 % of `--ast` on
    // a 9 MB file, perf). Without fastbins: `--ast` 340-360 -> 310 ms, `--json` 1.27 -> 1.19 s (perf stat).
    // Only here: the log readers allocate otherwise, and rawjson was 2-3 % slower without them.
    mallopt(M_MXFAST, 0);
#endif
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Parse a Dockerfile and show its stage graph as BuildKit sees it."));
    parser.addPositionalArgument(QStringLiteral("DOCKERFILE"),
        QStringLiteral("the Dockerfile to read, or a build record (.dockerbuild) whose provenance holds it; "
                       "FILE#N picks the N-th record of a file that holds several"));
    const QCommandLineOption astOption(
        QStringLiteral("ast"), QStringLiteral("print the parse tree in BuildKit's parser-test form"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QStringLiteral("print stages, steps (with BuildKit's vertex labels) and edges"));
    const QCommandLineOption dotOption(
        QStringLiteral("dot"), QStringLiteral("print the stage graph as Graphviz DOT"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("the stage to build (default: the last)"), QStringLiteral("NAME"));
    const QCommandLineOption buildArgOption(QStringLiteral("build-arg"),
        QStringLiteral("a build argument, as docker build takes it"), QStringLiteral("NAME=VALUE"));
    const QCommandLineOption platformOption(QStringLiteral("platform"),
        QStringLiteral("target platform(s), comma-separated; the labels are those of the first one"),
        QStringLiteral("PLATFORMS"));
    parser.addOptions({astOption, jsonOption, dotOption, targetOption, buildArgOption, platformOption});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printError(positional.isEmpty() ? QStringLiteral("stagelens dockerfile: no Dockerfile given")
                                        : QStringLiteral("stagelens dockerfile: one Dockerfile at a time"));
        printError(QStringLiteral("usage: %1").arg(Usage));
        return ExitUsage;
    }
    const int modes =
        int(parser.isSet(astOption)) + int(parser.isSet(jsonOption)) + int(parser.isSet(dotOption));
    if (modes > 1) {
        printError(QStringLiteral("stagelens dockerfile: --ast, --json and --dot exclude each other"));
        printError(QStringLiteral("usage: %1").arg(Usage));
        return ExitUsage;
    }

    QString path = positional.first();
    // "FILE#N": the N-th record of a file of several (only when no file has that very name).
    int recordNumber = 0;
    static const QRegularExpression numbered(QStringLiteral("^(.+)#([1-9][0-9]{0,5})$"));
    if (const QRegularExpressionMatch m = numbered.match(path); m.hasMatch() && !QFileInfo(path).isFile()) {
        path = m.captured(1);
        recordNumber = m.captured(2).toInt();
    }
    QFile file(path);
    if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly)) {
        printError(QStringLiteral("stagelens dockerfile: cannot read %1").arg(path));
        return ExitUsage;
    }
    QByteArray text;
    QString fileName = path;
    std::optional<BuildRecordInfo> record;
    bool cut = false; // the file was longer than a Dockerfile can be, and read in part
    if (!looksLikeBuildRecord(file.peek(512))) {
        file.close();
        QString error;
        text = ProjectSession::readDockerfileText(path, &cut, &error);
        if (text.isNull()) {
            printError(QStringLiteral("stagelens dockerfile: %1").arg(error));
            return ExitUsage;
        }
    } else {
        file.close();
        QString error;
        RecordDockerfile fromRecord = readRecordDockerfile(path, recordNumber, &error);
        if (fromRecord.text.isEmpty()) {
            printError(QStringLiteral("stagelens dockerfile: %1").arg(error));
            return ExitInputErrors;
        }
        text = std::move(fromRecord.text);
        fileName = fromRecord.name;
        record = std::move(fromRecord.info);
    }

    // A record's request is the default: its target, build args and platforms; the options override it.
    BuildOptions options = record ? recordBuildOptions(*record) : BuildOptions();
    QStringList platforms = record ? record->platforms : QStringList();
    if (parser.isSet(targetOption))
        options.target = parser.value(targetOption);
    if (parser.isSet(platformOption))
        platforms = parser.value(platformOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (!platforms.isEmpty()) {
        options.platform = platforms.value(0);
        options.multiPlatform = platforms.size() > 1; // BuildKit prefixes vertex names only then
    }
    if (const QString bad = parseBuildArgs(parser.values(buildArgOption), &options.buildArgs);
        !bad.isEmpty()) {
        printError(QStringLiteral("stagelens dockerfile: invalid --build-arg \"%1\"").arg(bad));
        return ExitUsage;
    }

    if (parser.isSet(astOption)) {
        DockerfileAst ast = parseDockerfile(text, fileName);
        if (cut)
            ast.diagnostics.append(ProjectSession::cutDockerfileWarning(fileName));
        printOut(dumpAst(ast));
        printDiagnostics(ast.diagnostics);
        // The dump is BuildKit's parser's view: it fails only where that parser fails. Later instruction
        // checks (unknown flags, missing FROM) are still printed as diagnostics above.
        return ast.parserAccepted ? ExitOk : ExitInputErrors;
    }

    // The graph the window draws for this text and these options.
    const BuildGraph graph = ProjectSession::graphOf(text, fileName, options, cut);
    if (parser.isSet(dotOption)) {
        printOut(toDot(graph));
    } else {
        QJsonObject extra;
        if (record) {
            // Where the Dockerfile came from, and the request it was read with.
            QJsonObject from;
            from.insert(QStringLiteral("path"), path);
            from.insert(QStringLiteral("ref"), record->ref);
            from.insert(QStringLiteral("target"),
                record->target.isEmpty() ? QJsonValue() : QJsonValue(record->target));
            QJsonObject args;
            for (auto it = options.buildArgs.constBegin(); it != options.buildArgs.constEnd(); ++it)
                args.insert(it.key(), it.value());
            from.insert(QStringLiteral("build_args"), args);
            from.insert(QStringLiteral("platforms"), QJsonArray::fromStringList(platforms));
            extra.insert(QStringLiteral("record"), from);
        }
        // Written directly, a megabyte at a time: building the QJsonObject first was a third of the run on a
        // big file, and holding the whole text cost its copies.
        const auto write = [](QByteArray *text) {
            std::fwrite(text->constData(), 1, size_t(text->size()), stdout);
            text->clear();
        };
        QByteArray out;
        appendJsonText(&out, graph, extra, write);
        write(&out);
        std::fflush(stdout);
    }
    printDiagnostics(graph.diagnostics);
    return hasErrors(graph.diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
