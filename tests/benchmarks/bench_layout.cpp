// The stage DAG of a Dockerfile laid out end to end as the GUI does it: read, build graph, analysis, the DAG
// view's model, DagScene's layout request (Graphviz off the GUI thread) and the scene items. Prints the
// wall time of ROUNDS rounds (median). run.sh compares it with `dot -Tsvg` on the DOT of exactly the graph
// the scene asked Graphviz to lay out (--dot-out: captured from layoutGraph(), written by
// layoutRequestToDot()).
//
//   bench_layout DOCKERFILE ROUNDS [--view default|expanded|collapsed] [--dot-out FILE [--time-dot]]
//
// --time-dot runs `dot -Tsvg FILE` after each of our rounds (paired rounds: on a shared machine both see
// the same load) and prints its median and the median of the per-round ratios.
//
// --view default does what the main window does for the file: one node per stage (View > Collapse Stages)
// when the graph has more than 90 step nodes, one node per step inside stage clusters otherwise.

#include "model/analysis/buildanalysis.h"
#include "model/graph/buildgraph.h"
#include "model/layout/graphlayouter.h"
#include "ui/graph/dagscene.h"
#include "ui/viewadapters.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>

#include <algorithm>
#include <atomic>
#include <clocale>
#include <cstdio>

using namespace Stagelens;

namespace {

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    // Graphviz parses numbers with atof(): the same locale fix main() applies.
    std::setlocale(LC_NUMERIC, "C");
    QStringList args = app.arguments().mid(1);
    QString view = QStringLiteral("default");
    QString dotOut;
    bool timeDot = false;
    for (qsizetype i = 0; i < args.size();) {
        if (args.at(i) == QLatin1String("--view") && i + 1 < args.size()) {
            view = args.at(i + 1);
            args.remove(i, 2);
        } else if (args.at(i) == QLatin1String("--time-dot")) {
            timeDot = true;
            args.remove(i);
        } else if (args.at(i) == QLatin1String("--dot-out") && i + 1 < args.size()) {
            dotOut = args.at(i + 1);
            args.remove(i, 2);
        } else {
            ++i;
        }
    }
    if (args.size() != 2 || (timeDot && dotOut.isEmpty())
        || !QStringList {QStringLiteral("default"), QStringLiteral("expanded"), QStringLiteral("collapsed")}
                .contains(view)) {
        std::fprintf(stderr,
            "usage: bench_layout DOCKERFILE ROUNDS [--view default|expanded|collapsed] [--dot-out FILE "
            "[--time-dot]]\n");
        return 2;
    }
    const int rounds = qBound(1, args.at(1).toInt(), 1000);

    LayoutRequest captured;
    QElapsedTimer timer;
    std::atomic<qint64> graphvizStartNs {0};
    setLayoutRequestObserver([&captured, &timer, &graphvizStartNs](const LayoutRequest &request) {
        graphvizStartNs = timer.nsecsElapsed();
        captured = request;
    });

    QList<double> times, modelTimes, prepareTimes, afterGraphvizTimes, dotTimes, ratios;
    int items = 0;
    int steps = 0;
    bool collapsed = false;
    bool failed = false;
    for (int round = 0; round < rounds; ++round) {
        timer.start();
        QFile file(args.at(0));
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const BuildGraph graph = buildGraph(file.readAll(), args.at(0), {});
        const BuildAnalysis analysis = analyseBuild(graph, BuildRun {});
        DagInput input = makeDagInput(graph, analysis);
        steps = 0;
        for (const DagStage &stage : std::as_const(input.model.stages))
            steps += int(stage.steps.size());
        // The view the main window opens the file in (opensCollapsed), unless one is asked for.
        collapsed = view == QLatin1String("collapsed")
            || (view == QLatin1String("default") && opensCollapsed(input.model));
        input.model.collapsed = collapsed;
        const qint64 modelNs = timer.nsecsElapsed();
        modelTimes.append(modelNs / 1e6);
        DagScene scene;
        QEventLoop loop;
        QObject::connect(&scene, &DagScene::layoutStarted, &loop,
            [&]() { prepareTimes.append((timer.nsecsElapsed() - modelNs) / 1e6); });
        QObject::connect(&scene, &DagScene::layoutFinished, &loop, &QEventLoop::quit);
        QObject::connect(&scene, &DagScene::layoutFailed, &loop, [&loop, &failed]() {
            failed = true;
            loop.quit();
        });
        scene.setModel(input.model);
        loop.exec();
        times.append(timer.nsecsElapsed() / 1e6);
        afterGraphvizTimes.append((timer.nsecsElapsed() - graphvizStartNs) / 1e6);
        items = int(scene.items().size());
        if (round == 0 && !dotOut.isEmpty()) {
            QFile out(dotOut);
            if (!out.open(QIODevice::WriteOnly) || out.write(layoutRequestToDot(captured)) < 0) {
                std::fprintf(stderr, "cannot write %s\n", qPrintable(dotOut));
                return 2;
            }
        }
        if (timeDot) {
            QElapsedTimer dotTimer;
            dotTimer.start();
            const int rc = QProcess::execute(
                QStringLiteral("dot"), {QStringLiteral("-Tsvg"), QStringLiteral("-o/dev/null"), dotOut});
            dotTimes.append(dotTimer.nsecsElapsed() / 1e6);
            ratios.append(times.last() / dotTimes.last());
            failed = failed || rc != 0;
        }
    }
    setLayoutRequestObserver({});

    // Graphviz alone on the same request (building the cgraph graph, dot layout, reading it back), for the
    // split between Graphviz and our own code.
    QList<double> layoutTimes;
    for (int round = 0; round < rounds; ++round) {
        timer.start();
        const GraphLayout layout = layoutGraph(captured);
        layoutTimes.append(timer.nsecsElapsed() / 1e6);
        failed = failed || !layout.isValid();
    }

    std::printf(
        "rounds=%d view=%s collapsed=%d steps=%d nodes=%lld edges=%lld clusters=%lld items=%d "
        "failed=%d median_ms=%.3f min_ms=%.3f model_ms=%.3f prepare_ms=%.3f graphviz_and_items_ms=%.3f "
        "layoutgraph_ms=%.3f\n",
        rounds, qPrintable(view), int(collapsed), steps, static_cast<long long>(captured.nodes.size()),
        static_cast<long long>(captured.edges.size()), static_cast<long long>(captured.clusters.size()),
        items, int(failed), median(times), *std::min_element(times.cbegin(), times.cend()),
        median(modelTimes), median(prepareTimes), median(afterGraphvizTimes), median(layoutTimes));
    if (timeDot)
        std::printf("dot_median_ms=%.3f paired_ratio_median=%.3f ", median(dotTimes), median(ratios));
    std::printf("rounds_ms=");
    for (qsizetype i = 0; i < times.size(); ++i)
        std::printf("%s%.1f", i ? "," : "", times.at(i));
    std::printf(" graphviz_and_items_rounds_ms=");
    for (qsizetype i = 0; i < afterGraphvizTimes.size(); ++i)
        std::printf("%s%.1f", i ? "," : "", afterGraphvizTimes.at(i));
    std::printf("\n");
    return failed ? 1 : 0;
}
