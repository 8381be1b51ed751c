#pragma once

// Two builds of one project side by side: which steps missed the cache in the second, which missed step
// started each chain of misses (the root) and why, and what each cause cost (#19). Steps are matched by
// BuildKit's "[stage k/n]" labels (ids and digests differ between builds), never by #N. Plain values,
// callable from any thread.
//
// BuildKit's cache rules the analysis follows (buildkit-real/EXPECTED.md): a step re-runs when the step
// before it in its stage, or the last step of its FROM stage, re-ran, even if that produced the same bytes;
// a COPY --from / --mount from= re-runs only when its source stage produced other bytes.

#include "model/buildlog/buildrun.h"
#include "model/graph/buildgraph.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

enum class StepChange
{
    Missed, ///< ran in AFTER although BEFORE produced it (ran or cached)
    Hit, ///< cached in AFTER, ran in BEFORE
    Same, ///< cached in both (or a FROM that resolved the same image)
    Ran, ///< ran in both with nothing to compare (failed or unfinished in AFTER)
    Added,
    Removed
};

enum class CauseKind
{
    Files,
    Instruction,
    BuildArg,
    BaseImage,
    Upstream,
    NoCache,
    CacheUnavailable,
    Unknown
};

struct MissCause
{
    CauseKind kind = CauseKind::Unknown;
    QString detail;
    QStringList files;
};

struct ComparedStep
{
    QString label; ///< AFTER's label (BEFORE's for a removed step)
    QString beforeLabel; ///< when the text differs
    std::optional<VertexStatus> before;
    std::optional<VertexStatus> after;
    std::optional<double> beforeSeconds;
    std::optional<double> afterSeconds;
    StepChange change = StepChange::Same;
    bool root = false;
    QString follows; ///< the root this missed step follows
    std::optional<MissCause> cause; ///< for roots, and for steps that follow an upstream stage's root
};

struct CauseSummary
{
    MissCause cause;
    QStringList steps; ///< the roots with this cause and every step that follows them
    double seconds = 0; ///< what those steps took in AFTER (known times only)
};

/// What is known besides the two logs.
struct CompareContext
{
    /// Context paths (relative, '/'-separated) that differ between the two builds' revisions, already
    /// filtered by .dockerignore; empty optional: no history to tell.
    std::optional<QStringList> changedFiles;
    QString revisionsNote; ///< where the revisions came from, for the details ("records' vcs:revision")
    /// Whether the Dockerfile differs between the two revisions; unknown without history.
    std::optional<bool> dockerfileChanged;
    /// Stage token -> the stage it is built FROM, from the Dockerfile (a log does not print FROM <stage>).
    QMap<QString, QString> stageParents;
    /// Per stage token, the ARGs in scope for its steps (declared globally and used in FROM, or in the
    /// stage), from the Dockerfile: a RUN with unchanged text misses when one of them changed.
    QMap<QString, QStringList> stageArgs;
};

struct CompareResult
{
    QList<ComparedStep> steps;
    QList<CauseSummary> causes; ///< ranked by seconds, most costly first
    std::optional<double> beforeSeconds; ///< wall times
    std::optional<double> afterSeconds;
    std::optional<double> deltaSeconds;
};

CompareResult compareBuilds(
    const BuildRun &before, const BuildRun &after, const CompareContext &context = {});

/// What a Dockerfile's graph tells a comparison: the stage each FROM <stage> builds on, and the ARGs each
/// stage declares.
CompareContext compareContextOf(const BuildGraph &graph);

QString stepChangeName(StepChange change);
QString causeKindName(CauseKind kind);
/// The `steps`, `causes` and `delta_seconds` of `compare --json` (shared/CLI.md).
QJsonObject toJson(const CompareResult &result);
/// The "Why it changed" section in Markdown: what a CI job posts on a pull request.
QString compareToMarkdown(const CompareResult &result, const QString &beforeName, const QString &afterName);

} // namespace Stagelens
