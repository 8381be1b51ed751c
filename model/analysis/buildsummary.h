#pragma once

// The figures of one build, each defined once here and shown the same way by every front end (status bar,
// details, report, `log`, history): computed from the BuildRun alone, no Dockerfile needed. A figure that
// the log cannot tell is empty (std::nullopt), never 0. Plain values, callable from any thread.

#include "model/buildlog/buildrun.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace Stagelens {

struct BuildSummary
{
    int steps = 0; ///< Dockerfile steps: "[stage k/n]" vertices, FROM included, "[internal]" excluded
    int cached = 0; ///< steps BuildKit reported CACHED
    int ran = 0; ///< steps that completed (DONE); cached + ran + errors <= steps
    int errors = 0; ///< steps that failed (ERROR)
    int internal = 0; ///< every other vertex (context, metadata, exporter, frontend, ...)
    std::optional<double> wallSeconds; ///< the build's duration, or the span of its vertices' times
    std::optional<double> criticalPathSeconds; ///< sum of the durations along criticalPath
    QList<int> criticalPath; ///< vertex indices, first to last; cached steps are never on it
    bool exactTiming = false; ///< every vertex on the path has start/end read from the log
    int failedVertex = -1; ///< index of the vertex that failed the build, or -1
    QString failedStep; ///< its name ("[build 3/5] RUN make")
    QString error; ///< the build's error text, else the failed step's
    /// BuildKit's excerpt of the failing Dockerfile instruction ("Dockerfile:52" and its "  52 | >>> ..."
    /// lines), whole; empty when the log has none.
    QString errorContext;
    std::optional<int>
        exitCode; ///< the failing process's exit code when the error names one ("exit code: 1")

    /// cached / (cached + ran) of the Dockerfile steps; empty when no step was cached or ran.
    std::optional<double> cacheHitRate() const;
    bool failed() const { return failedVertex >= 0 || !error.isEmpty(); }
};

/// How long a vertex took, as far as the log says: its span when both ends are known, else BuildKit's own
/// figure; empty when neither is known (cached, still running).
std::optional<double> vertexDuration(const BuildVertex &vertex);

/// The summary of `run`. Linear in its vertices and their dependency edges.
///
/// The critical path is the longest chain of vertices, by duration, along the dependencies the log shows
/// (vertexDependencies(): rawjson/record input edges, else the label structure). A vertex's duration is
/// its end - start when both are known, else BuildKit's own seconds. A cached step takes no time and
/// nothing before it can delay the build through it, so it is left out and ends a chain.
BuildSummary summarizeBuild(const BuildRun &run);

/// The `summary` object of `log --json` (shared/CLI.md): the figures, the path as vertex names.
QJsonObject toJson(const BuildSummary &summary, const BuildRun &run);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::BuildSummary)
