#include "stepmatcher.h"

namespace Stagelens {

namespace {

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

// A log's text and the graph's differ where BuildKit expanded other values (another --build-arg), or where a
// long name was clipped. Anything else is another instruction, and must not take this step's time.
bool textsAgree(const Step &step, const QString &logText)
{
    const QString graphText = squashed(step.text);
    if (graphText == logText)
        return true;
    QString clipped = logText;
    if (clipped.endsWith(QLatin1String("...")))
        clipped.chop(3);
    else if (clipped.endsWith(QChar(0x2026)))
        clipped.chop(1);
    if (clipped.size() >= 20 && clipped.size() < logText.size() && graphText.startsWith(clipped.trimmed()))
        return true;
    return false;
}

// The graph's text depends on values a build may set differently: then the same step can print otherwise.
bool expandsVariables(const Step &step)
{
    return !step.variables.isEmpty()
        || (step.kind != InstructionKind::Run && !step.argDependencies.isEmpty());
}

} // namespace

StepMatch matchSteps(const BuildGraph &graph, const BuildRun &run)
{
    StepMatch match;
    match.stepOfVertex.fill(StepRef(), run.vertices.size());
    // Index vertex steps by (k, keyword) so each log vertex looks at a handful of candidates.
    QHash<QPair<int, QString>, QList<StepRef>> byNumber;
    for (int s = 0; s < graph.stages.size(); ++s) {
        const Stage &stage = graph.stages.at(s);
        for (int i = 0; i < stage.steps.size(); ++i) {
            const Step &step = stage.steps.at(i);
            if (step.isVertex())
                byNumber[{step.number, step.keyword.toUpper()}].append({s, i});
        }
    }

    for (int v = 0; v < run.vertices.size(); ++v) {
        const VertexLabel &label = run.vertices.at(v).label;
        if (label.step <= 0 || label.internal)
            continue;
        ++match.stepVertices;
        const QList<StepRef> candidates = byNumber.value({label.step, label.instruction.toUpper()});
        const QString text = squashed(label.text);
        QList<StepRef> byToken;
        for (const StepRef &c : candidates) {
            if (tokenMatches(graph, graph.stages.at(c.stage), label.stage))
                byToken.append(c);
        }
        const bool isFrom = label.instruction.compare(QLatin1String("FROM"), Qt::CaseInsensitive) == 0;
        QList<StepRef> chosen;
        if (isFrom) {
            // One FROM vertex serves every stage built on the same image; BuildKit labels it with one of
            // them.
            QString base;
            for (const StepRef &c : byToken.isEmpty() ? candidates : byToken)
                base = graph.step(c)->text;
            for (const StepRef &c : candidates) {
                const Step &step = *graph.step(c);
                if (textsAgree(step, text) || (!byToken.isEmpty() && step.text == base))
                    chosen.append(c);
            }
            // Another base image only where the FROM line expands a build arg.
            if (chosen.isEmpty() && byToken.size() == 1 && expandsVariables(*graph.step(byToken.first())))
                chosen = byToken;
        } else {
            for (const StepRef &c : byToken) {
                if (textsAgree(*graph.step(c), text))
                    chosen.append(c);
            }
            // Different build args change the expanded text: fall back to the stage and counter alone, where
            // the step's text does expand something.
            if (chosen.isEmpty() && byToken.size() == 1 && expandsVariables(*graph.step(byToken.first())))
                chosen = byToken;
            if (chosen.size() > 1)
                chosen = chosen.mid(0, 1);
        }
        if (chosen.isEmpty()) {
            match.unmatchedVertices.append(v);
            continue;
        }
        match.stepOfVertex[v] = chosen.first();
        for (const StepRef &c : std::as_const(chosen))
            match.vertexOfStep.insert(c, v); // a repeated vertex (a retry) keeps the later, final state
    }
    return match;
}

QHash<StepRef, double> stepCosts(const BuildGraph &graph, const QList<const BuildRun *> &runs)
{
    QHash<StepRef, double> costs;
    qsizetype vertexSteps = 0;
    for (const Stage &stage : graph.stages)
        vertexSteps += stage.vertexCount();
    // Newest first; older builds only fill in the steps the newer ones had cached.
    for (auto it = runs.crbegin(); it != runs.crend() && costs.size() < vertexSteps; ++it) {
        const BuildRun &run = **it;
        const StepMatch match = matchSteps(graph, run);
        for (auto m = match.vertexOfStep.cbegin(); m != match.vertexOfStep.cend(); ++m) {
            const BuildVertex &vertex = run.vertices.at(m.value());
            if (vertex.status == VertexStatus::Done && vertex.seconds && !costs.contains(m.key()))
                costs.insert(m.key(), *vertex.seconds);
        }
    }
    return costs;
}

} // namespace Stagelens
