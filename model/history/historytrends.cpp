#include "historytrends.h"

#include <QHash>

#include <algorithm>

namespace Stagelens {

namespace {

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

} // namespace

QList<int> findRegressions(const QList<std::optional<double>> &values, const RegressionRule &rule)
{
    QList<int> found;
    QList<double> recent; // the last `window` known values, oldest first
    for (int i = 0; i < values.size(); ++i) {
        if (!values.at(i))
            continue;
        const double value = *values.at(i);
        if (recent.size() >= rule.minHistory) {
            const double m = median(recent);
            if (value > m * rule.ratio && value - m >= rule.minIncrease)
                found.append(i);
        }
        recent.append(value);
        if (recent.size() > rule.window)
            recent.removeFirst();
    }
    return found;
}

HistoryTrends makeHistoryTrends(
    const QList<HistoryBuild> &newestFirst, const QList<HistoryStepSeries> &steps, const RegressionRule &rule)
{
    HistoryTrends trends;
    const qsizetype n = newestFirst.size();
    trends.builds.reserve(n);
    trends.times.reserve(n);
    trends.wallTime.label = QStringLiteral("Wall time");
    trends.cacheHitRate.label = QStringLiteral("Cache hit rate");
    for (qsizetype i = n - 1; i >= 0; --i) {
        const HistoryBuild &b = newestFirst.at(i);
        trends.builds.append(b.id);
        trends.times.append(b.startedAt.value_or(b.addedAt));
        trends.branches.append(b.branch);
        trends.commits.append(b.commit);
        trends.wallTime.values.append(b.wallSeconds);
        trends.cacheHitRate.values.append(b.cacheHitRate());
    }
    // A build is slower than the builds of the same project before it, not than another project's: wall
    // times are judged per repository and Dockerfile (the step series carry that identity already).
    QHash<QString, QList<int>> groups;
    for (qsizetype i = n - 1; i >= 0; --i) {
        const HistoryBuild &b = newestFirst.at(i);
        groups[b.repo + QLatin1Char('\n') + b.dockerfile].append(int(n - 1 - i));
    }
    for (const QList<int> &indexes : std::as_const(groups)) {
        QList<std::optional<double>> values;
        values.reserve(indexes.size());
        for (const int i : indexes)
            values.append(trends.wallTime.values.at(i));
        for (const int k : findRegressions(values, rule))
            trends.wallTime.regressions.append(indexes.at(k));
    }
    std::sort(trends.wallTime.regressions.begin(), trends.wallTime.regressions.end());
    for (const HistoryStepSeries &step : steps) {
        HistoryTrendSeries series;
        series.label = step.label;
        series.values.reserve(n);
        for (const qint64 id : std::as_const(trends.builds)) {
            const auto it = step.secondsByBuild.constFind(id);
            series.values.append(
                it == step.secondsByBuild.cend() ? std::nullopt : std::optional<double>(*it));
        }
        series.regressions = findRegressions(series.values, rule);
        trends.slowestSteps.append(series);
    }
    return trends;
}

} // namespace Stagelens
