#include "buildanalysis.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace Stagelens {

StepState stepStateOf(VertexStatus status)
{
    switch (status) {
    case VertexStatus::Done:
        return StepState::Ran;
    case VertexStatus::Cached:
        return StepState::Cached;
    case VertexStatus::Error:
        return StepState::Error;
    case VertexStatus::Canceled:
        return StepState::Canceled;
    case VertexStatus::Running:
        return StepState::Running;
    }
    return StepState::Running;
}

namespace {

void applyMatch(const BuildGraph &graph, const BuildRun &run, BuildAnalysis &result)
{
    const StepMatch match = matchSteps(graph, run);
    result.stepOfVertex = match.stepOfVertex;
    result.unmatchedVertices = match.unmatchedVertices;
    result.stepVertices = match.stepVertices;
    for (auto it = match.vertexOfStep.cbegin(); it != match.vertexOfStep.cend(); ++it) {
        const BuildVertex &vertex = run.vertices.at(it.value());
        StepTiming &timing = result.steps[it.key().stage][it.key().step];
        timing.vertex = it.value();
        timing.state = stepStateOf(vertex.status);
        timing.seconds = vertex.seconds;
        timing.start = vertex.start;
        timing.end = vertex.end;
        timing.exact = vertex.timing == TimingKind::Exact;
    }
}

// The critical path is the summary's (one definition for every view); here it is put on the matched steps.
void markCriticalPath(const BuildRun &run, BuildAnalysis &result)
{
    result.criticalPath = result.summary.criticalPath;
    Q_UNUSED(run);
    const QSet<int> onPath(result.criticalPath.cbegin(), result.criticalPath.cend());
    for (auto &stage : result.steps) {
        for (StepTiming &t : stage)
            t.critical = t.vertex >= 0 && onPath.contains(t.vertex);
    }
}

QList<QPointF> concurrencyOf(const BuildRun &run)
{
    QList<QPair<double, int>> events;
    for (const BuildVertex &vertex : run.vertices) {
        if (vertex.start && vertex.end && *vertex.end > *vertex.start) {
            events.append({*vertex.start, +1});
            events.append({*vertex.end, -1});
        }
    }
    // Ends sort before starts at the same instant, so back-to-back steps do not count as overlapping.
    std::sort(events.begin(), events.end());
    QList<QPointF> curve;
    int running = 0;
    curve.append({0.0, 0.0});
    for (int i = 0; i < events.size(); ++i) {
        running += events.at(i).second;
        const bool lastAtThisTime = i + 1 == events.size() || events.at(i + 1).first != events.at(i).first;
        if (lastAtThisTime)
            curve.append({events.at(i).first, double(running)});
    }
    return curve;
}

} // namespace

QString stepStateName(StepState state)
{
    switch (state) {
    case StepState::NoLog:
        return QStringLiteral("no log");
    case StepState::NotInLog:
        return QStringLiteral("not in log");
    case StepState::Ran:
        return QStringLiteral("ran");
    case StepState::Cached:
        return QStringLiteral("cached");
    case StepState::Error:
        return QStringLiteral("error");
    case StepState::Canceled:
        return QStringLiteral("canceled");
    case StepState::Running:
        return QStringLiteral("unfinished");
    }
    return {};
}

BuildAnalysis emptyAnalysis(const BuildGraph &graph)
{
    BuildAnalysis analysis;
    analysis.steps.resize(graph.stages.size());
    for (int s = 0; s < graph.stages.size(); ++s)
        analysis.steps[s].resize(graph.stages.at(s).steps.size());
    return analysis;
}

BuildAnalysis analyseBuild(const BuildGraph &graph, const BuildRun &run)
{
    BuildAnalysis result = emptyAnalysis(graph);
    for (QList<StepTiming> &stage : result.steps) {
        for (StepTiming &t : stage)
            t.state = StepState::NotInLog;
    }
    applyMatch(graph, run, result);
    result.summary = summarizeBuild(run);

    for (const BuildVertex &vertex : run.vertices) {
        if (vertex.seconds)
            result.summedSeconds += *vertex.seconds;
        if (vertex.timing == TimingKind::Estimated && vertex.start)
            result.estimatedTimes = true;
    }
    for (int v = 0; v < run.vertices.size(); ++v) {
        if (!result.stepOfVertex.at(v).isValid())
            continue;
        const BuildVertex &vertex = run.vertices.at(v);
        if (vertex.seconds)
            result.slowestStepSeconds = std::max(result.slowestStepSeconds, *vertex.seconds);
    }
    markCriticalPath(run, result);
    result.concurrency = concurrencyOf(run);
    return result;
}

QList<PredictedStep> predictRebuild(const BuildGraph &graph, const QHash<StepRef, double> &steps)
{
    // Stages may only depend on stages BuildKit can resolve without a cycle; walk in an order where each
    // step's dependencies come first, by repeated passes (the graph is small: stages x steps).
    QHash<StepRef, double> endOf;
    QList<PredictedStep> result;
    QList<StepRef> pending = steps.keys();
    std::sort(pending.begin(), pending.end());
    for (int pass = 0; pass <= graph.stages.size() && !pending.isEmpty(); ++pass) {
        QList<StepRef> later;
        for (const StepRef &ref : std::as_const(pending)) {
            double start = 0;
            bool ready = true;
            // A step waits for its dependencies that also re-run; cached ones are ready at once.
            for (const StepRef &dep : graph.dependencies(ref)) {
                if (!steps.contains(dep))
                    continue;
                if (!endOf.contains(dep)) {
                    ready = false;
                    break;
                }
                start = std::max(start, endOf.value(dep));
            }
            if (!ready && pass < graph.stages.size()) {
                later.append(ref);
                continue;
            }
            const double end = start + std::max(0.0, steps.value(ref));
            endOf.insert(ref, end);
            result.append({ref.stage, ref.step, start, end});
        }
        pending = later;
    }
    std::sort(result.begin(), result.end(), [](const PredictedStep &a, const PredictedStep &b) {
        return a.start != b.start ? a.start < b.start
                                  : std::make_pair(a.stage, a.step) < std::make_pair(b.stage, b.step);
    });
    return result;
}

} // namespace Stagelens
