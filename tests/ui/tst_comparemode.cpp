// Compare mode of the main window (#19) on consecutive builds of shared/corpus/buildkit-real: the step nodes
// are coloured and marked as the comparison says (and as the two logs say, read independently), a click on
// a cause selects its steps, both timelines share one time axis, and leaving restores the normal colours.

#include "testutils.h"
#include "ui/compare/comparepane.h"
#include "ui/compare/comparestepsmodel.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/mainwindow.h"
#include "ui/plots/timelineplot.h"
#include "ui/style/palette.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QListWidget>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleOptionGraphicsItem>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <qcustomplot.h>

using namespace Stagelens;

namespace {

QString realLog(const QString &name)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + name);
}

bool waitIdle(MainWindow &window)
{
    bool idle = false;
    window.whenIdle([&idle]() { idle = true; });
    return QTest::qWaitFor([&idle]() { return idle; }, 30000);
}

// Opens the project and two logs, selects the later build and enters compare mode (File > Compare).
bool enterCompare(MainWindow &window, const QString &before, const QString &after)
{
    window.openPaths(
        {Test::corpusPath(QStringLiteral("buildkit-real/project")), realLog(before), realLog(after)});
    if (!waitIdle(window) || window.buildCount() != 2)
        return false;
    window.selectBuild(1);
    if (!waitIdle(window))
        return false;
    QSignalSpy shown(&window, &MainWindow::compareShown);
    if (!window.compareWithPrevious())
        return false;
    return (shown.count() > 0 || shown.wait(30000)) && waitIdle(window);
}

// A 1280x800 window in compare mode: the build after the manifest edit against the comment-only edit's, where
// one root miss is followed by misses in other stages.
bool enterManifestComparison(MainWindow &window)
{
    window.resize(1280, 800);
    window.show();
    return enterCompare(
        window, QStringLiteral("03-edit-src-comment-only.log"), QStringLiteral("04-edit-manifest.log"));
}

// The label the later build printed for a step node.
QString afterLabel(const MainWindow &window, const StepNodeItem *node)
{
    const BuildComparison &c = window.comparePane()->comparison();
    const DagInput &input = window.dagInput();
    const int stage = input.stageIndex.value(node->stage(), -1);
    const int step = input.stepIndex.value(node->stage()).value(node->step(), -1);
    const int vertex = c.afterAnalysis.steps.value(stage).value(step).vertex;
    return vertex >= 0 ? c.after.vertices.at(vertex).name : QString();
}

const BuildVertex *vertexNamed(const BuildRun &run, const QString &name)
{
    for (const BuildVertex &v : run.vertices) {
        if (v.name == name)
            return &v;
    }
    return nullptr;
}

// BuildKit's "[stage k/n]" without n: the same step of another build, whatever its text now says.
QString stepPosition(const QString &label)
{
    static const QRegularExpression re(QStringLiteral("^\\[(\\S+) (\\d+)/\\d+\\]"));
    const QRegularExpressionMatch m = re.match(label);
    return m.hasMatch() ? m.captured(1) + QLatin1Char(' ') + m.captured(2) : QString();
}

const BuildVertex *vertexAt(const BuildRun &run, const QString &position)
{
    for (const BuildVertex &v : run.vertices) {
        if (!position.isEmpty() && stepPosition(v.name) == position)
            return &v;
    }
    return nullptr;
}

// What the node paints along its top edge, the middle of it: the border.
QColor topBorderPixel(StepNodeItem *node)
{
    const QRectF box = node->boundingRect();
    QImage image(box.size().toSize(), QImage::Format_ARGB32);
    image.fill(node->scene()->palette().color(QPalette::Base));
    QPainter painter(&image);
    painter.translate(-box.topLeft());
    QStyleOptionGraphicsItem option;
    const bool selected = node->isSelected();
    node->setSelected(false); // the selection ring sits outside; keep it off the measured pixels anyway
    node->paint(&painter, &option, nullptr);
    node->setSelected(selected);
    painter.end();
    return image.pixelColor(QPoint(int(box.width() / 2), int(-box.top()) + 1));
}

} // namespace

class TestCompareMode : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        Test::setCNumericLocale();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void nodesFollowTheComparison_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        // Consecutive default-target builds: a source edit, a comment-only edit, a manifest edit, an ignored
        // file, an instruction edit, build args changed and reverted, no-cache.
        const QStringList logs {QStringLiteral("01-nochange.log"), QStringLiteral("02-edit-src.log"),
            QStringLiteral("03-edit-src-comment-only.log"), QStringLiteral("04-edit-manifest.log"),
            QStringLiteral("05-edit-dockerignored.log"), QStringLiteral("06-edit-runtime-instruction.log"),
            QStringLiteral("07-build-arg-changed.log"), QStringLiteral("08-build-arg-reverted.log")};
        for (int i = 1; i < logs.size(); ++i)
            QTest::addRow("%s", qPrintable(logs[i].chopped(4))) << logs[i - 1] << logs[i];
        QTest::addRow("21-no-cache") << QStringLiteral("20-deps-arg-changed.log")
                                     << QStringLiteral("21-no-cache.log");
    }

    // Every step node carries its comparison's change kind and root flag, which the two logs confirm read
    // on their own; the fill is the change's colour and a root miss has the thick miss-coloured border.
    void nodesFollowTheComparison()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(enterCompare(window, before, after));
        QVERIFY(window.isCompareMode());
        const BuildComparison &c = window.comparePane()->comparison();
        QHash<QString, const ComparedStep *> compared;
        int expectedMisses = 0, expectedRoots = 0;
        for (const ComparedStep &s : c.result.steps) {
            compared.insert(s.label, &s);
            expectedMisses += s.change == StepChange::Missed;
            expectedRoots += s.root;
        }
        const QPalette palette = window.dagView()->dagScene()->palette();
        int misses = 0, roots = 0, checked = 0;
        const QList<StepNodeItem *> nodes = window.dagView()->dagScene()->stepItems();
        QVERIFY(!nodes.isEmpty());
        for (StepNodeItem *node : nodes) {
            const QString label = afterLabel(window, node);
            if (label.isEmpty())
                continue; // a step the later build did not print (an unneeded stage shown)
            const ComparedStep *s = compared.value(label);
            QVERIFY2(s, qPrintable(label));
            const DagStep &d = node->data();
            // The logs, read here: what each build did with the step.
            const BuildVertex *a = vertexNamed(c.after, label);
            const BuildVertex *b = vertexAt(c.before, stepPosition(label));
            QVERIFY(a);
            if (!label.contains(QLatin1String("] FROM "))) { // a FROM is "same" when it resolved the same
                const DagChange fromLogs = !b         ? DagChange::Added
                    : a->status == VertexStatus::Done ? DagChange::Missed
                    : a->status == VertexStatus::Cached
                    ? (b->status == VertexStatus::Done ? DagChange::Hit : DagChange::Same)
                    : DagChange::Ran;
                QVERIFY2(d.change == fromLogs,
                    qPrintable(QStringLiteral("%1: %2, the logs say %3")
                                   .arg(label, dagChangeName(d.change), dagChangeName(fromLogs))));
            }
            QCOMPARE(dagChangeName(d.change).section(QLatin1Char(' '), 0, 0),
                stepChangeName(s->change).section(QLatin1Char(' '), 0, 0));
            QCOMPARE(d.rootMiss, s->root);
            QCOMPARE(node->fillColor(palette), ViewPalette::changeFill(d.change, palette));
            QCOMPARE(node->texts().badge, dagChangeBadge(d.change, d.rootMiss));
            const QColor border = topBorderPixel(node);
            const QColor miss = ViewPalette::changeColor(DagChange::Missed, palette);
            if (s->root) {
                QVERIFY(d.change == DagChange::Missed);
                QVERIFY(s->cause.has_value());
                QVERIFY2(node->data().changeNote.contains(causeKindName(s->cause->kind)),
                    qPrintable(node->data().changeNote));
                QVERIFY2(border == miss, qPrintable(border.name() + QLatin1String(" vs ") + miss.name()));
            } else {
                QVERIFY2(border != miss, qPrintable(label));
            }
            misses += d.change == DagChange::Missed;
            roots += d.rootMiss;
            ++checked;
        }
        QVERIFY(checked > 0);
        QCOMPARE(misses, expectedMisses);
        QCOMPARE(roots, expectedRoots);
        // A build that ran anything the one before had produced has at least one root miss, marked.
        QCOMPARE(roots > 0, misses > 0);
    }

    // The graph's compare colours are made on the comparison's worker for the first showing; toggling the
    // unneeded stages makes them again on the GUI thread: each step keeps its change and root flag.
    void unneededStagesToggleKeepsTheComparison()
    {
        MainWindow window;
        QVERIFY(enterManifestComparison(window));
        const auto changes = [&window]() {
            QMap<QString, QPair<DagChange, bool>> byLabel;
            for (StepNodeItem *node : window.dagView()->dagScene()->stepItems()) {
                const QString label = afterLabel(window, node);
                if (!label.isEmpty())
                    byLabel.insert(label, {node->data().change, node->data().rootMiss});
            }
            return byLabel;
        };
        const QMap<QString, QPair<DagChange, bool>> first = changes();
        int misses = 0;
        for (const ComparedStep &s : window.comparePane()->comparison().result.steps)
            misses += s.change == StepChange::Missed;
        QVERIFY(misses > 0);
        QCOMPARE(std::count_if(first.cbegin(), first.cend(),
                     [](const QPair<DagChange, bool> &c) { return c.first == DagChange::Missed; }),
            misses);
        for (const bool show : {true, false}) {
            window.setShowUnneededStages(show);
            QVERIFY(waitIdle(window));
            QVERIFY(window.isCompareMode());
            QCOMPARE(changes(), first);
        }
    }

    // A click on a cause selects exactly its steps in the steps table and shows its root in the graph.
    void clickOnCauseSelectsItsSteps()
    {
        MainWindow window;
        QVERIFY(enterManifestComparison(window));
        ComparePane *pane = window.comparePane();
        QTableWidget *causes = pane->causesTable();
        QVERIFY(causes->isVisible());
        QVERIFY(causes->rowCount() > 0);
        for (int row = causes->rowCount() - 1; row >= 0; --row) {
            pane->stepsTable()->clearSelection();
            const QRect cell = causes->visualItemRect(causes->item(row, 0));
            QTest::mouseClick(causes->viewport(), Qt::LeftButton, {}, cell.center());
            const CauseSummary &cause = pane->result().causes.at(row);
            QStringList selected = pane->selectedSteps(), expected = cause.steps;
            selected.sort();
            expected.sort();
            QCOMPARE(selected, expected);
            // The graph shows the cause's first listed root, selected.
            QString root;
            for (const ComparedStep &s : pane->result().steps) {
                if (s.root && cause.steps.contains(s.label) && root.isEmpty())
                    root = s.label;
            }
            if (root.isEmpty())
                continue;
            const auto sel = window.dagView()->dagScene()->selectedStep();
            QVERIFY(sel.first >= 0);
            auto *node =
                static_cast<StepNodeItem *>(window.dagView()->dagScene()->stepItem(sel.first, sel.second));
            QVERIFY(node);
            QCOMPARE(afterLabel(window, node), pane->selectedSteps().first());
            QVERIFY(node->data().rootMiss);
        }
    }

    // Every step has one row: the root misses first (bold), then the other misses, then the rest, each group
    // in the comparison's build order, with the label of the later build as what a click reports.
    void stepsTableOrder()
    {
        MainWindow window;
        QVERIFY(enterManifestComparison(window));
        const CompareResult &result = window.comparePane()->result();
        const CompareStepsModel *model = window.comparePane()->stepsModel();
        QCOMPARE(model->rowCount(), int(result.steps.size()));
        auto group = [](const ComparedStep &s) {
            return s.root ? 0 : s.change == StepChange::Missed ? 1 : 2;
        };
        QList<int> seen(result.steps.size(), 0);
        int lastGroup = 0;
        qsizetype lastIndex = -1;
        int roots = 0;
        for (int r = 0; r < model->rowCount(); ++r) {
            const ComparedStep &s = model->step(r);
            const qsizetype index = &s - result.steps.constData();
            QVERIFY(index >= 0 && index < result.steps.size());
            ++seen[index];
            QVERIFY(group(s) >= lastGroup);
            if (group(s) == lastGroup)
                QVERIFY(index > lastIndex);
            lastGroup = group(s);
            lastIndex = index;
            QCOMPARE(model->index(r, CompareStepsModel::StepColumn).data().toString(), s.label);
            QCOMPARE(
                model->index(r, CompareStepsModel::AfterColumn).data(CompareStepsModel::LabelRole).toString(),
                s.label);
            QCOMPARE(model->index(r, 0).data(Qt::FontRole).value<QFont>().bold(), s.root);
            roots += s.root ? 1 : 0;
        }
        QVERIFY(roots > 0);
        QVERIFY(std::all_of(seen.cbegin(), seen.cend(), [](int n) { return n == 1; }));
    }

    // Both builds' timelines, one above the other, on one time axis: the same range, the same pixels, and a
    // zoom of one moves the other.
    void timelinesShareTheAxis()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(enterCompare(window, QStringLiteral("00-cold.log"), QStringLiteral("01-nochange.log")));
        // The module's charts, as the window made them (the window itself sees only their interface).
        auto *before = qobject_cast<TimelinePlot *>(window.beforeTimeline()->widget());
        auto *after = qobject_cast<TimelinePlot *>(window.timeline()->widget());
        QVERIFY(before && after);
        QVERIFY(before->isVisible());
        QVERIFY(after->isVisible());
        QVERIFY(before->mapTo(&window, QPoint()).y()
            < after->mapTo(&window, QPoint()).y()); // one above the other
        const BuildComparison &c = window.comparePane()->comparison();
        QVERIFY(c.result.beforeSeconds && c.result.afterSeconds);
        QVERIFY(*c.result.beforeSeconds > *c.result.afterSeconds); // the cold build is the longer one
        auto sameAxis = [&]() {
            QTRY_COMPARE(before->timeRange(), after->timeRange());
            const auto range = after->timeRange();
            for (double t : {range.first, 0.0, (range.first + range.second) / 2, range.second})
                QCOMPARE(before->mapTo(&window, QPoint(before->timeToWidgetX(t), 0)).x(),
                    after->mapTo(&window, QPoint(after->timeToWidgetX(t), 0)).x());
        };
        sameAxis();
        // The shared range holds the longer (before) build: its last bar ends inside it.
        double lastEnd = 0;
        for (const BuildVertex &v : c.before.vertices)
            lastEnd = std::max(lastEnd, v.end.value_or(0));
        QVERIFY(lastEnd > 0);
        QVERIFY2(after->timeRange().second >= lastEnd,
            qPrintable(QStringLiteral("%1 < %2").arg(after->timeRange().second).arg(lastEnd)));
        // The user zooms the later build's chart: the earlier one follows.
        const auto wide = after->timeRange();
        QCustomPlot *plot = after->plot();
        const QPointF centre = plot->axisRect(0)->rect().center();
        QWheelEvent wheel(centre, plot->mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton,
            Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(plot, &wheel);
        QTRY_VERIFY(after->timeRange().second - after->timeRange().first < wide.second - wide.first);
        sameAxis();
    }

    // With the project's git history and logs that say which commit they built, the Compare pane lists the
    // files that changed between the two commits (not the .dockerignored ones), as git itself lists them.
    void changedFilesListed()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("git")).isEmpty())
            QSKIP("git is needed to make the project's history");
        QTemporaryDir dir;
        const QString repo = dir.filePath(QStringLiteral("project"));
        QVERIFY(QDir().mkpath(repo));
        auto git = [&repo](const QStringList &args) {
            QProcess p;
            p.setWorkingDirectory(repo);
            p.start(QStringLiteral("git"), args);
            p.waitForFinished(30000);
            return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        };
        const QString source = Test::corpusPath(QStringLiteral("buildkit-real/project"));
        QDirIterator it(
            source, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            const QString target = repo + QLatin1Char('/') + QDir(source).relativeFilePath(file);
            QVERIFY(QDir().mkpath(QFileInfo(target).path()));
            QVERIFY(QFile::copy(file, target));
        }
        git({QStringLiteral("init"), QStringLiteral("-q")});
        git({QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("t@example.com")});
        git({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("test")});
        git({QStringLiteral("add"), QStringLiteral("-A")});
        git({QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("one")});
        const QString first = git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        // The edit 02-edit-src made, and a file .dockerignore keeps out of the context.
        for (const QString &name : {QStringLiteral("src/util.c"), QStringLiteral("README.md")}) {
            QFile f(repo + QLatin1Char('/') + name);
            QVERIFY(f.open(QIODevice::Append));
            f.write("\n/* edited */\n");
        }
        git({QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("two")});
        const QString second = git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        QVERIFY(first.size() == 40 && second.size() == 40);
        QStringList expected = git({QStringLiteral("diff"), QStringLiteral("--name-only"), first, second})
                                   .split(QLatin1Char('\n'));
        QVERIFY(expected.removeAll(QStringLiteral("README.md")) == 1); // *.md is in .dockerignore
        // The real logs as a GitLab job prints them: the checkout line first.
        auto ciLog = [&dir](const QString &log, const QString &sha) {
            const QString path = dir.filePath(log);
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly))
                return QString();
            f.write("Checking out " + sha.left(8).toLatin1() + " as detached HEAD (ref is main)...\n");
            f.write(Test::readAll(realLog(log)));
            return path;
        };
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        window.openPaths({repo, ciLog(QStringLiteral("01-nochange.log"), first),
            ciLog(QStringLiteral("02-edit-src.log"), second)});
        QVERIFY(waitIdle(window));
        QCOMPARE(window.buildCount(), 2);
        window.selectBuild(1);
        QVERIFY(waitIdle(window));
        QSignalSpy shown(&window, &MainWindow::compareShown);
        QVERIFY(window.compareWithPrevious());
        QVERIFY(shown.count() > 0 || shown.wait(30000));
        QVERIFY(waitIdle(window));
        ComparePane *pane = window.comparePane();
        QCOMPARE(pane->comparison().beforeRevision, first.left(8));
        QCOMPARE(pane->comparison().afterRevision, second.left(8));
        QStringList listed;
        for (int i = 0; i < pane->filesList()->count(); ++i)
            listed.append(pane->filesList()->item(i)->text());
        QCOMPARE(listed, expected);
        // The root's cause names the file, and its tooltip in the graph says so.
        QCOMPARE(pane->result().causes.first().cause.kind, CauseKind::Files);
        QCOMPARE(pane->result().causes.first().cause.files, expected);
        int roots = 0;
        for (StepNodeItem *node : window.dagView()->dagScene()->stepItems()) {
            if (!node->data().rootMiss)
                continue;
            ++roots;
            QVERIFY2(node->data().changeNote.contains(expected.first()), qPrintable(node->data().changeNote));
        }
        QCOMPARE(roots, 1);
    }

    // Esc leaves compare mode: the nodes get their own build's colours and badges back, the earlier
    // timeline and the Compare pane go.
    void leavingRestoresNormalColours()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        window.openPaths({Test::corpusPath(QStringLiteral("buildkit-real/project")),
            realLog(QStringLiteral("01-nochange.log")), realLog(QStringLiteral("02-edit-src.log"))});
        QVERIFY(waitIdle(window));
        window.selectBuild(1);
        QVERIFY(waitIdle(window));
        DagScene *scene = window.dagView()->dagScene();
        const QPalette palette = scene->palette();
        QHash<QString, QColor> normalFill;
        QHash<QString, QString> normalBadge;
        for (StepNodeItem *node : scene->stepItems()) {
            normalFill.insert(node->data().label, node->fillColor(palette));
            normalBadge.insert(node->data().label, node->texts().badge);
        }
        QVERIFY(!normalFill.isEmpty());
        QSignalSpy shown(&window, &MainWindow::compareShown);
        QVERIFY(window.compareWithPrevious());
        QVERIFY(shown.count() > 0 || shown.wait(30000));
        QVERIFY(waitIdle(window));
        int changedFills = 0;
        for (StepNodeItem *node : scene->stepItems())
            changedFills += node->fillColor(palette) != normalFill.value(node->data().label);
        QVERIFY(changedFills > 0); // compare mode does colour the graph
        auto *tabs = window.findChild<QTabWidget *>();
        QVERIFY(tabs && tabs->indexOf(window.comparePane()) >= 0);

        QSignalSpy left(&window, &MainWindow::compareModeLeft);
        window.dagView()->setFocus();
        QTest::keyClick(&window, Qt::Key_Escape);
        QCOMPARE(left.count(), 1);
        QVERIFY(waitIdle(window));
        QVERIFY(!window.isCompareMode());
        QVERIFY(!window.beforeTimeline()->widget()->isVisible());
        QVERIFY(window.timeline()->caption().isEmpty());
        QCOMPARE(tabs->indexOf(window.comparePane()), -1);
        QVERIFY(!scene->model().compareMode);
        const QList<StepNodeItem *> nodes = scene->stepItems();
        QCOMPARE(nodes.size(), normalFill.size());
        for (StepNodeItem *node : nodes) {
            QVERIFY(node->data().change == DagChange::None);
            QVERIFY(!node->data().rootMiss);
            QCOMPARE(node->fillColor(palette), normalFill.value(node->data().label));
            QCOMPARE(node->texts().badge, normalBadge.value(node->data().label));
        }
    }
};

QTEST_MAIN(TestCompareMode)
#include "tst_comparemode.moc"
