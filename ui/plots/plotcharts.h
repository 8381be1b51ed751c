#pragma once

// The charts the window shows through QCustomPlot (the build timeline, the History view's trends), seen from
// the window's side. They live in a module of their own, libstagelens_plots.so, which the window starts
// opening on a worker when it first opens a file (plotmodule.h): QCustomPlot and Qt PrintSupport are ~4,500
// of the ~18,000 symbol bindings the loader makes, and loading them cost an empty window's start ~3 ms of
// 46 (run.sh startup, with and without them). Read on a worker during the start instead, they saved nothing:
// the start waited for them as long.
//
// Only pure virtual, header-only classes cross the module's border: the window calls them, the module's
// widgets implement them, and neither side needs a symbol of the other. A signal is passed as a callback.

#include "model/history/historytrends.h"
#include "ui/plots/timelinemodel.h"

#include <QObject>
#include <QPair>
#include <QString>
#include <QWidget>

#include <functional>

// The module's classes that tests link to directly; everything else in it stays hidden.
#define STAGELENS_PLOTS_EXPORT Q_DECL_EXPORT

namespace Stagelens {

/// The build timeline (TimelinePlot in the module).
class TimelineChart
{
public:
    virtual ~TimelineChart() = default;
    virtual QWidget *widget() = 0;
    virtual void setModel(const TimelineModel &model) = 0;
    /// Highlights a row (index into the model's rows) and scrolls it into view; no rowSelected callback.
    virtual void selectRow(int row) = 0;
    /// The time axis range on show, in seconds since the build began.
    virtual QPair<double, double> timeRange() const = 0;
    /// Shows [lower, upper] on the time axis; no time-range callback.
    virtual void setTimeRange(double lower, double upper) = 0;
    /// Label and scroll bar columns of fixed width, for charts stacked on one time axis.
    virtual void setAlignedLayout(bool aligned) = 0;
    /// No concurrency strip, for charts stacked on one time axis.
    virtual void setCompact(bool compact) = 0;
    virtual void setCaption(const QString &caption) = 0;
    virtual QString caption() const = 0;
    /// `callback` runs, with `context` alive, when the user picks a row.
    virtual void onRowSelected(QObject *context, std::function<void(int row)> callback) = 0;
    /// `callback` runs, with `context` alive, when the user drags or zooms the time axis or a model sets it.
    virtual void onTimeRangeChanged(QObject *context, std::function<void(double, double)> callback) = 0;
};

/// The History view's trend charts (HistoryTrendPlot in the module).
class TrendChart
{
public:
    virtual ~TrendChart() = default;
    virtual QWidget *widget() = 0;
    virtual void setTrends(const HistoryTrends &trends) = 0;
    virtual const HistoryTrends &trends() const = 0;
    /// `callback` runs, with `context` alive, when a point is clicked: its build.
    virtual void onBuildClicked(QObject *context, std::function<void(qint64 buildId)> callback) = 0;
};

/// What the module's one exported function, `extern "C" const PlotFactory *stagelens_plot_factory()`,
/// returns. The version changes with any change to this file, so
/// a module left from another build is refused rather than called wrongly.
struct PlotFactory
{
    static constexpr int CurrentVersion = 1;
    int version = CurrentVersion;
    /// A chart owned by `parent` (Qt ownership), as every widget is.
    TimelineChart *(*createTimeline)(QWidget *parent) = nullptr;
    TrendChart *(*createTrend)(QWidget *parent) = nullptr;
};

using PlotFactoryFunction = const PlotFactory *(*)();

} // namespace Stagelens
