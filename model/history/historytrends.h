#pragma once

// What the History view plots, computed from stored builds: per build (oldest first) the wall time, the
// cache hit rate and the seconds of the slowest steps, with the builds where a figure regressed. Plain
// values, any thread: the HistoryClient computes them on its worker.

#include "historystore.h"

#include <QList>
#include <QString>

#include <optional>

namespace Stagelens {

/// When a value counts as a regression: clearly above the median of the values before it.
struct RegressionRule
{
    int window = 5; ///< how many earlier known values the median is taken over
    int minHistory = 3; ///< fewer earlier known values than this: too little to judge
    double ratio = 1.5; ///< the value must exceed median * ratio ...
    double minIncrease = 1.0; ///< ... and the median by this many seconds (noise on short steps is not news)
};

/// One line of a trend plot: a value per build (unknown where the build cannot tell), and the builds (indexes
/// into the values) where it jumped clearly above its previous median.
struct HistoryTrendSeries
{
    QString label;
    QList<std::optional<double>> values;
    QList<int> regressions;
};

struct HistoryTrends
{
    QList<qint64> builds; ///< oldest first; every list below has one entry per build
    QList<double> times; ///< seconds since the epoch: start, else when it was added
    QStringList branches;
    QStringList commits;
    HistoryTrendSeries
        wallTime; ///< regressions judged among the builds of the same repository and Dockerfile
    HistoryTrendSeries cacheHitRate; ///< 0..1; no regression markers (a lower rate is not a slower step)
    QList<HistoryTrendSeries> slowestSteps; ///< slowest first
    QString error; ///< the query failed: what to tell the user

    bool isEmpty() const { return builds.isEmpty(); }
};

/// The indexes of `values` that regressed under `rule`. Unknown values are skipped, never counted as 0.
QList<int> findRegressions(const QList<std::optional<double>> &values, const RegressionRule &rule = {});

/// The trends of `newestFirst` (as HistoryStore::builds() returns them) and of the given step series.
HistoryTrends makeHistoryTrends(const QList<HistoryBuild> &newestFirst, const QList<HistoryStepSeries> &steps,
    const RegressionRule &rule = {});

} // namespace Stagelens
