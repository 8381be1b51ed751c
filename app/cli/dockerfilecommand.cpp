#include "dockerfilecommand.h"

#include "clicommon.h"
#include "model/dockerfile/dockerfileparser.h"
#include "model/graph/buildgraph.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>

namespace Stagelens::Cli {

namespace {

const QString Usage =
    QStringLiteral("stagelens dockerfile DOCKERFILE (--ast | --json | --dot) [--target NAME] "
                   "[--build-arg NAME=VALUE ...] [--platform P[,P...]]");

void printDiagnostics(const QList<Diagnostic> &diagnostics)
{
    for (const Diagnostic &d : diagnostics)
        printError(d.toString());
}

} // namespace

int runDockerfileCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Parse a Dockerfile and show its stage graph as BuildKit sees it."));
    parser.addPositionalArgument(QStringLiteral("DOCKERFILE"), QStringLiteral("the Dockerfile to read"));
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

    BuildOptions options;
    options.target = parser.value(targetOption);
    if (parser.isSet(platformOption)) {
        const QStringList platforms =
            parser.value(platformOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
        options.platform = platforms.value(0);
        options.multiPlatform = platforms.size() > 1; // BuildKit prefixes vertex names only then
    }
    if (const QString bad = parseBuildArgs(parser.values(buildArgOption), &options.buildArgs);
        !bad.isEmpty()) {
        printError(QStringLiteral("stagelens dockerfile: invalid --build-arg \"%1\"").arg(bad));
        return ExitUsage;
    }

    const QString path = positional.first();
    QFile file(path);
    if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly)) {
        printError(QStringLiteral("stagelens dockerfile: cannot read %1").arg(path));
        return ExitUsage;
    }
    const QByteArray text = file.readAll();

    if (parser.isSet(astOption)) {
        const DockerfileAst ast = parseDockerfile(text, path);
        printOut(dumpAst(ast));
        printDiagnostics(ast.diagnostics);
        // The dump is BuildKit's parser's view: it fails only where that parser fails. Later instruction
        // checks (unknown flags, missing FROM) are still printed as diagnostics above.
        return ast.parserAccepted ? ExitOk : ExitInputErrors;
    }

    const BuildGraph graph = buildGraph(text, path, options);
    if (parser.isSet(dotOption))
        printOut(toDot(graph));
    else
        printJson(toJson(graph));
    printDiagnostics(graph.diagnostics);
    return hasErrors(graph.diagnostics) ? ExitInputErrors : ExitOk;
}

} // namespace Stagelens::Cli
