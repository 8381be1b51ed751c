// Parses the given Dockerfiles ITERATIONS times with the same parser the CLI and GUI use, and prints the time
// per iteration. Compared in run.sh with the dockerfile-ast npm package parsing the same files in Node.js.
//
// The timed figure (per_iteration_ms) is parseDockerfileSyntax(): BuildKit's parser.Parse, i.e. the AST with
// the parser's own errors and warnings. That is the like-for-like comparison: DockerfileParser.parse() of
// dockerfile-ast builds an AST and nothing more (its checks live in the separate dockerfile-utils package),
// and BuildKit also validates instructions and lints only in later stages. parseDockerfile(), which the CLI,
// GUI and graph building call, adds instruction validation and the lint rules (checkDockerfile()); its time
// is printed too, as full_per_iteration_ms, for information.

#include "model/dockerfile/dockerfileparser.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

#include <cstdio>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_dockerfile ITERATIONS FILE...\n");
        return 2;
    }
    const int iterations = qBound(1, args.takeFirst().toInt(), 1000000);
    QList<QByteArray> texts;
    QStringList names;
    for (const QString &path : std::as_const(args)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        texts.append(file.readAll());
        names.append(path);
    }
    // One untimed round warms caches and allocator pools, as Node's JIT warm-up is excluded on its side too.
    qsizetype instructions = 0;
    for (qsizetype i = 0; i < texts.size(); ++i)
        instructions += parseDockerfileSyntax(texts[i], names[i]).instructions.size();

    QElapsedTimer timer;
    timer.start();
    qsizetype checksum = 0;
    for (int it = 0; it < iterations; ++it) {
        for (qsizetype i = 0; i < texts.size(); ++i)
            checksum += parseDockerfileSyntax(texts[i], names[i]).instructions.size();
    }
    const double ms = timer.nsecsElapsed() / 1e6;

    // The full pipeline of the CLI and GUI (parse + validate + lint), not part of the comparison.
    qsizetype fullInstructions = 0;
    for (qsizetype i = 0; i < texts.size(); ++i)
        fullInstructions += parseDockerfile(texts[i], names[i]).instructions.size();
    qsizetype fullChecksum = 0;
    timer.restart();
    for (int it = 0; it < iterations; ++it) {
        for (qsizetype i = 0; i < texts.size(); ++i)
            fullChecksum += parseDockerfile(texts[i], names[i]).instructions.size();
    }
    const double fullMs = timer.nsecsElapsed() / 1e6;

    // The checksums keep the optimiser from dropping the parses and prove every round parsed the same.
    std::printf("files=%lld instructions=%lld checksum_ok=%d total_ms=%.3f per_iteration_ms=%.5f "
                "full_per_iteration_ms=%.5f\n",
        static_cast<long long>(texts.size()), static_cast<long long>(instructions),
        int(checksum == instructions * iterations && fullInstructions == instructions
            && fullChecksum == instructions * iterations),
        ms, ms / iterations, fullMs / iterations);
    return 0;
}
