#pragma once

// What compare mode shows (#19): the comparison of two builds and each build's analysis (its timeline and
// the after build's step states), made in one call on a worker. Plain values, callable from any thread.

#include "model/analysis/buildanalysis.h"
#include "model/compare/buildcompare.h"

namespace Stagelens {

struct BuildComparison
{
    CompareResult result;
    BuildRun before;
    BuildRun after;
    BuildAnalysis beforeAnalysis;
    BuildAnalysis afterAnalysis;
    QString beforeName; ///< "01-nochange.log #1"
    QString afterName;
    QString beforeRevision; ///< the commit each build was made from, when known
    QString afterRevision;
    /// Context files that differ between the revisions (what `files` causes name); unset: no history.
    std::optional<QStringList> changedFiles;
};

/// The commit a build was made from: its record's vcs:revision, else the one its CI log's checkout printed;
/// empty when unknown.
QString revisionOf(const BuildRun &run);

/// What the project's git history says between revisions `from` and `to`: the context files that changed
/// (relative to the build context `project`, those .dockerignore leaves out dropped: BuildKit never sends
/// them, so they cannot make a step miss) and whether `dockerfile` changed, into `context`. libgit2, no git
/// process. False with `error` set when `project` is in no repository or a revision is unknown there.
bool addRevisionChanges(CompareContext *context, const QString &project, const QString &dockerfile,
    const QString &from, const QString &to, const QString &note, QString *error);

/// Compares `before` with `after` and analyses both against `graph`. With a `project` folder in a git work
/// tree and both builds' revisions known, the changed files come from its history. Callable from any thread.
BuildComparison compareForDisplay(const BuildGraph &graph, const BuildRun &before, const BuildRun &after,
    const CompareContext &context, const QString &project = {}, const QString &dockerfile = {});

} // namespace Stagelens
