#include "viewadapters.h"

#include "model/core/duration.h"

#include <QSet>

#include <tuple>

namespace Stagelens {

namespace {

DagEdgeKind dagEdgeKind(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::From:
        return DagEdgeKind::From;
    case EdgeKind::Copy:
        return DagEdgeKind::Copy;
    case EdgeKind::Mount:
        return DagEdgeKind::Mount;
    }
    return DagEdgeKind::From;
}

} // namespace

DagInput makeDagInput(const BuildGraph &graph, const BuildAnalysis &analysis, const WhatIfResult &whatIf)
{
    QHash<StepRef, Verdict> verdicts;
    for (const StepVerdict &v : whatIf.steps)
        verdicts.insert({v.stage, v.step}, v.verdict);
    DagInput input;
    DagModel &model = input.model;
    const bool haveLog = analysis.slowestStepSeconds > 0 || analysis.stepVertices > 0;
    model.maxSeconds = analysis.slowestStepSeconds;
    model.showHeat = haveLog;
    QHash<QString, int> imageIndex;
    for (int s = 0; s < graph.stages.size(); ++s) {
        const Stage &stage = graph.stages.at(s);
        DagStage dagStage;
        dagStage.name = stage.token().isEmpty() ? QStringLiteral("stage-%1").arg(s) : stage.token();
        dagStage.baseImage = stage.baseStage >= 0 ? QString() : stage.baseName;
        dagStage.needed = stage.needed;
        QList<int> indices;
        for (int i = 0; i < stage.steps.size(); ++i) {
            const Step &step = stage.steps.at(i);
            if (!step.isVertex())
                continue;
            DagStep dagStep;
            dagStep.label = step.label;
            dagStep.shortText = step.text;
            dagStep.line = step.line;
            if (s < analysis.steps.size() && i < analysis.steps.at(s).size()) {
                const StepTiming &t = analysis.steps.at(s).at(i);
                dagStep.state = t.state;
                dagStep.seconds = t.seconds.value_or(-1);
                dagStep.heat = t.seconds && analysis.slowestStepSeconds > 0
                    ? *t.seconds / analysis.slowestStepSeconds
                    : 0;
                dagStep.critical = t.critical;
            }
            if (!verdicts.isEmpty()) {
                const auto it = verdicts.constFind(StepRef {s, i});
                dagStep.verdict = it == verdicts.constEnd() ? WhatIfVerdict::None
                    : *it == Verdict::Rerun                 ? WhatIfVerdict::Rerun
                    : *it == Verdict::Maybe                 ? WhatIfVerdict::Maybe
                                                            : WhatIfVerdict::Cached;
            }
            dagStage.steps.append(dagStep);
            indices.append(i);
        }
        model.stages.append(dagStage);
        input.stepIndex.append(indices);
        input.stageIndex.append(s);

        // External images: the base of an image stage, and COPY --from=<image> sources.
        auto addImageEdge = [&](const QString &image, int toStep, DagEdgeKind kind) {
            if (image.isEmpty() || image == QLatin1String("scratch"))
                return;
            int index = imageIndex.value(image, -1);
            if (index < 0) {
                index = model.images.size();
                imageIndex.insert(image, index);
                model.images.append({image});
            }
            DagEdge edge;
            edge.fromImage = index;
            edge.toStage = s;
            edge.toStep = std::max(0, toStep);
            edge.kind = kind;
            model.edges.append(edge);
        };
        if (stage.baseStage < 0)
            addImageEdge(stage.base.isEmpty() ? stage.baseName : stage.base, 0, DagEdgeKind::From);
        for (int i = 0; i < stage.steps.size(); ++i) {
            const Step &step = stage.steps.at(i);
            if (!step.from.isEmpty() && step.fromStage < 0)
                addImageEdge(step.from, int(indices.indexOf(i)), DagEdgeKind::Copy);
        }
    }
    for (const Edge &edge : graph.edges) {
        DagEdge dagEdge;
        dagEdge.fromStage = edge.from;
        dagEdge.toStage = edge.to;
        dagEdge.kind = dagEdgeKind(edge.kind);
        // Point the edge at the consuming step's node, FROM edges at the stage top.
        dagEdge.toStep = edge.kind == EdgeKind::From
            ? 0
            : std::max(0, int(input.stepIndex.value(edge.to).indexOf(edge.toStep)));
        model.edges.append(dagEdge);
    }
    return input;
}

DagInput compareDagInput(const BuildGraph &graph, const BuildComparison &comparison, bool showUnneeded)
{
    DagInput input = makeDagInput(graph, comparison.afterAnalysis);
    if (!showUnneeded)
        hideUnneededStages(&input);
    applyComparison(&input, graph, comparison.after, comparison.afterAnalysis, comparison.result);
    return input;
}

void applyComparison(DagInput *input, const BuildGraph &graph, const BuildRun &after,
    const BuildAnalysis &analysis, const CompareResult &result)
{
    QHash<QString, const ComparedStep *> byLabel;
    for (const ComparedStep &s : result.steps)
        byLabel.insert(s.label, &s);
    DagModel &model = input->model;
    model.compareMode = true;
    model.showHeat = false;
    for (int d = 0; d < model.stages.size(); ++d) {
        const int stage = input->stageIndex.value(d, -1);
        QList<DagStep> &steps = model.stages[d].steps;
        for (int k = 0; k < steps.size(); ++k) {
            DagStep &dagStep = steps[k];
            dagStep.verdict = WhatIfVerdict::None;
            const int step = input->stepIndex.value(d).value(k, -1);
            const int vertex = analysis.steps.value(stage).value(step).vertex;
            const QString label = vertex >= 0 && vertex < after.vertices.size()
                ? after.vertices.at(vertex).name
                : graph.step({stage, step}) ? graph.step({stage, step})->label
                                            : QString();
            const ComparedStep *c = byLabel.value(label);
            if (!c)
                continue;
            switch (c->change) {
            case StepChange::Missed:
                dagStep.change = DagChange::Missed;
                break;
            case StepChange::Hit:
                dagStep.change = DagChange::Hit;
                break;
            case StepChange::Same:
                dagStep.change = DagChange::Same;
                break;
            case StepChange::Ran:
                dagStep.change = DagChange::Ran;
                break;
            case StepChange::Added:
                dagStep.change = DagChange::Added;
                break;
            case StepChange::Removed:
                break;
            }
            dagStep.rootMiss = c->root;
            QStringList note;
            if (c->cause)
                note << QStringLiteral("Cause: %1, %2").arg(causeKindName(c->cause->kind), c->cause->detail);
            if (!c->follows.isEmpty())
                note << QStringLiteral("Follows the miss of %1").arg(c->follows);
            auto side = [](const std::optional<VertexStatus> &status, const std::optional<double> &seconds) {
                if (!status)
                    return QStringLiteral("absent");
                const QString name = vertexStatusName(*status).toLower();
                return seconds ? QStringLiteral("%1 %2").arg(name, formatDuration(seconds)) : name;
            };
            note << QStringLiteral("Before: %1; after: %2")
                        .arg(side(c->before, c->beforeSeconds), side(c->after, c->afterSeconds));
            dagStep.changeNote = note.join(QLatin1Char('\n'));
        }
    }
}

void hideUnneededStages(DagInput *input)
{
    DagModel &model = input->model;
    QList<int> newIndex(model.stages.size(), -1);
    int kept = 0;
    for (int i = 0; i < model.stages.size(); ++i) {
        if (model.stages[i].needed)
            newIndex[i] = kept++;
    }
    if (kept == 0 || kept == model.stages.size())
        return;
    DagModel result;
    result.maxSeconds = model.maxSeconds;
    result.showHeat = model.showHeat;
    result.collapsed = model.collapsed;
    QList<QList<int>> stepIndex;
    QList<int> stageIndex;
    for (int i = 0; i < model.stages.size(); ++i) {
        if (newIndex[i] < 0)
            continue;
        result.stages.append(model.stages[i]);
        stepIndex.append(input->stepIndex.value(i));
        stageIndex.append(input->stageIndex.value(i, i));
    }
    QList<int> imageIndex(model.images.size(), -1);
    for (const DagEdge &edge : std::as_const(model.edges)) {
        if (newIndex.value(edge.toStage, -1) < 0
            || (edge.fromStage >= 0 && newIndex.value(edge.fromStage, -1) < 0))
            continue;
        DagEdge e = edge;
        e.toStage = newIndex[edge.toStage];
        if (edge.fromStage >= 0) {
            e.fromStage = newIndex[edge.fromStage];
        } else if (edge.fromImage >= 0 && edge.fromImage < model.images.size()) {
            if (imageIndex[edge.fromImage] < 0) {
                imageIndex[edge.fromImage] = int(result.images.size());
                result.images.append(model.images[edge.fromImage]);
            }
            e.fromImage = imageIndex[edge.fromImage];
        }
        result.edges.append(e);
    }
    input->hiddenStages = int(model.stages.size()) - kept;
    input->model = std::move(result);
    input->stepIndex = std::move(stepIndex);
    input->stageIndex = std::move(stageIndex);
}

TimelineInput makeTimelineInput(
    const BuildGraph &graph, const BuildRun &run, const BuildAnalysis &analysis, const WhatIfResult &whatIf)
{
    TimelineInput input;
    TimelineModel &model = input.model;
    // Steps in Dockerfile order (stage, step), BuildKit's internal vertices after them in log order.
    // The sort key is made once per vertex (a build can have ~100k): Dockerfile steps by (stage, step), then
    // BuildKit's own vertices, each group in log order.
    struct Key
    {
        int group;
        StepRef ref;
        int vertex;
        bool operator<(const Key &o) const
        {
            return std::tie(group, ref, vertex) < std::tie(o.group, o.ref, o.vertex);
        }
    };
    QList<Key> keys;
    keys.reserve(run.vertices.size());
    for (int v = 0; v < run.vertices.size(); ++v) {
        const StepRef ref = v < analysis.stepOfVertex.size() ? analysis.stepOfVertex.at(v) : StepRef();
        keys.append(ref.isValid() ? Key {0, ref, v} : Key {1, StepRef(), v});
    }
    std::sort(keys.begin(), keys.end());
    QList<int> order;
    order.reserve(keys.size());
    for (const Key &k : std::as_const(keys))
        order.append(k.vertex);
    input.vertexOfRow = order;
    input.rowOfVertexList.fill(-1, run.vertices.size());
    for (int row = 0; row < order.size(); ++row)
        input.rowOfVertexList[order.at(row)] = row;
    const QSet<int> critical(analysis.criticalPath.cbegin(), analysis.criticalPath.cend());
    model.rows.reserve(order.size());
    for (int v : std::as_const(order)) {
        const BuildVertex &vertex = run.vertices.at(v);
        TimelineRow row;
        row.label = vertex.name;
        const int stage = analysis.stepOfVertex.value(v).stage;
        row.stage = stage;
        row.stageName = stage >= 0 ? graph.stages.at(stage).token()
            : vertex.label.internal || vertex.name.startsWith(QLatin1String("[internal]"))
            ? QStringLiteral("internal")
            : vertex.label.stage.isEmpty() ? QStringLiteral("build")
                                           : vertex.label.stage;
        row.start = vertex.start.value_or(-1);
        row.end = vertex.end.value_or(-1);
        switch (vertex.status) {
        case VertexStatus::Done:
            row.state = StepState::Ran;
            break;
        case VertexStatus::Cached:
            row.state = StepState::Cached;
            break;
        case VertexStatus::Error:
            row.state = StepState::Error;
            break;
        case VertexStatus::Canceled:
            row.state = StepState::Canceled;
            break;
        case VertexStatus::Running:
            row.state = StepState::Running;
            break;
        }
        row.critical = critical.contains(v);
        row.estimated = vertex.timing == TimingKind::Estimated;
        model.rows.append(row);
    }
    model.concurrency = analysis.concurrency;
    model.startOrder = timelineStartOrder(model.rows);

    // The predicted rebuild: steps that would run again, with their last known durations, scheduled by
    // their dependencies (the model lays them out; we only attach them to the log's rows).
    QHash<StepRef, double> again;
    for (const StepVerdict &v : whatIf.steps) {
        if (v.verdict == Verdict::Cached)
            continue;
        const StepTiming timing = analysis.steps.value(v.stage).value(v.step);
        again.insert({v.stage, v.step}, v.seconds.value_or(timing.seconds.value_or(0)));
    }
    for (const PredictedStep &p : predictRebuild(graph, again)) {
        const int vertex = analysis.steps.value(p.stage).value(p.step).vertex;
        if (vertex >= 0)
            model.predicted.append({input.rowOfVertex(vertex), p.start, p.end});
    }
    return input;
}

} // namespace Stagelens
