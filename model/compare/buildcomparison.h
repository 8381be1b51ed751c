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

/// Compares `before` with `after` and analyses both against `graph`. Callable from any thread.
BuildComparison compareForDisplay(
    const BuildGraph &graph, const BuildRun &before, const BuildRun &after, const CompareContext &context);

} // namespace Stagelens
