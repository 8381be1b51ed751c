// The graph's own queries: steps by reference and by line, stage order, dependencies between steps.
#include "buildgraph.h"

#include <algorithm>

namespace Stagelens {

bool Step::readsContext() const
{
    if (kind == InstructionKind::Copy || kind == InstructionKind::Add) {
        if (!from.isEmpty())
            return false;
        for (const QString &s : sources) {
            if (!s.startsWith(QLatin1String("http://")) && !s.startsWith(QLatin1String("https://"))
                && !s.startsWith(QLatin1String("git@")))
                return true;
        }
        return false;
    }
    if (kind == InstructionKind::Run) {
        for (const Mount &m : mounts) {
            if (m.type == QLatin1String("bind") && m.from.isEmpty())
                return true;
        }
    }
    return false;
}

QString Stage::token() const
{
    return name.isEmpty() ? QStringLiteral("stage-%1").arg(index) : name;
}

int Stage::vertexCount() const
{
    // the printed vertices; vertexTotal is BuildKit's n, one more per WORKDIR / that prints nothing
    int n = 0;
    for (const Step &s : steps)
        n += s.isVertex() ? 1 : 0;
    return n;
}

int BuildGraph::stageIndex(const QString &nameOrIndex) const
{
    const QString lower = nameOrIndex.toLower();
    for (const Stage &s : stages) {
        if (!s.name.isEmpty() && s.name == lower)
            return s.index;
    }
    bool ok = false;
    const int i = nameOrIndex.toInt(&ok);
    if (ok && i >= 0 && i < stages.size())
        return i;
    return -1;
}

QList<StepRef> BuildGraph::neededVertices() const
{
    QList<StepRef> out;
    for (int s = 0; s < stages.size(); ++s) {
        if (!stages[s].needed)
            continue;
        for (int k = 0; k < stages[s].steps.size(); ++k) {
            if (stages[s].steps[k].isVertex())
                out.append({s, k});
        }
    }
    return out;
}

const Step *BuildGraph::step(StepRef ref) const
{
    if (ref.stage < 0 || ref.stage >= stages.size() || ref.step < 0
        || ref.step >= stages.at(ref.stage).steps.size())
        return nullptr;
    return &stages.at(ref.stage).steps.at(ref.step);
}

StepRef BuildGraph::stepAtLine(int line) const
{
    // A FROM's ONBUILD triggers share its line: the FROM (step 0) is what the line names.
    for (int s = 0; s < stages.size(); ++s) {
        const QList<Step> &steps = stages.at(s).steps;
        for (int k = 0; k < steps.size(); ++k) {
            if (line >= steps.at(k).line && line <= std::max(steps.at(k).line, steps.at(k).endLine))
                return {s, k};
        }
    }
    return {};
}

const GlobalArg *BuildGraph::globalArgAt(int line) const
{
    for (const GlobalArg &arg : globalArgs) {
        if (line >= arg.line && line <= std::max(arg.line, arg.endLine))
            return &arg;
    }
    return nullptr;
}

QList<int> BuildGraph::stageOrder() const
{
    // Kahn's algorithm by repeated passes (stages are few); a cycle falls back to file order.
    const int n = int(stages.size());
    QList<QList<int>> deps(n);
    for (int s = 0; s < n; ++s) {
        const Stage &stage = stages.at(s);
        auto add = [&](int d) {
            if (d >= 0 && d < n && d != s && !deps[s].contains(d))
                deps[s].append(d);
        };
        add(stage.baseStage);
        for (const Step &step : stage.steps) {
            add(step.fromStage);
            for (const Mount &m : step.mounts)
                add(m.fromStage);
        }
    }
    QList<int> order;
    QList<bool> done(n, false);
    bool progress = true;
    while (progress && order.size() < n) {
        progress = false;
        for (int s = 0; s < n; ++s) {
            if (done[s] || !std::all_of(deps[s].cbegin(), deps[s].cend(), [&](int d) { return done[d]; }))
                continue;
            done[s] = true;
            order.append(s);
            progress = true;
        }
    }
    for (int s = 0; s < n; ++s) {
        if (!done[s])
            order.append(s);
    }
    return order;
}

StepRef BuildGraph::lastVertexOf(int stage) const
{
    for (int guard = 0; stage >= 0 && stage < stages.size() && guard < stages.size(); ++guard) {
        const Stage &st = stages.at(stage);
        for (int i = int(st.steps.size()) - 1; i >= 0; --i) {
            if (st.steps.at(i).isVertex())
                return {stage, i};
        }
        stage = st.baseStage;
    }
    return {};
}

QList<StepRef> BuildGraph::dependencies(StepRef ref) const
{
    QList<StepRef> deps;
    const Step *self = step(ref);
    if (!self)
        return deps;
    const Stage &stage = stages.at(ref.stage);
    int previous = -1;
    for (int i = ref.step - 1; i >= 0; --i) {
        if (stage.steps.at(i).isVertex()) {
            previous = i;
            break;
        }
    }
    if (previous >= 0)
        deps.append({ref.stage, previous});
    else if (stage.baseStage >= 0)
        deps.append(lastVertexOf(stage.baseStage));
    if (self->fromStage >= 0)
        deps.append(lastVertexOf(self->fromStage));
    for (const Mount &mount : self->mounts) {
        if (mount.fromStage >= 0)
            deps.append(lastVertexOf(mount.fromStage));
    }
    deps.removeIf([](const StepRef &d) { return !d.isValid(); });
    return deps;
}

QString edgeKindName(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::From:
        return QStringLiteral("from");
    case EdgeKind::Copy:
        return QStringLiteral("copy");
    case EdgeKind::Mount:
        return QStringLiteral("mount");
    }
    return QString();
}

// Nulls rather than missing keys, so scripts can rely on every key of shared/CLI.md being present.
} // namespace Stagelens
