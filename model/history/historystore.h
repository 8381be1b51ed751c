#pragma once

// The build history: every build a user hands us (logs, build records) kept in a database they own, an
// SQLite file by default or a PostgreSQL database for a team. The only code that speaks SQL: prepared
// statements only, the schema created and migrated here (historyschema.h), one transaction per build.
//
/// Thread affinity: synchronous and blocking (network, disk, lock waits). A store belongs to the thread
/// that opened it (Qt SQL connections are per thread) and must never be used on the GUI thread: the GUI
/// calls it from a worker.

#include "historylocation.h"
#include "model/buildlog/buildrun.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Stagelens {

/// Where a build came from, as the user (or the CI environment) says.
struct HistoryProvenance
{
    QString repo;
    QString branch;
    QString commit;
    QString url; ///< CI job URL
};

/// One stored build: where it came from and its BuildSummary figures. Unknown figures are empty.
struct HistoryBuild
{
    qint64 id = 0;
    QString file; ///< the path it was added from
    QString contentHash; ///< SHA-256 of the file, hex
    int buildIndex = 0; ///< 0-based position of the build in the file
    QString format;
    QString wrapper;
    QString repo;
    QString branch;
    QString commit;
    QString url;
    QString dockerfile; ///< "load build definition from X"
    QString target;
    std::optional<double> startedAt; ///< seconds since the epoch, when the log has wall-clock stamps
    double addedAt = 0; ///< seconds since the epoch
    int steps = 0;
    int cached = 0;
    int ran = 0;
    int errors = 0;
    int internal = 0;
    std::optional<double> wallSeconds;
    std::optional<double> criticalPathSeconds;
    QString timing; ///< "exact", "estimated", or empty when unknown (builds migrated from schema 1)
    bool failed = false;
    QString failedStep;
    QString error;

    std::optional<double> cacheHitRate() const;
};

/// One stored vertex of a build.
struct HistoryStep
{
    int vertex = 0; ///< index in the build's vertex list
    QString id; ///< "#11"
    QString name;
    QString stage; ///< stage token; empty for internal vertices and unnamed stages
    int step = 0; ///< k of "[stage k/n]", 0 for internal vertices
    int stepCount = 0;
    QString platform;
    QString target;
    QString instruction; ///< normalized instruction text (the step identity with stage and position)
    QString status;
    std::optional<double> seconds;
    std::optional<double> start;
    std::optional<double> end;
    int criticalPosition = 0; ///< 1-based position on the critical path, 0 when not on it or unknown
};

/// What list() and trend() select. Empty fields select everything.
struct HistoryQuery
{
    QString repo;
    QString branch;
    QString dockerfile;
    QString step; ///< trend: a step label ("[builder 2/3] COPY src/ ./" or just "[builder 2/3]"), or its text
    int limit = 0; ///< list: at most this many (newest first); 0 for all
};

/// One build on a trend, oldest first.
struct HistoryTrendPoint
{
    qint64 build = 0;
    std::optional<double> startedAt;
    double addedAt = 0;
    QString branch;
    QString commit;
    std::optional<double> wallSeconds;
    std::optional<double> cacheHitRate;
    std::optional<double> stepSeconds; ///< the selected step's BuildKit seconds (none when cached or absent)
    QString stepStatus; ///< its status, empty when the build has no such step
};

/// One Dockerfile step's BuildKit seconds over the selected builds (a step of the slowest-steps trend). The
/// identity is the store's: repository, Dockerfile, stage, position k/n.
struct HistoryStepSeries
{
    QString label; ///< the step's name as a log prints it ("[builder 3/3] RUN make")
    QString stage;
    int step = 0;
    int stepCount = 0;
    double totalSeconds = 0; ///< over the selected builds: what ranked it
    QHash<qint64, double> secondsByBuild; ///< builds where it ran with known seconds; others are unknown
};

struct HistoryAddResult
{
    int builds = 0; ///< builds in the file
    QList<qint64> added;
    QList<HistoryBuild> addedBuilds; ///< the rows added, as builds() would read them
    QList<qint64> skipped; ///< already present (same file content and build index)
    QList<Diagnostic> diagnostics; ///< from reading the file
    QString error; ///< the file could not be read or the database failed; what was committed stays
};

class HistoryStore
{
public:
    HistoryStore();
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    /// Connects, creates the schema in an empty database and migrates an older one. Refuses a database
    /// written by a newer Stagelens or one that is not a Stagelens history. Returns false with
    /// errorString() set on failure.
    bool open(const HistoryLocation &location);
    bool isOpen() const;
    void close();
    QString errorString() const;
    const HistoryLocation &location() const;
    /// The schema version found when opening (before migrating), 0 for a new database.
    int openedSchemaVersion() const;

    /// Reads `path` (through readBuildLogFile) and adds each build in its own transaction. A file whose
    /// content was added before is skipped without reading it again.
    HistoryAddResult addFile(const QString &path, const HistoryProvenance &provenance = {});
    /// Adds builds already read from a file with this content hash (hex SHA-256).
    HistoryAddResult addBuilds(const QString &path, const QString &contentHash, const QList<BuildRun> &builds,
        const HistoryProvenance &provenance = {});

    /// Newest first (by start, else by when it was added).
    QList<HistoryBuild> builds(const HistoryQuery &query = {});
    std::optional<HistoryBuild> build(qint64 id);
    QList<HistoryStep> steps(qint64 buildId);
    /// One point per selected build, oldest first.
    QList<HistoryTrendPoint> trend(const HistoryQuery &query);
    /// The `count` steps with the most BuildKit seconds over the selected builds (query's repo, branch and
    /// Dockerfile), slowest first, each with its seconds per build.
    QList<HistoryStepSeries> slowestSteps(const HistoryQuery &query, int count);

    /// The SQL text trend() runs for `query` (its values as '?' placeholders), for benchmark baselines.
    static QString trendQueryText(const HistoryQuery &query);
    /// SHA-256 of a file's content in hex, read in blocks; empty when it cannot be read.
    static QString fileHash(const QString &path, QString *error = nullptr);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Stagelens
