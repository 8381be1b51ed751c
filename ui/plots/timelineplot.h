#pragma once

// Gantt chart of a build: one row per vertex grouped by stage, bars from start to end, cached steps as thin
// markers, errors marked, the concurrency over time below, an optional predicted rebuild. Part of the plots
// module (plotcharts.h): the window reaches it as a TimelineChart, tests link to it. QCustomPlot is only
// included by the .cpp. GUI thread only.

#include "ui/plots/plotcharts.h"

#include <QList>
#include <QPair>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;

namespace Stagelens {

class STAGELENS_PLOTS_EXPORT TimelinePlot : public QWidget, public TimelineChart
{
    Q_OBJECT
public:
    explicit TimelinePlot(QWidget *parent = nullptr);
    ~TimelinePlot() override;

    QWidget *widget() override { return this; }
    void onRowSelected(QObject *context, std::function<void(int)> callback) override;
    void onTimeRangeChanged(QObject *context, std::function<void(double, double)> callback) override;

    void setModel(const TimelineModel &model) override;
    const TimelineModel &model() const;

    void setSort(TimelineSort sort);
    TimelineSort sort() const;
    /// Rows in display order (indices into model().rows), as the chart shows them top to bottom.
    QList<int> displayOrder() const;
    /// The first row on screen (display index) and how many fit; the scroll bar's range is the rest.
    int firstVisibleRow() const;
    int visibleRowCount() const;
    /// Scrolls so that the display index `first` is the top row.
    void scrollToRow(int first);
    /// True when rows lie off screen and the vertical scroll bar is shown.
    bool isScrollBarVisible() const;
    /// Stage colours get legend entries only for a few stages; many stages would crowd out the chart (their
    /// names are on the rows and the bands already).
    int legendStageCount() const;

    /// Highlights a row (index into model().rows) and scrolls it into view, without emitting rowSelected().
    void selectRow(int row) override;
    int selectedRow() const;

    /// The time axis range on show, in seconds since the build began (both charts share it).
    QPair<double, double> timeRange() const override;
    /// Shows [lower, upper] on the time axis, widening the zoom limits to hold it: compare mode puts two
    /// builds on one axis. Does not emit timeRangeChanged().
    void setTimeRange(double lower, double upper) override;
    /// For charts stacked one above the other: a fixed width for the row labels and a scroll bar column
    /// that is always there, so equal time ranges land on equal pixels in both.
    void setAlignedLayout(bool aligned) override;
    /// Compact: no concurrency strip (the chart's own time axis takes its tick labels), for two charts
    /// stacked in one pane where the rows need the room.
    void setCompact(bool compact) override;
    /// A caption at the left of the header ("Before: build 1, 45 s"); empty hides it.
    void setCaption(const QString &caption) override;
    QString caption() const override;
    /// The time axis' pixel for `seconds`, in this widget's coordinates.
    int timeToWidgetX(double seconds) const;

    QCustomPlot *plot() const;
    /// Bars drawn for steps that ran (or failed / were canceled) with a known start and end.
    int barCount() const;
    /// Thin markers drawn for cached steps with a known time.
    int cachedMarkerCount() const;
    int errorMarkerCount() const;
    int predictedBarCount() const;
    /// The concurrency step function shown under the chart.
    QList<QPointF> concurrencyData() const;
    bool isEstimatedNoticeVisible() const;
    /// Plain text shown when hovering a row.
    QString rowToolTip(int row) const;
    /// Row under a point in plot() coordinates, -1 when none.
    int rowAt(const QPoint &pos) const;
    /// Centre of a row's bar (or marker) in plot() coordinates.
    QPoint rowPosition(int row) const;

signals:
    void rowSelected(int row);
    /// The user dragged or zoomed the time axis, or a new model set it.
    void timeRangeChanged(double lower, double upper);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Stagelens
