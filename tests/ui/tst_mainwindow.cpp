// The main window on real corpus projects and logs: the scene has what the Dockerfile and the log say.
#include "model/analysis/contexttreemodel.h"
#include "model/buildlog/buildlogreader.h"
#include "model/core/duration.h"
#include "model/itemmodels/diagnosticsmodel.h"
#include "model/itemmodels/sloweststepsmodel.h"
#include "model/report/markdownreport.h"
#include "model/report/reportdata.h"
#include "testutils.h"
#include "ui/compare/comparepane.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagoverview.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/mainwindow.h"
#include "ui/panes/problemspane.h"
#include "ui/panes/sloweststepspane.h"
#include "ui/panes/sourceview.h"
#include "ui/panes/stepdetailspane.h"
#include "ui/plots/plotmodule.h"
#include "ui/plots/timelineplot.h"
#include "ui/welcomepage.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTimer>

using namespace Stagelens;

namespace {

QString project()
{
    return Test::corpusPath(QStringLiteral("buildkit-real/project"));
}

QString realLog(const QString &name)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + name);
}

// Opens paths and waits until logs are read and the graph is laid out.
bool openAndWait(MainWindow &window, const QStringList &paths)
{
    bool idle = false;
    window.openPaths(paths);
    window.whenIdle([&idle]() { idle = true; });
    return QTest::qWaitFor([&idle]() { return idle; }, 20000);
}

StepState expectedState(const BuildVertex &vertex)
{
    switch (vertex.status) {
    case VertexStatus::Done:
        return StepState::Ran;
    case VertexStatus::Cached:
        return StepState::Cached;
    case VertexStatus::Error:
        return StepState::Error;
    case VertexStatus::Running:
        return StepState::Running;
    case VertexStatus::Canceled:
        break;
    }
    return StepState::Canceled;
}

QString writeManyBuilds(const QTemporaryDir &dir, int copies)
{
    return Test::writeRepeatedColdBuild(dir.path(), copies);
}

QPair<int, int> findStep(const MainWindow &window, const QString &labelStart)
{
    for (StepNodeItem *item : window.dagView()->dagScene()->stepItems()) {
        if (item->data().label.startsWith(labelStart))
            return {item->stage(), item->step()};
    }
    return {-1, -1};
}

QPushButton *cancelButton(MainWindow &window)
{
    for (QPushButton *button : window.findChildren<QPushButton *>()) {
        if (button->text() == QLatin1String("Cancel"))
            return button;
    }
    return nullptr;
}

QComboBox *buildSelector(MainWindow &window)
{
    for (QComboBox *combo : window.findChildren<QComboBox *>()) {
        if (combo->toolTip() == QLatin1String("Every build found in the opened logs"))
            return combo;
    }
    return nullptr;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        Test::setCNumericLocale();
        // Keep the user's settings (recent files, theme) out of the test.
        QStandardPaths::setTestModeEnabled(true);
    }
    // Each test starts from the default view (unneeded stages hidden), whatever the one before chose.
    void init() { QSettings().remove(QStringLiteral("view/showUnneededStages")); }

    void sceneMatchesDockerfileAndLog_data()
    {
        QTest::addColumn<QString>("log");
        QTest::addRow("cold") << QStringLiteral("00-cold.log");
        QTest::addRow("edit src") << QStringLiteral("02-edit-src.log");
        QTest::addRow("tty capture") << QStringLiteral("26-tty-progress-edit-asset.log");
    }
    void sceneMatchesDockerfileAndLog()
    {
        QFETCH(QString, log);
        MainWindow window;
        window.setShowUnneededStages(true); // every stage of the file, needed or not
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, {project(), realLog(log)}));

        const BuildGraph &graph = window.graph();
        QVERIFY2(graph.stages.size() == 6,
            qPrintable(window.dockerfilePath() + QLatin1Char(' ') + graph.diagnostics.value(0).toString()));
        QCOMPARE(window.buildCount(), 1);
        QVERIFY(window.selectedBuild());
        DagScene *scene = window.dagView()->dagScene();
        QVERIFY(!scene->isLayoutPending());

        // One cluster per stage, one node per step BuildKit prints.
        QCOMPARE(scene->clusterItems().size(), graph.stages.size());
        int vertexSteps = 0;
        for (const Stage &stage : graph.stages)
            vertexSteps += stage.vertexCount();
        QCOMPARE(scene->stepItems().size(), vertexSteps);
        // An edge per stage dependency (FROM <stage>, COPY --from), plus the base image edges.
        QVERIFY(scene->dependencyItems().size() >= graph.edges.size());
        QCOMPARE(scene->imageItems().size(), 1); // every stage is built on localbase:1

        // Node states are the log's: each matched node shows the status of its vertex.
        const BuildRun &run = *window.selectedBuild();
        const BuildAnalysis &analysis = window.analysis();
        int checked = 0;
        int critical = 0;
        for (StepNodeItem *item : scene->stepItems()) {
            const Stage &stage = graph.stages.at(item->stage());
            QVERIFY(stage.needed || item->data().state == StepState::NotInLog
                || item->data().state == StepState::Ran); // the shared FROM vertex
            if (item->data().critical)
                ++critical;
            const QString label = item->data().label;
            for (const BuildVertex &vertex : run.vertices) {
                if (vertex.name == label && !label.contains(QLatin1String("FROM"))) {
                    QCOMPARE(item->data().state, expectedState(vertex));
                    ++checked;
                }
            }
        }
        QVERIFY2(checked >= 10, qPrintable(QString::number(checked)));
        QCOMPARE(critical > 0, !analysis.criticalPath.isEmpty());
        QVERIFY(!analysis.criticalPath.isEmpty() || log.startsWith(QLatin1String("26")));
    }

    // The status bar, the report headline and `stagelens log` show one build's figures alike (#15): each is
    // the build summary, whose counts tst_buildsummary checks against a scan of the raw log. The figures the
    // issue states for this CI log (5 of its 9 Dockerfile steps cached, failed) are checked here as well.
    void figuresAgreeEverywhere()
    {
        const QString log = Test::corpusPath(
            QStringLiteral("logs/langkebo-synapse-rust-context-transfer-progress-run-error.log"));
        QProcess cli;
        cli.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("log"), log, QStringLiteral("--json")});
        QVERIFY(cli.waitForFinished(30000));
        const QJsonObject summary = QJsonDocument::fromJson(cli.readAllStandardOutput())
                                        .object()[QStringLiteral("builds")]
                                        .toArray()
                                        .last()[QStringLiteral("summary")]
                                        .toObject();
        const int steps = summary[QStringLiteral("steps")].toInt();
        const int cached = summary[QStringLiteral("cached")].toInt();
        const int ran = summary[QStringLiteral("ran")].toInt();
        const int errors = summary[QStringLiteral("errors")].toInt();
        QCOMPARE(steps, 9);
        QCOMPARE(cached, 5);
        QCOMPARE(errors, 1);

        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {log}));
        const QString status = window.statusText();
        QVERIFY2(status.startsWith(QLatin1String("FAILED")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("%1 Dockerfile steps: %2 cached, %3 ran, %4 failed")
                                     .arg(steps)
                                     .arg(cached)
                                     .arg(ran)
                                     .arg(errors)),
            qPrintable(status));
        QVERIFY2(
            status.contains(QStringLiteral("cache hits %1%").arg(qRound(100.0 * cached / (cached + ran)))),
            qPrintable(status));
        const QString markdown = reportToMarkdown(makeReportData(window.reportInput()));
        QVERIFY2(markdown.startsWith(QLatin1String("## FAILED:")), qPrintable(markdown.left(200)));
        QVERIFY2(markdown.contains(QStringLiteral("| Dockerfile steps | %1: %2 ran, %3 cached, %4 failed |")
                                       .arg(steps)
                                       .arg(ran)
                                       .arg(cached)
                                       .arg(errors)),
            qPrintable(markdown.left(3000)));

        // Failures first: the banner names the step the summary names, with its exit code, and jumps to it.
        const QString failedStep = summary[QStringLiteral("failed_step")].toString();
        QVERIFY(!failedStep.isEmpty());
        QVERIFY2(window.failureText().contains(failedStep), qPrintable(window.failureText()));
        QVERIFY2(
            window.failureText().contains(QLatin1String("exit code 101")), qPrintable(window.failureText()));
        // BuildKit's excerpt of the failing RUN, whole, under the message.
        QCOMPARE(window.failureDetail(), summary[QStringLiteral("error_context")].toString());
        QVERIFY(window.failureDetail().startsWith(QLatin1String("Dockerfile.multistage:39\n")));
        QVERIFY(window.failureDetail().contains(QLatin1String("  43 | >>>     && strip --strip-all")));
        QPushButton *jump = nullptr;
        for (QPushButton *b : window.findChildren<QPushButton *>()) {
            if (b->text() == QLatin1String("Show step") && b->isVisible())
                jump = b;
        }
        QVERIFY(jump);
        jump->click();
        const StepRef selected = window.selectedStep();
        QVERIFY(selected.isValid());
        QCOMPARE(window.graph().step(selected)->label, failedStep);
    }

    // A CI log alone: the slowest-steps list puts the step that took the build's time first (the 490 s
    // gradle assemble of this log, 83% of its wall time, was off screen on the timeline), and a click on
    // it selects that step everywhere.
    void slowestStepsFirst()
    {
        const QString log =
            Test::corpusPath(QStringLiteral("logs/LFDT-Paladin-paladin-desktop-linux-long-multistage.log"));
        // The longest "DONE <s>s" line of the log, read here independently of the reader.
        const QByteArray text = Test::readAll(log);
        static const QRegularExpression done(
            QStringLiteral("^#(\\d+) DONE ([0-9.]+)s$"), QRegularExpression::MultilineOption);
        double longest = 0;
        QString longestId;
        for (auto it = done.globalMatch(QString::fromUtf8(text)); it.hasNext();) {
            const auto m = it.next();
            if (m.captured(2).toDouble() > longest) {
                longest = m.captured(2).toDouble();
                longestId = m.captured(1);
            }
        }
        QCOMPARE(longest, 489.9);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {log}));
        SlowestStepsPane *pane = window.slowestSteps();
        QCOMPARE(pane->model()->rowCount(), window.selectedBuild()->vertices.size());
        const int top = pane->vertexAtRow(0);
        QVERIFY(top >= 0);
        const BuildVertex &v = window.selectedBuild()->vertices[top];
        QCOMPARE(v.id, QStringLiteral("#") + longestId);
        QVERIFY2(
            v.name.contains(QLatin1String("gradle --no-daemon --parallel assemble")), qPrintable(v.name));
        // Its share of the wall time, as the issue counted it.
        const QString share =
            pane->view()->model()->index(0, SlowestStepsModel::ShareColumn).data().toString();
        const double wall = *window.analysis().summary.wallSeconds;
        QCOMPARE(share, QStringLiteral("%1%").arg(qRound(100 * std::min(1.0, 489.9 / wall))));
        // Steps with no duration sort last and never read as 0: cached ones say so, others are unknown.
        const int last = pane->view()->model()->rowCount() - 1;
        const QString lastTime =
            pane->view()->model()->index(last, SlowestStepsModel::SecondsColumn).data().toString();
        QVERIFY(window.analysis().summary.cached > 0);
        QCOMPARE(lastTime, QStringLiteral("cached"));

        pane->view()->scrollTo(pane->view()->model()->index(0, 0));
        const QRect cell = pane->view()->visualRect(pane->view()->model()->index(0, 0));
        qobject_cast<QTabWidget *>(pane->parentWidget()->parentWidget())->setCurrentWidget(pane);
        QTest::mouseClick(pane->view()->viewport(), Qt::LeftButton, {}, cell.center());
        const StepRef selected = window.selectedStep();
        QVERIFY(selected.isValid());
        QCOMPARE(window.graph().step(selected)->label, v.name);
        QVERIFY(window.grab().save(QDir::temp().filePath(QStringLiteral("stagelens-slowest-steps.png"))));
        // Filtering narrows the list to matching steps.
        pane->setFilterText(QStringLiteral("base-builder"));
        QVERIFY(pane->view()->model()->rowCount() > 0);
        for (int r = 0; r < pane->view()->model()->rowCount(); ++r) {
            const QModelIndex step = pane->view()->model()->index(r, SlowestStepsModel::StepColumn);
            QVERIFY2(step.data().toString().contains(QLatin1String("base-builder"))
                    || step.data(SlowestStepsModel::StageRole).toString() == QLatin1String("base-builder"),
                qPrintable(step.data().toString()));
        }
    }

    // Issue #16: Docker's own big Dockerfiles open readable at 1280x800 and 1920x1080: only the stages the
    // target needs (one toggle shows the rest), every text of the graph at least 9 px tall on screen, part
    // of the graph in view, and an overview beside the view whenever the graph scrolls.
    void bigGraphsReadable_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addColumn<QSize>("size");
        for (const char *name : {"moby__buildkit", "docker__cli", "docker__buildx"}) {
            for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
                QTest::addRow("%s %dx%d", name, size.width(), size.height()) << Test::corpusPath(
                    QStringLiteral("dockerfiles/%1__Dockerfile/Dockerfile").arg(QLatin1String(name)))
                                                                             << size;
            }
        }
    }
    void bigGraphsReadable()
    {
        QFETCH(QString, dockerfile);
        QFETCH(QSize, size);
        MainWindow window;
        window.setShowUnneededStages(false);
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, {dockerfile}));
        int needed = 0;
        for (const Stage &stage : window.graph().stages)
            needed += stage.needed ? 1 : 0;
        QVERIFY(needed > 0 && needed < window.graph().stages.size());
        QCOMPARE(window.dagInput().model.stages.size(), needed);
        QCOMPARE(window.dagInput().hiddenStages, window.graph().stages.size() - needed);
        for (int i = 0; i < window.dagInput().model.stages.size(); ++i) {
            QVERIFY(window.dagInput().model.stages[i].needed);
            QCOMPARE(window.dagInput().model.stages[i].name,
                window.graph().stages[window.dagInput().stageIndex[i]].token());
        }
        QVERIFY2(window.statusText().contains(
                     QStringLiteral("%1 not needed, hidden").arg(window.graph().stages.size() - needed)),
            qPrintable(window.statusText()));

        // Text height on screen: each font of the drawing at the view's scale.
        DagView *view = window.dagView();
        const DagFonts &fonts = view->dagScene()->fonts();
        const qreal scale = view->transform().m11();
        for (const QFont &font : {fonts.text, fonts.bold, fonts.small, fonts.smallBold, fonts.title}) {
            const qreal px = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * 96 / 72;
            QVERIFY2(px * scale >= 9.0 - 1e-6, qPrintable(QStringLiteral("%1 px").arg(px * scale)));
        }
        // Some step is on screen, not an empty corner of the graph's bounding box.
        const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
        int onScreen = 0;
        for (QGraphicsItem *item : view->dagScene()->items(visible))
            onScreen += (dynamic_cast<StepNodeItem *>(item) || dynamic_cast<StageNodeItem *>(item)) ? 1 : 0;
        QVERIFY2(onScreen > 0, "no step on screen");
        const bool scrolls =
            view->horizontalScrollBar()->maximum() > 0 || view->verticalScrollBar()->maximum() > 0;
        QTRY_COMPARE(!view->overviewWidget()->isHidden(), scrolls);

        // The toggle brings every stage back; a step selected in a shown stage keeps its graph index.
        window.setShowUnneededStages(true);
        QCOMPARE(window.dagInput().model.stages.size(), window.graph().stages.size());
        QCOMPARE(window.dagInput().hiddenStages, 0);
        window.setShowUnneededStages(false);
        const int lastNeeded = window.dagInput().stageIndex.last();
        window.selectStep(lastNeeded, 0);
        QCOMPARE(window.selectedStep(), (StepRef {lastNeeded, 0}));
    }

    // View > Project Pane / Details Pane fold the side panes away for a bigger graph, and bring them back.
    void sidePanesFold()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("02-edit-src.log"))}));
        QAction *projectAction = nullptr;
        QAction *detailsAction = nullptr;
        for (QAction *a : window.findChildren<QAction *>()) {
            if (a->text() == QLatin1String("&Project Pane"))
                projectAction = a;
            if (a->text() == QLatin1String("&Details Pane"))
                detailsAction = a;
        }
        QVERIFY(projectAction && detailsAction);
        auto paneOf = [&window](const char *className) -> QWidget * {
            for (QWidget *w : window.findChildren<QWidget *>()) {
                if (QLatin1String(w->metaObject()->className()) == QLatin1String(className))
                    return w;
            }
            return nullptr;
        };
        QWidget *pane = paneOf("Stagelens::ProjectPane");
        QWidget *tabs = window.slowestSteps()->parentWidget()->parentWidget();
        QVERIFY(pane && pane->isVisible() && tabs->isVisible());
        const int graphWidth = window.dagView()->width();
        projectAction->trigger();
        detailsAction->trigger();
        QVERIFY(!pane->isVisible() && !tabs->isVisible());
        QTRY_VERIFY(window.dagView()->width() > graphWidth + 300);
        projectAction->trigger();
        detailsAction->trigger();
        QVERIFY(pane->isVisible() && tabs->isVisible());
    }

    // A CI log holding only BuildKit's failure summary gives no build: the status bar says so (not "open a
    // file"), and the Problems pane shows each problem's message first, readable in the narrow pane, with
    // where it was found after it.
    void logWithoutBuildsSaysSo()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        const QString log =
            Test::corpusPath(QStringLiteral("logs/buildx-1619-gha-timestamps-error-context.log"));
        QVERIFY(openAndWait(window, {log}));
        QCOMPARE(window.buildCount(), 0);
        QVERIFY2(window.statusText().startsWith(
                     QLatin1String("No build steps in buildx-1619-gha-timestamps-error-context.log")),
            qPrintable(window.statusText()));
        // The empty canvas says why it is empty.
        QVERIFY2(window.dagView()->emptyText().startsWith(QLatin1String("No build steps to draw")),
            qPrintable(window.dagView()->emptyText()));
        // The failure banner says where it failed, as the summary the log kept does.
        QVERIFY2(
            window.failureText().endsWith(QLatin1String("no build steps: the build failed at Dockerfile:52")),
            qPrintable(window.failureText()));
        ProblemsPane *pane = window.findChild<ProblemsPane *>();
        QVERIFY(pane);
        QTableView *table = pane->findChild<QTableView *>();
        QVERIFY(table && table->model()->rowCount() >= 2);
        QTRY_VERIFY(table->isVisible()); // an error brings the Problems tab to the front
        const QHeaderView *header = table->horizontalHeader();
        QCOMPARE(header->logicalIndex(0), int(DiagnosticsModel::SeverityColumn));
        QCOMPARE(header->logicalIndex(1), int(DiagnosticsModel::MessageColumn));
        QVERIFY(table->columnWidth(DiagnosticsModel::WhereColumn) <= table->viewport()->width() / 3);
        QVERIFY(table->columnWidth(DiagnosticsModel::MessageColumn)
            >= table->columnWidth(DiagnosticsModel::WhereColumn));
    }

    // A file of several MiB that is no Dockerfile (thousands of stages and problems): its graph is built on a
    // worker while the window says so, the source view shows its first MiB and says the rest is left out, and
    // the Problems pane lists the problems a line each instead of measuring every wrapped row.
    void hugeDockerfileStaysResponsive()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QByteArray text;
        for (int i = 0; text.size() < 3 * (1 << 20); ++i)
            text += "FROM alpine AS s" + QByteArray::number(i) + "\nRUN echo " + QByteArray::number(i)
                + "\nFROM $UNSET_" + QByteArray::number(i) + "\n";
        QFile file(dir.filePath(QStringLiteral("Dockerfile")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        const int lines = int(text.count('\n'));
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        bool idle = false;
        window.openPaths({file.fileName()});
        QVERIFY2(window.statusText().startsWith(QLatin1String("Reading Dockerfile")),
            qPrintable(window.statusText()));
        QCOMPARE(window.dagView()->emptyText(), QStringLiteral("Reading the Dockerfile..."));
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 60000));
        QCOMPARE(window.graph().stages.size(), text.count("FROM ")); // a stage per FROM line, as written
        QVERIFY(window.dagView()->emptyText().isEmpty());

        SourceView *source = window.findChild<StepDetailsPane *>()->sourceView();
        QVERIFY(source->blockCount() < lines / 2);
        const QString last = source->document()->lastBlock().text();
        QVERIFY2(last.endsWith(QLatin1String("more lines of this file not shown]")), qPrintable(last));
        QCOMPARE(source->document()->firstBlock().text(), QStringLiteral("FROM alpine AS s0"));

        QTableView *table = window.findChild<ProblemsPane *>()->findChild<QTableView *>();
        QVERIFY(table->model()->rowCount() > ProblemsPane::MaxWrappedRows);
        QVERIFY(!table->wordWrap());
        QCOMPARE(table->rowHeight(0), table->verticalHeader()->defaultSectionSize());
    }

    // Past a MiB the source view shows whole lines and says how many it leaves out: counted here from how the
    // text was made (lines of 100 characters), with and without a newline at the end, and for a first line
    // longer than a MiB.
    void sourceViewSaysWhatItLeavesOut()
    {
        SourceView view;
        constexpr int Lines = 20000;
        QString text;
        for (int i = 0; i < Lines; ++i)
            text += QString(99, QLatin1Char('a' + i % 26)) + QLatin1Char('\n');
        const int shown = int(SourceView::MaxShownCharacters / 100); // whole lines within the first MiB
        for (const bool finalNewline : {true, false}) {
            view.setSource(finalNewline ? text : text.chopped(1));
            QCOMPARE(view.blockCount(), shown + 1);
            QCOMPARE(view.document()->findBlockByNumber(shown - 1).text(), text.mid((shown - 1) * 100, 99));
            QCOMPARE(view.document()->lastBlock().text(),
                QStringLiteral("[%1 more lines of this file not shown]").arg(Lines - shown));
        }
        // The note is no line of the file: a double-click on its number asks about no line.
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QWidget *gutter = nullptr;
        for (QWidget *child : view.findChildren<QWidget *>(Qt::FindDirectChildrenOnly)) {
            // The gutter: left of the text (the scroll bars' containers are plain QWidgets too).
            if (child != view.viewport() && child->geometry().right() < view.viewport()->x())
                gutter = child;
        }
        QVERIFY(gutter);
        QSignalSpy toggled(&view, &SourceView::lineToggled);
        const auto doubleClickOn = [&](int block) {
            QTextCursor cursor(view.document()->findBlockByNumber(block));
            view.setTextCursor(cursor);
            view.ensureCursorVisible();
            const QPoint inView = view.viewport()->mapToParent(view.cursorRect(cursor).center());
            QTest::mouseDClick(gutter, Qt::LeftButton, {}, gutter->mapFromParent(QPoint(2, inView.y())));
        };
        doubleClickOn(shown - 1);
        QCOMPARE(toggled.size(), 1);
        QCOMPARE(toggled.takeFirst().at(0).toInt(), shown);
        doubleClickOn(shown);
        QCOMPARE(toggled.size(), 0);
        // A step on lines past the cut is not marked on the note; one before it is.
        view.highlightLines(shown + 1, shown + 2);
        QVERIFY(view.extraSelections().isEmpty());
        view.highlightLines(shown, shown + 2);
        QCOMPARE(view.extraSelections().size(), 1);

        view.setSource(
            QString(SourceView::MaxShownCharacters + 10, QLatin1Char('x')) + QStringLiteral("\nb\nc"));
        QCOMPARE(view.blockCount(), 2);
        QCOMPARE(view.document()->lastBlock().text(),
            QStringLiteral("[the line above is cut; 2 more lines of this file not shown]"));
        view.setSource(QStringLiteral("FROM alpine\nRUN true\n"));
        QCOMPARE(view.toPlainText(), QStringLiteral("FROM alpine\nRUN true\n"));
    }

    // A Dockerfile with no stage to draw (no FROM): the canvas points at the Problems pane.
    void dockerfileWithoutStagesSaysWhy()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath(QStringLiteral("Dockerfile")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("RUN echo no stage\n");
        file.close();
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {file.fileName()}));
        QVERIFY(window.graph().stages.isEmpty());
        QVERIFY2(window.dagView()->emptyText().startsWith(QLatin1String("No stage to draw")),
            qPrintable(window.dagView()->emptyText()));
        // A file with stages has nothing to explain.
        QVERIFY(openAndWait(window, {project()}));
        QVERIFY(!window.graph().stages.isEmpty());
        QVERIFY(window.dagView()->emptyText().isEmpty());
    }

    // The empty window is the welcome page alone: the graph, timelines and panes are built when the first
    // file opens (start-up time), and the View menu and a bar added meanwhile wait for them.
    // The timeline charts (the plots module's) are made when a build is first shown: a project without a log
    // shows the graph alone and makes none; the log then brings the chart, with its rows.
    void timelineMadeWithTheFirstBuild()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project()}));
        QVERIFY(window.dagView()->isVisible());
        QVERIFY(window.findChildren<TimelinePlot *>().isEmpty());
        QVERIFY(openAndWait(window, {realLog(QStringLiteral("02-edit-src.log"))}));
        const QList<TimelinePlot *> charts = window.findChildren<TimelinePlot *>();
        QCOMPARE(charts.size(), 2); // the build's, and compare mode's earlier build (hidden)
        auto *chart = qobject_cast<TimelinePlot *>(window.timeline()->widget());
        QVERIFY(chart && chart->isVisible());
        QVERIFY(!window.beforeTimeline()->widget()->isVisible());
        // A row per vertex of the build, a bar per step that ran with both times, a tick per cached step
        // with its time: counted here from the log as the reader gives it, not from the window.
        const BuildLogResult read = readBuildLogFile(realLog(QStringLiteral("02-edit-src.log")));
        QCOMPARE(read.builds.size(), 1);
        int bars = 0;
        int ticks = 0;
        for (const BuildVertex &v : read.builds.first().vertices) {
            if (v.status == VertexStatus::Cached)
                ticks += v.start ? 1 : 0;
            else
                bars += v.start && v.end && *v.end >= *v.start ? 1 : 0;
        }
        QCOMPARE(chart->model().rows.size(), read.builds.first().vertices.size());
        QVERIFY(bars > 0 && ticks > 0);
        QCOMPARE(chart->barCount(), bars);
        QCOMPARE(chart->cachedMarkerCount(), ticks);
    }

    void viewsBuiltWhenTheFirstFileOpens()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.isWelcomeShown());
        QVERIFY(window.findChildren<DagView *>().isEmpty());
        QVERIFY(window.findChildren<TimelinePlot *>().isEmpty());
        QVERIFY(buildSelector(window) && !buildSelector(window)->isVisible()); // shown with the views
        auto *bar = new QLabel(QStringLiteral("a bar above the graph"));
        window.addTopBar(bar);
        QVERIFY(!bar->isVisible());
        auto *hiddenBar = new QLabel(QStringLiteral("shown when there is something to offer"));
        hiddenBar->hide();
        window.addTopBar(hiddenBar);
        QVERIFY(!bar->isWindow()); // never a window of its own
        QAction *detailsAction = nullptr;
        for (QAction *a : window.findChildren<QAction *>()) {
            const QString text = a->text();
            if (text == QLatin1String("&Fit Graph") || text == QLatin1String("Zoom &In"))
                a->trigger();
            if (text == QLatin1String("&Details Pane"))
                detailsAction = a;
        }
        QVERIFY(detailsAction);
        detailsAction->trigger(); // folded before there is anything to fold
        QVERIFY(window.findChildren<DagView *>().isEmpty());
        QVERIFY(window.failureText().isEmpty() && window.detailsText().isEmpty());

        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("02-edit-src.log"))}));
        QVERIFY(!window.isWelcomeShown());
        QCOMPARE(window.findChildren<DagView *>().size(), 1);
        QVERIFY(window.dagView()->isVisible());
        QVERIFY(window.timeline()->widget()->isVisible());
        // The timeline is the plots module's chart, with the build's rows, not the placeholder.
        QVERIFY2(PlotModule::isAvailable(), qPrintable(PlotModule::errorString()));
        auto *chart = qobject_cast<TimelinePlot *>(window.timeline()->widget());
        QVERIFY(chart);
        QVERIFY(chart->barCount() + chart->cachedMarkerCount() > 0);
        // Views built before the session changed follow it: the needed stages drawn, their steps with the
        // log's states.
        DagScene *scene = window.dagView()->dagScene();
        QVERIFY(!scene->isLayoutPending());
        int needed = 0;
        for (const Stage &stage : window.graph().stages)
            needed += stage.needed ? 1 : 0;
        QVERIFY(needed > 0);
        QCOMPARE(scene->clusterItems().size(), needed);
        int logged = 0;
        for (StepNodeItem *item : scene->stepItems())
            logged += item->data().state != StepState::NotInLog ? 1 : 0;
        QVERIFY(logged >= 10);
        QVERIFY(window.statusText().contains(QLatin1String("Wall time")));
        // The tool bar shown with the views lists the builds.
        QComboBox *builds = buildSelector(window);
        QVERIFY(builds && builds->isVisible());
        QCOMPARE(builds->count(), window.buildCount());
        QCOMPARE(builds->currentIndex(), window.session()->selectedBuild());
        QVERIFY(!window.slowestSteps()->isVisible()); // the details pane stayed folded
        detailsAction->trigger();
        QVERIFY(window.slowestSteps()->parentWidget()->parentWidget()->isVisible());
        // The bar waited for the graph and sits above it; one its owner hid stays hidden.
        QCOMPARE(bar->parentWidget(), window.dagView()->parentWidget());
        QVERIFY(bar->isVisible());
        QVERIFY(bar->y() < window.dagView()->y());
        QCOMPARE(hiddenBar->parentWidget(), window.dagView()->parentWidget());
        QVERIFY(!hiddenBar->isVisible());
    }

    // File > Compare with Previous Build (#19): 02-edit-src against 01-nochange, with the project's
    // Dockerfile for the FROM <stage> chains: one root (COPY src/), every other miss follows it, and a click
    // on the root selects it in the graph.
    void compareWithPrevious()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window,
            {project(), realLog(QStringLiteral("01-nochange.log")),
                realLog(QStringLiteral("02-edit-src.log"))}));
        QCOMPARE(window.buildCount(), 2);
        window.selectBuild(0);
        QVERIFY(!window.compareWithPrevious()); // nothing before the first build
        window.selectBuild(1);
        QSignalSpy shown(&window, &MainWindow::compareShown);
        ComparePane *dialog = window.compareWithPrevious();
        QVERIFY(dialog);
        QVERIFY(shown.count() > 0 || shown.wait(20000)); // compared on a worker
        QVERIFY(window.isCompareMode());
        QStringList roots;
        int missed = 0;
        for (const ComparedStep &s : dialog->result().steps) {
            missed += s.change == StepChange::Missed ? 1 : 0;
            if (s.root)
                roots.append(s.label);
            else if (s.change == StepChange::Missed)
                QCOMPARE(s.follows, QStringLiteral("[builder 2/3] COPY src/ ./"));
        }
        QCOMPARE(roots, QStringList {QStringLiteral("[builder 2/3] COPY src/ ./")});
        QCOMPARE(missed, 8); // b2 b3 t1 t2 r3 r4 r5 r6 ran in 02 (EXPECTED.md)
        QCOMPARE(dialog->causesTable()->rowCount(), 1);
        QCOMPARE(dialog->causesTable()->item(0, 0)->text(), QStringLiteral("files"));
        const QRect cell = dialog->stepsTable()->visualRect(dialog->stepsTable()->model()->index(0, 0));
        QTest::mouseClick(dialog->stepsTable()->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(window.selectedStep().isValid());
        QCOMPARE(window.graph().step(window.selectedStep())->label, roots.first());
        // A click on the cause selects its 8 steps and shows its root in the graph.
        window.selectStep(0, 1);
        const QRect causeCell = dialog->causesTable()->visualItemRect(dialog->causesTable()->item(0, 1));
        QTest::mouseClick(dialog->causesTable()->viewport(), Qt::LeftButton, {}, causeCell.center());
        QCOMPARE(dialog->selectedSteps().size(), 8);
        QCOMPARE(dialog->selectedSteps().first(), roots.first());
        QCOMPARE(window.graph().step(window.selectedStep())->label, roots.first());
        QVERIFY(dialog->grab().save(QDir::temp().filePath(QStringLiteral("stagelens-compare-window.png"))));
    }

    // A build that did not fail shows no failure banner.
    void noFailureBannerOnSuccess()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        QCOMPARE(window.failureText(), QString());
        QVERIFY(!window.statusText().contains(QLatin1String("FAILED")));
    }

    void selectionShowsDetailsEverywhere()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        QSignalSpy spy(&window, &MainWindow::stepSelected);
        // Select [builder 3/3] from the graph view as a click would.
        DagScene *scene = window.dagView()->dagScene();
        StepNodeItem *builderRun = nullptr;
        for (StepNodeItem *item : scene->stepItems()) {
            if (item->data().label.startsWith(QLatin1String("[builder 3/3]")))
                builderRun = item;
        }
        QVERIFY(builderRun);
        Q_EMIT window.dagView()->stepSelected(builderRun->stage(), builderRun->step());
        QCOMPARE(spy.count(), 1);
        const auto [stage, step] = window.selectedStep();
        QCOMPARE(window.graph().stages.at(stage).name, QStringLiteral("builder"));
        const QString details = window.detailsText();
        QVERIFY2(details.contains(QLatin1String("[builder 3/3] RUN sh build.sh")), qPrintable(details));
        QVERIFY2(details.contains(QLatin1String("State: ran")), qPrintable(details));
        QVERIFY2(details.contains(QLatin1String("lines 23-23")), qPrintable(details));
        // And back: selecting from outside selects the node in the scene.
        window.selectStep(stage, 1);
        QCOMPARE(scene->selectedStep().first, stage);
    }

    void tickingFilesAgreesWithWhatifCli_data()
    {
        QTest::addColumn<QStringList>("changed");
        QTest::addRow("src/util.c") << QStringList {QStringLiteral("src/util.c")};
        QTest::addRow("deps.manifest") << QStringList {QStringLiteral("deps.manifest")};
        QTest::addRow("asset and test")
            << QStringList {QStringLiteral("assets/style.css"), QStringLiteral("tests/run_tests.sh")};
        QTest::addRow("ignored file") << QStringList {QStringLiteral("README.md")};
    }
    void tickingFilesAgreesWithWhatifCli()
    {
        QFETCH(QStringList, changed);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        // Tick the files in the tree as the user would.
        ContextTreeModel *tree = window.contextModel();
        for (const QString &path : changed) {
            const QModelIndex index = tree->indexForPath(path);
            QVERIFY2(index.isValid(), qPrintable(path));
            QVERIFY(tree->setData(index, Qt::Checked, Qt::CheckStateRole));
        }
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 20000));

        // The same question through the CLI.
        QStringList args {QStringLiteral("whatif"), project(), QStringLiteral("--log"),
            realLog(QStringLiteral("00-cold.log")), QStringLiteral("--json")};
        for (const QString &path : changed)
            args << QStringLiteral("--changed") << path;
        QProcess cli;
        cli.start(QStringLiteral(STAGELENS_BINARY), args);
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        const QJsonArray steps = QJsonDocument::fromJson(cli.readAllStandardOutput())
                                     .object()
                                     .value(QStringLiteral("steps"))
                                     .toArray();
        QVERIFY(!steps.isEmpty());
        QHash<QString, QString> cliVerdicts;
        for (const QJsonValue &step : steps)
            cliVerdicts.insert(
                step[QStringLiteral("label")].toString(), step[QStringLiteral("verdict")].toString());

        // Every node the CLI lists shows the CLI's verdict.
        int compared = 0;
        for (StepNodeItem *item : window.dagView()->dagScene()->stepItems()) {
            const auto it = cliVerdicts.constFind(item->data().label);
            if (it == cliVerdicts.constEnd())
                continue;
            QCOMPARE(whatIfVerdictName(item->data().verdict), *it);
            ++compared;
        }
        QCOMPARE(compared, int(cliVerdicts.size()));
        QCOMPARE(window.whatIf().steps.size(), cliVerdicts.size());
        // The summary names the change and, with a log, the cost.
        QVERIFY2(window.whatIfSummary().contains(changed.first()), qPrintable(window.whatIfSummary()));
        // ... in proportion to the loaded build's wall time when something re-runs with a known time.
        if (window.whatIf().rerunSeconds > 0)
            QVERIFY2(window.whatIfSummary().contains(
                         QStringLiteral(" of the %1 build")
                             .arg(formatDuration(window.analysis().summary.wallSeconds))),
                qPrintable(window.whatIfSummary()));
        // And File > Export Report would carry the prediction.
        QVERIFY(window.reportInput().whatIf.has_value());
        // The answer is up front, in the banner over the graph; clearing it there clears the ticks too.
        QCOMPARE(window.answerText(), window.whatIfSummary());
        window.session()->clearChanges();
        QCOMPARE(window.answerText(), QString());
        QVERIFY(tree->checkedPaths().isEmpty());
    }

    // Ticking files and switching builds restyle the graph; Graphviz lays it out only when it changes.
    void whatIfAndBuildSwitchDoNotRelayout()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window,
            {project(), realLog(QStringLiteral("00-cold.log")), realLog(QStringLiteral("02-edit-src.log"))}));
        QCOMPARE(window.buildCount(), 2);
        DagScene *scene = window.dagView()->dagScene();
        const int layouts = scene->layoutCount();
        QSignalSpy restyled(scene, &DagScene::restyled);

        QVERIFY(
            window.contextModel()->setData(window.contextModel()->indexForPath(QStringLiteral("src/util.c")),
                Qt::Checked, Qt::CheckStateRole));
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 20000));
        QVERIFY(!window.whatIf().steps.isEmpty());
        int rerun = 0;
        for (StepNodeItem *item : scene->stepItems())
            rerun += item->data().verdict == WhatIfVerdict::Rerun ? 1 : 0;
        QVERIFY(rerun > 0);
        QCOMPARE(scene->layoutCount(), layouts);
        QVERIFY(restyled.size() >= 1);

        window.selectBuild(0); // the cold build: other states, same graph
        QVERIFY(!scene->isLayoutPending());
        QCOMPARE(scene->layoutCount(), layouts);
        const auto [stage, step] = findStep(window, QStringLiteral("[builder 3/3]"));
        QVERIFY(stage >= 0);
        QGraphicsItem *node = scene->stepItem(stage, step);
        QVERIFY(node);
        QCOMPARE(static_cast<StepNodeItem *>(node)->data().state, StepState::Ran);
    }

    // The selected step's output is read on a worker and shows up after the selection; a newer selection
    // drops the older read.
    void stepOutputReadOffTheGuiThread()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        const auto builder = findStep(window, QStringLiteral("[builder 3/3]"));
        const auto test = findStep(window, QStringLiteral("[test 2/2]"));
        QVERIFY(builder.first >= 0 && test.first >= 0);

        // Select as a click in the graph does (the view's step numbers are not the graph's).
        DagView *view = window.dagView();
        QSignalSpy shown(&window, &MainWindow::stepOutputShown);
        Q_EMIT view->stepSelected(builder.first, builder.second);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.size(), 1);
        QVERIFY2(window.stepOutputText().contains(QLatin1String("compiled 4 lines into /out/app")),
            qPrintable(window.stepOutputText()));

        // Two selections in a row: only the second one's output lands.
        Q_EMIT view->stepSelected(builder.first, 0);
        Q_EMIT view->stepSelected(test.first, test.second);
        QVERIFY(shown.wait(10000));
        QTest::qWait(100); // a stale read would land now
        QCOMPARE(shown.size(), 2);
        QVERIFY2(window.stepOutputText().contains(QLatin1String("PASS version banner")),
            qPrintable(window.stepOutputText()));

        // A what-if tick refreshes the details without reading the same output again.
        window.setLineChanged(1, true);
        QTest::qWait(100);
        QCOMPARE(shown.size(), 2);
        QVERIFY(window.stepOutputText().contains(QLatin1String("PASS version banner")));
    }

    // A big log shows its first builds while it is still being read; the final result replaces them and
    // selects the last build, as a load always did.
    void earlyOverlayWhileReading()
    {
        QTemporaryDir dir;
        const int copies = 800; // about 4 MB: several chunks
        const QString log = writeManyBuilds(dir, copies);
        QVERIFY(!log.isEmpty());
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project()}));
        // The state when the first builds are shown (later events may be handled before a wait returns).
        int builds = -1, provisional = -1, vertices = -1, ran = -1;
        bool layoutPending = false;
        connect(&window, &MainWindow::provisionalBuildsShown, &window, [&]() {
            if (builds >= 0)
                return;
            builds = window.buildCount();
            provisional = window.provisionalBuildCount();
            vertices = window.selectedBuild() ? int(window.selectedBuild()->vertices.size()) : -1;
            ran = 0;
            for (StepNodeItem *item : window.dagView()->dagScene()->stepItems())
                ran += item->data().state == StepState::Ran ? 1 : 0;
            layoutPending = window.dagView()->dagScene()->isLayoutPending();
        });
        window.openPaths({log});
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 30000));

        // Shown while the file was still being read: provisional builds, one of them selected and drawn.
        QVERIFY(builds > 0);
        QVERIFY(builds < copies);
        QCOMPARE(provisional, builds);
        QCOMPARE(vertices,
            int(readBuildLogFile(realLog(QStringLiteral("00-cold.log"))).builds.value(0).vertices.size()));
        QVERIFY(ran > 0 || layoutPending); // the first timed model is laid out anew
        // The final result replaced them.
        QCOMPARE(window.provisionalBuildCount(), 0);
        QCOMPARE(window.buildCount(), copies);
        QCOMPARE(window.selectedBuildIndex(), copies - 1);
        QComboBox *selector = buildSelector(window);
        QVERIFY(selector);
        QCOMPARE(selector->count(), copies);
        QCOMPARE(selector->currentIndex(), copies - 1);
        int ranNow = 0;
        for (StepNodeItem *item : window.dagView()->dagScene()->stepItems())
            ranNow += item->data().state == StepState::Ran ? 1 : 0;
        QVERIFY(ranNow > 0);
    }

    // A build too big to analyse on the GUI thread is analysed on a worker: the window is not idle until the
    // answer lands, and then the DAG shows the build's states.
    void bigBuildAnalysedOnWorker()
    {
        QTemporaryDir dir;
        // One build of thousands of vertices: the cold build again and again with fresh #N ids, the way the
        // benchmark's generated logs are made.
        const QByteArray cold = Test::readAll(realLog(QStringLiteral("00-cold.log")));
        const QRegularExpression id(
            QStringLiteral("^#(\\d+)(?=[ \\n])"), QRegularExpression::MultilineOption);
        QString text;
        for (int copy = 0; copy < 300; ++copy) {
            QString part = QString::fromUtf8(cold);
            QString renumbered;
            qsizetype last = 0;
            for (const QRegularExpressionMatch &m : id.globalMatch(part)) {
                renumbered += part.mid(last, m.capturedStart() - last)
                    + QStringLiteral("#%1").arg(m.captured(1).toInt() + copy * 100);
                last = m.capturedEnd();
            }
            text += renumbered + part.mid(last) + QLatin1Char('\n');
        }
        const QString path = dir.filePath(QStringLiteral("big.log"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text.toUtf8());
        }
        const BuildLogResult parsed = readBuildLogFile(path);
        QCOMPARE(parsed.builds.size(), 1);
        QVERIFY2(parsed.builds.first().vertices.size() > 5000,
            qPrintable(QString::number(parsed.builds.first().vertices.size())));

        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log")), path}));
        QCOMPARE(window.buildCount(), 2);
        QVERIFY(window.selectedBuild());
        QCOMPARE(window.selectedBuild()->vertices.size(), parsed.builds.first().vertices.size());

        // Proof that the GUI thread stays free: choosing the big build again returns before its analysis is
        // done (the session is still busy), and the event loop keeps turning until the answer lands.
        window.selectBuild(0);
        QVERIFY(!window.session()->isBusy()); // the small build is analysed at once
        window.selectBuild(1);
        QVERIFY(window.session()->isBusy());
        QCOMPARE(window.analysis().stepVertices, 0); // nothing of the big build is known yet
        int turns = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, [&turns]() { ++turns; });
        ticker.start(0);
        QVERIFY(QTest::qWaitFor([&window]() { return !window.session()->isBusy(); }, 20000));
        ticker.stop();
        QVERIFY2(turns > 0, "the GUI thread did not run while the big build was analysed");
        QVERIFY(window.analysis().stepVertices > 5000);
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 20000));
        int ran = 0;
        for (StepNodeItem *item : window.dagView()->dagScene()->stepItems())
            ran += item->data().state == StepState::Ran ? 1 : 0;
        QVERIFY(ran > 0);
    }

    // File > Export Report and `stagelens report` on the same inputs write the same report: the same step
    // rows, figures and verdicts, because both come from the one session.
    void reportFromWindowEqualsCli_data()
    {
        QTest::addColumn<QStringList>("logs");
        QTest::addColumn<QStringList>("changed");
        QTest::addColumn<int>("kind");
        QTest::addRow("one log, edit")
            << QStringList {QStringLiteral("00-cold.log")} << QStringList {QStringLiteral("src/util.c")}
            << int(ChangeKind::Content);
        QTest::addRow("two logs, chmod")
            << QStringList {QStringLiteral("00-cold.log"), QStringLiteral("02-edit-src.log")}
            << QStringList {QStringLiteral("src/build.sh")} << int(ChangeKind::Mode);
        QTest::addRow("two logs, no change")
            << QStringList {QStringLiteral("02-edit-src.log"), QStringLiteral("00-cold.log")} << QStringList()
            << 0;
    }
    void reportFromWindowEqualsCli()
    {
        QFETCH(QStringList, logs);
        QFETCH(QStringList, changed);
        QFETCH(int, kind);
        QStringList paths {project()};
        QStringList args {QStringLiteral("report"), project()};
        for (const QString &log : logs) {
            paths << realLog(log);
            args << QStringLiteral("--log") << realLog(log);
        }
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window, paths));
        window.session()->setChangedPaths(changed, ChangeKind(kind));
        const QByteArray fromWindow = reportToMarkdown(makeReportData(window.reportInput())).toUtf8();

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("report.md"));
        args << QStringLiteral("-o") << out;
        for (const QString &path : changed)
            args << (ChangeKind(kind) == ChangeKind::Mode ? QStringLiteral("--chmod")
                                                          : QStringLiteral("--changed"))
                 << path;
        QProcess cli;
        cli.start(QStringLiteral(STAGELENS_BINARY), args);
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const QByteArray fromCli = Test::readAll(out);
        QVERIFY(
            fromCli.contains("builder 3/3\\] RUN")); // the step rows are there (Markdown escapes brackets)
        QVERIFY(changed.isEmpty() || fromCli.contains("### What-if prediction"));
        QCOMPARE(QString::fromUtf8(fromWindow), QString::fromUtf8(fromCli));
    }

    // Changing the target (or a build arg) with a log loaded keeps the log's problems listed.
    void targetChangeKeepsLogProblems()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(openAndWait(window,
            {project(),
                Test::corpusPath(QStringLiteral("logs/buildx-1619-gha-timestamps-error-context.log"))}));
        const DiagnosticsModel *problems = window.session()->diagnostics();
        auto fromLogs = [problems]() {
            int n = 0;
            for (int row = 0; row < problems->rowCount(); ++row)
                n += problems->index(row, 0).data(DiagnosticsModel::SourceRole).toInt()
                    == int(ProblemSource::Log);
            return n;
        };
        const int before = fromLogs();
        QVERIFY(before > 0);
        window.session()->setTarget(QStringLiteral("test"));
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 20000));
        QCOMPARE(window.graph().target, QStringLiteral("test"));
        QCOMPARE(fromLogs(), before);
        window.session()->setBuildArg(QStringLiteral("VERSION"), QStringLiteral("9"));
        QCOMPARE(fromLogs(), before);
    }

    // Closing the window while its context scan and log read still run: the workers finish on their own,
    // nothing is delivered to the gone window (Qt 6.4 continuations assert there), and a new window works.
    void closeWhileLoading()
    {
        for (int round = 0; round < 3; ++round) {
            auto *window = new MainWindow;
            window->openPaths({project(), realLog(QStringLiteral("00-cold.log"))});
            QTest::qWait(round); // 0, 1 and 2 ms: before, during and (maybe) after the workers start
            delete window;
        }
        QTest::qWait(300);
        MainWindow window;
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        QCOMPARE(window.buildCount(), 1);
        QVERIFY(window.selectedBuild());
    }

    // A build the user picks while the log is read stays selected when the final result lands.
    void pickDuringLoadIsKept()
    {
        QTemporaryDir dir;
        const int copies = 800;
        const QString log = writeManyBuilds(dir, copies);
        MainWindow window;
        window.show();
        bool picked = false;
        connect(&window, &MainWindow::provisionalBuildsShown, &window, [&]() {
            if (!picked && window.provisionalBuildCount() > 0) {
                picked = true;
                window.selectBuild(0);
            }
        });
        window.openPaths({log});
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 30000));
        QVERIFY(picked);
        QCOMPARE(window.buildCount(), copies);
        QCOMPARE(window.selectedBuildIndex(), 0);
        QVERIFY(window.selectedBuild());
        QCOMPARE(window.selectedBuild()->index, 0);
        QCOMPARE(buildSelector(window)->currentIndex(), 0);
    }

    // Cancel leaves nothing of the cancelled log behind, provisional builds included, and keeps what was
    // loaded before.
    void cancelDropsProvisionalBuilds()
    {
        QTemporaryDir dir;
        const int copies = 800;
        const QString log = writeManyBuilds(dir, copies);
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, {project(), realLog(QStringLiteral("00-cold.log"))}));
        QCOMPARE(window.buildCount(), 1);
        int shownBeforeCancel = -1;
        int afterCancel = -1;
        connect(&window, &MainWindow::provisionalBuildsShown, &window, [&]() {
            if (shownBeforeCancel >= 0)
                return;
            shownBeforeCancel = window.buildCount();
            QPushButton *cancel = cancelButton(window);
            QVERIFY(cancel);
            cancel->click();
            afterCancel = window.buildCount();
        });
        window.openPaths({log});
        bool idle = false;
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 30000));
        QVERIFY(shownBeforeCancel > 1);
        QCOMPARE(afterCancel, 1);
        QTest::qWait(300); // nothing of the cancelled read arrives late
        QCOMPARE(window.buildCount(), 1);
        QCOMPARE(window.provisionalBuildCount(), 0);
        QCOMPARE(buildSelector(window)->count(), 1);
        QCOMPARE(window.selectedBuildIndex(), 0);
        QVERIFY(window.selectedBuild());
    }

    // Logs opened together are all loaded, however fast the first one is read.
    void logsOpenedTogetherAllLoad()
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window,
            {realLog(QStringLiteral("00-cold.log")), realLog(QStringLiteral("02-edit-src.log")),
                realLog(QStringLiteral("04-edit-manifest.log"))}));
        QCOMPARE(window.buildCount(), 3);
        QCOMPARE(window.selectedBuildIndex(), 2);
        // In the order they were opened; the last one's build is on show.
        const ReportInput input = window.reportInput();
        QCOMPARE(input.builds.size(), 3);
        QVERIFY(input.builds.at(0).logFile.endsWith(QLatin1String("00-cold.log")));
        QVERIFY(input.builds.at(1).logFile.endsWith(QLatin1String("02-edit-src.log")));
        QVERIFY(input.builds.at(2).logFile.endsWith(QLatin1String("04-edit-manifest.log")));
    }

    void brokenInputsShowErrorsNotCrashes()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("Dockerfile")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("FROM alpine AS a\nCOPY --from=missing /x /y\nFORM typo\n");
        bad.close();
        QFile garbage(dir.filePath(QStringLiteral("garbage.log")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, '\0') + "\x01\x02#7 [a 1/2] RUN" + QByteArray(100, '\xff'));
        garbage.close();
        MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, {dir.path(), garbage.fileName()}));
        QVERIFY(hasErrors(window.graph().diagnostics));
        bool hasLine = false;
        for (const Diagnostic &d : window.graph().diagnostics)
            hasLine = hasLine || d.line > 0;
        QVERIFY(hasLine);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
