#pragma once

// What a BuildKit build record (.dockerbuild, `docker buildx history export`) tells about its build beyond
// the steps: the request (target, build args, Dockerfile name, platforms), where the source came from, when
// it ran, BuildKit's own step counts, the error, structured warnings and the Dockerfile source that
// provenance carries. Plain values, callable from any thread.

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

/// A warning of the progress stream (build checks, frontend warnings), with the Dockerfile lines it is about.
struct RecordWarning
{
    QString vertex; ///< digest of the vertex it belongs to (may be empty)
    int level = 0; ///< BuildKit's level (1 warning, 2 ...)
    QString text; ///< the short form: "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)"
    QStringList detail;
    QString url;
    QString file; ///< the source file the ranges are in ("Dockerfile"), empty when unknown
    int line = 0; ///< first line of the first range, 1-based; 0 when none
    int endLine = 0;
};

struct BuildRecordInfo
{
    QString ref; ///< the record's id ("lwdow6io1fxqqzd80mp8tj83w")
    QString name; ///< buildx's name for the build: the bake target, "default" for `docker build`
    QString target; ///< the Dockerfile stage built (frontend attribute "target"); empty: the last stage
    QString filename; ///< the Dockerfile's name as requested ("Dockerfile", "summary.Dockerfile")
    QMap<QString, QString> buildArgs; ///< "build-arg:NAME" attributes, by NAME
    QMap<QString, QString> frontendAttrs; ///< every frontend attribute as recorded
    QString vcsRevision; ///< "vcs:revision"
    QString vcsSource; ///< "vcs:source"
    QString platform; ///< the requested platforms as given ("linux/amd64,linux/arm64"), else the default one
    QStringList platforms; ///< requested target platforms; empty when none was requested
    std::optional<double> created; ///< seconds since the epoch (nanosecond fraction kept)
    std::optional<double> completed;
    /// BuildKit's own counts of the progress stream's vertices (absent in records of older BuildKits).
    std::optional<int> totalSteps;
    std::optional<int> cachedSteps;
    std::optional<int> completedSteps;
    std::optional<int> warningCount;
    QString error; ///< the build's error message; empty when it succeeded
    QString errorFile; ///< where the error points in the source (from its errdefs.Source detail)
    int errorLine = 0;
    QString dockerfile; ///< the Dockerfile source from the provenance attestation; empty when absent
    QString dockerfileName; ///< its file name there
    QList<RecordWarning> warnings;
};

/// The `record` object of a `log --json` build (shared/CLI.md): ref, name, target, filename, build_args,
/// vcs_revision, vcs_source, platform, created, completed, step counts, error location; absent is null.
QJsonObject toJson(const BuildRecordInfo &record);

/// Seconds since the epoch as RFC 3339 UTC with milliseconds ("2024-05-29T08:07:41.210Z").
QString epochToIsoString(double epoch);

} // namespace Stagelens
