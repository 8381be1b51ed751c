// The History view in the main window, headless: it loads a store filled from the corpus through its
// worker, filters by branch, sorts, plots the trends; the offer bar adds an opened log once; a broken or
// unreachable database gives a clear message while the GUI thread goes on; double-click opens a build's
// file, or says why it cannot.

#include "model/history/historybuildsmodel.h"
#include "model/history/historyclient.h"
#include "testutils.h"
#include "ui/compare/comparepane.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/history/historyintegration.h"
#include "ui/history/historyofferbar.h"
#include "ui/history/historyview.h"
#include "ui/mainwindow.h"
#include "ui/plots/historytrendplot.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

using namespace Stagelens;

namespace {

HistoryLocation locationOf(const QString &text)
{
    HistoryLocation location;
    QString error;
    if (!parseHistoryLocation(text, &location, &error))
        qFatal("bad location %s", qPrintable(error));
    return location;
}

QPushButton *buttonNamed(QWidget *parent, const QString &text)
{
    for (QPushButton *button : parent->findChildren<QPushButton *>()) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

} // namespace

class TestHistoryView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HistoryLocation m_location;
    int m_mainBuilds = 0;
    int m_featureBuilds = 0;
    int m_allBuilds = 0;

private Q_SLOTS:
    void initTestCase()
    {
        Test::setCNumericLocale();
        QStandardPaths::setTestModeEnabled(true); // QSettings in a test location, not the user's
        QVERIFY(m_dir.isValid());
        m_location = locationOf(m_dir.filePath(QStringLiteral("history.sqlite")));
        HistoryStore store;
        QVERIFY2(store.open(m_location), qPrintable(store.errorString()));
        const QDir real(Test::corpusPath(QStringLiteral("buildkit-real")));
        for (const QString &name : real.entryList({QStringLiteral("[01]*.log")}, QDir::Files, QDir::Name)) {
            const bool feature = name.startsWith(QLatin1String("1"));
            const HistoryAddResult r = store.addFile(real.filePath(name),
                {QStringLiteral("example/app"), feature ? QStringLiteral("feature") : QStringLiteral("main"),
                    {}, {}});
            QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
            (feature ? m_featureBuilds : m_mainBuilds) += int(r.added.size());
        }
        const QDir logs(Test::corpusPath(QStringLiteral("logs")));
        for (const QString &name : logs.entryList({QStringLiteral("*.log")}, QDir::Files, QDir::Name))
            store.addFile(logs.filePath(name));
        m_allBuilds = int(store.builds().size());
        QVERIFY(m_mainBuilds >= 10 && m_featureBuilds >= 10 && m_allBuilds > m_mainBuilds + m_featureBuilds);
        QSettings().remove(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey));
    }

    void loadsFiltersAndSorts()
    {
        HistoryClient client(m_location);
        HistoryView view;
        view.resize(1200, 420);
        view.show();
        QSignalSpy loaded(&view, &HistoryView::loaded);
        view.setClient(&client);
        QVERIFY(view.isLoading());
        QVERIFY(loaded.wait(20000));
        QCOMPARE(view.table()->model()->rowCount(), m_allBuilds);
        QVERIFY2(view.statusText().contains(QString::number(m_allBuilds)), qPrintable(view.statusText()));
        // Wall time, hit rate, 5 slowest steps, and regression markers when any.
        QCustomPlot *plot = qobject_cast<HistoryTrendPlot *>(view.trendPlot()->widget())->plot();
        QVERIFY(plot->graphCount() >= 2 + HistoryView::SlowestSteps);
        QCOMPARE(view.trendPlot()->trends().builds.size(), m_allBuilds);
        QCOMPARE(view.branchFilter()->count(), 3); // all, feature, main

        // Filter: the table and the trends show one branch.
        view.branchFilter()->setCurrentIndex(view.branchFilter()->findData(QStringLiteral("main")));
        QCOMPARE(view.table()->model()->rowCount(), m_mainBuilds);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(view.trendPlot()->trends().builds.size(), m_mainBuilds);
        for (const QString &branch : view.trendPlot()->trends().branches)
            QCOMPARE(branch, QStringLiteral("main"));

        // Sort by wall time, as a click on its header does.
        view.table()->sortByColumn(HistoryBuildsModel::WallTime, Qt::DescendingOrder);
        double last = 1e9;
        for (int row = 0; row < view.table()->model()->rowCount(); ++row) {
            const QVariant v = view.table()
                                   ->model()
                                   ->index(row, HistoryBuildsModel::WallTime)
                                   .data(HistoryBuildsModel::SortRole);
            if (v.isValid()) {
                QVERIFY(v.toDouble() <= last);
                last = v.toDouble();
            }
        }
        // A tooltip names the build of the point under the mouse.
        view.branchFilter()->setCurrentIndex(0);
        QVERIFY(loaded.wait(20000));
        plot->replot();
        QCPGraph *wall = plot->graph(0);
        bool found = false;
        for (int i = 0; i < wall->dataCount() && !found; ++i) {
            const double value = wall->data()->at(i)->value;
            if (qIsNaN(value))
                continue;
            const QPoint pos(qRound(wall->keyAxis()->coordToPixel(wall->data()->at(i)->key)),
                qRound(wall->valueAxis()->coordToPixel(value)));
            const QString tip = qobject_cast<HistoryTrendPlot *>(view.trendPlot()->widget())->toolTipAt(pos);
            QVERIFY2(tip.contains(QStringLiteral("Build ")), qPrintable(tip));
            found = true;
        }
        QVERIFY(found);
    }

    // A branch picked before the first answers: the superseded trends are dropped, the load still ends.
    void branchPickedWhileLoading()
    {
        HistoryClient client(m_location);
        HistoryView view;
        QSignalSpy loaded(&view, &HistoryView::loaded);
        view.setClient(&client);
        view.setBranch(QStringLiteral("feature"));
        QVERIFY(view.isLoading());
        QVERIFY(loaded.wait(20000));
        QVERIFY(!view.isLoading());
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(view.table()->model()->rowCount(), m_featureBuilds);
        QCOMPARE(view.trendPlot()->trends().builds.size(), m_featureBuilds);
        QCOMPARE(view.branchFilter()->currentData().toString(), QStringLiteral("feature"));
    }

    void brokenDatabaseSaysSo_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addRow("not an SQLite file") << QStringLiteral("garbage");
        QTest::addRow("unreachable server") << QStringLiteral("postgresql://nobody@127.0.0.1:1/none");
    }

    void brokenDatabaseSaysSo()
    {
        QFETCH(QString, url);
        QTemporaryDir dir;
        QString text = url;
        if (url == QLatin1String("garbage")) {
            text = dir.filePath(QStringLiteral("broken.sqlite"));
            QFile file(text);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        const HistoryLocation location = locationOf(text);
        HistoryClient client(location);
        HistoryView view;
        view.show();
        QSignalSpy loaded(&view, &HistoryView::loaded);
        view.setClient(&client);
        // setClient returned before any answer: the database is only touched by the worker.
        QVERIFY(view.isLoading());
        QVERIFY(view.statusText().startsWith(QStringLiteral("Loading")));
        QVERIFY(loaded.wait(30000));
        QVERIFY2(view.statusText().startsWith(QStringLiteral("Cannot read the build history")),
            qPrintable(view.statusText()));
        QVERIFY2(view.statusText().contains(location.displayName()), qPrintable(view.statusText()));
        QCOMPARE(view.table()->model()->rowCount(), 0);
    }

    void doubleClickOpensOrExplains()
    {
        QTemporaryDir dir;
        const HistoryLocation location = locationOf(dir.filePath(QStringLiteral("h.sqlite")));
        const QString kept = dir.filePath(QStringLiteral("kept.log"));
        const QString gone = dir.filePath(QStringLiteral("gone.log"));
        QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")), kept));
        QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log")), gone));
        {
            HistoryStore store;
            QVERIFY(store.open(location));
            QCOMPARE(store.addFile(kept).added.size(), 1);
            QCOMPARE(store.addFile(gone).added.size(), 1);
        }
        QVERIFY(QFile::remove(gone));

        MainWindow window;
        window.resize(1280, 800);
        auto *history = new HistoryIntegration(&window, location, {});
        window.show();
        QSignalSpy loaded(history->view(), &HistoryView::loaded);
        history->showHistory();
        QVERIFY(loaded.wait(20000));
        HistoryView *view = history->view();
        QCOMPARE(view->table()->model()->rowCount(), 2);
        int goneRow = -1;
        int keptRow = -1;
        for (int row = 0; row < 2; ++row) {
            const QString file =
                view->table()->model()->index(row, 0).data(HistoryBuildsModel::SourceFileRole).toString();
            (file == gone ? goneRow : keptRow) = row;
        }
        QVERIFY(goneRow >= 0 && keptRow >= 0);
        QSignalSpy open(view, &HistoryView::openFileRequested);
        view->activateRow(goneRow);
        QCOMPARE(open.size(), 0);
        QVERIFY2(
            view->statusText().contains(QStringLiteral("no longer there")), qPrintable(view->statusText()));
        QVERIFY(view->statusText().contains(gone));
        view->activateRow(keptRow);
        QCOMPARE(open.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(window.buildCount(), 1, 20000);

        // Compare (#19): the newest build against the one before it on its branch; one of them is gone, so
        // the view says it cannot be compared rather than guess.
        QSignalSpy compare(view, &HistoryView::compareRequested);
        const int newest = view->proxy()->mapFromSource(view->model()->index(0, 0)).row();
        view->table()->selectRow(newest);
        QVERIFY(view->compareButton()->isEnabled());
        view->compareButton()->click();
        QCOMPARE(compare.size(), 1);
        QCOMPARE(compare.first().at(1).toLongLong(), view->model()->builds().at(0).id);
        QCOMPARE(compare.first().at(0).toLongLong(), view->model()->builds().at(1).id);
        QVERIFY2(view->statusText().contains(QStringLiteral("cannot be compared")),
            qPrintable(view->statusText()));
        QVERIFY(!history->lastCompare());
    }

    // Both files still there: the window's compare mode shows BuildKit's reasons (02-edit-src against
    // 01-nochange: the misses start at COPY src/).
    void compareEntersCompareMode()
    {
        QTemporaryDir dir;
        const HistoryLocation location = locationOf(dir.filePath(QStringLiteral("h.sqlite")));
        {
            HistoryStore store;
            QVERIFY(store.open(location));
            QCOMPARE(
                store.addFile(Test::corpusPath(QStringLiteral("buildkit-real/01-nochange.log"))).added.size(),
                1);
            QCOMPARE(
                store.addFile(Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log"))).added.size(),
                1);
        }
        MainWindow window;
        window.resize(1280, 800);
        auto *history = new HistoryIntegration(&window, location, {});
        window.show();
        // The open project's Dockerfile says which stage each FROM <stage> builds on (logs do not).
        window.openPaths({Test::corpusPath(QStringLiteral("buildkit-real/project"))});
        QTRY_VERIFY_WITH_TIMEOUT(!window.graph().stages.isEmpty(), 20000);
        QSignalSpy loaded(history->view(), &HistoryView::loaded);
        history->showHistory();
        QVERIFY(loaded.wait(20000));
        HistoryView *view = history->view();
        qint64 newestId = -1, olderId = -1;
        for (const HistoryBuild &b : view->model()->builds())
            (b.file.endsWith(QLatin1String("02-edit-src.log")) ? newestId : olderId) = b.id;
        QVERIFY(newestId >= 0 && olderId >= 0);
        QSignalSpy shown(history, &HistoryIntegration::compareShown);
        history->compare(olderId, newestId);
        QVERIFY(shown.wait(20000));
        ComparePane *dialog = history->lastCompare();
        QVERIFY(dialog);
        QVERIFY(window.isCompareMode());
        QCOMPARE(dialog, window.comparePane());
        QStringList roots;
        for (const ComparedStep &s : dialog->result().steps) {
            if (s.root)
                roots.append(s.label);
        }
        QCOMPARE(roots, QStringList {QStringLiteral("[builder 2/3] COPY src/ ./")});
        QCOMPARE(dialog->stepsTable()->model()->index(0, 0).data().toString(), roots.first());
        QVERIFY2(dialog->headline().contains(QStringLiteral("02-edit-src.log #1 against 01-nochange.log #1")),
            qPrintable(dialog->headline()));
        QVERIFY(dialog->grab().save(QDir::temp().filePath(QStringLiteral("stagelens-compare-dialog.png"))));
    }

    // Compare from the History view of a window that has opened nothing yet: the comparison is shown, not
    // the welcome page.
    void compareFromAnEmptyWindow()
    {
        QTemporaryDir dir;
        const HistoryLocation location = locationOf(dir.filePath(QStringLiteral("h.sqlite")));
        qint64 before = -1;
        qint64 after = -1;
        {
            HistoryStore store;
            QVERIFY(store.open(location));
            const auto first =
                store.addFile(Test::corpusPath(QStringLiteral("buildkit-real/01-nochange.log")));
            const auto second =
                store.addFile(Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log")));
            QCOMPARE(first.added.size(), 1);
            QCOMPARE(second.added.size(), 1);
            before = first.added.first();
            after = second.added.first();
        }
        MainWindow window;
        window.resize(1280, 800);
        auto *history = new HistoryIntegration(&window, location, {});
        window.show();
        QVERIFY(window.isWelcomeShown());
        QSignalSpy loaded(history->view(), &HistoryView::loaded);
        history->showHistory(); // its Compare acts on the builds it lists
        QVERIFY(loaded.wait(20000));
        QSignalSpy shown(history, &HistoryIntegration::compareShown);
        history->compare(before, after);
        QVERIFY(shown.wait(20000));
        QVERIFY(window.isCompareMode());
        QVERIFY(!window.isWelcomeShown());
        QVERIFY(window.comparePane()->isVisible());
        QVERIFY(window.timeline()->widget()->isVisible());
        QVERIFY2(window.statusText().startsWith(
                     QLatin1String("Comparing 02-edit-src.log #1 against 01-nochange.log #1")),
            qPrintable(window.statusText()));
        // With no Dockerfile open the graph is the later build's own, as a log opened alone shows it, with
        // the comparison's roots on it.
        QTRY_VERIFY(!window.dagView()->dagScene()->isLayoutPending());
        QVERIFY(!window.dagView()->dagScene()->stepItems().isEmpty());
        QStringList roots;
        for (StepNodeItem *item : window.dagView()->dagScene()->stepItems()) {
            if (item->data().rootMiss)
                roots.append(item->data().label);
        }
        // 02-edit-src changed src/: the builder's COPY src/ is the root. Without the Dockerfile, which stage
        // "FROM builder AS test" builds on is unknown, so the test stage's first miss is a root of its own.
        roots.sort();
        QCOMPARE(roots,
            (QStringList {QStringLiteral("[builder 2/3] COPY src/ ./"),
                QStringLiteral("[test 1/2] COPY tests/ /tests/")}));
        QVERIFY(
            window.grab().save(QDir::temp().filePath(QStringLiteral("stagelens-compare-from-history.png"))));
        // Leaving compare mode: nothing is open, so the welcome page again, and the status bar says so.
        window.leaveCompareMode();
        QVERIFY(window.isWelcomeShown());
        QVERIFY2(window.statusText().startsWith(QLatin1String("Open a project folder")),
            qPrintable(window.statusText()));
    }

    void viewMenuTogglesTheDock()
    {
        QTemporaryDir dir;
        MainWindow window;
        auto *history =
            new HistoryIntegration(&window, locationOf(dir.filePath(QStringLiteral("h.sqlite"))), {});
        window.show();
        QAction *action = nullptr;
        for (QAction *a : window.viewMenu()->actions()) {
            if (a->text() == QStringLiteral("&History"))
                action = a;
        }
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_H));
        QVERIFY(!history->dock()->isVisible());
        QCOMPARE(window.dockWidgetArea(history->dock()), Qt::BottomDockWidgetArea);
        // The view is built when the dock first shows, not with the window (start-up time).
        QVERIFY(window.findChildren<HistoryView *>().isEmpty());
        QVERIFY(!history->dock()->widget());
        action->trigger();
        QVERIFY(history->dock()->isVisible());
        QCOMPARE(window.findChildren<HistoryView *>().size(), 1);
        QCOMPARE(history->dock()->widget(), history->view());
        QSignalSpy loaded(history->view(), &HistoryView::loaded);
        QVERIFY(loaded.wait(20000));
        QVERIFY2(history->view()->statusText().startsWith(QStringLiteral("No builds")),
            qPrintable(history->view()->statusText()));
        action->trigger();
        QVERIFY(!history->dock()->isVisible());
    }

    void offerBarAddsOnce()
    {
        QTemporaryDir dir;
        const HistoryLocation location = locationOf(dir.filePath(QStringLiteral("h.sqlite")));
        const QString log = dir.filePath(QStringLiteral("build.log"));
        const QString other = dir.filePath(QStringLiteral("other.log"));
        QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")), log));
        QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/04-edit-manifest.log")), other));
        QSettings().setValue(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey), false);

        MainWindow window;
        auto *history = new HistoryIntegration(&window, location, {});
        window.show();
        HistoryOfferBar *bar = history->offerBar();
        QSignalSpy added(history, &HistoryIntegration::addFinished);
        window.openPaths({log});
        QTRY_COMPARE_WITH_TIMEOUT(bar->offeredPath(), log, 20000);
        QVERIFY(bar->text().contains(QStringLiteral("build.log")));
        QPushButton *add = buttonNamed(bar, QStringLiteral("Add to History"));
        QVERIFY(add);
        add->click();
        QVERIFY(added.wait(20000));
        QCOMPARE(added.first().at(1).toInt(), 1);
        QVERIFY2(added.first().at(3).toString().isEmpty(), qPrintable(added.first().at(3).toString()));
        QVERIFY(bar->text().contains(QStringLiteral("Added 1 build")));
        // Nothing left to click: the add cannot be requested twice.
        QVERIFY(!add->isVisible());

        // Opened again: not offered again.
        QSignalSpy loadFinished(window.session(), &ProjectSession::loadFinished);
        window.openPaths({log});
        QVERIFY(loadFinished.wait(20000));
        QTest::qWait(50);
        QVERIFY(bar->offeredPath().isEmpty());
        QCOMPARE(added.size(), 1);
        {
            HistoryStore store;
            QVERIFY(store.open(location));
            QCOMPARE(store.builds().size(), 1);
        }

        // "Always" (here from the View menu): later logs are added without asking.
        QVERIFY(!history->alwaysAddAction()->isChecked());
        history->alwaysAddAction()->trigger();
        QVERIFY(QSettings().value(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey)).toBool());
        window.openPaths({other});
        QVERIFY(added.wait(20000));
        QCOMPARE(added.last().at(0).toString(), other);
        QVERIFY(bar->offeredPath().isEmpty());
        HistoryStore store;
        QVERIFY(store.open(location));
        QCOMPARE(store.builds().size(), 2);
        QSettings().remove(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey));

        // The view opened after the adds (the client exists already) still loads, and shows both.
        QSignalSpy loaded(history->view(), &HistoryView::loaded);
        history->showHistory();
        QVERIFY(loaded.wait(20000));
        QCOMPARE(history->view()->table()->model()->rowCount(), 2);
        // With the view open, an add shows up in it.
        const QString third = dir.filePath(QStringLiteral("third.log"));
        QVERIFY(
            QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/07-build-arg-changed.log")), third));
        history->addToHistory(third);
        QVERIFY(added.wait(20000));
        QVERIFY(loaded.wait(20000));
        QCOMPARE(history->view()->table()->model()->rowCount(), 3);
    }

    // A malformed STAGELENS_DB: the window works, the view says what is wrong, nothing is offered or added.
    void unusableLocationIsExplained()
    {
        MainWindow window;
        auto *history = new HistoryIntegration(&window, HistoryLocation(),
            {.locationError = QStringLiteral("STAGELENS_DB: unknown database URL")});
        window.show();
        history->showHistory();
        QVERIFY2(history->view()->statusText().contains(QStringLiteral("STAGELENS_DB: unknown database URL")),
            qPrintable(history->view()->statusText()));
        QVERIFY(!history->view()->isLoading());
        QSignalSpy loadFinished(window.session(), &ProjectSession::loadFinished);
        window.openPaths({Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))});
        QVERIFY(loadFinished.wait(20000));
        QTest::qWait(50);
        QVERIFY(!history->offerBar()->isVisible());
    }

    // The GUI's --db: the same forms as `history --db`, checked before any window system loads (xcb
    // without a display would abort), winning over STAGELENS_DB; a malformed STAGELENS_DB keeps the window.
    void guiDbOption()
    {
        QTemporaryDir dir;
        auto run = [](const QStringList &args, const QProcessEnvironment &env, QString *err) {
            QProcess gui;
            gui.setProcessEnvironment(env);
            gui.start(QStringLiteral(STAGELENS_BINARY), args);
            if (!gui.waitForFinished(60000))
                return -1;
            *err = QString::fromUtf8(gui.readAllStandardError());
            return gui.exitCode();
        };
        QString err;
        QProcessEnvironment noDisplay = QProcessEnvironment::systemEnvironment();
        noDisplay.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        noDisplay.remove(QStringLiteral("DISPLAY"));
        noDisplay.remove(QStringLiteral("WAYLAND_DISPLAY"));
        QCOMPARE(run({QStringLiteral("--db"), QStringLiteral("postgresql://host")}, noDisplay, &err), 2);
        QVERIFY2(err.contains(QStringLiteral("--db: a PostgreSQL URL names one database")), qPrintable(err));
        QCOMPARE(run({QStringLiteral("--db=mysql://x/y")}, noDisplay, &err), 2);
        QVERIFY2(err.contains(QStringLiteral("--db: unknown database URL")), qPrintable(err));

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("STAGELENS_DB"), dir.filePath(QStringLiteral("env.sqlite")));
        const QString png = dir.filePath(QStringLiteral("shot.png"));
        const QStringList shot {QStringLiteral("--history"), QStringLiteral("--screenshot"), png,
            QStringLiteral("--size"), QStringLiteral("800x600")};
        QCOMPARE(run(QStringList {QStringLiteral("--db"), dir.filePath(QStringLiteral("flag.sqlite"))} + shot,
                     env, &err),
            0);
        QVERIFY(QFileInfo::exists(png));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("flag.sqlite"))));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("env.sqlite"))));
        // Without --db, STAGELENS_DB is the one.
        QCOMPARE(run(shot, env, &err), 0);
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("env.sqlite"))));
        // A malformed STAGELENS_DB: said on stderr, and the window still opens.
        env.insert(QStringLiteral("STAGELENS_DB"), QStringLiteral("mysql://x/y"));
        QVERIFY(QFile::remove(png));
        QCOMPARE(run(shot, env, &err), 0);
        QVERIFY2(err.contains(QStringLiteral("STAGELENS_DB: unknown database URL")), qPrintable(err));
        QVERIFY(QFileInfo::exists(png));
    }

    // The bar's "Always" adds this log, turns the setting on and ticks the menu entry, which turns it off.
    void alwaysButtonAndMenuShareTheSetting()
    {
        QTemporaryDir dir;
        QSettings().setValue(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey), false);
        MainWindow window;
        auto *history =
            new HistoryIntegration(&window, locationOf(dir.filePath(QStringLiteral("h.sqlite"))), {});
        window.show();
        QSignalSpy added(history, &HistoryIntegration::addFinished);
        const QString log = Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"));
        window.openPaths({log});
        QTRY_COMPARE_WITH_TIMEOUT(history->offerBar()->offeredPath(), log, 20000);
        QPushButton *always = buttonNamed(history->offerBar(), QStringLiteral("Always Add Opened Logs"));
        QVERIFY(always);
        always->click();
        QVERIFY(added.wait(20000));
        QCOMPARE(added.first().at(1).toInt(), 1);
        QVERIFY(history->alwaysAddAction()->isChecked());
        QVERIFY(QSettings().value(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey)).toBool());
        history->alwaysAddAction()->trigger();
        QVERIFY(!QSettings().value(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey)).toBool());
    }

    void screenshotRunsOfferNothing()
    {
        QTemporaryDir dir;
        MainWindow window;
        auto *history = new HistoryIntegration(&window, locationOf(dir.filePath(QStringLiteral("h.sqlite"))),
            {.offerToAdd = false, .locationError = {}});
        window.show();
        QSignalSpy loadFinished(window.session(), &ProjectSession::loadFinished);
        window.openPaths({Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))});
        QVERIFY(loadFinished.wait(20000));
        QTest::qWait(50);
        QVERIFY(!history->offerBar()->isVisible());
        QVERIFY(!history->isBusy()); // no client was even started
    }
};

QTEST_MAIN(TestHistoryView)
#include "tst_historyview.moc"
