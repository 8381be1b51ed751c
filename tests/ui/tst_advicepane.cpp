// The Advice page of the window (#21): the same advice the CLI gives, gutter marks on its lines, the diff on
// selection, a click that selects the step and "Try in What-If" putting the representative change to the
// what-if engine.

#include "model/advice/advice.h"
#include "model/itemmodels/advicemodel.h"
#include "model/session/projectsession.h"
#include "testutils.h"
#include "ui/mainwindow.h"
#include "ui/panes/advicecontroller.h"
#include "ui/panes/advicepane.h"
#include "ui/panes/sourceview.h"
#include "ui/panes/stepdetailspane.h"

#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Stagelens;

class TestAdvicePane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void adviceInTheWindow()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        bool idle = false;
        window.openPaths({Test::corpusPath(QStringLiteral("buildkit-real/project")),
            Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))});
        window.whenIdle([&idle]() { idle = true; });
        QVERIFY(QTest::qWaitFor([&idle]() { return idle; }, 30000));

        // The pane shows what the engine says on the session's own input (the CLI's path too).
        const AdviceResult expected = adviseOn(window.session()->adviceInput());
        QVERIFY(!expected.advice.isEmpty());
        AdvicePane *pane = window.advicePane();
        QCOMPARE(pane->model()->rowCount(), expected.advice.size());
        for (int i = 0; i < expected.advice.size(); ++i) {
            QCOMPARE(pane->model()->adviceAt(i)->rule, expected.advice.at(i).rule);
            QCOMPARE(pane->model()->adviceAt(i)->patch, expected.advice.at(i).patch);
        }
        auto *tabs = qobject_cast<QTabWidget *>(pane->parentWidget()->parentWidget());
        QVERIFY(tabs);
        QCOMPARE(
            tabs->tabText(tabs->indexOf(pane)), QStringLiteral("Advice (%1)").arg(expected.advice.size()));

        // Gutter marks on every line the advice concerns.
        const Advice &first = expected.advice.first();
        SourceView *source = window.findChild<StepDetailsPane *>()->sourceView();
        for (int line : first.lines)
            QVERIFY(source->adviceLines().contains(line));

        // A new result does not take the user away from the Step page; a click does select the step.
        QVERIFY(tabs->currentWidget() != pane);
        const QRect row = pane->view()->visualRect(pane->model()->index(0, AdviceModel::FindingColumn));
        QTest::mouseClick(pane->view()->viewport(), Qt::LeftButton, {}, row.center());
        QCOMPARE(pane->diffText(), first.patch);
        QVERIFY(pane->detailText().contains(first.title));
        QCOMPARE(tabs->currentWidget(), pane);
        const StepRef atLine = window.graph().stepAtLine(first.line);
        QCOMPARE(window.selectedStep(), atLine);

        // "Try in What-If": the session answers the representative change with the advice's own count.
        QPushButton *tryIt = nullptr;
        for (QPushButton *b : pane->findChildren<QPushButton *>()) {
            if (b->text() == QLatin1String("Try in What-If"))
                tryIt = b;
        }
        QVERIFY(tryIt && tryIt->isEnabled());
        tryIt->click();
        QCOMPARE(window.session()->changes().args, first.changes.args);
        QCOMPARE(window.session()->whatIf().count(Verdict::Rerun), first.stepsNow);
    }
};

QTEST_MAIN(TestAdvicePane)
#include "tst_advicepane.moc"
