#include "viewadapters.h"

namespace Stagelens {

namespace {

DagStepState dagState(StepState state)
{
    switch (state) {
    case StepState::NoLog:
        return DagStepState::None;
    case StepState::NotInLog:
        return DagStepState::NotInLog;
    case StepState::Ran:
        return DagStepState::Ran;
    case StepState::Cached:
        return DagStepState::Cached;
    case StepState::Error:
        return DagStepState::Error;
    case StepState::Canceled:
    case StepState::Running:
        return DagStepState::Canceled;
    }
    return DagStepState::None;
}

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

DagInput makeDagInput(const BuildGraph &graph, const BuildAnalysis &analysis)
{
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
                dagStep.state = dagState(t.state);
                dagStep.seconds = t.seconds.value_or(-1);
                dagStep.heat = t.seconds && analysis.slowestStepSeconds > 0
                    ? *t.seconds / analysis.slowestStepSeconds
                    : 0;
                dagStep.critical = t.critical;
            }
            dagStage.steps.append(dagStep);
            indices.append(i);
        }
        model.stages.append(dagStage);
        input.stepIndex.append(indices);

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
        // Point the edge at the consuming step (the line of the instruction), FROM edges at the stage top.
        const Stage &to = graph.stages.at(edge.to);
        int toStep = 0;
        if (edge.kind != EdgeKind::From) {
            for (int i = 0; i < to.steps.size(); ++i) {
                if (to.steps.at(i).line == edge.line) {
                    toStep = std::max(0, int(input.stepIndex.at(edge.to).indexOf(i)));
                    break;
                }
            }
        }
        dagEdge.toStep = toStep;
        model.edges.append(dagEdge);
    }
    return input;
}

} // namespace Stagelens
