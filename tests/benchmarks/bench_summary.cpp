// What the build summary and the step-order pass add to reading a log: `bench_summary LOG` reads it
// (readBuildLogFile, which runs enforceDependencyOrder on every build), then times that pass again and
// summarizeBuild + its JSON over every build. Prints key=value pairs for run.sh.
#include "model/analysis/buildsummary.h"
#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/vertexorder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cstdio>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        std::fprintf(stderr, "usage: bench_summary LOG\n");
        return 2;
    }
    QElapsedTimer timer;
    timer.start();
    BuildLogResult result = readBuildLogFile(app.arguments().at(1));
    const double readMs = double(timer.nsecsElapsed()) / 1e6;
    qsizetype vertices = 0;
    for (const BuildRun &run : std::as_const(result.builds))
        vertices += run.vertices.size();

    // BENCH_SUMMARY_REPEAT=N runs both passes N times (for a profiler); the figures are per pass.
    const int repeat = std::max(1, qEnvironmentVariableIntValue("BENCH_SUMMARY_REPEAT"));
    timer.restart();
    for (int r = 0; r < repeat; ++r) {
        for (BuildRun &run : result.builds)
            enforceDependencyOrder(run);
    }
    const double orderMs = double(timer.nsecsElapsed()) / 1e6 / repeat;

    timer.restart();
    qsizetype pathVertices = 0;
    for (int r = 0; r < repeat; ++r) {
        pathVertices = 0;
        for (const BuildRun &run : std::as_const(result.builds)) {
            const BuildSummary s = summarizeBuild(run);
            pathVertices += toJson(s, run).value(QStringLiteral("critical_path")).toArray().size();
        }
    }
    const double summaryMs = double(timer.nsecsElapsed()) / 1e6 / repeat;
    std::printf("builds=%lld vertices=%lld read_ms=%.1f order_ms=%.1f summary_ms=%.1f path_vertices=%lld\n",
        qlonglong(result.builds.size()), qlonglong(vertices), readMs, orderMs, summaryMs,
        qlonglong(pathVertices));
    return 0;
}
