// Indexes a build context (ContextIndex::scan, .dockerignore applied) and then answers what-if queries on it
// (CacheEngine::whatIf), timing both. run.sh compares the scan with `find DIR -type f | wc -l`.

#include "model/cache/cacheengine.h"
#include "model/context/contextindex.h"
#include "model/graph/buildgraph.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: bench_context CONTEXT_DIR DOCKERFILE CHANGED_PATH QUERIES\n");
        return 2;
    }
    const QString dir = args.at(0);
    const QString dockerfile = args.at(1);
    const QString changed = args.at(2);
    const int queries = qBound(1, args.at(3).toInt(), 1000000);

    QElapsedTimer timer;
    timer.start();
    ContextScanOptions options;
    options.contextDir = dir;
    options.dockerfilePath = dockerfile;
    auto index = std::make_shared<const ContextIndex>(ContextIndex::scan(options));
    const double scanMs = timer.nsecsElapsed() / 1e6;
    qsizetype files = 0;
    for (const ContextEntry &entry : index->entries())
        files += entry.type == EntryType::File ? 1 : 0;
    std::printf("scan_ms=%.3f entries=%lld files=%lld included=%lld complete=%d\n", scanMs,
        static_cast<long long>(index->entries().size()), static_cast<long long>(files),
        static_cast<long long>(index->includedCount()), int(index->isComplete()));

    QFile file(dockerfile);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(dockerfile));
        return 2;
    }
    const QByteArray text = file.readAll();
    timer.restart();
    const CacheEngine engine(buildGraph(text, dockerfile, {}), index);
    const double engineMs = timer.nsecsElapsed() / 1e6;

    WhatIfChanges changes;
    changes.paths.append({changed, ChangeKind::Content});
    QList<double> times;
    times.reserve(queries);
    int reruns = 0;
    for (int i = 0; i < queries; ++i) {
        timer.restart();
        const WhatIfResult result = engine.whatIf(changes);
        times.append(timer.nsecsElapsed() / 1e6);
        reruns = result.count(Verdict::Rerun);
    }
    std::sort(times.begin(), times.end());
    std::printf("engine_ms=%.3f queries=%d whatif_median_ms=%.4f whatif_p95_ms=%.4f whatif_max_ms=%.4f "
                "rerun_steps=%d\n",
        engineMs, queries, times.at(times.size() / 2), times.at(times.size() * 95 / 100), times.last(),
        reruns);
    return 0;
}
