#include "historytrendplot.h"

#include "model/core/duration.h"
#include "ui/plots/plotstyle.h"
#include "ui/style/palette.h"

#include <QDateTime>
#include <QEvent>
#include <QLabel>
#include <QStackedLayout>
#include <QToolTip>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace Stagelens {

namespace {

// Hovering within this many pixels of a point shows its build.
constexpr double HoverPixels = 8;
constexpr int MaxLegendChars = 34;
constexpr int DotsUpToBuilds = 200; // more builds: lines only, dots would merge into a smear
constexpr int StepColorOffset = 2; // stage colours 0 and 1 go to wall time and hit rate

struct SeriesRef
{
    QCPGraph *graph = nullptr;
    const HistoryTrendSeries *series = nullptr;
    bool percent = false;
};

// Unknown values are never drawn as 0. Build figures become NaN, which QCustomPlot draws as a gap; a step
// that was cached (no seconds) is left out, so its line joins the builds where it ran, each with a dot.
void fillGraph(QCPGraph *graph, const QList<std::optional<double>> &values, double scale, bool gaps)
{
    QList<QCPGraphData> data;
    data.reserve(values.size());
    for (int i = 0; i < values.size(); ++i) {
        if (values.at(i))
            data.append({double(i), *values.at(i) * scale});
        else if (gaps)
            data.append({double(i), qQNaN()});
    }
    graph->data()->set(data, true);
}

void fillMarkers(QCPGraph *markers, const HistoryTrendSeries &series)
{
    for (const int i : series.regressions)
        markers->addData(i, *series.values.at(i));
}

} // namespace

struct HistoryTrendPlot::Private
{
    HistoryTrendPlot *q = nullptr;
    QStackedLayout *stack = nullptr;
    QLabel *empty = nullptr;
    QCustomPlot *plot = nullptr;
    QCPAxisRect *upper = nullptr;
    QCPAxisRect *lower = nullptr;
    QCPLayoutGrid *legendRow = nullptr;
    HistoryTrends trends;
    QList<SeriesRef> series;
    QList<QCPGraph *> markerGraphs;
    int regressions = 0;

    void build();
    void applyPalette();
    void wrapLegend();
    QString describe(const SeriesRef &ref, int index) const;
};

void HistoryTrendPlot::Private::build()
{
    // The default axis rect goes; its inset legend is kept and moved under the charts.
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->clear();
    upper = new QCPAxisRect(plot);
    lower = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(0, 0, upper);
    plot->plotLayout()->addElement(1, 0, lower);
    // The legend goes under the charts in a wrapped row, so it never covers a line.
    legendRow = new QCPLayoutGrid;
    plot->plotLayout()->addElement(2, 0, legendRow);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
    legendRow->addElement(0, 0, plot->legend);
    plot->legend->setVisible(true);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(3);
    plot->legend->setColumnSpacing(14);
    plot->legend->setRowSpacing(0);
    legendRow->setMargins(QMargins(0, 0, 0, 0));

    upper->axis(QCPAxis::atRight)->setVisible(true);
    upper->axis(QCPAxis::atLeft)->setLabel(tr("Wall time (s)"));
    upper->axis(QCPAxis::atRight)->setLabel(tr("Cache hits (%)"));
    upper->axis(QCPAxis::atRight)->setRange(0, 105);
    lower->axis(QCPAxis::atLeft)->setLabel(tr("Slowest steps (s)"));
    lower->axis(QCPAxis::atBottom)->setLabel(tr("Builds, oldest to newest"));
    // Both charts show the same builds: one left margin so the build axes line up.
    auto *margins = new QCPMarginGroup(plot);
    upper->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    lower->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    upper->axis(QCPAxis::atRight)->ticker()->setTickCount(4);
    for (QCPAxisRect *rect : {upper, lower}) {
        // Few value ticks: the charts are short in a bottom dock, and crowded labels overlap.
        rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(4);
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
        // Build numbers are whole: no "2.5" ticks.
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        rect->axis(QCPAxis::atBottom)->setTicker(ticker);
    }
    QObject::connect(upper->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
        lower->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));
    QObject::connect(lower->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
        upper->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::setRange));
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void HistoryTrendPlot::Private::applyPalette()
{
    const QPalette pal = q->palette();
    applyPlotPalette(plot, pal, {upper, lower});
    // Many builds: thin lines without dots. A pen wider than one pixel goes through Qt's path stroker,
    // which took 2 s on the GUI thread for 10,000 builds' zigzag lines; one-pixel lines are rasterized
    // directly.
    const bool dense = trends.builds.size() > DotsUpToBuilds;
    // Antialiasing thousands of one-pixel segments costs more than it shows.
    if (dense)
        plot->setNotAntialiasedElements(QCP::aePlottables);
    else
        plot->setNotAntialiasedElements(QCP::aeNone);
    int index = 0;
    for (const SeriesRef &ref : std::as_const(series)) {
        const QColor color =
            ViewPalette::stageColor(ref.percent ? 1 : (index == 0 ? 0 : index + StepColorOffset - 1), pal);
        QPen pen(color, dense ? 1 : 2);
        if (ref.percent)
            pen.setStyle(Qt::DashLine);
        ref.graph->setPen(pen);
        ref.graph->setScatterStyle(dense ? QCPScatterStyle(QCPScatterStyle::ssNone)
                                         : QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 5));
        if (!ref.percent)
            ++index;
    }
    const QColor regression = ViewPalette::stateColor(StepState::Error, pal);
    for (QCPGraph *markers : std::as_const(markerGraphs))
        markers->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, regression, regression, 11));
}

// As many legend columns as the widest entry allows in the width there is: never a clipped name.
void HistoryTrendPlot::Private::wrapLegend()
{
    const QFontMetrics fm(plot->legend->font());
    int widest = fm.horizontalAdvance(QStringLiteral("Cache hit rate"));
    for (int i = 0; i < plot->legend->itemCount(); ++i) {
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(plot->legend->item(i)))
            widest = qMax(widest, fm.horizontalAdvance(item->plottable()->name()));
    }
    const int itemWidth = widest + plot->legend->iconSize().width() + plot->legend->iconTextPadding()
        + plot->legend->columnSpacing() + 16;
    const int columns = std::clamp(q->width() / std::max(1, itemWidth), 1, 4);
    if (columns != plot->legend->wrap()) {
        plot->legend->setWrap(columns);
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-wraps the existing items
    }
}

QString HistoryTrendPlot::Private::describe(const SeriesRef &ref, int index) const
{
    const std::optional<double> value = ref.series->values.value(index);
    QString figure = ref.percent ? (value ? QStringLiteral("%1%").arg(qRound(*value * 100)) : unknownFigure())
                                 : formatDuration(value);
    QStringList lines;
    lines << QStringLiteral("%1: %2").arg(ref.series->label, figure);
    if (ref.series->regressions.contains(index))
        lines << tr("Regression: clearly above the median of the builds before it");
    const QDateTime when = QDateTime::fromSecsSinceEpoch(qint64(trends.times.value(index)));
    lines << tr("Build %1, %2")
                 .arg(trends.builds.value(index))
                 .arg(when.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    const QString branch = trends.branches.value(index);
    const QString commit = trends.commits.value(index).left(12);
    if (!branch.isEmpty() || !commit.isEmpty())
        lines << tr("Branch %1, commit %2")
                     .arg(branch.isEmpty() ? unknownFigure() : branch,
                         commit.isEmpty() ? unknownFigure() : commit);
    return lines.join(QLatin1Char('\n'));
}

HistoryTrendPlot::HistoryTrendPlot(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->stack = new QStackedLayout(this);
    d->empty = new QLabel(tr("No builds to show yet. Open a build log and add it to the history, or run "
                             "'stagelens history add'."));
    d->empty->setWordWrap(true);
    d->empty->setAlignment(Qt::AlignCenter);
    d->empty->setTextFormat(Qt::PlainText);
    d->plot = new QCustomPlot;
    d->plot->setMinimumSize(320, 240);
    d->stack->addWidget(d->empty);
    d->stack->addWidget(d->plot);
    d->build();
    d->applyPalette();
    d->plot->setMouseTracking(true);
    connect(d->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        const QString text = toolTipAt(event->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), text, d->plot);
    });
    connect(d->plot, &QCustomPlot::plottableClick, this,
        [this](QCPAbstractPlottable *, int index, QMouseEvent *) {
            if (index >= 0 && index < d->trends.builds.size())
                Q_EMIT buildClicked(d->trends.builds.at(index));
        });
}

HistoryTrendPlot::~HistoryTrendPlot() = default;

void HistoryTrendPlot::onBuildClicked(QObject *context, std::function<void(qint64)> callback)
{
    connect(this, &HistoryTrendPlot::buildClicked, context, std::move(callback));
}

void HistoryTrendPlot::setTrends(const HistoryTrends &trends)
{
    d->trends = trends;
    d->plot->clearGraphs();
    d->series.clear();
    d->markerGraphs.clear();
    d->regressions = 0;
    d->stack->setCurrentWidget(trends.isEmpty() ? static_cast<QWidget *>(d->empty) : d->plot);
    if (!trends.error.isEmpty())
        d->empty->setText(tr("The trends could not be read: %1").arg(trends.error));
    if (trends.isEmpty())
        return;

    auto addSeries = [this](QCPAxisRect *rect, QCPAxis *valueAxis, const HistoryTrendSeries &s, bool percent,
                         bool gaps) {
        QCPGraph *graph = d->plot->addGraph(rect->axis(QCPAxis::atBottom), valueAxis);
        // Step names run long: the legend shows the start, the tooltip the whole name.
        const QString name =
            s.label.size() > MaxLegendChars ? s.label.left(MaxLegendChars - 1) + QChar(0x2026) : s.label;
        graph->setName(name);
        fillGraph(graph, s.values, percent ? 100 : 1, gaps);
        // 10,000 builds: QCustomPlot's adaptive sampling keeps the line cheap; dots only when they can be
        // seen.
        graph->setAdaptiveSampling(true);
        d->series.append({graph, &s, percent});
        return graph;
    };
    auto addMarkers = [this](QCPAxisRect *rect, const HistoryTrendSeries &s) {
        if (s.regressions.isEmpty())
            return;
        QCPGraph *markers = d->plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        markers->setLineStyle(QCPGraph::lsNone);
        markers->setName(tr("Regression"));
        fillMarkers(markers, s);
        d->regressions += int(s.regressions.size());
        // One legend entry for every marker series.
        if (!d->markerGraphs.isEmpty())
            markers->removeFromLegend();
        d->markerGraphs.append(markers);
    };
    const HistoryTrends &t = d->trends;
    addSeries(d->upper, d->upper->axis(QCPAxis::atLeft), t.wallTime, false, true);
    addSeries(d->upper, d->upper->axis(QCPAxis::atRight), t.cacheHitRate, true, true);
    for (const HistoryTrendSeries &s : t.slowestSteps)
        addSeries(d->lower, d->lower->axis(QCPAxis::atLeft), s, false, false);
    addMarkers(d->upper, t.wallTime);
    for (const HistoryTrendSeries &s : t.slowestSteps)
        addMarkers(d->lower, s);
    // Markers last in the legend, after the lines they mark.
    if (!d->markerGraphs.isEmpty()) {
        d->plot->legend->removeItem(d->plot->legend->itemWithPlottable(d->markerGraphs.first()));
        d->markerGraphs.first()->addToLegend();
    }

    const int n = int(t.builds.size());
    d->applyPalette();
    d->wrapLegend();
    for (QCPAxisRect *rect : {d->upper, d->lower}) {
        rect->axis(QCPAxis::atBottom)->setRange(-0.5, n - 0.5);
        bool found = false;
        QCPRange range;
        for (int g = 0; g < d->plot->graphCount(); ++g) {
            QCPGraph *graph = d->plot->graph(g);
            bool ok = false;
            const QCPRange own =
                graph->valueAxis() == rect->axis(QCPAxis::atLeft) ? graph->getValueRange(ok) : QCPRange();
            if (!ok)
                continue;
            range = found ? QCPRange(qMin(range.lower, own.lower), qMax(range.upper, own.upper)) : own;
            found = true;
        }
        // Seconds start at 0 so a jump looks as big as it is; a little headroom for the markers.
        rect->axis(QCPAxis::atLeft)->setRange(0, found && range.upper > 0 ? range.upper * 1.1 : 1);
    }
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

const HistoryTrends &HistoryTrendPlot::trends() const
{
    return d->trends;
}

QCustomPlot *HistoryTrendPlot::plot() const
{
    return d->plot;
}

int HistoryTrendPlot::regressionCount() const
{
    return d->regressions;
}

QString HistoryTrendPlot::toolTipAt(const QPoint &pos) const
{
    double best = HoverPixels;
    QString text;
    for (const SeriesRef &ref : std::as_const(d->series)) {
        if (!ref.graph->keyAxis()->axisRect()->rect().contains(pos))
            continue;
        const int index = qRound(ref.graph->keyAxis()->pixelToCoord(pos.x()));
        for (const int i : {index - 1, index, index + 1}) {
            const std::optional<double> value = ref.series->values.value(i);
            if (i < 0 || !value)
                continue;
            const double x = ref.graph->keyAxis()->coordToPixel(i);
            const double y = ref.graph->valueAxis()->coordToPixel(*value * (ref.percent ? 100 : 1));
            const double distance = std::hypot(x - pos.x(), y - pos.y());
            if (distance < best) {
                best = distance;
                text = d->describe(ref, i);
            }
        }
    }
    return text;
}

void HistoryTrendPlot::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    d->wrapLegend();
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void HistoryTrendPlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        d->applyPalette();
        d->plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace Stagelens
