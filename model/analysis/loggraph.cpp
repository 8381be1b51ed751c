#include "loggraph.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace Stagelens {

namespace {

// The value of `--from=X` in a COPY/ADD, or of `from=X` inside a RUN's --mount=... option.
QString copyFrom(const QString &text)
{
    static const QRegularExpression from(QStringLiteral("(?:^|\\s)--from=(\\S+)"));
    const QRegularExpressionMatch m = from.match(text);
    return m.hasMatch() ? m.captured(1) : QString();
}

QStringList mountFroms(const QString &text)
{
    static const QRegularExpression mount(QStringLiteral("--mount=(\\S+)"));
    static const QRegularExpression from(QStringLiteral("(?:^|,)from=([^,]+)"));
    QStringList out;
    for (const QRegularExpressionMatch &m : mount.globalMatch(text)) {
        const QRegularExpressionMatch f = from.match(m.captured(1));
        if (f.hasMatch())
            out.append(f.captured(1));
    }
    return out;
}

} // namespace

BuildGraph graphFromLog(const BuildRun &run)
{
    BuildGraph graph;
    graph.fromLog = true;
    QHash<QString, int> stageOf; // label stage (lower-case) -> index
    QSet<QPair<int, int>> seen; // (stage, k) already taken
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
        step.from = step.kind == InstructionKind::Copy || step.kind == InstructionKind::Add
            ? copyFrom(label.text)
            : QString();
        if (step.kind == InstructionKind::Run) {
            for (const QString &from : mountFroms(label.text)) {
                Mount mount;
                mount.from = from;
                step.mounts.append(mount);
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
                const int source = stageOf.value(from.toLower(), -1);
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
    if (!graph.stages.isEmpty()) {
        graph.targetStage = int(graph.stages.size()) - 1;
        graph.target = graph.stages.last().token();
    }
    return graph;
}

} // namespace Stagelens
