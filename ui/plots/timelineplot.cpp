#include "timelineplot.h"

#include "ui/graph/plaintooltip.h"
#include "ui/plots/plotstyle.h"
#include "ui/style/palette.h"

#include <QComboBox>
#include <QEvent>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QHash>
#include <QHelpEvent>
#include <QLabel>
#include <QMap>
#include <QScrollBar>
#include <QSet>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

namespace Stagelens {

namespace {

const QString NoticeLong =
    QStringLiteral("Times are estimated: the log does not say when every step started");
const QString NoticeShort = QStringLiteral("Times are estimated");

constexpr double MinRowHeight = 20; // pixels; fewer rows fit -> the rows scroll (Shift+wheel)
constexpr double MaxRowHeight = 30; // pixels; a short build leaves room below instead of fat bars
constexpr double MaxLabelWidth = 300; // pixels of the y axis labels; the tooltip has the full label
constexpr double MinTimeSpan = 0.05; // seconds: the deepest zoom
constexpr int MaxConcurrencyPoints =
    2000; // beyond this, the running count is drawn binned to the range shown
constexpr int ConcurrencyBins = 400;
constexpr int MaxLegendStages = 8; // more stage entries wrap into rows that squeeze the chart itself

// Seconds on the time axis as "45 s", "1 min 30 s", "2 h 05 min", with steps that land on whole units.
class TimeTicker : public QCPAxisTicker
{
protected:
    double getTickStep(const QCPRange &range) override
    {
        const double raw = range.size() / std::max(1, tickCount());
        static const double steps[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
            600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400};
        for (double s : steps) {
            if (s >= raw)
                return s;
        }
        return std::ceil(raw / 86400) * 86400;
    }
    int getSubTickCount(double tickStep) override
    {
        if (tickStep >= 60 && std::fmod(tickStep, 60) == 0)
            return tickStep == 60 ? 3 : 1;
        return 4;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        const double a = std::abs(tick);
        const QString sign = tick < 0 ? QStringLiteral("-") : QString();
        if (a < 1e-9)
            return QStringLiteral("0");
        if (a < 60) {
            const int decimals = (std::abs(a - std::round(a)) < 1e-6)
                ? 0
                : (std::abs(a * 10 - std::round(a * 10)) < 1e-6 ? 1 : 2);
            return sign + QStringLiteral("%1 s").arg(a, 0, 'f', decimals);
        }
        if (a < 3600) {
            const int total = int(std::round(a));
            const int s = total % 60;
            return sign
                + (s == 0 ? QStringLiteral("%1 min").arg(total / 60)
                          : QStringLiteral("%1 min %2 s").arg(total / 60).arg(s));
        }
        const int minutes = int(std::round(a / 60));
        return sign
            + QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
    }
};

// The rows' names on the y axis: one tick per row, labels made (elided) only for the rows on screen, so a
// build of thousands of vertices costs what the visible ones do.
class RowTicker : public QCPAxisTicker
{
public:
    std::function<QString(int)> label; ///< display index -> text
    int count = 0;

protected:
    double getTickStep(const QCPRange &) override { return 1; }
    int getSubTickCount(double) override { return 0; }
    QVector<double> createTickVector(double, const QCPRange &range) override
    {
        QVector<double> ticks;
        const int first = std::max(0, int(std::ceil(range.lower)));
        const int last = std::min(count - 1, int(std::floor(range.upper)));
        for (int i = first; i <= last; ++i)
            ticks.append(i);
        return ticks;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        const int i = int(std::lround(tick));
        return label && i >= 0 && i < count ? label(i) : QString();
    }
};

bool hasBar(const TimelineRow &row)
{
    return row.state != StepState::Cached && row.state != StepState::NotInLog && std::isfinite(row.start)
        && std::isfinite(row.end) && row.start >= 0 && row.end >= row.start; // 0 s steps: a hairline bar
}

bool hasMarker(const TimelineRow &row)
{
    return row.state == StepState::Cached && std::isfinite(row.start) && row.start >= 0;
}

// A thin vertical tick: the custom path is in units of size/6 (QCPScatterStyle draws it scaled).
QPainterPath tickPath()
{
    QPainterPath path;
    path.addRect(QRectF(-0.6, -3, 1.2, 6));
    return path;
}

} // namespace

struct TimelinePlot::Private
{
    TimelinePlot *q = nullptr;
    QCustomPlot *plot = nullptr;
    QCPAxisRect *main = nullptr;
    QCPAxisRect *lower = nullptr;
    QCPGraph *concurrency = nullptr;
    QCPGraph *cachedMarkers = nullptr;
    QCPGraph *errorMarkers = nullptr;
    QCPGraph *canceledMarkers = nullptr;
    QCPBars *predictedBars = nullptr;
    QCPBars *criticalLegend = nullptr;
    QList<QCPBars *> bars; // visible bars; each sits on an invisible offset bar that starts it at `start`
    QMap<QCPBars *, int> barStage;
    QList<QCPBars *> criticalBars;
    QLabel *notice = nullptr; // above the chart, never over a bar
    QComboBox *sortBox = nullptr;
    QScrollBar *scroll = nullptr;
    TimelineSort sort = TimelineSort::Start;
    int legendStages = 0;
    QCPItemRect *selection = nullptr;
    QList<QPair<QCPItemRect *, int>> bands; // per stage group: band and stage
    TimelineModel model;
    QList<int> order; // display index -> row
    QList<int> displayOf; // row -> display index
    QSharedPointer<RowTicker> rowTicker;
    // Display index -> elided label, made when a row is first shown. A hash: a list sized to the rows cost
    // 3-6 ms to allocate for 90,000 rows on every model change, for the few dozen labels on screen.
    QHash<int, QString> labelCache;
    QList<QPointF> concurrencyData;
    QVector<double> concurrencyX, concurrencyY; // finite points of concurrencyData, sorted by time
    int selected = -1;
    int firstVisible = 0;
    double timeSpan = 1;
    double sharedSpan = 0; // compare mode: the longer build's span, so the zoom limits hold both builds
    bool aligned = false;
    QLabel *caption = nullptr;
    QString captionText; // in full; the label shows it elided to the room beside the order box
    QPoint pressPos;
    bool syncing = false;

    struct Extent
    {
        double minStart = 0;
        double maxEnd = 0;
    };
    /// Where the cached, failed and cancelled marks go (x: time, y: display row).
    struct Markers
    {
        QVector<double> cachedX, cachedY, errorX, errorY, canceledX, canceledY;
    };

    void setupPlot();
    void rebuild();
    void clearPlottables();
    void orderRows();
    void addStageBands();
    Markers addBars(QCPAxis *x, QCPAxis *y, Extent *extent);
    void addMarkers(QCPAxis *x, QCPAxis *y, const Markers &marks);
    void addPrediction(QCPAxis *x, QCPAxis *y, Extent *extent);
    double fillConcurrency(double *maxEnd);
    void applyPalette();
    void updateRowRange();
    void updateSelection();
    int visibleRows() const;
    void clampRange(QCPAxis *axis, const QCPRange &range);
    QCPItemRect *bandItem(QCPAxisRect *rect);
    QString rowLabel(int display);
    void updateConcurrencyPlot();
    void elideCaption()
    {
        // Never wider than the room left beside the order box and the notice: a long build name must not
        // widen the window.
        // The width the header's layout gave the label, once it has one.
        const int room = caption->width() > 0
            ? caption->contentsRect().width()
            : std::max(60,
                q->width() - sortBox->sizeHint().width() - 80
                    - (notice->isVisible() ? notice->sizeHint().width() : 0));
        caption->setText(QFontMetrics(caption->font()).elidedText(captionText, Qt::ElideRight, room));
    }
};

// A build of thousands of steps has a running count of tens of thousands of points: filling that polygon
// took ~60 ms per replot. Over the range shown, each of 400 bins draws the peak count within it (800 bins,
// about one per pixel, still cost ~6 ms per fill in QCPGraph::drawFill; 400 cost almost nothing).
void TimelinePlot::Private::updateConcurrencyPlot()
{
    if (concurrencyX.size() <= MaxConcurrencyPoints) {
        concurrency->setData(concurrencyX, concurrencyY, true);
        return;
    }
    const QCPRange range = lower->axis(QCPAxis::atBottom)->range();
    const double width = range.size() / ConcurrencyBins;
    qsizetype i =
        std::upper_bound(concurrencyX.cbegin(), concurrencyX.cend(), range.lower) - concurrencyX.cbegin();
    double running = i > 0 ? concurrencyY[i - 1] : 0;
    QVector<double> xs, ys;
    xs.reserve(ConcurrencyBins + 1);
    ys.reserve(ConcurrencyBins + 1);
    for (int bin = 0; bin < ConcurrencyBins; ++bin) {
        const double from = range.lower + bin * width;
        double peak = running;
        for (; i < concurrencyX.size() && concurrencyX[i] < from + width; ++i) {
            running = concurrencyY[i];
            peak = std::max(peak, running);
        }
        xs.append(from);
        ys.append(peak);
    }
    xs.append(range.upper);
    ys.append(running);
    concurrency->setData(xs, ys, true);
}

QString TimelinePlot::Private::rowLabel(int display)
{
    QString &cached = labelCache[display];
    if (cached.isNull()) {
        QString label = model.rows.at(order.at(display)).label.left(1000); // const: no detach of shared rows
        label.replace(QLatin1Char('\n'), QLatin1Char(' '));
        const QFontMetricsF fm(main->axis(QCPAxis::atLeft)->tickLabelFont());
        cached = fm.elidedText(label, Qt::ElideRight, MaxLabelWidth);
        if (cached.isNull())
            cached = QLatin1String("");
    }
    return cached;
}

void TimelinePlot::Private::setupPlot()
{
    plot->setNoAntialiasingOnDrag(true);
    main = plot->axisRect();
    lower = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(1, 0, lower);
    // The rows are what people read: the running count gets a strip (it was 40% of a 1280x800 window's
    // timeline, leaving room for five rows).
    plot->plotLayout()->setRowStretchFactor(0, 4);
    plot->plotLayout()->setRowStretchFactor(1, 1);
    lower->setMaximumSize(QWIDGETSIZE_MAX, 110);
    plot->plotLayout()->setRowSpacing(4);
    auto *margins = new QCPMarginGroup(plot);
    main->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    lower->setMarginGroup(QCP::msLeft | QCP::msRight, margins);

    // The legend goes under the charts in one wrapped line, so it never covers bars.
    main->insetLayout()->take(plot->legend);
    auto *legendRow = new QCPLayoutGrid;
    plot->plotLayout()->addElement(2, 0, legendRow);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
    legendRow->addElement(0, 0, plot->legend);
    plot->legend->setVisible(true);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(8);
    plot->legend->setRowSpacing(0);
    plot->legend->setColumnSpacing(12);
    legendRow->setMargins(QMargins(0, 0, 0, 0));

    QCPAxis *x = main->axis(QCPAxis::atBottom);
    QCPAxis *y = main->axis(QCPAxis::atLeft);
    x->setTicker(QSharedPointer<QCPAxisTicker>(new TimeTicker));
    // The strip below names the times on the same scale; its labels serve both charts.
    x->setTickLabels(false);
    y->setRangeReversed(true); // first row at the top, like a list
    y->grid()->setVisible(false);
    y->setTickLength(0, 0);
    y->setSubTicks(false);
    main->setRangeDrag(Qt::Horizontal);
    main->setRangeZoom(Qt::Horizontal);
    main->setRangeDragAxes(x, nullptr);
    main->setRangeZoomAxes(x, nullptr);

    QCPAxis *lx = lower->axis(QCPAxis::atBottom);
    QCPAxis *ly = lower->axis(QCPAxis::atLeft);
    lx->setTicker(QSharedPointer<QCPAxisTicker>(new TimeTicker));
    lx->setLabel(QStringLiteral("time since the build started"));
    QSharedPointer<QCPAxisTickerFixed> countTicker(new QCPAxisTickerFixed);
    countTicker->setTickStep(1);
    countTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ly->setTicker(countTicker);
    ly->setLabel(QStringLiteral("running"));
    lower->setRangeDrag(Qt::Horizontal);
    lower->setRangeZoom(Qt::Horizontal);
    lower->setRangeDragAxes(lx, nullptr);
    lower->setRangeZoomAxes(lx, nullptr);
    for (QCPAxisRect *rect : {main, lower}) {
        for (QCPAxis *axis : rect->axes())
            axis->setLayer(QStringLiteral("axes"));
    }
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    // One time range for both charts; the clamp keeps the user from losing the build off screen.
    QObject::connect(x, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), q,
        [this, x](const QCPRange &r) { clampRange(x, r); });
    QObject::connect(lx, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), q,
        [this, lx](const QCPRange &r) { clampRange(lx, r); });

    concurrency = plot->addGraph(lx, ly);
    concurrency->setLineStyle(QCPGraph::lsStepLeft);
    // Thousands of steps over a long build: an antialiased outline and fill of that polygon took over 100 ms
    // per replot. The steps are axis-parallel, so plain rasterisation looks the same.
    concurrency->setAntialiased(false);
    concurrency->setAntialiasedFill(false);
    concurrency->setName(QStringLiteral("steps running"));
    concurrency->removeFromLegend();

    selection = bandItem(main);
    selection->setVisible(false);

    // The estimated-times notice lives in the header above the chart: as an item on the chart it covered
    // the bars of the last steps.
    QObject::connect(plot, &QCustomPlot::afterLayout, plot, [this]() {
        const QFontMetrics fm(notice->font());
        // A caption (compare mode) keeps room for its first words.
        const int captionRoom = caption->isVisible()
            ? std::min(QFontMetrics(caption->font()).horizontalAdvance(captionText), 300)
            : 0;
        const int room = std::max(0, q->width() - sortBox->sizeHint().width() - 120 - captionRoom);
        notice->setText(fm.horizontalAdvance(NoticeLong) <= room ? NoticeLong : NoticeShort);
        if (caption->isVisible())
            elideCaption();
    });
}

QCPItemRect *TimelinePlot::Private::bandItem(QCPAxisRect *rect)
{
    auto *item = new QCPItemRect(plot);
    item->setClipAxisRect(rect);
    for (QCPItemPosition *p : {item->topLeft, item->bottomRight}) {
        p->setAxisRect(rect);
        p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p->setTypeX(QCPItemPosition::ptAxisRectRatio);
        p->setTypeY(QCPItemPosition::ptPlotCoords);
    }
    item->topLeft->setCoords(0, 0);
    item->bottomRight->setCoords(1, 0);
    item->setLayer(QStringLiteral("grid")); // under the bars
    return item;
}

void TimelinePlot::Private::clampRange(QCPAxis *axis, const QCPRange &range)
{
    if (syncing)
        return;
    syncing = true;
    QCPRange r = range;
    const double span = std::max(timeSpan, sharedSpan);
    const double maxSize = span * 1.5;
    if (r.size() > maxSize)
        r = QCPRange(r.center() - maxSize / 2, r.center() + maxSize / 2);
    if (r.size() < MinTimeSpan)
        r = QCPRange(r.center() - MinTimeSpan / 2, r.center() + MinTimeSpan / 2);
    const double low = -span * 0.25, high = span * 1.25;
    if (r.lower < low)
        r += low - r.lower;
    if (r.upper > high)
        r -= r.upper - high;
    axis->setRange(r);
    QCPAxis *other = axis == main->axis(QCPAxis::atBottom) ? lower->axis(QCPAxis::atBottom)
                                                           : main->axis(QCPAxis::atBottom);
    other->setRange(r);
    syncing = false;
    if (concurrencyX.size() > MaxConcurrencyPoints)
        updateConcurrencyPlot();
    Q_EMIT q->timeRangeChanged(r.lower, r.upper);
}

int TimelinePlot::Private::visibleRows() const
{
    const int height = main->rect().height();
    return std::max(1, int(height / MinRowHeight));
}

void TimelinePlot::Private::updateRowRange()
{
    const int count = int(order.size());
    const int visible = visibleRows();
    QCPAxis *y = main->axis(QCPAxis::atLeft);
    if (count <= visible) {
        firstVisible = 0;
        const int rowSlots = std::max({count, 1, int(main->rect().height() / MaxRowHeight)});
        y->setRange(-0.5, rowSlots - 0.5);
    } else {
        firstVisible = qBound(0, firstVisible, count - visible);
        y->setRange(firstVisible - 0.5, firstVisible + visible - 0.5);
    }
    // A visible scroll bar whenever rows lie off screen: Shift+wheel alone was found by nobody.
    const QSignalBlocker block(scroll);
    scroll->setRange(0, std::max(0, count - visible));
    scroll->setPageStep(visible);
    scroll->setValue(firstVisible);
    // Stacked charts keep the column even when empty, so both charts are equally wide.
    scroll->setVisible(count > visible || aligned);
    scroll->setEnabled(count > visible);
}

void TimelinePlot::Private::updateSelection()
{
    if (selected < 0 || selected >= displayOf.size()) {
        selection->setVisible(false);
        return;
    }
    const int display = displayOf[selected];
    selection->topLeft->setCoords(0, display - 0.5);
    selection->bottomRight->setCoords(1, display + 0.5);
    selection->setVisible(true);
}

void TimelinePlot::Private::rebuild()
{
    clearPlottables();
    orderRows();
    QCPAxis *x = main->axis(QCPAxis::atBottom);
    QCPAxis *y = main->axis(QCPAxis::atLeft);
    labelCache.clear();
    if (!rowTicker) {
        rowTicker.reset(new RowTicker);
        rowTicker->label = [this](int display) {
            return rowLabel(display);
        };
        y->setTicker(rowTicker);
    }
    rowTicker->count = int(order.size());
    // The row range and its scroll bar before the bars are added: showing the bar resizes the plot, which
    // QCustomPlot answers with an immediate replot (17 ms with 90,000 bars, drawn again right after).
    updateRowRange();

    addStageBands();
    Extent extent;
    Markers marks = addBars(x, y, &extent);
    addMarkers(x, y, marks);
    addPrediction(x, y, &extent);
    double maxEnd = extent.maxEnd;
    const double minStart = extent.minStart;
    const QList<TimelineRow> &rows = model.rows;
    const double maxCount = fillConcurrency(&maxEnd);
    lower->axis(QCPAxis::atLeft)->setRange(0, maxCount + 0.5);

    notice->setVisible(
        std::any_of(rows.begin(), rows.end(), [](const TimelineRow &r) { return r.estimated; }));
    notice->setToolTip(QStringLiteral("Plain and CI logs print when a step ended, not always when it began: "
                                      "starts are reconstructed from BuildKit's step order."));

    timeSpan = std::max(maxEnd - minStart, 1.0);
    syncing = true;
    x->setRange(minStart - timeSpan * 0.01, maxEnd + timeSpan * 0.03);
    lower->axis(QCPAxis::atBottom)->setRange(x->range());
    syncing = false;
    updateConcurrencyPlot();
    Q_EMIT q->timeRangeChanged(x->range().lower, x->range().upper);
    if (selected >= rows.size())
        selected = -1;
    applyPalette();
    updateSelection();
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::Private::clearPlottables()
{
    for (QCPBars *b : std::as_const(bars)) {
        if (QCPBars *below = b->barBelow())
            plot->removePlottable(below);
        plot->removePlottable(b);
    }
    for (QCPBars *b : std::as_const(criticalBars)) {
        if (QCPBars *below = b->barBelow())
            plot->removePlottable(below);
        plot->removePlottable(b);
    }
    for (QCPGraph *g : {cachedMarkers, errorMarkers, canceledMarkers}) {
        if (g)
            plot->removeGraph(g);
    }
    if (predictedBars) {
        if (QCPBars *below = predictedBars->barBelow())
            plot->removePlottable(below);
        plot->removePlottable(predictedBars);
    }
    if (criticalLegend)
        plot->removePlottable(criticalLegend);
    for (const auto &band : std::as_const(bands))
        plot->removeItem(band.first);
    bars.clear();
    criticalBars.clear();
    barStage.clear();
    bands.clear();
    cachedMarkers = errorMarkers = canceledMarkers = nullptr;
    predictedBars = criticalLegend = nullptr;
}

// Start order: rows grouped by stage, stages in the order they first start, rows by start time within a
// stage. Duration order: every step with a bar, longest first, then the rest (cached, unknown) by start.
void TimelinePlot::Private::orderRows()
{
    const QList<TimelineRow> &rows = model.rows;
    if (sort == TimelineSort::Duration) {
        order.resize(rows.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const TimelineRow &ra = rows[a], &rb = rows[b];
            const double da = hasBar(ra) ? ra.end - ra.start : -1, db = hasBar(rb) ? rb.end - rb.start : -1;
            if (da != db)
                return da > db;
            const double xa = ra.start >= 0 ? ra.start : 1e300, xb = rb.start >= 0 ? rb.start : 1e300;
            return xa < xb;
        });
        displayOf.fill(-1, rows.size());
        for (int i = 0; i < order.size(); ++i)
            displayOf[order[i]] = i;
        return;
    }
    order = model.startOrder.size() == rows.size() ? model.startOrder : timelineStartOrder(rows);
    displayOf.fill(-1, rows.size());
    for (int i = 0; i < order.size(); ++i)
        displayOf[order[i]] = i;
}

// Stage bands behind the rows: the same colours as the DAG's stage boxes.
void TimelinePlot::Private::addStageBands()
{
    const QList<TimelineRow> &rows = model.rows;
    for (int i = 0; i < order.size();) {
        const int stage = rows[order[i]].stage;
        int j = i;
        while (j < order.size() && rows[order[j]].stage == stage)
            ++j;
        QCPItemRect *band = bandItem(main);
        band->topLeft->setCoords(0, i - 0.5);
        band->bottomRight->setCoords(1, j - 0.5);
        bands.append({band, stage});
        i = j;
    }
}

// One bar group per (stage, critical): a bar from each row's start to its end, stacked on an invisible bar.
TimelinePlot::Private::Markers TimelinePlot::Private::addBars(QCPAxis *x, QCPAxis *y, Extent *extent)
{
    const QList<TimelineRow> &rows = model.rows;
    Markers marks;
    QVector<double> &cachedX = marks.cachedX, &cachedY = marks.cachedY, &errorX = marks.errorX,
                    &errorY = marks.errorY, &canceledX = marks.canceledX, &canceledY = marks.canceledY;
    double &maxEnd = extent->maxEnd;
    double &minStart = extent->minStart;
    const bool withPrediction = !model.predicted.isEmpty();
    const double barWidth = withPrediction ? 0.5 : 0.66;
    const double barKeyShift = withPrediction ? -0.12 : 0;
    // Each group's points are gathered first and handed over at once, already in key order: adding them one
    // by one went through QCustomPlot's sorted-insert path for each of 90,000 rows.
    struct Group
    {
        QCPBars *bar = nullptr;
        QVector<double> keys, starts, lengths;
    };
    QList<Group> groupList;
    QMap<QPair<int, bool>, int> groups;
    QPair<int, bool> lastKey;
    int lastGroup = -1;
    QSet<int> stagesInLegend;
    QSet<int> stages;
    for (const TimelineRow &row : rows) {
        if (hasBar(row))
            stages.insert(row.stage);
    }
    const bool stageLegend = stages.size() <= MaxLegendStages;
    for (int i = 0; i < order.size(); ++i) {
        const TimelineRow &row = rows[order[i]];
        if (std::isfinite(row.end) && row.end > maxEnd)
            maxEnd = row.end;
        if (hasMarker(row)) {
            cachedX << row.start;
            cachedY << i;
            maxEnd = std::max(maxEnd, row.start);
        }
        // Errors and cancellations are marked where the step stopped, or where it began when that is unknown.
        const double stop = hasBar(row) ? row.end : row.start;
        if (std::isfinite(stop) && stop >= 0) {
            maxEnd = std::max(maxEnd, stop);
            if (row.state == StepState::Error) {
                errorX << stop;
                errorY << i;
            } else if (row.state == StepState::Canceled || row.state == StepState::Running) {
                canceledX << stop;
                canceledY << i;
            }
        }
        if (!hasBar(row))
            continue;
        minStart = std::min(minStart, row.start);
        const QPair<int, bool> key {row.stage, row.critical};
        if (lastGroup < 0 || key != lastKey) {
            lastKey = key;
            lastGroup = groups.value(key, -1);
        }
        if (lastGroup < 0) {
            // Stacked on an invisible bar of length `start`: QCPBars always grow from the base value.
            auto *offset = new QCPBars(y, x);
            offset->setPen(Qt::NoPen);
            offset->setBrush(Qt::NoBrush);
            offset->setWidth(barWidth);
            offset->removeFromLegend();
            offset->setSelectable(QCP::stNone);
            auto *bar = new QCPBars(y, x);
            bar->setWidth(barWidth);
            bar->setStackingGap(0);
            bar->moveAbove(offset);
            bar->setSelectable(QCP::stNone);
            bar->setName(row.stageName.isEmpty() ? QStringLiteral("stage %1").arg(row.stage) : row.stageName);
            if (!stageLegend || row.critical || stagesInLegend.contains(row.stage))
                bar->removeFromLegend();
            else
                stagesInLegend.insert(row.stage);
            lastGroup = int(groupList.size());
            groups.insert(key, lastGroup);
            groupList.append({bar, {}, {}, {}});
            (row.critical ? criticalBars : bars).append(bar);
            barStage.insert(bar, row.stage);
        }
        Group &group = groupList[lastGroup];
        group.keys.append(i + barKeyShift);
        group.starts.append(row.start);
        group.lengths.append(row.end - row.start);
    }
    for (const Group &group : std::as_const(groupList)) {
        group.bar->barBelow()->setData(group.keys, group.starts, true);
        group.bar->setData(group.keys, group.lengths, true);
    }
    // A stage whose every bar is critical still needs a legend entry.
    for (QCPBars *b : std::as_const(criticalBars)) {
        const int stage = barStage.value(b);
        if (stageLegend && !stagesInLegend.contains(stage)) {
            b->addToLegend();
            stagesInLegend.insert(stage);
        }
    }
    if (!criticalBars.isEmpty()) {
        criticalLegend = new QCPBars(y, x);
        criticalLegend->setName(QStringLiteral("critical path"));
        criticalLegend->setSelectable(QCP::stNone);
    }
    legendStages = int(stagesInLegend.size());
    return marks;
}

void TimelinePlot::Private::addMarkers(QCPAxis *x, QCPAxis *y, const Markers &marks)
{
    const QVector<double> &cachedX = marks.cachedX, &cachedY = marks.cachedY, &errorX = marks.errorX,
                          &errorY = marks.errorY, &canceledX = marks.canceledX, &canceledY = marks.canceledY;
    // Keyed by row, which addBars() visits in order, so the points need no sorting (sorting 46,000 markers by
    // time took QCPGraph up to 9 ms). The row axis is vertical, as for the bars.
    auto markers = [this, x, y](const QVector<double> &xs, const QVector<double> &ys, const QString &name) {
        QCPGraph *g = plot->addGraph(y, x);
        g->setLineStyle(QCPGraph::lsNone);
        g->setData(ys, xs, true);
        g->setName(name);
        g->setSelectable(QCP::stNone);
        return g;
    };
    cachedMarkers = markers(cachedX, cachedY, QStringLiteral("cached"));
    if (cachedX.isEmpty())
        cachedMarkers->removeFromLegend();
    errorMarkers = markers(errorX, errorY, QStringLiteral("error"));
    if (errorX.isEmpty())
        errorMarkers->removeFromLegend();
    canceledMarkers = markers(canceledX, canceledY, QStringLiteral("canceled"));
    if (canceledX.isEmpty())
        canceledMarkers->removeFromLegend();
}

// The predicted rebuild: thin bars beside the rows that would run again.
void TimelinePlot::Private::addPrediction(QCPAxis *x, QCPAxis *y, Extent *extent)
{
    const QList<TimelineRow> &rows = model.rows;
    if (model.predicted.isEmpty())
        return;
    double &maxEnd = extent->maxEnd;
    {
        auto *offset = new QCPBars(y, x);
        offset->setPen(Qt::NoPen);
        offset->setBrush(Qt::NoBrush);
        offset->setWidth(0.24);
        offset->removeFromLegend();
        predictedBars = new QCPBars(y, x);
        predictedBars->setWidth(0.24);
        predictedBars->moveAbove(offset);
        predictedBars->setName(QStringLiteral("predicted rebuild"));
        for (const TimelinePrediction &p : std::as_const(model.predicted)) {
            if (p.row < 0 || p.row >= rows.size() || !std::isfinite(p.start) || !std::isfinite(p.end)
                || p.end <= p.start || p.start < 0)
                continue;
            offset->addData(displayOf[p.row] + 0.28, p.start);
            predictedBars->addData(displayOf[p.row] + 0.28, p.end - p.start);
            maxEnd = std::max(maxEnd, p.end);
        }
    }
}

// The running count under the bars: the analysis' step function, or the bars' own overlap. Returns its peak.
double TimelinePlot::Private::fillConcurrency(double *maxEnd)
{
    const QList<TimelineRow> &rows = model.rows;
    // Concurrency: the analysis' step function, or the bars' own overlap when none was given.
    concurrencyData = model.concurrency;
    if (concurrencyData.isEmpty()) {
        QList<QPair<double, int>> events;
        for (const TimelineRow &row : rows) {
            if (hasBar(row)) {
                events.append({row.start, +1});
                events.append({row.end, -1});
            }
        }
        // Ends before starts at the same instant: back-to-back steps do not count as overlapping.
        std::sort(events.begin(), events.end());
        int running = 0;
        for (qsizetype i = 0; i < events.size(); ++i) {
            running += events[i].second;
            if (i + 1 < events.size() && events[i + 1].first == events[i].first)
                continue;
            concurrencyData.append(QPointF(events[i].first, running));
        }
        if (!concurrencyData.isEmpty() && concurrencyData.first().x() > 0)
            concurrencyData.prepend(QPointF(0, 0));
    }
    QList<QPointF> points;
    points.reserve(concurrencyData.size());
    double maxCount = 1;
    for (const QPointF &p : std::as_const(concurrencyData)) {
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()))
            continue;
        points.append(p);
        maxCount = std::max(maxCount, p.y());
        *maxEnd = std::max(*maxEnd, p.x());
    }
    std::stable_sort(
        points.begin(), points.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    concurrencyX.resize(points.size());
    concurrencyY.resize(points.size());
    for (qsizetype i = 0; i < points.size(); ++i) {
        concurrencyX[i] = points[i].x();
        concurrencyY[i] = points[i].y();
    }

    return maxCount;
}

void TimelinePlot::Private::applyPalette()
{
    const QPalette pal = q->palette();
    applyPlotPalette(plot, pal, {main, lower});
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);

    const bool dark = ViewPalette::isDark(pal);
    for (const auto &band : std::as_const(bands)) {
        QColor c = band.second >= 0 ? ViewPalette::stageColor(band.second, pal) : pal.color(QPalette::Mid);
        c.setAlphaF(dark ? 0.12f : 0.08f);
        band.first->setBrush(c);
        band.first->setPen(QPen(ViewPalette::mix(base, text, 0.2), 1));
    }
    QColor highlight = pal.color(QPalette::Highlight);
    highlight.setAlphaF(0.28f);
    selection->setBrush(highlight);
    selection->setPen(QPen(pal.color(QPalette::Highlight), 1.5));

    auto stageBrush = [&pal](int stage) {
        return stage >= 0 ? ViewPalette::stageColor(stage, pal)
                          : ViewPalette::stateColor(StepState::NotInLog, pal);
    };
    for (QCPBars *b : std::as_const(bars)) {
        const QColor c = stageBrush(barStage.value(b));
        b->setBrush(c);
        b->setPen(QPen(c.darker(dark ? 80 : 130), 1));
    }
    // Critical bars: the stage colour with a bold outline in the text colour, as in the DAG.
    for (QCPBars *b : std::as_const(criticalBars)) {
        b->setBrush(stageBrush(barStage.value(b)));
        b->setPen(QPen(text, 2.5));
    }
    if (criticalLegend) {
        criticalLegend->setBrush(Qt::NoBrush);
        criticalLegend->setPen(QPen(text, 2.5));
    }
    if (!cachedMarkers || !errorMarkers || !canceledMarkers)
        return;
    const QColor cachedColor = ViewPalette::stateColor(StepState::Cached, pal);
    cachedMarkers->setScatterStyle(
        QCPScatterStyle(tickPath(), QPen(cachedColor, 0.5), QBrush(cachedColor), 14));
    errorMarkers->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross,
        QPen(ViewPalette::stateColor(StepState::Error, pal), 2.5), Qt::NoBrush, 11));
    canceledMarkers->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle,
        QPen(ViewPalette::stateColor(StepState::Canceled, pal), 2), Qt::NoBrush, 11));
    if (predictedBars) {
        const QColor c = ViewPalette::verdictColor(WhatIfVerdict::Rerun, pal);
        predictedBars->setBrush(QBrush(c, Qt::BDiagPattern));
        predictedBars->setPen(QPen(c, 1.2, Qt::DashLine));
    }
    QColor fill = ViewPalette::stateColor(StepState::Ran, pal);
    concurrency->setPen(QPen(fill, 1)); // a 1 px line rasterises without the stroker
    fill.setAlphaF(0.25f);
    concurrency->setBrush(fill);
    notice->setStyleSheet(
        QStringLiteral("QLabel { color: %1; background: %2; border: 1px solid %3; "
                       "border-radius: 3px; padding: 1px 6px; }")
            .arg(pal.color(QPalette::ToolTipText).name(), pal.color(QPalette::ToolTipBase).name(),
                ViewPalette::stateColor(StepState::Canceled, pal).name()));
}

TimelinePlot::TimelinePlot(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->plot = new QCustomPlot(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *header = new QHBoxLayout;
    header->setContentsMargins(6, 2, 6, 0);
    d->caption = new QLabel;
    d->caption->setTextFormat(Qt::PlainText);
    QFont captionFont = d->caption->font();
    captionFont.setBold(true);
    d->caption->setFont(captionFont);
    d->caption->hide();
    d->caption->setMinimumWidth(0);
    d->caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    header->addWidget(d->caption, 4); // most of the free room: the spacer before the notice gets the rest
    auto *sortLabel = new QLabel(tr("Order:"));
    d->sortBox = new QComboBox;
    d->sortBox->addItem(tr("By start, grouped by stage"));
    d->sortBox->addItem(tr("By duration, longest first"));
    d->sortBox->setToolTip(tr("Show the build as it happened, or where its time went"));
    sortLabel->setBuddy(d->sortBox);
    d->notice = new QLabel(NoticeLong);
    d->notice->setTextFormat(Qt::PlainText);
    d->notice->hide();
    header->addWidget(sortLabel);
    header->addWidget(d->sortBox);
    header->addStretch(1);
    header->addWidget(d->notice);
    layout->addLayout(header);
    auto *body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(0);
    body->addWidget(d->plot, 1);
    d->scroll = new QScrollBar(Qt::Vertical);
    d->scroll->hide();
    body->addWidget(d->scroll);
    layout->addLayout(body, 1);
    d->setupPlot();
    connect(d->sortBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setSort(index == 1 ? TimelineSort::Duration : TimelineSort::Start); });
    connect(d->scroll, &QScrollBar::valueChanged, this, [this](int value) {
        d->firstVisible = value;
        d->updateRowRange();
        d->plot->replot(QCustomPlot::rpQueuedReplot);
    });
    d->plot->installEventFilter(this);
    // How many rows fit depends on the axis rect's height, known only once QCustomPlot laid itself out.
    connect(d->plot, &QCustomPlot::afterLayout, this, [this] { d->updateRowRange(); });
    d->plot->setMouseTracking(true);

    connect(
        d->plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { d->pressPos = event->pos(); });
    connect(d->plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *event) {
        // A click (not the end of a drag) on a row selects it.
        if (event->button() != Qt::LeftButton || (event->pos() - d->pressPos).manhattanLength() > 4)
            return;
        const int row = rowAt(event->pos());
        if (row < 0 || row == d->selected)
            return;
        d->selected = row;
        d->updateSelection();
        d->plot->replot(QCustomPlot::rpQueuedReplot);
        emit rowSelected(row);
    });
    d->rebuild();
}

TimelinePlot::~TimelinePlot() = default;

void TimelinePlot::onRowSelected(QObject *context, std::function<void(int)> callback)
{
    connect(this, &TimelinePlot::rowSelected, context, std::move(callback));
}

void TimelinePlot::onTimeRangeChanged(QObject *context, std::function<void(double, double)> callback)
{
    connect(this, &TimelinePlot::timeRangeChanged, context, std::move(callback));
}

void TimelinePlot::setModel(const TimelineModel &model)
{
    d->model = model;
    d->selected = -1;
    d->firstVisible = 0;
    d->rebuild();
}

const TimelineModel &TimelinePlot::model() const
{
    return d->model;
}

void TimelinePlot::selectRow(int row)
{
    d->selected = (row >= 0 && row < d->model.rows.size()) ? row : -1;
    if (d->selected >= 0) {
        const int display = d->displayOf[d->selected];
        const int visible = d->visibleRows();
        if (display < d->firstVisible || display >= d->firstVisible + visible)
            d->firstVisible = display - visible / 2;
        d->updateRowRange();
    }
    d->updateSelection();
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

int TimelinePlot::selectedRow() const
{
    return d->selected;
}

QCustomPlot *TimelinePlot::plot() const
{
    return d->plot;
}

int TimelinePlot::barCount() const
{
    int count = 0;
    for (QCPBars *b : d->bars)
        count += b->data()->size();
    for (QCPBars *b : d->criticalBars)
        count += b->data()->size();
    return count;
}

int TimelinePlot::cachedMarkerCount() const
{
    return d->cachedMarkers ? d->cachedMarkers->data()->size() : 0;
}

int TimelinePlot::errorMarkerCount() const
{
    return d->errorMarkers ? d->errorMarkers->data()->size() : 0;
}

int TimelinePlot::predictedBarCount() const
{
    return d->predictedBars ? d->predictedBars->data()->size() : 0;
}

QList<QPointF> TimelinePlot::concurrencyData() const
{
    return d->concurrencyData;
}

bool TimelinePlot::isEstimatedNoticeVisible() const
{
    return !d->notice->isHidden();
}

void TimelinePlot::setSort(TimelineSort sort)
{
    if (sort == d->sort)
        return;
    d->sort = sort;
    {
        const QSignalBlocker block(d->sortBox);
        d->sortBox->setCurrentIndex(sort == TimelineSort::Duration ? 1 : 0);
    }
    d->firstVisible = 0;
    d->rebuild();
    if (d->selected >= 0)
        selectRow(d->selected); // keep the selection on screen in the new order
}

TimelineSort TimelinePlot::sort() const
{
    return d->sort;
}

QList<int> TimelinePlot::displayOrder() const
{
    return d->order;
}

int TimelinePlot::firstVisibleRow() const
{
    return d->firstVisible;
}

int TimelinePlot::visibleRowCount() const
{
    return std::min(int(d->order.size()), d->visibleRows());
}

void TimelinePlot::scrollToRow(int first)
{
    d->firstVisible = first;
    d->updateRowRange();
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TimelinePlot::isScrollBarVisible() const
{
    return !d->scroll->isHidden();
}

int TimelinePlot::legendStageCount() const
{
    return d->legendStages;
}

QString TimelinePlot::rowToolTip(int row) const
{
    if (row < 0 || row >= d->model.rows.size())
        return {};
    const TimelineRow &r = d->model.rows[row];
    QStringList lines {r.label};
    if (!r.stageName.isEmpty())
        lines << QStringLiteral("Stage %1").arg(r.stageName);
    QString state = dagStepStateName(r.state);
    if (hasBar(r))
        state += QStringLiteral(": %1, from %2 to %3 s")
                     .arg(formatSeconds(r.end - r.start))
                     .arg(r.start, 0, 'f', 1)
                     .arg(r.end, 0, 'f', 1);
    else if (hasMarker(r))
        state += QStringLiteral(" at %1 s").arg(r.start, 0, 'f', 1);
    lines << state;
    if (r.critical)
        lines << QStringLiteral("On the critical path");
    if (r.estimated)
        lines << QStringLiteral("Times estimated");
    return lines.join(QLatin1Char('\n'));
}

int TimelinePlot::rowAt(const QPoint &pos) const
{
    if (!d->main->rect().contains(pos))
        return -1;
    const int display = int(std::lround(d->main->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
    if (display < 0 || display >= d->order.size())
        return -1;
    return d->order[display];
}

QPoint TimelinePlot::rowPosition(int row) const
{
    if (row < 0 || row >= d->model.rows.size())
        return {};
    const TimelineRow &r = d->model.rows[row];
    const QCPAxis *x = d->main->axis(QCPAxis::atBottom);
    double px = d->main->rect().center().x();
    if (hasBar(r))
        px = x->coordToPixel((r.start + r.end) / 2);
    else if (hasMarker(r))
        px = x->coordToPixel(r.start);
    const double py = d->main->axis(QCPAxis::atLeft)->coordToPixel(d->displayOf[row]);
    return QPoint(int(std::lround(px)), int(std::lround(py)));
}

QPair<double, double> TimelinePlot::timeRange() const
{
    const QCPRange r = d->main->axis(QCPAxis::atBottom)->range();
    return {r.lower, r.upper};
}

void TimelinePlot::setTimeRange(double lower, double upper)
{
    if (!(upper > lower))
        return;
    d->sharedSpan = std::max(d->sharedSpan, (upper - lower) / 1.04); // the span rebuild() pads by 4%
    const QSignalBlocker block(this);
    d->clampRange(d->main->axis(QCPAxis::atBottom), QCPRange(lower, upper));
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::setAlignedLayout(bool aligned)
{
    d->aligned = aligned;
    if (!aligned)
        d->sharedSpan = 0;
    // Row labels are elided to MaxLabelWidth: a left margin that wide fits every label, in either chart.
    const int left = aligned ? int(MaxLabelWidth) + 16 : 0;
    d->main->setMinimumMargins(QMargins(left, 0, 0, 0));
    d->lower->setMinimumMargins(QMargins(left, 0, 0, 0));
    d->updateRowRange();
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::setCompact(bool compact)
{
    // The concurrency strip's axes alone need about 80 pixels: compact takes it out of the layout and the
    // chart's own time axis gets the tick labels the strip showed.
    QCPLayoutGrid *layout = d->plot->plotLayout();
    const bool inLayout = layout->hasElement(1, 0) && layout->element(1, 0) == d->lower;
    QCPAxis *x = d->main->axis(QCPAxis::atBottom);
    if (compact && inLayout) {
        layout->take(d->lower);
        layout->simplify();
        d->lower->setVisible(false);
        x->setTickLabels(true);
        x->setLabel(d->lower->axis(QCPAxis::atBottom)->label());
    } else if (!compact && !inLayout) {
        layout->insertRow(1);
        layout->addElement(1, 0, d->lower);
        layout->setRowStretchFactors({4, 1, 0.001});
        d->lower->setVisible(true);
        x->setTickLabels(false);
        x->setLabel(QString());
    }
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelinePlot::setCaption(const QString &caption)
{
    d->captionText = caption;
    d->caption->setToolTip(caption);
    d->caption->setVisible(!caption.isEmpty());
    d->elideCaption();
}

QString TimelinePlot::caption() const
{
    return d->captionText;
}

int TimelinePlot::timeToWidgetX(double seconds) const
{
    const double px = d->main->axis(QCPAxis::atBottom)->coordToPixel(seconds);
    return d->plot->mapTo(this, QPoint(int(std::lround(px)), 0)).x();
}

void TimelinePlot::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        d->applyPalette();
        d->plot->replot(QCustomPlot::rpQueuedReplot);
    } else if (event->type() == QEvent::FontChange) {
        d->rebuild();
    }
    QWidget::changeEvent(event);
}

void TimelinePlot::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    d->elideCaption();
    // Wrap the legend to the width actually available, so stage names are never clipped on small screens.
    const QFontMetrics fm(d->plot->legend->font());
    const int itemWidth = fm.horizontalAdvance(QStringLiteral("predicted rebuild")) + 48;
    const int columns = std::clamp(width() / std::max(1, itemWidth), 2, 8);
    if (columns != d->plot->legend->wrap()) {
        d->plot->legend->setWrap(columns);
        d->plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-wraps the existing items
    }
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TimelinePlot::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != d->plot)
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = rowToolTip(rowAt(help->pos()));
        if (text.isEmpty())
            PlainToolTip::hideText();
        else
            PlainToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    if (event->type() == QEvent::Leave)
        PlainToolTip::hideText();
    if (event->type() == QEvent::Wheel) {
        // Shift+wheel, or the wheel over the row names, scrolls the rows when they do not all fit; a plain
        // wheel over the chart zooms the time axis.
        auto *wheel = static_cast<QWheelEvent *>(event);
        const bool overLabels = wheel->position().x() < d->main->rect().left();
        if ((wheel->modifiers() & Qt::ShiftModifier) || overLabels) {
            const int delta =
                wheel->angleDelta().y() != 0 ? wheel->angleDelta().y() : wheel->angleDelta().x();
            d->firstVisible -= delta / 40;
            d->updateRowRange();
            d->plot->replot(QCustomPlot::rpQueuedReplot);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Stagelens
