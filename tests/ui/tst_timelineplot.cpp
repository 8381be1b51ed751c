#include "testutils.h"
#include "ui/graph/plaintooltip.h"
#include "ui/plots/timelineplot.h"
#include "ui/theme.h"

#include <QApplication>
#include <QHelpEvent>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <qcustomplot.h>

using namespace Stagelens;

// Timelines built from shared/corpus/buildkit-real/steps.tsv: BuildKit's record of each build (status and
// its own duration per vertex). The file has no start times, so rows are laid end to end in the order
// BuildKit printed them and marked estimated, as the analysis does for logs without timestamps.
namespace {

const QStringList ProjectStages = {QStringLiteral("deps"), QStringLiteral("builder"), QStringLiteral("test"),
    QStringLiteral("assets"), QStringLiteral("docs"), QStringLiteral("runtime"), QStringLiteral("prep"),
    QStringLiteral("broken")};

StepState stateOf(const QString &status)
{
    if (status == QLatin1String("DONE"))
        return StepState::Ran;
    if (status == QLatin1String("CACHED"))
        return StepState::Cached;
    if (status == QLatin1String("ERROR"))
        return StepState::Error;
    if (status == QLatin1String("CANCELED"))
        return StepState::Canceled;
    return StepState::NoLog;
}

struct TsvCounts
{
    int done = 0; ///< rows that get a bar
    int cached = 0;
    int error = 0;
};

TimelineModel modelFromSteps(const QString &caseName, TsvCounts *counts)
{
    TimelineModel model;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    static const QRegularExpression stagePrefix(QStringLiteral("^\\[([a-z0-9_-]+) \\d+/\\d+\\]"));
    double clock = 0;
    for (const QByteArray &line : lines) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() < 6 || QString::fromUtf8(cols[0]) != caseName)
            continue;
        TimelineRow row;
        row.label = QString::fromUtf8(cols[5]);
        const auto m = stagePrefix.match(row.label);
        row.stageName = m.hasMatch() ? m.captured(1) : QStringLiteral("internal");
        row.stage = m.hasMatch() ? int(ProjectStages.indexOf(row.stageName)) : -1;
        row.state = stateOf(QString::fromUtf8(cols[3]));
        row.estimated = true;
        const double seconds = cols[4].endsWith('s') ? cols[4].chopped(1).toDouble() : 0;
        row.start = clock;
        row.end = clock + seconds;
        clock = row.end;
        // Every step that ran, failed or was canceled gets a bar (0.0s ones a hairline).
        if (row.state == StepState::Ran || row.state == StepState::Error || row.state == StepState::Canceled)
            ++counts->done;
        if (row.state == StepState::Cached)
            ++counts->cached;
        if (row.state == StepState::Error)
            ++counts->error;
        model.rows.append(row);
    }
    return model;
}

/// Overlapping steps with exact times, for the concurrency chart: three stages built in parallel.
TimelineModel overlapping(TsvCounts *counts)
{
    TimelineModel model;
    auto add = [&model](const QString &label, int stage, double start, double end, StepState state,
                   bool critical) {
        TimelineRow row;
        row.label = label;
        row.stage = stage;
        row.stageName = ProjectStages.value(stage, QStringLiteral("internal"));
        row.start = start;
        row.end = end;
        row.state = state;
        row.critical = critical;
        model.rows.append(row);
    };
    add(QStringLiteral("[deps 4/4] RUN fetch"), 0, 0.5, 14.0, StepState::Ran, true);
    add(QStringLiteral("[assets 4/4] RUN minify"), 3, 0.5, 6.0, StepState::Ran, false);
    add(QStringLiteral("[docs 3/3] RUN count"), 4, 1.0, 3.0, StepState::Ran, false);
    add(QStringLiteral("[builder 3/3] RUN build"), 1, 14.0, 95.0, StepState::Ran, true);
    add(QStringLiteral("[test 2/2] RUN tests"), 2, 95.0, 130.0, StepState::Error, true);
    add(QStringLiteral("[runtime 2/6] WORKDIR /app"), 5, 0.6, 0.6, StepState::Cached, false);
    add(QStringLiteral("[runtime 6/6] RUN echo"), 5, 130.0, 131.0, StepState::Canceled, false);
    counts->done = 6; // the bars: every row with a duration except the cached one
    counts->cached = 1;
    counts->error = 1;
    model.predicted.append({3, 0, 81});
    model.predicted.append({4, 81, 116});
    model.predicted.append({99, 0, 1}); // no such row: ignored
    return model;
}

/// Running steps at time t, counted straight from the rows.
int runningAt(const TimelineModel &model, double t)
{
    int n = 0;
    for (const TimelineRow &row : model.rows)
        n += (row.state != StepState::Cached && row.end > row.start && row.start <= t && t < row.end) ? 1 : 0;
    return n;
}

/// The plot's step function evaluated at t.
int stepValueAt(const QList<QPointF> &steps, double t)
{
    int value = 0;
    for (const QPointF &p : steps) {
        if (p.x() <= t)
            value = int(p.y());
    }
    return value;
}

} // namespace

class TestTimelinePlot : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        Test::setCNumericLocale();
        applyTheme(ThemeMode::Light);
    }

    void bars_data()
    {
        QTest::addColumn<QString>("caseName");
        QTest::addRow("00-cold") << QStringLiteral("00-cold");
        QTest::addRow("02-edit-src") << QStringLiteral("02-edit-src");
        QTest::addRow("22-fail-run-exit1") << QStringLiteral("22-fail-run-exit1");
        QTest::addRow("overlapping, exact times") << QString();
    }

    void bars()
    {
        QFETCH(QString, caseName);
        TsvCounts counts;
        const TimelineModel model =
            caseName.isEmpty() ? overlapping(&counts) : modelFromSteps(caseName, &counts);
        QVERIFY(!model.rows.isEmpty());
        TimelinePlot plot;
        plot.resize(1000, 700);
        plot.setModel(model);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));

        QCOMPARE(plot.barCount(), counts.done);
        QCOMPARE(plot.cachedMarkerCount(), counts.cached);
        QCOMPARE(plot.errorMarkerCount(), counts.error);
        const bool estimated = std::any_of(
            model.rows.begin(), model.rows.end(), [](const TimelineRow &r) { return r.estimated; });
        QCOMPARE(plot.isEstimatedNoticeVisible(), estimated);
        int valid = 0;
        for (const TimelinePrediction &p : model.predicted)
            valid += (p.row >= 0 && p.row < model.rows.size()) ? 1 : 0;
        QCOMPARE(plot.predictedBarCount(), valid);
        // Two axis rects: the Gantt chart and the concurrency chart under it, sharing the time range.
        QCOMPARE(plot.plot()->axisRectCount(), 2);
        QCOMPARE(plot.plot()->axisRect(0)->axis(QCPAxis::atBottom)->range(),
            plot.plot()->axisRect(1)->axis(QCPAxis::atBottom)->range());

        // The concurrency chart agrees with a direct count at every event time and between them.
        QList<double> times;
        for (const TimelineRow &row : model.rows)
            times << row.start << row.end << (row.start + row.end) / 2;
        const QList<QPointF> steps = plot.concurrencyData();
        for (double t : times)
            QVERIFY2(stepValueAt(steps, t) == runningAt(model, t),
                qPrintable(QStringLiteral("at %1 s: chart %2, rows %3")
                               .arg(t)
                               .arg(stepValueAt(steps, t))
                               .arg(runningAt(model, t))));
    }

    void analysisConcurrencyWins_data()
    {
        QTest::addColumn<QList<QPointF>>("given");
        QTest::addRow("step function") << QList<QPointF> {{0, 0}, {1, 3}, {4, 1}, {9, 0}};
    }

    void analysisConcurrencyWins()
    {
        QFETCH(QList<QPointF>, given);
        TsvCounts counts;
        TimelineModel model = overlapping(&counts);
        model.concurrency = given;
        TimelinePlot plot;
        plot.setModel(model);
        QCOMPARE(plot.concurrencyData(), given);
    }

    // A build of thousands of vertices: every row is there, yet only what is on screen costs anything (row
    // labels for the visible rows, the running count binned to the range shown with its peaks kept).
    void thousandsOfRows()
    {
        TimelineModel model;
        const int n = 6000;
        for (int i = 0; i < n; ++i) {
            TimelineRow row;
            row.stage = i % 4;
            row.label = QStringLiteral("[stage-%1] RUN step %2").arg(row.stage).arg(i);
            row.stageName = QStringLiteral("stage-%1").arg(row.stage);
            row.start = i * 0.5;
            row.end = i * 0.5 + (i % 7 == 0 ? 9 : 2);
            row.state = StepState::Ran;
            model.rows.append(row);
        }
        TimelinePlot plot;
        plot.resize(1000, 600);
        plot.setModel(model);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(plot.barCount(), n);

        const QList<QPointF> steps = plot.concurrencyData();
        QVERIFY2(steps.size() > 4000, qPrintable(QString::number(steps.size())));
        double peak = 0;
        for (const QPointF &p : steps)
            peak = std::max(peak, p.y());
        QCPGraph *running = plot.plot()->graph(0);
        QVERIFY2(running->data()->size() <= 1000, qPrintable(QString::number(running->data()->size())));
        double drawnPeak = 0;
        for (const QCPGraphData &d : *running->data())
            drawnPeak = std::max(drawnPeak, d.value);
        QCOMPARE(drawnPeak, peak);

        QSet<QString> names;
        for (const TimelineRow &row : model.rows)
            names.insert(row.label);
        QCPAxis *y = plot.plot()->axisRect()->axis(QCPAxis::atLeft);
        QVector<QString> labels = y->tickVectorLabels();
        QVERIFY2(!labels.isEmpty() && labels.size() < 100, qPrintable(QString::number(labels.size())));
        for (const QString &label : labels)
            QVERIFY2(names.contains(label), qPrintable(label));
        // A row far down, once selected, is scrolled to and named.
        plot.selectRow(n - 2);
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        labels = y->tickVectorLabels();
        QVERIFY(labels.contains(model.rows[n - 2].label));
        QCOMPARE(plot.rowAt(plot.rowPosition(n - 2)), n - 2);
    }

    // Sorted by duration, the longest step is the top row and every bar comes before the cached steps; back
    // to start order, stages are grouped again.
    void sortByDuration()
    {
        TsvCounts counts;
        const TimelineModel model = overlapping(&counts);
        TimelinePlot plot;
        plot.resize(900, 500);
        plot.setModel(model);
        QCOMPARE(plot.sort(), TimelineSort::Start);
        const QList<int> startOrder = plot.displayOrder();
        plot.setSort(TimelineSort::Duration);
        const QList<int> order = plot.displayOrder();
        QCOMPARE(order.size(), model.rows.size());
        double previous = 1e300;
        bool cachedSeen = false;
        for (int index : order) {
            const TimelineRow &row = model.rows[index];
            if (row.state == StepState::Cached) {
                cachedSeen = true;
                continue;
            }
            QVERIFY2(!cachedSeen, qPrintable(row.label)); // bars first
            const double d = row.end - row.start;
            QVERIFY2(d <= previous, qPrintable(row.label));
            previous = d;
        }
        QCOMPARE(model.rows[order.first()].label, QStringLiteral("[builder 3/3] RUN build")); // 81 s
        plot.setSort(TimelineSort::Start);
        QCOMPARE(plot.displayOrder(), startOrder);
    }

    // Rows that do not fit get a visible scroll bar; scrolling moves the first row shown, within bounds.
    void scrollBar()
    {
        TimelineModel model;
        const int n = 60;
        for (int i = 0; i < n; ++i) {
            TimelineRow row;
            row.stage = i % 3;
            row.stageName = QStringLiteral("s%1").arg(row.stage);
            row.label = QStringLiteral("[s%1 %2/%3] RUN step").arg(row.stage).arg(i + 1).arg(n);
            row.start = i;
            row.end = i + 1.5;
            row.state = StepState::Ran;
            model.rows.append(row);
        }
        TimelinePlot plot;
        plot.resize(1000, 400);
        plot.setModel(model);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(plot.visibleRowCount() > 0 && plot.visibleRowCount() < n);
        QVERIFY(plot.isScrollBarVisible());
        QCOMPARE(plot.firstVisibleRow(), 0);
        plot.scrollToRow(20);
        QCOMPARE(plot.firstVisibleRow(), 20);
        plot.scrollToRow(10 * n); // past the end: the last page
        QCOMPARE(plot.firstVisibleRow(), n - plot.visibleRowCount());

        // Few rows: no scroll bar.
        model.rows.resize(3);
        plot.setModel(model);
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(!plot.isScrollBarVisible());
    }

    // A legend entry per stage only while there are few stages: more would squeeze the chart.
    void legendStagesCapped_data()
    {
        QTest::addColumn<int>("stages");
        QTest::addColumn<int>("entries");
        QTest::newRow("3 stages") << 3 << 3;
        QTest::newRow("8 stages") << 8 << 8;
        QTest::newRow("20 stages") << 20 << 0;
    }
    void legendStagesCapped()
    {
        QFETCH(int, stages);
        QFETCH(int, entries);
        TimelineModel model;
        for (int i = 0; i < stages * 2; ++i) {
            TimelineRow row;
            row.stage = i % stages;
            row.stageName = QStringLiteral("st%1").arg(row.stage);
            row.label = QStringLiteral("[st%1 1/2] RUN x%2").arg(row.stage).arg(i);
            row.start = i;
            row.end = i + 2;
            row.state = StepState::Ran;
            model.rows.append(row);
        }
        TimelinePlot plot;
        plot.setModel(model);
        QCOMPARE(plot.legendStageCount(), entries);
    }

    void selection_data()
    {
        QTest::addColumn<int>("row");
        QTest::addRow("first bar") << 0;
        QTest::addRow("error row") << 4;
        QTest::addRow("cached marker") << 5;
    }

    void selection()
    {
        QFETCH(int, row);
        TsvCounts counts;
        TimelinePlot plot;
        plot.resize(1000, 600);
        plot.setModel(overlapping(&counts));
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);

        QSignalSpy spy(&plot, &TimelinePlot::rowSelected);
        const QPoint at = plot.rowPosition(row);
        QCOMPARE(plot.rowAt(at), row);
        QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, at);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), row);
        QCOMPARE(plot.selectedRow(), row);

        plot.selectRow(1);
        QCOMPARE(plot.selectedRow(), 1);
        QCOMPARE(spy.size(), 1);

        // Tooltips are plain text, verbatim.
        QHelpEvent help(QEvent::ToolTip, at, plot.plot()->mapToGlobal(at));
        QApplication::sendEvent(plot.plot(), &help);
        QVERIFY2(PlainToolTip::currentText().startsWith(plot.model().rows[row].label),
            qPrintable(PlainToolTip::currentText()));
        PlainToolTip::hideText();
    }

    void wheelZoomsTime_data()
    {
        QTest::addColumn<int>("delta");
        QTest::addRow("in") << 120;
        QTest::addRow("out after in") << -120;
    }

    void wheelZoomsTime()
    {
        QFETCH(int, delta);
        TsvCounts counts;
        TimelinePlot plot;
        plot.resize(1000, 600);
        plot.setModel(overlapping(&counts));
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCPAxis *x = plot.plot()->axisRect(0)->axis(QCPAxis::atBottom);
        QCPAxis *y = plot.plot()->axisRect(0)->axis(QCPAxis::atLeft);
        const QPoint centre = plot.plot()->axisRect(0)->rect().center();
        auto wheel = [&](int d) {
            QWheelEvent event(centre, plot.plot()->mapToGlobal(centre), QPoint(), QPoint(0, d), Qt::NoButton,
                Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(plot.plot(), &event);
        };
        if (delta < 0)
            wheel(360); // zoom in first so that zooming out has room
        const QCPRange before = x->range();
        const QCPRange rows = y->range();
        wheel(delta);
        QVERIFY2(delta > 0 ? x->range().size() < before.size() : x->range().size() > before.size(),
            qPrintable(QStringLiteral("%1 -> %2").arg(before.size()).arg(x->range().size())));
        QCOMPARE(y->range(), rows); // horizontal only
        QCOMPARE(plot.plot()->axisRect(1)->axis(QCPAxis::atBottom)->range(), x->range());
    }

    void screenshots_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("caseName");
        QTest::addRow("timeline-light-1280") << false << QSize(1280, 800) << QString();
        QTest::addRow("timeline-dark-1280") << true << QSize(1280, 800) << QString();
        QTest::addRow("timeline-light-2560-00-cold")
            << false << QSize(2560, 1600) << QStringLiteral("00-cold");
        QTest::addRow("timeline-dark-2560-02-edit-src")
            << true << QSize(2560, 1600) << QStringLiteral("02-edit-src");
    }

    void screenshots()
    {
        QFETCH(bool, dark);
        QFETCH(QSize, size);
        QFETCH(QString, caseName);
        applyTheme(dark ? ThemeMode::Dark : ThemeMode::Light);
        TsvCounts counts;
        TimelinePlot plot;
        plot.resize(size);
        plot.setModel(caseName.isEmpty() ? overlapping(&counts) : modelFromSteps(caseName, &counts));
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.selectRow(1);
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        const QPixmap shot = plot.grab();
        QVERIFY(!shot.isNull());
        QVERIFY(shot.save(
            QStringLiteral("/tmp/stagelens-%1.png").arg(QString::fromLatin1(QTest::currentDataTag()))));
        applyTheme(ThemeMode::Light);
    }
};

QTEST_MAIN(TestTimelinePlot)
#include "tst_timelineplot.moc"
