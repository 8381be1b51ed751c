#include "loggraph.h"

#include "model/buildlog/vertexorder.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <tuple>

namespace Stagelens {

namespace { } // namespace

BuildGraph graphFromLog(const BuildRun &run)
{
    BuildGraph graph;
    QHash<QString, int> stageOf; // label stage (lower-case) -> index
    QSet<QPair<int, int>> seen; // (stage, k) already taken
    QList<QStringView> sources;
    for (const BuildVertex &vertex : run.vertices) {
        const VertexLabel &label = vertex.label;
        if (label.step <= 0 || label.internal)
            continue;
        const QString key = label.stage.toLower();
        int s = stageOf.value(key, -1);
        if (s < 0) {
            s = int(graph.stages.size());
            stageOf.insert(key, s);
            Stage stage;
            stage.index = s;
            // Unnamed stages print as "stage-N"; keep that name so the label's token reads the same.
            stage.name = key;
            stage.needed = true;
            graph.stages.append(stage);
        }
        Stage &stage = graph.stages[s];
        stage.vertexTotal = std::max(stage.vertexTotal, label.steps);
        // A step printed again (another target or platform of the same build) is one step.
        if (seen.contains({s, label.step}))
            continue;
        seen.insert({s, label.step});
        Step step;
        step.keyword = label.instruction.toUpper();
        step.kind = instructionKindOf(step.keyword);
        step.text = label.text;
        step.label = vertex.name;
        step.number = label.step;
        // The stages it reads, as the label parser flagged them: --from= of COPY/ADD, from= of RUN mounts.
        if (label.fromOption) {
            sourceStages(QStringView(label.text).mid(label.instruction.size()), &sources);
            for (const QStringView from : std::as_const(sources)) {
                if (step.kind == InstructionKind::Run) {
                    Mount mount;
                    mount.from = from.toString();
                    step.mounts.append(mount);
                } else if (step.from.isEmpty()) {
                    step.from = from.toString();
                }
            }
        }
        if (step.kind == InstructionKind::From) {
            stage.baseName = label.text.mid(5).trimmed();
            stage.base = stage.baseName;
        }
        stage.steps.append(step);
    }
    // A lone unnamed stage prints no token at all.
    if (graph.stages.size() == 1 && graph.stages.first().name.isEmpty())
        graph.stages.first().name.clear();

    for (Stage &stage : graph.stages) {
        std::sort(stage.steps.begin(), stage.steps.end(),
            [](const Step &a, const Step &b) { return a.number < b.number; });
    }
    // COPY --from and mounts of a stage the log also shows become edges; images stay external.
    for (int s = 0; s < graph.stages.size(); ++s) {
        Stage &stage = graph.stages[s];
        for (int k = 0; k < stage.steps.size(); ++k) {
            Step &step = stage.steps[k];
            auto resolve = [&](const QString &from, EdgeKind kind) {
                // "--from=0" names the unnamed stage BuildKit prints as "stage-0".
                int source = stageOf.value(from.toLower(), -1);
                if (source < 0 && !from.isEmpty() && from.front().isDigit())
                    source = stageOf.value(QStringLiteral("stage-") + from, -1);
                if (source < 0 || source == s)
                    return -1;
                Edge edge;
                edge.from = source;
                edge.to = s;
                edge.kind = kind;
                edge.toStep = k;
                graph.edges.append(edge);
                return source;
            };
            if (!step.from.isEmpty())
                step.fromStage = resolve(step.from, EdgeKind::Copy);
            for (Mount &mount : step.mounts)
                mount.fromStage = resolve(mount.from, EdgeKind::Mount);
        }
    }
    // The target is a stage no other stage reads. BuildKit prints stages interleaved, so the last stage to
    // appear need not be it: of the unread stages, one the build left unfinished (fewer steps printed than
    // its n: a failure or cancel cut it while the target waited for it), else the one whose steps end last.
    QSet<int> read;
    for (const Edge &edge : std::as_const(graph.edges))
        read.insert(edge.from);
    QList<double> finish(graph.stages.size(), -1);
    for (int v = 0; v < run.vertices.size(); ++v) {
        const VertexLabel &label = run.vertices.at(v).label;
        const int s = label.step > 0 && !label.internal ? stageOf.value(label.stage.toLower(), -1) : -1;
        if (s >= 0)
            finish[s] = std::max(finish[s], run.vertices.at(v).end.value_or(-1));
    }
    auto rank = [&](int s) {
        const Stage &stage = graph.stages.at(s);
        const bool unfinished = !stage.steps.isEmpty() && stage.steps.last().number < stage.vertexTotal;
        return std::make_tuple(unfinished, finish.at(s), s);
    };
    for (int s = 0; s < graph.stages.size(); ++s) {
        if (!read.contains(s) && (graph.targetStage < 0 || rank(s) > rank(graph.targetStage)))
            graph.targetStage = s;
    }
    if (graph.targetStage < 0 && !graph.stages.isEmpty())
        graph.targetStage = int(graph.stages.size()) - 1; // every stage is read: a cycle of bad input
    if (graph.targetStage >= 0)
        graph.target = graph.stages.at(graph.targetStage).token();
    return graph;
}

BuildOptions recordBuildOptions(const BuildRecordInfo &record)
{
    BuildOptions options;
    options.target = record.target;
    for (auto it = record.buildArgs.cbegin(); it != record.buildArgs.cend(); ++it)
        options.buildArgs.insert(it.key(), it.value());
    options.platform = record.platforms.value(0);
    options.multiPlatform = record.platforms.size() > 1; // BuildKit prefixes vertex names only then
    return options;
}

BuildGraph graphOfBuild(const BuildRun &run, QString *recordDockerfile)
{
    recordDockerfile->clear();
    if (!run.record || run.record->dockerfile.isEmpty())
        return graphFromLog(run);
    const BuildRecordInfo &record = *run.record;
    const QString name = record.dockerfileName.isEmpty() ? record.filename : record.dockerfileName;
    *recordDockerfile = record.dockerfile;
    return buildGraph(record.dockerfile.toUtf8(), name.isEmpty() ? QStringLiteral("Dockerfile") : name,
        recordBuildOptions(record));
}

} // namespace Stagelens
