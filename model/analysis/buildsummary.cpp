#include "buildsummary.h"

#include "model/buildlog/vertexorder.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <vector>

namespace Stagelens {

namespace {

bool isDockerfileStep(const BuildVertex &v)
{
    return v.label.step > 0 && !v.label.internal;
}

// The build's wall time: its own clock when the log has one, else first start to last end (gathered by the
// caller's one pass over the vertices).
std::optional<double> wallOf(
    const BuildRun &run, const std::optional<double> &first, const std::optional<double> &last)
{
    if (run.duration && std::isfinite(*run.duration))
        return run.duration;
    if (!first || !last)
        return std::nullopt;
    return *last - *first;
}

void findCriticalPath(const BuildRun &run, BuildSummary &summary)
{
    const VertexDependencies deps = vertexDependencies(run);
    const int n = int(run.vertices.size());
    // Longest chain ending at each vertex, in dependency order (CPM forward pass).
    std::vector<double> length(size_t(n), 0.0);
    std::vector<int> previous(size_t(n), -1);
    std::vector<char> known(size_t(n), 0); // some vertex of the chain has a known duration
    int best = -1;
    for (const int v : topologicalOrder(deps)) {
        const BuildVertex &vertex = run.vertices.at(v);
        if (vertex.status == VertexStatus::Cached)
            continue;
        double before = 0;
        int from = -1;
        for (const int *d = deps.begin(v); d != deps.end(v); ++d) {
            if (run.vertices.at(*d).status == VertexStatus::Cached)
                continue;
            // Ties go to the dependency that ended later: it is the one the vertex waited for.
            if (from < 0 || length[size_t(*d)] > before
                || (length[size_t(*d)] == before
                    && run.vertices.at(*d).end.value_or(-1) > run.vertices.at(from).end.value_or(-1))) {
                before = length[size_t(*d)];
                from = *d;
            }
        }
        const std::optional<double> own = vertexDuration(vertex);
        length[size_t(v)] = before + own.value_or(0.0);
        previous[size_t(v)] = from;
        known[size_t(v)] = own.has_value() || (from >= 0 && known[size_t(from)]);
        if (best < 0 || length[size_t(v)] > length[size_t(best)]
            || (length[size_t(v)] == length[size_t(best)]
                && vertex.end.value_or(-1) > run.vertices.at(best).end.value_or(-1)))
            best = v;
    }
    if (best < 0 || !known[size_t(best)])
        return;
    QList<int> path;
    for (int v = best; v >= 0 && path.size() < n; v = previous[size_t(v)])
        path.append(v);
    std::reverse(path.begin(), path.end());
    summary.criticalPath = path;
    summary.criticalPathSeconds = length[size_t(best)];
    summary.exactTiming = std::all_of(path.cbegin(), path.cend(), [&run](int v) {
        const BuildVertex &vertex = run.vertices.at(v);
        return vertex.timing == TimingKind::Exact && vertex.start && vertex.end;
    });
}

QJsonValue optionalSeconds(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value))
        return QJsonValue::Null;
    // Milliseconds, as the vertices' times are written.
    return std::round(*value * 1000.0) / 1000.0;
}

QJsonValue optionalText(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

std::optional<double> BuildSummary::cacheHitRate() const
{
    if (cached + ran == 0)
        return std::nullopt;
    return double(cached) / double(cached + ran);
}

std::optional<double> vertexDuration(const BuildVertex &v)
{
    if (v.start && v.end && *v.end >= *v.start)
        return *v.end - *v.start;
    return v.seconds;
}

BuildSummary summarizeBuild(const BuildRun &run)
{
    BuildSummary summary;
    int firstErrorStep = -1;
    std::optional<double> first;
    std::optional<double> last;
    // One pass: a large build does not fit in the cache.
    for (int i = 0; i < run.vertices.size(); ++i) {
        const BuildVertex &v = run.vertices.at(i);
        if (v.start && (!first || *v.start < *first))
            first = v.start;
        if (v.end && (!last || *v.end > *last))
            last = v.end;
        if (!isDockerfileStep(v)) {
            ++summary.internal;
            continue;
        }
        ++summary.steps;
        switch (v.status) {
        case VertexStatus::Cached:
            ++summary.cached;
            break;
        case VertexStatus::Done:
            ++summary.ran;
            break;
        case VertexStatus::Error:
            ++summary.errors;
            if (firstErrorStep < 0)
                firstErrorStep = i;
            break;
        case VertexStatus::Canceled:
        case VertexStatus::Running:
            break;
        }
    }
    summary.wallSeconds = wallOf(run, first, last);
    findCriticalPath(run, summary);
    if (summary.criticalPath.isEmpty()) {
        // Nothing ran (all cached) or no time is known: the timing kind follows the log's own times.
        summary.exactTiming = !run.vertices.isEmpty()
            && std::all_of(run.vertices.cbegin(), run.vertices.cend(),
                [](const BuildVertex &v) { return v.timing == TimingKind::Exact; });
        // Every vertex cached, with times known: the path is empty and took no time.
        const bool allCached = !run.vertices.isEmpty()
            && std::all_of(run.vertices.cbegin(), run.vertices.cend(),
                [](const BuildVertex &v) { return v.status == VertexStatus::Cached; });
        if (allCached)
            summary.criticalPathSeconds = 0.0;
    }
    // The parser's choice first (the step the failure summary names); a failed step otherwise. A vertex
    // error the build survived (a cache import) is no failure: the parser leaves failedVertex at -1 then.
    if (run.failedVertex >= 0 && run.failedVertex < run.vertices.size())
        summary.failedVertex = run.failedVertex;
    else if (firstErrorStep >= 0)
        summary.failedVertex = firstErrorStep;
    if (summary.failedVertex >= 0)
        summary.failedStep = run.vertices.at(summary.failedVertex).name;
    summary.error = run.error;
    summary.errorContext = run.errorContext;
    if (summary.error.isEmpty() && summary.failedVertex >= 0)
        summary.error = run.vertices.at(summary.failedVertex).error;
    // BuildKit ends a failed process's error with "exit code: N" (executor and "did not complete" forms).
    static const QRegularExpression exitCode(QStringLiteral("exit code: (\\d+)"));
    if (const QRegularExpressionMatch m = exitCode.match(summary.error); m.hasMatch())
        summary.exitCode = m.captured(1).toInt();
    return summary;
}

QJsonObject toJson(const BuildSummary &summary, const BuildRun &run)
{
    QJsonObject o;
    o.insert(QStringLiteral("steps"), summary.steps);
    o.insert(QStringLiteral("cached"), summary.cached);
    o.insert(QStringLiteral("ran"), summary.ran);
    o.insert(QStringLiteral("errors"), summary.errors);
    o.insert(QStringLiteral("internal"), summary.internal);
    o.insert(QStringLiteral("wall_seconds"), optionalSeconds(summary.wallSeconds));
    o.insert(QStringLiteral("critical_path_seconds"), optionalSeconds(summary.criticalPathSeconds));
    QJsonArray path;
    for (const int v : summary.criticalPath)
        path.append(run.vertices.at(v).name);
    o.insert(QStringLiteral("critical_path"), path);
    o.insert(QStringLiteral("timing"),
        summary.exactTiming ? QStringLiteral("exact") : QStringLiteral("estimated"));
    o.insert(QStringLiteral("failed_step"), optionalText(summary.failedStep));
    o.insert(QStringLiteral("error"), optionalText(summary.error));
    o.insert(QStringLiteral("error_context"), optionalText(summary.errorContext));
    const std::optional<double> rate = summary.cacheHitRate();
    o.insert(QStringLiteral("cache_hit_rate"),
        rate ? QJsonValue(std::round(*rate * 1000.0) / 1000.0) : QJsonValue());
    return o;
}

} // namespace Stagelens
