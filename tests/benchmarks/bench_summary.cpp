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
#include <vector>

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

    // Each pass runs BENCH_SUMMARY_REPEAT times (default 5); the figure is the median, so that one pass
    // disturbed by another process does not decide it.
    const int repeat = std::max(1,
        qEnvironmentVariableIsSet("BENCH_SUMMARY_REPEAT")
            ? qEnvironmentVariableIntValue("BENCH_SUMMARY_REPEAT")
            : 5);
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::vector<double> order;
    std::vector<double> summary;
    qsizetype pathVertices = 0;
    for (int r = 0; r < repeat; ++r) {
        timer.restart();
        for (BuildRun &run : result.builds)
            enforceDependencyOrder(run);
        order.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        pathVertices = 0;
        for (const BuildRun &run : std::as_const(result.builds)) {
            const BuildSummary s = summarizeBuild(run);
            pathVertices += toJson(s, run).value(QStringLiteral("critical_path")).toArray().size();
        }
        summary.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    const double orderMs = median(order);
    const double summaryMs = median(summary);
    std::printf("builds=%lld vertices=%lld read_ms=%.1f order_ms=%.1f summary_ms=%.1f path_vertices=%lld\n",
        qlonglong(result.builds.size()), qlonglong(vertices), readMs, orderMs, summaryMs,
        qlonglong(pathVertices));
    return 0;
}
