#pragma once

// The record of one build as read from a log: its vertices (steps) with status, BuildKit's own durations,
// start/end times and where in the file their output lines are. Plain values, callable from any thread.

#include "buildrecordinfo.h"
#include "model/core/diagnostic.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <functional>
#include <optional>

namespace Stagelens {

enum class VertexStatus
{
    Running, ///< started, never finished in the log (truncated log, or the build was cut off)
    Done,
    Cached,
    Error,
    Canceled
};

/// Whether a start/end time was read from the log (rawjson, CI wall-clock stamps) or reconstructed.
enum class TimingKind
{
    Estimated,
    Exact
};

enum class LogFormat
{
    Plain,
    Tty,
    RawJson,
    Legacy,
    Record ///< a BuildKit build record (.dockerbuild): progress stream, metadata and provenance
};

/// The CI system whose per-line decoration was stripped.
enum class CiWrapper
{
    None,
    GitHub, ///< GitHub Actions raw log: "2024-01-02T03:04:05.1234567Z text", ##[group] markers
    GhCli, ///< `gh run view --log`: "job<TAB>step<TAB>timestamp text"
    GitLab, ///< section_start/section_end markers, optional FF_TIMESTAMPS prefix
    Buildkite, ///< "_bk;t=<ms>\a" markers
    Timestamped ///< another RFC 3339 per-line timestamp (Render, docker logs -t, ...)
};

/// Where a step spends its time, for the per-category totals.
enum class VertexCategory
{
    Context, ///< load build definition / .dockerignore / build context
    Metadata, ///< load metadata, FROM, resolve image config, [auth], frontend pulls
    Run,
    Copy, ///< COPY and ADD
    Export, ///< exporting to image / cache, pushing, writing, naming
    Other
};

/// A vertex name split the way BuildKit composes it: "[platform target stage k/n] INSTRUCTION args".
struct VertexLabel
{
    QString platform; ///< "linux/arm64", empty when absent
    QString target; ///< bake/compose target, empty when absent
    QString stage; ///< stage name, empty for unnamed stages and for "[internal]"
    int step = 0; ///< k of k/n, 0 when absent
    int steps = 0; ///< n of k/n
    bool internal = false; ///< "[internal]" / "[target internal]"
    bool fromOption = false; ///< COPY/ADD/RUN with a "--from=" or "--mount=...from=" option (vertexorder)
    QString instruction; ///< upper-case keyword ("RUN"), empty when the name is not an instruction
    QString text; ///< the name without its bracketed prefix
};

/// A span of physical lines in the log file holding (some of) a vertex's output. Lines of other vertices
/// inside the span are skipped when the text is fetched again, which lets short interruptions share a span.
struct LogSpan
{
    qint64 offset = 0; ///< byte offset of the first line
    qint64 length = 0; ///< bytes up to the end of the last line (its newline excluded)
    int firstLine = 0; ///< 1-based line number of the first line
};

struct BuildVertex
{
    QString id; ///< "#11" in plain logs, the digest in rawjson, "Step 3/9" in legacy logs
    QString name;
    /// The other names BuildKit printed this vertex under, in order of appearance: bake and Compose print
    /// a step that several targets share once per target ("[web base 2/5] ..." then "[api base 2/5] ...").
    QStringList aliases;
    VertexLabel label;
    VertexCategory category = VertexCategory::Other;
    VertexStatus status = VertexStatus::Running;
    std::optional<double> seconds; ///< BuildKit's own figure ("DONE 0.4s"), absent for CACHED
    std::optional<double> start; ///< seconds from the build's start
    std::optional<double> end;
    TimingKind timing = TimingKind::Estimated;
    int logLines = 0; ///< output lines ("#N 0.123 text")
    QList<LogSpan> spans; ///< where those output lines are in the file
    QByteArray output; ///< the output itself, for records only (they hold it compressed, not as file lines)
    QString error; ///< the vertex's "ERROR: ..." text
    QStringList warnings; ///< "WARN: ..." lines
    QStringList inputs; ///< ids of the vertices it depends on (rawjson and records)
    int firstLine = 0; ///< line of the vertex's first header
};

struct BuildTotals
{
    double wallSeconds = 0; ///< first start to last end
    int vertices = 0;
    int done = 0;
    int cached = 0;
    int errors = 0;
    int canceled = 0;
    int running = 0;
    /// Sum of BuildKit durations per VertexCategory, indexed by int(VertexCategory).
    double categorySeconds[6] = {0, 0, 0, 0, 0, 0};
    /// Per category, vertices that did work (not cached) for which the log gives no time: a failed step
    /// with no "ERROR 0.3s", a step cut off. Their category's sum is then a lower bound, or unknown.
    int categoryUntimed[6] = {0, 0, 0, 0, 0, 0};
};

struct BuildRun
{
    int index = 0;
    LogFormat format = LogFormat::Plain;
    CiWrapper wrapper = CiWrapper::None;
    QList<BuildVertex> vertices; ///< in order of first appearance in the log
    std::optional<double> duration; ///< "[+] Building 12.3s", else the span of the vertices' times
    QString error; ///< "ERROR: failed to solve: ..." or the last line of the failure summary
    /// BuildKit's excerpt of the failing instruction, as printed: "Dockerfile:52" then "  52 | >>> RUN ...".
    QString errorContext;
    int failedVertex = -1; ///< index into vertices of the step that failed, or -1
    QStringList warnings; ///< build-check warnings and "WARN:" lines of the build
    QString builder; ///< "#0 building with ..." text
    int firstLine = 0;
    int lastLine = 0;
    std::optional<double> startEpoch; ///< wall-clock start (seconds since the epoch) when the log has it
    bool truncated = false; ///< ended without a final status (log cut off)
    std::optional<BuildRecordInfo> record; ///< set when the build was read from a build record
    QString revision; ///< the commit the CI job checked out before the build, as its log printed it
    /// Read from a log saved newest-first (lines reversed, as some CI pages save them): the vertices and
    /// times are in BuildKit's order, the file spans of output run backwards.
    bool newestFirst = false;

    BuildTotals totals() const;
    int indexOfVertex(const QString &id) const;
};

struct BuildLogResult
{
    QString path;
    QList<BuildRun> builds;
    QList<Diagnostic> diagnostics;
    /// No build, only BuildKit's failure summary (a CI log that kept its tail): where it says the build
    /// failed ("Dockerfile:52"), empty when it does not say.
    bool onlyFailureSummary = false;
    QString failureSummaryWhere;
};

QString vertexStatusName(VertexStatus status);
QString logFormatName(LogFormat format);
QString ciWrapperName(CiWrapper wrapper);
QString vertexCategoryName(VertexCategory category);

/// Splits a vertex name into its label parts. Never fails: unknown shapes leave fields empty.
VertexLabel parseVertexLabel(const QString &name);
VertexCategory categorizeVertex(const QString &name, const VertexLabel &label);

/// Splits one progress stream of a bake/compose or multi-platform build ("[app builder 2/5]",
/// "[linux/arm64 builder 3/5]") into one BuildRun per (target, platform), in order of first appearance.
/// Vertices without a target or platform (shared "[internal]" steps, the exporter) go into every part,
/// since each part depends on them. A vertex printed under several targets' names goes into each of
/// those parts, named there as that target printed it. A run with at most one (target, platform) comes
/// back unchanged.
QList<BuildRun> splitByTarget(const BuildRun &run);

/// The `log --json` shapes of shared/CLI.md.
QJsonObject toJson(const BuildVertex &vertex);
QJsonObject toJson(const BuildRun &run);
QJsonObject toJson(const BuildLogResult &result);

/// Appends the text QJsonDocument::Indented writes for toJson(run) as a value nested `level` deep (its
/// members indented by level + 1), byte for byte, without building the QJsonObject: a 1 GB log's
/// document text is written in a fraction of the time and memory. The caller writes what surrounds it.
/// `drain`, when set, is called between vertices once about 1 MB is in `out`, to write and clear it.
/// `extra` members (keys toJson(run) does not have, such as the analysis' "summary") are merged in key
/// order, as QJsonObject would hold them.
void appendJsonText(QByteArray *out, const BuildRun &run, int level,
    const std::function<void(QByteArray *)> &drain = {}, const QJsonObject &extra = {});
/// The same for any JSON value (diagnostics, small objects), through Qt's own document writer rules.
void appendJsonText(QByteArray *out, const QJsonValue &value, int level);

} // namespace Stagelens

// Implicitly shared Qt containers, optionals of doubles and scalars only: a list of 100,000 vertices grows
// by realloc instead of moving each vertex (3 % of reading a 1 GB log).
Q_DECLARE_TYPEINFO(Stagelens::VertexLabel, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(Stagelens::LogSpan, Q_PRIMITIVE_TYPE);
Q_DECLARE_TYPEINFO(Stagelens::BuildVertex, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(Stagelens::BuildRun)
Q_DECLARE_METATYPE(Stagelens::BuildLogResult)
