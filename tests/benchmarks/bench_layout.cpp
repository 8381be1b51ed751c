// The stage DAG of a Dockerfile laid out end to end as the GUI does it: parse, build graph, analysis, the DAG
// view's model, DagScene's layout request (Graphviz off the GUI thread) and the scene items. Prints the
// wall time of ROUNDS rounds (median); run.sh compares it with `dot -Tsvg` on `stagelens dockerfile --dot`.

#include "model/analysis/buildanalysis.h"
#include "model/graph/buildgraph.h"
#include "ui/graph/dagscene.h"
#include "ui/viewadapters.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>

#include <algorithm>
#include <clocale>
#include <cstdio>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    // Graphviz parses numbers with atof(): the same locale fix main() applies.
    std::setlocale(LC_NUMERIC, "C");
    const QStringList args = app.arguments().mid(1);
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_layout DOCKERFILE ROUNDS\n");
        return 2;
    }
    const int rounds = qBound(1, args.at(1).toInt(), 1000);
    QList<double> times;
    int nodes = 0;
    bool failed = false;
    for (int round = 0; round < rounds; ++round) {
        QElapsedTimer timer;
        timer.start();
        QFile file(args.at(0));
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const BuildGraph graph = buildGraph(file.readAll(), args.at(0), {});
        const BuildAnalysis analysis = analyseBuild(graph, BuildRun {});
        const DagInput input = makeDagInput(graph, analysis);
        DagScene scene;
        QEventLoop loop;
        QObject::connect(&scene, &DagScene::layoutFinished, &loop, &QEventLoop::quit);
        QObject::connect(&scene, &DagScene::layoutFailed, &loop, [&loop, &failed]() {
            failed = true;
            loop.quit();
        });
        scene.setModel(input.model);
        loop.exec();
        times.append(timer.nsecsElapsed() / 1e6);
        nodes = scene.items().size();
    }
    std::sort(times.begin(), times.end());
    std::printf("rounds=%d items=%d failed=%d median_ms=%.3f min_ms=%.3f\n", rounds, nodes, int(failed),
        times.at(times.size() / 2), times.first());
    return failed ? 1 : 0;
}
