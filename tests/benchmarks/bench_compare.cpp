// What comparing two big builds costs (#22's compare budget): `bench_compare LOG` reads the log, takes its
// largest build as AFTER and, as BEFORE, the same build with every other step cached (so that half the steps
// missed and chains of roots and followers are worked out, not a no-change walk), and times compareBuilds
// (median of 5) against reading: the read of the whole file scaled to AFTER's share of its vertices (reading
// one build alone is not separable from the file it is in). Prints key=value pairs for run.sh.
#include "model/buildlog/buildlogreader.h"
#include "model/compare/buildcompare.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        std::fprintf(stderr, "usage: bench_compare LOG\n");
        return 2;
    }
    QElapsedTimer timer;
    timer.start();
    const BuildLogResult result = readBuildLogFile(app.arguments().at(1));
    const double readMs = double(timer.nsecsElapsed()) / 1e6;
    if (result.builds.size() < 2) {
        std::fprintf(stderr, "bench_compare: the log needs two builds\n");
        return 1;
    }
    qsizetype total = 0;
    std::vector<int> bySize;
    for (int i = 0; i < result.builds.size(); ++i) {
        total += result.builds[i].vertices.size();
        bySize.push_back(i);
    }
    std::sort(bySize.begin(), bySize.end(),
        [&](int a, int b) { return result.builds[a].vertices.size() > result.builds[b].vertices.size(); });
    const BuildRun &after = result.builds[bySize[0]];
    BuildRun before = after;
    for (qsizetype i = 0; i < before.vertices.size(); i += 2) {
        before.vertices[i].status = VertexStatus::Cached;
        before.vertices[i].seconds.reset();
    }
    std::vector<double> times;
    qsizetype steps = 0;
    int missed = 0;
    for (int round = 0; round < 5; ++round) {
        timer.restart();
        const CompareResult r = compareBuilds(before, after);
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
        steps = r.steps.size();
        missed = int(std::count_if(r.steps.cbegin(), r.steps.cend(),
            [](const ComparedStep &s) { return s.change == StepChange::Missed; }));
    }
    std::sort(times.begin(), times.end());
    const double readOneMs = readMs * double(after.vertices.size()) / double(std::max<qsizetype>(total, 1));
    std::printf(
        "compare_ms=%.1f read_ms=%.1f read_one_ms=%.1f before_vertices=%lld after_vertices=%lld steps=%lld "
        "missed=%d\n",
        times[times.size() / 2], readMs, readOneMs, static_cast<long long>(before.vertices.size()),
        static_cast<long long>(after.vertices.size()), static_cast<long long>(steps), missed);
    return 0;
}
