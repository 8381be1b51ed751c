// libFuzzer target: the whole graph builder (parse, ARG scopes, stage references, labels) and its JSON and
// DOT output, with one build arg and an explicit target so that those paths run too.

#include "model/graph/buildgraph.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

namespace {

void exercise(const BuildGraph &graph)
{
    QByteArray json;
    appendJsonText(&json, graph);
    (void)toDot(graph);
    (void)graph.neededVertices();
    for (const Stage &stage : graph.stages) {
        (void)stage.token();
        for (const Step &step : stage.steps)
            (void)step.readsContext();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const BuildGraph graph = buildGraph(text, QStringLiteral("Dockerfile"), BuildOptions());
    exercise(graph);

    // Second pass: the first stage as target (by index) and a build arg that FROM ${...} lines may use.
    if (graph.stages.size() > 1) {
        BuildOptions options;
        options.target = QStringLiteral("0");
        options.buildArgs.insert(QStringLiteral("BASE"), QStringLiteral("alpine:3.20"));
        exercise(buildGraph(text, QStringLiteral("Dockerfile"), options));
    }
    return 0;
}
