#include "vertexorder.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace Stagelens {

namespace {

// Views into the labels of the run, which outlives every lookup table below.
struct StageKey
{
    QStringView target;
    QStringView platform;
    QStringView stage;
    bool operator==(const StageKey &o) const
    {
        return target == o.target && platform == o.platform && stage == o.stage;
    }
};

size_t qHash(const StageKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.target, key.platform, key.stage);
}

// One stage of the build as the labels show it: its steps by counter, the last vertex printed for each.
struct StageSteps
{
    QList<QPair<int, int>> steps; // (k, vertex index), sorted by k, one entry per k
};

bool isFromVertex(const BuildVertex &v)
{
    return v.label.instruction == QLatin1String("FROM");
}

// What a vertex is, for the rules below; computed once per vertex (string compares add up at 100k).
enum : quint8
{
    KindOther = 0,
    KindStep = 1, ///< "[stage k/n]", not internal
    KindFrom = 2, ///< with KindStep
    KindReads = 4, ///< with KindStep: COPY, ADD or RUN, which may read another stage
    KindCopiesContext = 8, ///< with KindStep: COPY, or ADD of local sources
    KindContext = 16,
    KindMetadata = 32,
    KindExport = 64,
    KindFromOption = 128, ///< with KindReads: VertexLabel::fromOption
};

bool isContextSource(const BuildVertex &v)
{
    const QString &t = v.label.text;
    return v.label.internal
        && (t.startsWith(QLatin1String("load build context"))
            || t.startsWith(QLatin1String("load git source"))
            || t.startsWith(QLatin1String("load remote build context")));
}

quint8 kindOf(const BuildVertex &v)
{
    // The category and the instruction's length decide without reading the instruction's characters: at
    // 100k vertices every string read is a cache miss.
    const VertexLabel &l = v.label;
    if (l.step > 0 && !l.internal) {
        const qsizetype length = l.instruction.size();
        if (v.category == VertexCategory::Metadata && length == 4)
            return KindStep | KindFrom;
        if (v.category == VertexCategory::Copy && length == 4)
            return KindStep | KindReads | KindCopiesContext;
        if (v.category == VertexCategory::Run)
            return KindStep | KindReads;
        if (v.category == VertexCategory::Copy) { // ADD: a URL or git source reads no context
            const bool remote =
                l.text.contains(QLatin1String("://")) || l.text.contains(QLatin1String("git@"));
            return KindStep | KindReads | (remote ? 0 : KindCopiesContext);
        }
        return KindStep;
    }
    if (v.category == VertexCategory::Export && l.step == 0)
        return KindExport;
    if (!l.internal)
        return KindOther;
    if (v.category == VertexCategory::Metadata && l.text.startsWith(QLatin1String("load metadata for ")))
        return KindMetadata;
    if (isContextSource(v))
        return KindContext;
    return KindOther;
}

// The image a FROM step or a "load metadata for" vertex names, without digest and stage name.
QStringView imageOf(QStringView text)
{
    while (!text.isEmpty() && text.front() == QLatin1Char(' '))
        text = text.mid(1);
    const qsizetype space = text.indexOf(QLatin1Char(' '));
    if (space >= 0)
        text = text.left(space);
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    return at >= 0 ? text.left(at) : text;
}

// A lookup by (name, target, platform) that falls back to vertices printed without a target or platform:
// "[internal] load build context" serves every platform of a multi-platform build.
class ScopedIndex
{
public:
    void insert(QStringView name, const VertexLabel &label, int vertex)
    {
        m_map.insert(StageKey {label.target, label.platform, name}, vertex);
    }
    int find(QStringView name, const VertexLabel &label) const
    {
        // Most builds name no target or platform: the fallbacks are then the same key, looked up once (a
        // COPY of the context hashed the same key four times).
        const bool target = !label.target.isEmpty();
        const bool platform = !label.platform.isEmpty();
        int found = lookup(StageKey {label.target, label.platform, name});
        if (found < 0 && platform)
            found = lookup(StageKey {label.target, {}, name});
        if (found < 0 && target)
            found = lookup(StageKey {{}, label.platform, name});
        if (found < 0 && target && platform)
            found = lookup(StageKey {{}, {}, name});
        return found;
    }
    bool isEmpty() const { return m_map.isEmpty(); }

private:
    int lookup(const StageKey &key) const { return m_map.value(key, -1); }

    QHash<StageKey, int> m_map;
};

// "FROM <stage>" prints no vertex, and BuildKit then counts the stage's steps from its first instruction:
// a stage whose first step is "1/n" and no FROM is built on another stage that the labels do not name.
// The times do: it is the stage whose last step ended last at or before this stage's first step started.
// Returns, per stage, the index of its base stage, or -1 (FROM an image, no times, or no candidate).
QList<int> guessBaseStages(const QList<BuildVertex> &vertices, const QList<StageSteps> &stages)
{
    QList<int> base(stages.size(), -1);
    // Per (target, platform): the stages' last steps by end time, for a binary search per stage.
    struct Ending
    {
        double end;
        int vertex;
        int stage;
    };
    QHash<StageKey, QList<Ending>> endings;
    bool anyDerived = false;
    for (int s = 0; s < stages.size(); ++s) {
        const BuildVertex &last = vertices.at(stages.at(s).steps.last().second);
        if (last.end)
            endings[StageKey {last.label.target, last.label.platform, {}}].append(
                {*last.end, stages.at(s).steps.last().second, s});
        const BuildVertex &first = vertices.at(stages.at(s).steps.first().second);
        anyDerived = anyDerived || (first.label.step == 1 && !isFromVertex(first));
    }
    if (!anyDerived)
        return base;
    for (QList<Ending> &list : endings) {
        std::sort(list.begin(), list.end(), [](const Ending &a, const Ending &b) {
            return a.end != b.end ? a.end < b.end : a.vertex < b.vertex;
        });
    }
    for (int s = 0; s < stages.size(); ++s) {
        const BuildVertex &first = vertices.at(stages.at(s).steps.first().second);
        if (first.label.step != 1 || isFromVertex(first) || !first.start)
            continue;
        const auto list = endings.constFind(StageKey {first.label.target, first.label.platform, {}});
        if (list == endings.constEnd())
            continue;
        // A small tolerance: exact stamps of the DONE line and the next header can tie or cross by a
        // millisecond.
        auto it = std::upper_bound(list->cbegin(), list->cend(), *first.start + 1e-3,
            [](double t, const Ending &e) { return t < e.end; });
        while (it != list->cbegin()) {
            --it;
            if (it->stage != s) {
                base[s] = it->stage;
                break;
            }
        }
    }
    return base;
}

// A bound on the exporter edges (exporters x stages), so hostile input with many of both stays linear.
constexpr qsizetype MaxExportEdges = 1000000;

VertexDependencies fromInputs(const BuildRun &run)
{
    VertexDependencies deps;
    deps.fromInputs = true;
    QHash<QStringView, int> indexOf;
    indexOf.reserve(run.vertices.size());
    for (int i = 0; i < run.vertices.size(); ++i)
        indexOf.insert(run.vertices.at(i).id, i);
    deps.offsets.reserve(run.vertices.size() + 1);
    deps.offsets.append(0);
    for (int i = 0; i < run.vertices.size(); ++i) {
        const qsizetype first = deps.targets.size();
        for (const QString &input : run.vertices.at(i).inputs) {
            const int j = indexOf.value(input, -1);
            if (j >= 0 && j != i
                && std::find(deps.targets.cbegin() + first, deps.targets.cend(), j) == deps.targets.cend())
                deps.targets.append(j);
        }
        deps.offsets.append(int(deps.targets.size()));
    }
    return deps;
}

} // namespace

void sourceStages(QStringView text, QList<QStringView> *out)
{
    out->clear();
    qsizetype pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && text.at(pos) == QLatin1Char(' '))
            ++pos;
        qsizetype end = text.indexOf(QLatin1Char(' '), pos);
        if (end < 0)
            end = text.size();
        const QStringView word = text.mid(pos, end - pos);
        if (!word.startsWith(QLatin1String("--")))
            break; // the options come first; the rest is the command or the sources
        if (word.startsWith(QLatin1String("--from="))) {
            out->append(word.mid(7));
        } else if (word.startsWith(QLatin1String("--mount="))) {
            for (const QStringView part : word.mid(8).split(QLatin1Char(','))) {
                if (part.startsWith(QLatin1String("from=")))
                    out->append(part.mid(5));
            }
        }
        pos = end;
    }
}

VertexDependencies vertexDependencies(const BuildRun &run)
{
    const QList<BuildVertex> &vertices = run.vertices;
    const bool anyInputs = std::any_of(
        vertices.cbegin(), vertices.cend(), [](const BuildVertex &v) { return !v.inputs.isEmpty(); });
    if (anyInputs)
        return fromInputs(run);

    // Stages (target, platform, stage) with their steps; the build's FROM vertices per (target, platform);
    // context sources; metadata loads per image. This runs for every build a log holds (100k vertices in
    // the 1 GB benchmark): each vertex is classified once, and a step of the same stage as the one before
    // it (the common case) skips the hash lookup.
    QHash<StageKey, int> stageIndex;
    QHash<StageKey, int> stageByName; // (target, "", stage): fallback for cross-platform stage names
    QList<StageSteps> stages;
    QHash<StageKey, QPair<int, int>> fromVertices; // (target, platform, "") -> (count, last FROM vertex)
    ScopedIndex contexts;
    ScopedIndex metadata;
    std::vector<int> stageOfVertex(size_t(vertices.size()), -1);
    std::vector<quint8> kinds(size_t(vertices.size()), KindOther);
    std::vector<int> steps(size_t(vertices.size()), 0); // of KindStep vertices
    const VertexLabel *previous = nullptr;
    int previousStage = -1;
    for (int i = 0; i < vertices.size(); ++i) {
        const BuildVertex &v = vertices.at(i);
        const quint8 kind = kindOf(v);
        kinds[size_t(i)] = kind | ((kind & KindReads) && v.label.fromOption ? KindFromOption : 0);
        if (kind & KindStep) {
            steps[size_t(i)] = v.label.step;
            int stage = -1;
            if (previous && previous->stage == v.label.stage && previous->target == v.label.target
                && previous->platform == v.label.platform) {
                stage = previousStage;
            } else {
                const StageKey key {v.label.target, v.label.platform, v.label.stage};
                auto it = stageIndex.constFind(key);
                if (it == stageIndex.constEnd()) {
                    it = stageIndex.insert(key, int(stages.size()));
                    stages.append(StageSteps {});
                    stageByName.insert(StageKey {v.label.target, {}, v.label.stage}, *it);
                }
                stage = *it;
            }
            previous = &v.label;
            previousStage = stage;
            stageOfVertex[size_t(i)] = stage;
            stages[stage].steps.append({v.label.step, i});
            if (kind & KindFrom) {
                QPair<int, int> &from = fromVertices[StageKey {v.label.target, v.label.platform, {}}];
                ++from.first;
                from.second = i;
            }
        } else if (kind == KindContext) {
            contexts.insert(QStringView(), v.label, i);
        } else if (kind == KindMetadata) {
            metadata.insert(imageOf(QStringView(v.label.text).mid(18)), v.label, i);
        }
    }
    std::vector<int> lastOfCounter;
    for (StageSteps &stage : stages) {
        // Sorted by counter; for a counter printed twice (concatenated or retried logs) the last one stays.
        // Usually sorted already. Otherwise the counters (k of k/n) are small: the last vertex of each is
        // kept by counter directly, which beat a merge sort of a concatenated log's thousands of steps per
        // stage; the sort stays for counters far above the number of steps (hostile input).
        const auto byCounter = [](const QPair<int, int> &a, const QPair<int, int> &b) {
            return a.first < b.first;
        };
        if (!std::is_sorted(stage.steps.cbegin(), stage.steps.cend(), byCounter)) {
            const int most = std::max_element(stage.steps.cbegin(), stage.steps.cend(), byCounter)->first;
            const auto least = std::min_element(stage.steps.cbegin(), stage.steps.cend(), byCounter)->first;
            if (least >= 0 && most <= 4 * stage.steps.size() + 64) {
                lastOfCounter.assign(size_t(most) + 1, -1);
                for (const QPair<int, int> &step : std::as_const(stage.steps))
                    lastOfCounter[size_t(step.first)] = step.second; // in vertex order: the last stays
                qsizetype kept = 0;
                for (int k = 0; k <= most; ++k) {
                    if (lastOfCounter[size_t(k)] >= 0)
                        stage.steps[kept++] = {k, lastOfCounter[size_t(k)]};
                }
                stage.steps.resize(kept);
                continue;
            }
            std::stable_sort(stage.steps.begin(), stage.steps.end(), byCounter);
        }
        qsizetype kept = 0;
        for (qsizetype j = 0; j < stage.steps.size(); ++j) {
            if (kept > 0 && stage.steps.at(kept - 1).first == stage.steps.at(j).first)
                stage.steps[kept - 1].second =
                    std::max(stage.steps.at(kept - 1).second, stage.steps.at(j).second);
            else
                stage.steps[kept++] = stage.steps.at(j);
        }
        stage.steps.resize(kept);
    }
    const QList<int> baseStages = guessBaseStages(vertices, stages);
    auto lastStepOf = [&](const VertexLabel &label, QStringView name) -> int {
        auto it = stageIndex.constFind(StageKey {label.target, label.platform, name});
        if (it != stageIndex.constEnd())
            return stages.at(*it).steps.last().second;
        it = stageByName.constFind(StageKey {label.target, {}, name});
        return it != stageByName.constEnd() ? stages.at(*it).steps.last().second : -1;
    };

    VertexDependencies deps;
    deps.offsets.reserve(vertices.size() + 1);
    deps.targets.reserve(vertices.size() * 2);
    deps.offsets.append(0);
    qsizetype exportEdges = 0;
    QList<QStringView> sources;
    constexpr int Unknown = -2;
    std::vector<int> contextOfStage(size_t(stages.size()), Unknown);
    // The vertices are 400 bytes apart and a build does not fit in the cache: this pass reads a vertex again
    // only when a rule needs its text (FROM, a --from option, a COPY of the context, the exporter), the rest
    // comes from the first pass's arrays (vertexDependencies was half cache misses, perf annotate).
    for (int i = 0; i < vertices.size(); ++i) {
        const quint8 kind = kinds[size_t(i)];
        const qsizetype first = deps.targets.size();
        auto add = [&](int j) {
            if (j >= 0 && j != i
                && std::find(deps.targets.cbegin() + first, deps.targets.cend(), j) == deps.targets.cend())
                deps.targets.append(j);
        };
        if (kind & KindStep) {
            const int stageIndexOfVertex = stageOfVertex[size_t(i)];
            const StageSteps &stage = stages.at(stageIndexOfVertex);
            const int step = steps[size_t(i)];
            // The step with the largest counter below k.
            const auto below = std::lower_bound(stage.steps.cbegin(), stage.steps.cend(), step,
                [](const QPair<int, int> &s, int k) { return s.first < k; });
            if (below != stage.steps.cbegin()) {
                add(std::prev(below)->second);
            } else if (baseStages.at(stageIndexOfVertex) >= 0) {
                add(stages.at(baseStages.at(stageIndexOfVertex)).steps.last().second);
            } else if (step == 2 && !(kind & KindFrom)) {
                // "[runtime 2/6]" with no "[runtime 1/6]": BuildKit printed the stage's FROM once, under
                // another stage built on the same image. Only a build with one FROM vertex says which.
                const VertexLabel &label = vertices.at(i).label;
                const auto from = fromVertices.constFind(StageKey {label.target, label.platform, {}});
                if (from != fromVertices.constEnd() && from->first == 1)
                    add(from->second);
            }
            const bool copiesContext = (kind & KindCopiesContext) && !contexts.isEmpty();
            if (copiesContext && !(kind & KindFromOption)) {
                // A stage's target and platform are those of all its steps: one lookup per stage.
                int &context = contextOfStage[size_t(stageIndexOfVertex)];
                if (context == Unknown)
                    context = contexts.find(QStringView(), vertices.at(i).label);
                add(context);
            } else if (kind & KindFrom) {
                const VertexLabel &label = vertices.at(i).label;
                add(metadata.find(imageOf(QStringView(label.text).mid(label.instruction.size())), label));
            } else if ((kind & KindReads) && ((kind & KindFromOption) || copiesContext)) {
                const VertexLabel &label = vertices.at(i).label;
                // Only COPY, ADD and RUN take --from= / --mount=...,from= options (flagged by the parser).
                bool fromStage = false;
                sources.clear();
                if (kind & KindFromOption)
                    sourceStages(QStringView(label.text).mid(label.instruction.size()), &sources);
                for (const QStringView name : std::as_const(sources)) {
                    int j = lastStepOf(label, name);
                    // "--from=0": BuildKit names an unnamed stage "stage-0".
                    if (j < 0 && !name.isEmpty() && name.front().isDigit())
                        j = lastStepOf(label, QString(QStringLiteral("stage-") + name.toString()));
                    add(j);
                    fromStage = true;
                }
                if (copiesContext && !(fromStage && label.text.contains(QLatin1String("--from="))))
                    add(contexts.find(QStringView(), label));
            }
        } else if (kind == KindExport) {
            const VertexLabel &label = vertices.at(i).label;
            // The exporter runs once the target is solved: after the last step of every stage it needs.
            for (const StageSteps &stage : std::as_const(stages)) {
                if (exportEdges >= MaxExportEdges)
                    break;
                const VertexLabel &last = vertices.at(stage.steps.last().second).label;
                if ((label.target.isEmpty() || label.target == last.target)
                    && (label.platform.isEmpty() || label.platform == last.platform)) {
                    add(stage.steps.last().second);
                    ++exportEdges;
                }
            }
        }
        deps.offsets.append(int(deps.targets.size()));
    }
    return deps;
}

QList<int> topologicalOrder(const VertexDependencies &dependencies)
{
    const int n = dependencies.size();
    // Kahn's algorithm over the reversed edges (who waits for me), in compressed form.
    std::vector<int> remaining(size_t(n), 0);
    std::vector<int> waiterOffsets(size_t(n) + 1, 0);
    for (int v = 0; v < n; ++v) {
        remaining[size_t(v)] = int(dependencies.end(v) - dependencies.begin(v));
        for (const int *d = dependencies.begin(v); d != dependencies.end(v); ++d)
            ++waiterOffsets[size_t(*d) + 1];
    }
    for (int v = 0; v < n; ++v)
        waiterOffsets[size_t(v) + 1] += waiterOffsets[size_t(v)];
    std::vector<int> waiters(static_cast<size_t>(waiterOffsets[size_t(n)]));
    std::vector<int> fill(waiterOffsets.begin(), waiterOffsets.end() - 1);
    for (int v = 0; v < n; ++v) {
        for (const int *d = dependencies.begin(v); d != dependencies.end(v); ++d)
            waiters[size_t(fill[size_t(*d)]++)] = v;
    }
    QList<int> order;
    order.reserve(n);
    for (int v = 0; v < n; ++v) {
        if (remaining[size_t(v)] == 0)
            order.append(v);
    }
    for (qsizetype head = 0; head < order.size(); ++head) {
        const int v = order.at(head);
        for (int w = waiterOffsets[size_t(v)]; w < waiterOffsets[size_t(v) + 1]; ++w) {
            if (--remaining[size_t(waiters[size_t(w)])] == 0)
                order.append(waiters[size_t(w)]);
        }
    }
    if (order.size() < n) {
        // A cycle (contradictory labels): its vertices follow in file order.
        for (int v = 0; v < n; ++v) {
            if (remaining[size_t(v)] > 0)
                order.append(v);
        }
    }
    return order;
}

void enforceDependencyOrder(BuildRun &run)
{
    const bool anyEstimated = std::any_of(run.vertices.cbegin(), run.vertices.cend(),
        [](const BuildVertex &v) { return v.timing == TimingKind::Estimated && v.start && v.end; });
    if (!anyEstimated)
        return;
    const VertexDependencies deps = vertexDependencies(run);
    for (const int v : topologicalOrder(deps)) {
        BuildVertex &vertex = run.vertices[v];
        if (vertex.timing != TimingKind::Estimated || !vertex.start || !vertex.end)
            continue;
        double ready = *vertex.start;
        for (const int *d = deps.begin(v); d != deps.end(v); ++d) {
            const BuildVertex &dep = run.vertices.at(*d);
            if (dep.end)
                ready = std::max(ready, *dep.end);
        }
        if (ready > *vertex.start) {
            *vertex.end += ready - *vertex.start;
            vertex.start = ready;
            // The build's own clock (tty header) bounds every end: a shift that overshoots it comes from
            // the rounding of the printed durations (0.05 s each), so the duration gives way, not the order.
            if (run.duration && *vertex.end > *run.duration)
                vertex.end = std::max(*vertex.start, *run.duration);
        }
    }
}

} // namespace Stagelens
