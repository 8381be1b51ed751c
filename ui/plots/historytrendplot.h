#pragma once

// The History view's trends, one QCustomPlot with two charts sharing the build axis (oldest to newest):
// wall time with the cache hit rate on a right-hand axis, and the slowest steps' seconds. A red triangle
// marks where a figure jumped clearly above its previous median; hovering a point names its build. Part of
// the plots module (plotcharts.h): the History view reaches it as a TrendChart, tests link to it.

#include "ui/plots/plotcharts.h"

#include <QWidget>

#include <memory>

class QCustomPlot;

namespace Stagelens {

class STAGELENS_PLOTS_EXPORT HistoryTrendPlot : public QWidget, public TrendChart
{
    Q_OBJECT
public:
    explicit HistoryTrendPlot(QWidget *parent = nullptr);
    ~HistoryTrendPlot() override;

    QWidget *widget() override { return this; }
    void onBuildClicked(QObject *context, std::function<void(qint64)> callback) override;
    void setTrends(const HistoryTrends &trends) override;
    const HistoryTrends &trends() const override;
    QCustomPlot *plot() const;
    /// Regression markers drawn, over every series.
    int regressionCount() const;
    /// The tooltip text for the point nearest to `pos` (plot coordinates), empty when none is close.
    QString toolTipAt(const QPoint &pos) const;

Q_SIGNALS:
    /// A point was clicked: its build.
    void buildClicked(qint64 buildId);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Stagelens
