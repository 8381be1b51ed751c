#include "buildanalysis.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace Stagelens {

namespace {

StepState stateOf(VertexStatus status)
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

// BuildKit collapses whitespace differently across versions and clips long names; compare loosely.
QString squashed(const QString &text)
{
    return text.simplified();
}

// The stage token a log prints, as our graph names it ("deps", "stage-1"). BuildKit drops the token, named
// or not, only when the build has a single dispatch state, which needs a one-stage file; whether a COPY
// --from image or a RUN mount adds a state differs between frontend versions, so both forms match there.
bool tokenMatches(const BuildGraph &graph, const Stage &stage, const QString &logStage)
{
    if (logStage.isEmpty())
        return graph.stages.size() == 1;
    return QString::compare(stage.token(), logStage, Qt::CaseInsensitive) == 0;
}

struct Candidate
{
    int stage;
    int step;
};

// The steps that must finish before (stage, step) can start, as Dockerfile semantics give them.
QList<Candidate> dependenciesOf(const BuildGraph &graph, int stageIndex, int stepIndex)
{
    QList<Candidate> deps;
    const Stage &stage = graph.stages.at(stageIndex);
    auto lastVertexOf = [&graph](int s) -> Candidate {
        // Follow FROM <stage> chains down to the stage that has a vertex step.
        for (int guard = 0; s >= 0 && guard < graph.stages.size(); ++guard) {
            const Stage &st = graph.stages.at(s);
            for (int i = st.steps.size() - 1; i >= 0; --i) {
                if (st.steps.at(i).isVertex())
                    return {s, i};
            }
            s = st.baseStage;
        }
        return {-1, -1};
    };
    int previous = -1;
    for (int i = stepIndex - 1; i >= 0; --i) {
        if (stage.steps.at(i).isVertex()) {
            previous = i;
            break;
        }
    }
    if (previous >= 0)
        deps.append({stageIndex, previous});
    else if (stage.baseStage >= 0)
        deps.append(lastVertexOf(stage.baseStage));
    const Step &step = stage.steps.at(stepIndex);
    if (step.fromStage >= 0)
        deps.append(lastVertexOf(step.fromStage));
    for (const Mount &mount : step.mounts) {
        if (mount.fromStage >= 0)
            deps.append(lastVertexOf(mount.fromStage));
    }
    deps.removeIf([](const Candidate &c) { return c.stage < 0; });
    return deps;
}

void matchVertices(const BuildGraph &graph, const BuildRun &run, BuildAnalysis &result)
{
    // Index vertex steps by (k, keyword) so each log vertex looks at a handful of candidates.
    QHash<QPair<int, QString>, QList<Candidate>> byNumber;
    for (int s = 0; s < graph.stages.size(); ++s) {
        const Stage &stage = graph.stages.at(s);
        for (int i = 0; i < stage.steps.size(); ++i) {
            const Step &step = stage.steps.at(i);
            if (step.isVertex())
                byNumber[{step.number, step.keyword.toUpper()}].append({s, i});
        }
    }

    for (int v = 0; v < run.vertices.size(); ++v) {
        const BuildVertex &vertex = run.vertices.at(v);
        const VertexLabel &label = vertex.label;
        if (label.step <= 0 || label.internal)
            continue;
        ++result.stepVertices;
        const QList<Candidate> candidates = byNumber.value({label.step, label.instruction.toUpper()});
        const QString text = squashed(label.text);
        QList<Candidate> byToken;
        for (const Candidate &c : candidates) {
            if (tokenMatches(graph, graph.stages.at(c.stage), label.stage))
                byToken.append(c);
        }
        const bool isFrom = label.instruction.compare(QLatin1String("FROM"), Qt::CaseInsensitive) == 0;
        QList<Candidate> chosen;
        if (isFrom) {
            // One FROM vertex serves every stage built on the same image; BuildKit labels it with one of
            // them.
            QString base;
            for (const Candidate &c : byToken.isEmpty() ? candidates : byToken)
                base = graph.stages.at(c.stage).steps.at(c.step).text;
            for (const Candidate &c : candidates) {
                const Step &step = graph.stages.at(c.stage).steps.at(c.step);
                if (squashed(step.text) == text || (!byToken.isEmpty() && step.text == base))
                    chosen.append(c);
            }
            if (chosen.isEmpty())
                chosen = byToken;
        } else {
            for (const Candidate &c : byToken) {
                if (squashed(graph.stages.at(c.stage).steps.at(c.step).text) == text)
                    chosen.append(c);
            }
            // Different build args change the expanded text: fall back to the stage and counter alone.
            if (chosen.isEmpty() && byToken.size() == 1)
                chosen = byToken;
            if (chosen.size() > 1)
                chosen = chosen.mid(0, 1);
        }
        if (chosen.isEmpty()) {
            result.unmatchedVertices.append(v);
            continue;
        }
        result.stepOfVertex[v] = {chosen.first().stage, chosen.first().step};
        for (const Candidate &c : chosen) {
            StepTiming &timing = result.steps[c.stage][c.step];
            // A repeated vertex (e.g. a retry in the same build) keeps the later, final state.
            timing.vertex = v;
            timing.state = stateOf(vertex.status);
            timing.seconds = vertex.seconds;
            timing.start = vertex.start;
            timing.end = vertex.end;
            timing.exact = vertex.timing == TimingKind::Exact;
        }
    }
}

void findCriticalPath(const BuildGraph &graph, const BuildRun &run, BuildAnalysis &result)
{
    // Start from the step that finished last and walk back, each time to the dependency that finished
    // last: that chain is what kept the build from ending earlier.
    Candidate current {-1, -1};
    double latest = -1;
    for (int s = 0; s < result.steps.size(); ++s) {
        for (int i = 0; i < result.steps.at(s).size(); ++i) {
            const StepTiming &t = result.steps.at(s).at(i);
            if (t.vertex >= 0 && t.end && *t.end > latest) {
                latest = *t.end;
                current = {s, i};
            }
        }
    }
    QList<int> path;
    QSet<int> seen;
    while (current.stage >= 0 && !seen.contains(current.stage * 100000 + current.step)) {
        seen.insert(current.stage * 100000 + current.step);
        StepTiming &timing = result.steps[current.stage][current.step];
        // A cached step took no time: nothing before it could have delayed the build through it.
        if (timing.state == StepState::Cached)
            break;
        if (timing.vertex >= 0 && !path.contains(timing.vertex))
            path.prepend(timing.vertex);
        Candidate next {-1, -1};
        double nextEnd = -1;
        for (const Candidate &dep : dependenciesOf(graph, current.stage, current.step)) {
            const StepTiming &t = result.steps.at(dep.stage).at(dep.step);
            if (t.vertex >= 0 && t.end && *t.end > nextEnd) {
                nextEnd = *t.end;
                next = dep;
            }
        }
        current = next;
    }
    result.criticalPath = path;
    for (int v : std::as_const(path)) {
        const BuildVertex &vertex = run.vertices.at(v);
        if (vertex.start && vertex.end)
            result.criticalSeconds += *vertex.end - *vertex.start;
        else if (vertex.seconds)
            result.criticalSeconds += *vertex.seconds;
    }
    const QSet<int> onPath(path.cbegin(), path.cend());
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

BuildAnalysis analyseBuild(const BuildGraph &graph, const BuildRun &run)
{
    BuildAnalysis result;
    result.steps.resize(graph.stages.size());
    for (int s = 0; s < graph.stages.size(); ++s) {
        result.steps[s].resize(graph.stages.at(s).steps.size());
        for (StepTiming &t : result.steps[s])
            t.state = StepState::NotInLog;
    }
    result.stepOfVertex.fill({-1, -1}, run.vertices.size());
    matchVertices(graph, run, result);

    for (const BuildVertex &vertex : run.vertices) {
        if (vertex.seconds)
            result.summedSeconds += *vertex.seconds;
        if (vertex.timing == TimingKind::Estimated && vertex.start)
            result.estimatedTimes = true;
    }
    for (int v = 0; v < run.vertices.size(); ++v) {
        if (result.stepOfVertex.at(v).first < 0)
            continue;
        const BuildVertex &vertex = run.vertices.at(v);
        if (vertex.status == VertexStatus::Cached)
            ++result.cachedSteps;
        else if (vertex.status == VertexStatus::Done || vertex.status == VertexStatus::Error)
            ++result.ranSteps;
        if (vertex.seconds)
            result.slowestStepSeconds = std::max(result.slowestStepSeconds, *vertex.seconds);
    }
    if (result.cachedSteps + result.ranSteps > 0)
        result.cacheHitRatio = double(result.cachedSteps) / double(result.cachedSteps + result.ranSteps);
    result.wallSeconds = run.duration.value_or(run.totals().wallSeconds);
    findCriticalPath(graph, run, result);
    result.concurrency = concurrencyOf(run);
    return result;
}

QList<PredictedStep> predictRebuild(
    const BuildGraph &graph, const QList<QPair<QPair<int, int>, double>> &steps)
{
    QHash<QPair<int, int>, double> seconds;
    for (const auto &[ref, secs] : steps)
        seconds.insert(ref, std::max(0.0, secs));
    // Stages may only depend on stages BuildKit can resolve without a cycle; walk in an order where each
    // step's dependencies come first, by repeated passes (the graph is small: stages x steps).
    QHash<QPair<int, int>, double> endOf;
    QList<PredictedStep> result;
    QList<QPair<int, int>> pending = seconds.keys();
    std::sort(pending.begin(), pending.end());
    for (int pass = 0; pass <= graph.stages.size() && !pending.isEmpty(); ++pass) {
        QList<QPair<int, int>> later;
        for (const auto &ref : std::as_const(pending)) {
            double start = 0;
            bool ready = true;
            // A step waits for its dependencies that also re-run; cached ones are ready at once.
            QList<Candidate> deps = dependenciesOf(graph, ref.first, ref.second);
            for (const Candidate &dep : deps) {
                const QPair<int, int> key {dep.stage, dep.step};
                if (!seconds.contains(key))
                    continue;
                if (!endOf.contains(key)) {
                    ready = false;
                    break;
                }
                start = std::max(start, endOf.value(key));
            }
            if (!ready && pass < graph.stages.size()) {
                later.append(ref);
                continue;
            }
            const double end = start + seconds.value(ref);
            endOf.insert(ref, end);
            result.append({ref.first, ref.second, start, end});
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
