#pragma once

// Cache advice that is proven, not guessed (issue #21, docs/advice.md): each advice names a rule, the
// Dockerfile lines, the rewrite (a unified diff of the Dockerfile and/or the ignore file) and a
// representative change measured by the what-if engine on the Dockerfile as it is and as rewritten, with
// the loaded build's step times. Nothing is written into the project. QtCore only, any thread.

#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildrun.h"
#include "model/cache/cacheengine.h"
#include "model/graph/buildgraph.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Stagelens {

/// Rule ids of shared/CLI.md; an id never changes meaning.
namespace AdviceRule {
inline constexpr char InstallAfterBroadCopy[] = "install-after-broad-copy";
inline constexpr char ContextNotIgnored[] = "context-not-ignored";
inline constexpr char NoCacheMount[] = "no-cache-mount";
inline constexpr char CopyInsteadOfBind[] = "copy-instead-of-bind";
inline constexpr char EarlyArg[] = "early-arg";
inline constexpr char CacheExportMin[] = "cache-export-min";
inline constexpr char CopyLink[] = "copy-link";
inline constexpr char UnpinnedBase[] = "unpinned-base";
inline constexpr char AptUpdateAlone[] = "apt-update-alone";
} // namespace AdviceRule

struct Advice
{
    QString rule;
    int line = 0; ///< the Dockerfile line the finding is about (1-based)
    QList<int> lines; ///< every line it concerns (gutter marks)
    QString title;
    QString detail;
    QString patch; ///< unified diff, `patch -p0` from the context folder; empty when nothing to rewrite
    QString change; ///< the representative change, in words ("an edit of src/index.js")
    QStringList whatifArgs; ///< the `stagelens whatif` options that reproduce it
    WhatIfChanges changes; ///< the same change as the engine takes it (on the Dockerfile as it is)
    int stepsNow = 0; ///< steps the change re-runs today (verdict rerun)
    int stepsAfter = 0; ///< and after the rewrite
    std::optional<double> secondsNow; ///< their seconds from the build's log; null without one
    std::optional<double> secondsAfter;
    int untimedNow = 0; ///< re-run steps without a time in the log, left out of secondsNow
    int untimedAfter = 0;
    QStringList evidence;
    /// Labels of the steps the change re-runs today and no longer after the rewrite.
    QStringList stepsSaved;
    QByteArray dockerfileAfter; ///< the rewritten Dockerfile (empty when only the ignore file changes)
    QByteArray ignoreAfter; ///< the rewritten ignore file (empty when it does not change)
    QString ignoreFile; ///< its path relative to the context

    /// The seconds the rewrite saves on the change, when both figures are known.
    std::optional<double> secondsSaved() const;
};

/// A premise that holds only in part: said instead of advising.
struct AdviceNote
{
    QString rule;
    int line = 0;
    QString detail;
};

struct AdviceResult
{
    QList<Advice> advice; ///< ranked: seconds saved, then steps saved, then line
    QList<AdviceNote> notes;
    /// Proposals whose rewrite failed a check (did not parse, lost a step, saved nothing): why, for tests
    /// and `--verbose`; never shown as advice.
    QStringList dropped;
};

/// What the engine looks at.
struct AdviceInput
{
    BuildGraph graph;
    QByteArray dockerfileText;
    QString dockerfilePath; ///< absolute or as given
    BuildOptions options;
    std::shared_ptr<const ContextIndex> context; ///< may be null (then no context rules)
    QHash<StepRef, double> stepSeconds; ///< the loaded builds' step costs (empty without a log)
    /// The selected build and its analysis, for evidence (download lines, the FROM digests, cache import).
    /// Copies (their lists are shared, not duplicated), so the input can go to a worker thread.
    std::optional<BuildRun> run;
    std::optional<BuildAnalysis> analysis;
    QString runPath; ///< the log file of `run`, to read step output back
};

/// Every rule on the input; each rewrite checked (parses, keeps every needed stage and step and every file
/// the target reads, and the what-if engine confirms the saving) before it is returned.
AdviceResult adviseOn(const AdviceInput &input);

/// What an advice saves, in a few words: "48.0 s", "2 fewer re-runs", "faster re-runs", "correctness".
QString savesText(const Advice &advice);

/// The `advise --json` document of shared/CLI.md.
QJsonObject toJson(const AdviceResult &result);

} // namespace Stagelens
