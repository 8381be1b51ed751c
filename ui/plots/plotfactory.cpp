// The plots module's one entry point (plotcharts.h): the window finds it with dlsym.

#include "ui/plots/historytrendplot.h"
#include "ui/plots/timelineplot.h"

namespace {

Stagelens::TimelineChart *createTimeline(QWidget *parent)
{
    return new Stagelens::TimelinePlot(parent);
}

Stagelens::TrendChart *createTrend(QWidget *parent)
{
    return new Stagelens::HistoryTrendPlot(parent);
}

} // namespace

extern "C" Q_DECL_EXPORT const Stagelens::PlotFactory *stagelens_plot_factory()
{
    static const Stagelens::PlotFactory factory {
        Stagelens::PlotFactory::CurrentVersion, &createTimeline, &createTrend};
    return &factory;
}
