#include "testutils.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/graph/plaintooltip.h"
#include "ui/theme.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace Stagelens;

// The DAG fixtures mirror shared/corpus/buildkit-real: the stage structure of project/Dockerfile (and
// Dockerfile.fail) written out by hand, with line numbers looked up in the real file and states and durations
// read from steps.tsv, BuildKit's own record of each build.
namespace {

struct StageSpec
{
    QString name;
    bool needed;
    QString base; ///< image of FROM, empty for FROM <stage>
    int fromStage; ///< FROM <stage>, else -1
    QStringList steps; ///< vertex instructions as written; a FROM <image> step first when based on an image
};

struct CopySpec
{
    int from;
    int to;
    int toStep;
    DagEdgeKind kind;
};

struct Fixture
{
    QString dockerfile; ///< relative to buildkit-real/project
    QList<StageSpec> stages;
    QList<CopySpec> copies;
};

Fixture projectFixture()
{
    Fixture f;
    f.dockerfile = QStringLiteral("Dockerfile");
    const QString base = QStringLiteral("docker.io/library/localbase:1");
    f.stages = {
        {QStringLiteral("deps"), true, base, -1,
            {QStringLiteral("FROM ${BASE} AS deps"), QStringLiteral("WORKDIR /deps"),
                QStringLiteral("COPY deps.manifest ./"),
                QStringLiteral("RUN --mount=type=cache,target=/var/cache/pkg")}},
        {QStringLiteral("builder"), true, QString(), 0,
            {QStringLiteral("WORKDIR /src"), QStringLiteral("COPY src/ ./"),
                QStringLiteral("RUN sh build.sh \"$VERSION\" /out/app && sleep 1")}},
        {QStringLiteral("test"), true, QString(), 1,
            {QStringLiteral("COPY tests/ /tests/"),
                QStringLiteral("RUN sh /tests/run_tests.sh /out/app > /out/test-report.txt && cat "
                               "/out/test-report.txt")}},
        {QStringLiteral("assets"), true, base, -1,
            {QStringLiteral("FROM ${BASE} AS assets"), QStringLiteral("WORKDIR /assets"),
                QStringLiteral("COPY assets/ ./"),
                QStringLiteral("RUN for pass in 1 2 3; do echo \"minify pass $pass\"; sleep 0.4; done &&")}},
        {QStringLiteral("docs"), false, base, -1,
            {QStringLiteral("FROM ${BASE} AS docs"), QStringLiteral("COPY docs/ /docs/"),
                QStringLiteral("RUN cat /docs/*.txt | wc -l > /docs/linecount")}},
        {QStringLiteral("runtime"), true, base, -1,
            {QStringLiteral("FROM ${BASE} AS runtime"), QStringLiteral("WORKDIR /app"),
                QStringLiteral("COPY --from=builder /out/app ./bin/app"),
                QStringLiteral("COPY --from=test /out/test-report.txt ./"),
                QStringLiteral("COPY --from=assets /assets/style.min.css /assets/MANIFEST ./static/"),
                QStringLiteral("RUN echo \"runtime ready: $APP_VERSION\" > READY && ls -R /app")}},
    };
    f.copies = {{1, 5, 2, DagEdgeKind::Copy}, {2, 5, 3, DagEdgeKind::Copy}, {3, 5, 4, DagEdgeKind::Copy}};
    return f;
}

Fixture failFixture()
{
    Fixture f;
    f.dockerfile = QStringLiteral("Dockerfile.fail");
    f.stages = {
        {QStringLiteral("prep"), true, QStringLiteral("docker.io/library/localbase:1"), -1,
            {QStringLiteral("FROM localbase:1 AS prep"), QStringLiteral("RUN echo \"step one ok\"")}},
        {QStringLiteral("broken"), true, QString(), 0,
            {QStringLiteral("COPY deps.manifest /m"),
                QStringLiteral("RUN echo \"about to fail\" && echo \"error detail on stderr\" >&2 && exit 1"),
                QStringLiteral("RUN echo \"never reached\"")}},
    };
    return f;
}

struct TsvStep
{
    QString status;
    double seconds = -1;
};

/// steps.tsv rows of one case, keyed by the "[stage k/n]" prefix of the vertex name.
QHash<QString, TsvStep> readSteps(const QString &caseName)
{
    QHash<QString, TsvStep> steps;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    static const QRegularExpression prefix(QStringLiteral("^(\\[[^\\]]+\\])"));
    for (const QByteArray &line : lines) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() < 6 || QString::fromUtf8(cols[0]) != caseName)
            continue;
        const auto m = prefix.match(QString::fromUtf8(cols[5]));
        if (!m.hasMatch())
            continue;
        TsvStep step;
        step.status = QString::fromUtf8(cols[3]);
        QByteArray secs = cols[4];
        if (secs.endsWith('s'))
            step.seconds = secs.chopped(1).toDouble();
        steps.insert(m.captured(1), step);
    }
    return steps;
}

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
    return StepState::NotInLog;
}

/// The DagModel the main window would build for `fixture` and the build `caseName`. With `whatIf`, the
/// verdicts are what that build showed: re-ran -> rerun, cached -> cached, and a re-ran COPY --from -> maybe
/// (EXPECTED.md: COPY --from is keyed on content, so a static prediction can only say maybe there).
DagModel makeModel(const Fixture &fixture, const QString &caseName, bool whatIf, bool collapsed)
{
    const QHash<QString, TsvStep> steps = readSteps(caseName);
    const QList<QByteArray> dockerfile =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/project/") + fixture.dockerfile))
            .split('\n');
    DagModel model;
    model.collapsed = collapsed;
    int lineCursor = 0;
    for (int s = 0; s < fixture.stages.size(); ++s) {
        const StageSpec &spec = fixture.stages[s];
        DagStage stage;
        stage.name = spec.name;
        stage.needed = spec.needed;
        stage.baseImage = spec.base.isEmpty() ? fixture.stages[spec.fromStage].name : spec.base;
        for (int k = 0; k < spec.steps.size(); ++k) {
            DagStep step;
            const QString instruction = spec.steps[k];
            const QString key = QStringLiteral("[%1 %2/%3]").arg(spec.name).arg(k + 1).arg(spec.steps.size());
            step.shortText = instruction;
            step.label = key + QLatin1Char(' ') + instruction;
            for (int l = lineCursor; l < dockerfile.size(); ++l) {
                if (QString::fromUtf8(dockerfile[l]).trimmed().startsWith(instruction.left(14))) {
                    step.line = l + 1;
                    lineCursor = l + 1;
                    break;
                }
            }
            const TsvStep logged = steps.value(key);
            step.state = stateOf(logged.status);
            step.seconds = logged.seconds;
            if (whatIf && step.state == StepState::Ran)
                step.verdict = instruction.contains(QLatin1String("--from=")) ? WhatIfVerdict::Maybe
                                                                              : WhatIfVerdict::Rerun;
            else if (whatIf && step.state == StepState::Cached)
                step.verdict = WhatIfVerdict::Cached;
            model.maxSeconds = qMax(model.maxSeconds, step.seconds);
            stage.steps.append(step);
        }
        model.stages.append(stage);
        if (!spec.base.isEmpty()) {
            int image = -1;
            for (int i = 0; i < model.images.size(); ++i) {
                if (model.images[i].name == spec.base)
                    image = i;
            }
            if (image < 0) {
                model.images.append({spec.base});
                image = int(model.images.size() - 1);
            }
            model.edges.append({-1, image, s, 0, DagEdgeKind::From});
        } else {
            model.edges.append({spec.fromStage, -1, s, 0, DagEdgeKind::From});
        }
    }
    for (const CopySpec &c : fixture.copies)
        model.edges.append({c.from, -1, c.to, c.toStep, c.kind});
    // Heat relative to the slowest step; the critical path: the steps that ran in the slowest chain of
    // stages, builder -> test -> runtime in the project (the stage order of the copies into runtime).
    for (DagStage &stage : model.stages) {
        for (DagStep &step : stage.steps) {
            step.heat = (model.maxSeconds > 0 && step.seconds > 0) ? step.seconds / model.maxSeconds : 0;
            step.critical = step.state == StepState::Ran
                && (stage.name == QLatin1String("builder") || stage.name == QLatin1String("test")
                    || stage.name == QLatin1String("runtime") || stage.name == QLatin1String("broken"));
        }
    }
    return model;
}

bool waitForLayout(DagScene *scene)
{
    if (!scene->isLayoutPending())
        return true;
    QSignalSpy spy(scene, &DagScene::layoutFinished);
    return spy.wait(10000);
}

QString describe(const QRectF &r)
{
    return QStringLiteral("(%1,%2 %3x%4)").arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
}

int countSteps(const DagModel &model, const std::function<bool(const DagStep &)> &pred)
{
    int n = 0;
    for (const DagStage &stage : model.stages) {
        for (const DagStep &step : stage.steps)
            n += pred(step) ? 1 : 0;
    }
    return n;
}

void saveScreenshot(QWidget *widget, const QString &name)
{
    const QPixmap shot = widget->grab();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.save(QStringLiteral("/tmp/stagelens-%1.png").arg(name)));
}

} // namespace

class TestDagScene : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        Test::setCNumericLocale();
        applyTheme(ThemeMode::Light);
    }

    void structure_data()
    {
        QTest::addColumn<DagModel>("model");
        QTest::addColumn<QString>("caseName");
        QTest::addRow("project, 02-edit-src") << makeModel(projectFixture(), QStringLiteral("02-edit-src"),
            false, false) << QStringLiteral("02-edit-src");
        QTest::addRow("project, 00-cold") << makeModel(projectFixture(), QStringLiteral("00-cold"), false,
            false) << QStringLiteral("00-cold");
        QTest::addRow("project, what-if from 02-edit-src") << makeModel(projectFixture(),
            QStringLiteral("02-edit-src"), true, false) << QStringLiteral("02-edit-src");
        QTest::addRow("fail, 22-fail-run-exit1")
            << makeModel(failFixture(), QStringLiteral("22-fail-run-exit1"), false, false)
            << QStringLiteral("22-fail-run-exit1");
    }

    void structure()
    {
        QFETCH(DagModel, model);
        QFETCH(QString, caseName);
        DagScene scene;
        scene.setModel(model);
        QVERIFY(waitForLayout(&scene));
        QVERIFY2(scene.layoutError().isEmpty(), qPrintable(scene.layoutError()));

        // One node per step, one box per stage, one edge per dependency, one node per image.
        const int stepCount = countSteps(model, [](const DagStep &) { return true; });
        QCOMPARE(scene.stepItems().size(), stepCount);
        QCOMPARE(scene.clusterItems().size(), model.stages.size());
        QCOMPARE(scene.dependencyItems().size(), model.edges.size());
        QCOMPARE(scene.imageItems().size(), model.images.size());
        for (const DependencyEdgeItem *edge : scene.dependencyItems()) {
            QVERIFY(edge->modelEdge >= 0);
            QCOMPARE(edge->kind(), model.edges[edge->modelEdge].kind);
            QCOMPARE(edge->label(), dagEdgeKindName(edge->kind()));
        }

        // States as the log has them: the counts of ERROR/CACHED/DONE rows in steps.tsv for this case.
        const QHash<QString, TsvStep> logged = readSteps(caseName);
        QMap<StepState, int> expected;
        for (const DagStage &stage : model.stages) {
            for (int k = 0; k < stage.steps.size(); ++k) {
                const QString key =
                    QStringLiteral("[%1 %2/%3]").arg(stage.name).arg(k + 1).arg(stage.steps.size());
                ++expected[stateOf(logged.value(key).status)];
            }
        }
        QMap<StepState, int> shown;
        int critical = 0;
        for (const StepNodeItem *item : scene.stepItems()) {
            ++shown[item->data().state];
            critical += item->data().critical ? 1 : 0;
            QCOMPARE(item->data().state, model.stages[item->stage()].steps[item->step()].state);
        }
        QVERIFY2(shown == expected,
            qPrintable(QStringLiteral("shown %1 error / %2 cached / %3 ran, log %4 / %5 / %6")
                           .arg(shown.value(StepState::Error))
                           .arg(shown.value(StepState::Cached))
                           .arg(shown.value(StepState::Ran))
                           .arg(expected.value(StepState::Error))
                           .arg(expected.value(StepState::Cached))
                           .arg(expected.value(StepState::Ran))));
        QCOMPARE(critical, countSteps(model, [](const DagStep &s) { return s.critical; }));
        int badges = 0;
        for (const StepNodeItem *item : scene.stepItems())
            badges += item->texts().badge.isEmpty() ? 0 : 1;
        QCOMPARE(
            badges, countSteps(model, [](const DagStep &s) { return s.verdict != WhatIfVerdict::None; }));

        // Critical dependency edges are exactly those between two critical steps.
        for (const DependencyEdgeItem *edge : scene.dependencyItems()) {
            const DagEdge &e = model.edges[edge->modelEdge];
            const bool fromCritical = e.fromStage >= 0 && model.stages[e.fromStage].steps.last().critical;
            const bool toCritical = model.stages[e.toStage].steps[e.toStep].critical;
            QCOMPARE(edge->isCritical(), fromCritical && toCritical);
        }

        // Geometry: steps inside their stage box, below its title, in Dockerfile order, never overlapping.
        QHash<int, StageClusterItem *> clusters;
        for (StageClusterItem *c : scene.clusterItems())
            clusters.insert(c->stage(), c);
        const QList<StepNodeItem *> steps = scene.stepItems();
        for (const StepNodeItem *item : steps) {
            const QRectF node =
                item->mapRectToScene(QRectF(QPointF(), item->boundingRect().size() - QSizeF(12, 12)));
            const StageClusterItem *cluster = clusters.value(item->stage());
            QVERIFY(cluster);
            QVERIFY2(cluster->boundingRect().contains(node),
                qPrintable(describe(node) + QStringLiteral(" outside ") + describe(cluster->boundingRect())));
            QVERIFY2(cluster->titleRect().bottom() <= node.top() + 0.5,
                qPrintable(describe(cluster->titleRect()) + QStringLiteral(" over ") + describe(node)));
            QCOMPARE(item->opacity() < 1.0, !model.stages[item->stage()].needed);
            for (const StepNodeItem *other : steps) {
                if (other == item)
                    continue;
                const QRectF o =
                    other->mapRectToScene(QRectF(QPointF(), other->boundingRect().size() - QSizeF(12, 12)));
                QVERIFY2(!node.intersects(o),
                    qPrintable(describe(node) + QStringLiteral(" overlaps ") + describe(o)));
                if (other->stage() == item->stage() && other->step() == item->step() + 1)
                    QVERIFY2(o.top() > node.bottom(), "steps of a stage run top to bottom");
            }
        }
        // Text fits its box: the elided text, the seconds and the badge within the node width.
        for (const StepNodeItem *item : steps) {
            const DagFonts &fonts = item->fonts();
            const StepNodeItem::Texts &t = item->texts();
            qreal needed = StepNodeItem::stripeWidth(item->data().state) + 16
                + QFontMetricsF(item->data().critical ? fonts.bold : fonts.text).horizontalAdvance(t.text);
            if (!t.seconds.isEmpty())
                needed += QFontMetricsF(fonts.small).horizontalAdvance(t.seconds) + 12;
            if (!t.badge.isEmpty())
                needed += QFontMetricsF(fonts.smallBold).horizontalAdvance(t.badge) + 16;
            const qreal width = item->boundingRect().width() - 12;
            QVERIFY2(needed <= width + 0.5,
                qPrintable(QStringLiteral("'%1' needs %2, node is %3").arg(t.text).arg(needed).arg(width)));
        }
    }

    // The main window and the layout benchmark open a file collapsed by the same rule: more than 90 step
    // nodes in all, whatever the stages.
    void opensCollapsedCountsAllSteps()
    {
        DagModel model;
        for (int s = 0; s < 3; ++s)
            model.stages.append(DagStage {QStringLiteral("s%1").arg(s), QString(), true, QList<DagStep>(30)});
        QVERIFY(!opensCollapsed(model)); // 90
        model.stages.last().steps.append(DagStep());
        QVERIFY(opensCollapsed(model)); // 91
        model.stages.clear();
        QVERIFY(!opensCollapsed(model));
    }

    void collapsed_data()
    {
        QTest::addColumn<DagModel>("model");
        QTest::addRow("project, 00-cold")
            << makeModel(projectFixture(), QStringLiteral("00-cold"), false, true);
        QTest::addRow("fail") << makeModel(failFixture(), QStringLiteral("22-fail-run-exit1"), false, true);
    }

    void collapsed()
    {
        QFETCH(DagModel, model);
        DagScene scene;
        scene.setModel(model);
        QVERIFY(waitForLayout(&scene));
        QCOMPARE(scene.stepItems().size(), 0);
        QCOMPARE(scene.clusterItems().size(), 0);
        QCOMPARE(scene.stageNodeItems().size(), model.stages.size());
        // Parallel edges of one kind between the same two stages merge into one.
        QSet<QString> distinct;
        for (const DagEdge &e : model.edges)
            distinct.insert(QStringLiteral("%1/%2>%3:%4")
                                .arg(e.fromStage)
                                .arg(e.fromImage)
                                .arg(e.toStage)
                                .arg(int(e.kind)));
        QCOMPARE(scene.dependencyItems().size(), distinct.size());

        scene.setCollapsed(false);
        QVERIFY(waitForLayout(&scene));
        QCOMPARE(scene.stepItems().size(), countSteps(model, [](const DagStep &) { return true; }));
    }

    void selection_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<int>("step");
        QTest::addRow("builder RUN") << 1 << 2;
        QTest::addRow("runtime COPY --from=test") << 5 << 3;
        QTest::addRow("unneeded docs FROM") << 4 << 0;
    }

    void selection()
    {
        QFETCH(int, stage);
        QFETCH(int, step);
        DagView view;
        view.resize(1280, 800);
        view.setModel(makeModel(projectFixture(), QStringLiteral("02-edit-src"), false, false));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(waitForLayout(view.dagScene()));

        QSignalSpy spy(&view, &DagView::stepSelected);
        QGraphicsItem *item = view.dagScene()->stepItem(stage, step);
        QVERIFY(item);
        view.ensureVisible(item);
        const QPoint at = view.mapFromScene(item->sceneBoundingRect().center());
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), stage);
        QCOMPARE(spy.at(0).at(1).toInt(), step);
        QCOMPARE(view.dagScene()->selectedStep(), qMakePair(stage, step));

        // Selection from outside (the timeline, the source view) moves it without echoing the signal.
        view.selectStep(0, 1);
        QCOMPARE(view.dagScene()->selectedStep(), qMakePair(0, 1));
        QVERIFY(view.dagScene()->stepItem(0, 1)->isSelected());
        QVERIFY(!item->isSelected());
        QCOMPARE(spy.size(), 1);
    }

    void toolTips_data()
    {
        QTest::addColumn<QString>("instruction");
        QTest::addRow("plain") << QStringLiteral("RUN make all");
        QTest::addRow("looks like HTML") << QStringLiteral("RUN echo '<b>not bold</b>' > /x.html");
        QTest::addRow("entity and newline") << QStringLiteral("RUN printf '&amp;\\n' <<EOF\nline two\nEOF");
    }

    void toolTips()
    {
        QFETCH(QString, instruction);
        DagModel model = makeModel(failFixture(), QStringLiteral("22-fail-run-exit1"), false, false);
        model.stages[1].steps[2].label = instruction;
        model.stages[1].steps[2].shortText = instruction;
        DagView view;
        view.resize(900, 700);
        view.setModel(model);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(waitForLayout(view.dagScene()));
        QGraphicsItem *item = view.dagScene()->stepItem(1, 2);
        QVERIFY(item);
        view.ensureVisible(item);
        const QPoint at = view.mapFromScene(item->sceneBoundingRect().center());
        QHelpEvent help(QEvent::ToolTip, at, view.viewport()->mapToGlobal(at));
        QApplication::sendEvent(view.viewport(), &help);
        const QString shown = PlainToolTip::currentText();
        // Plain text, verbatim: the full instruction, its line, its state.
        QVERIFY2(shown.startsWith(instruction), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("Dockerfile line %1").arg(model.stages[1].steps[2].line)),
            qPrintable(shown));
        QVERIFY2(shown.contains(dagStepStateName(model.stages[1].steps[2].state)), qPrintable(shown));
        PlainToolTip::hideText();
    }

    void staleLayoutDropped_data()
    {
        QTest::addColumn<int>("rounds");
        QTest::addRow("3 quick models") << 3;
    }

    void staleLayoutDropped()
    {
        QFETCH(int, rounds);
        DagScene scene;
        QSignalSpy finished(&scene, &DagScene::layoutFinished);
        const DagModel big = makeModel(projectFixture(), QStringLiteral("00-cold"), false, false);
        const DagModel small = makeModel(failFixture(), QStringLiteral("22-fail-run-exit1"), false, false);
        for (int i = 0; i < rounds; ++i)
            scene.setModel(big);
        scene.setModel(small); // the last one wins
        QVERIFY(finished.wait(10000));
        QTest::qWait(100); // any stale result would arrive now
        QCOMPARE(finished.size(), 1);
        QCOMPARE(scene.stepItems().size(), countSteps(small, [](const DagStep &) { return true; }));
    }

    void zoom_data()
    {
        QTest::addColumn<int>("key");
        QTest::addColumn<int>("direction");
        QTest::addRow("plus") << int(Qt::Key_Plus) << 1;
        QTest::addRow("minus") << int(Qt::Key_Minus) << -1;
    }

    void zoom()
    {
        QFETCH(int, key);
        QFETCH(int, direction);
        DagView view;
        view.resize(800, 600);
        view.setModel(makeModel(projectFixture(), QStringLiteral("02-edit-src"), false, false));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(waitForLayout(view.dagScene()));
        const qreal fitted = view.zoom();
        QVERIFY(fitted > 0 && fitted <= 1.0);
        QTest::keyClick(&view, Qt::Key(key));
        QVERIFY2((view.zoom() - fitted) * direction > 0, qPrintable(QString::number(view.zoom())));
        QTest::keyClick(&view, Qt::Key_0);
        QCOMPARE(view.zoom(), fitted);

        // Ctrl+wheel zooms; a plain wheel scrolls and leaves the zoom alone.
        const QPoint centre = view.viewport()->rect().center();
        QWheelEvent wheel(centre, view.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120 * direction),
            Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY((view.zoom() - fitted) * direction > 0);
        const qreal zoomed = view.zoom();
        QWheelEvent plain(centre, view.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, -120),
            Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &plain);
        QCOMPARE(view.zoom(), zoomed);
    }

    void hostileModel_data()
    {
        QTest::addColumn<DagModel>("model");
        {
            DagModel m;
            m.stages.append({QString(), QString(), true, {}});
            m.stages.append({QStringLiteral("x"), QStringLiteral("img"), false, {DagStep {}}});
            m.edges.append({7, -1, 1, 0, DagEdgeKind::Copy});
            m.edges.append({-1, 3, 1, 0, DagEdgeKind::From});
            m.edges.append({1, -1, 1, 0, DagEdgeKind::From});
            m.edges.append({0, -1, 1, 99, DagEdgeKind::Mount});
            m.edges.append({0, -1, -4, 0, DagEdgeKind::Mount});
            QTest::addRow("bad indices, empty stage") << m;
        }
        {
            DagModel m;
            DagStep huge;
            huge.shortText = QString(100000, QLatin1Char('A')) + QStringLiteral("\n<b>x</b>");
            huge.label = huge.shortText;
            huge.seconds = qInf();
            huge.heat = qQNaN();
            m.stages.append({QString(5000, QLatin1Char('n')), QString(5000, QLatin1Char('i')), true, {huge}});
            QTest::addRow("huge texts, NaN heat") << m;
        }
        {
            // A large file: 40 stages of 8 steps, each stage copying from the two before it.
            DagModel m;
            m.images.append({QStringLiteral("docker.io/library/golang:1.22")});
            for (int s = 0; s < 40; ++s) {
                DagStage stage {QStringLiteral("stage%1").arg(s), QString(), s % 7 != 3, {}};
                for (int k = 0; k < 8; ++k) {
                    DagStep step;
                    step.shortText = QStringLiteral("RUN make part-%1-%2").arg(s).arg(k);
                    step.state = StepState(1 + (s + k) % 5);
                    step.seconds = (s * 8 + k) % 13;
                    step.heat = step.seconds / 12.0;
                    stage.steps.append(step);
                }
                m.stages.append(stage);
                m.edges.append({s == 0 ? -1 : s - 1, s == 0 ? 0 : -1, s, 0, DagEdgeKind::From});
                if (s >= 2)
                    m.edges.append({s - 2, -1, s, 3, s % 2 ? DagEdgeKind::Copy : DagEdgeKind::Mount});
            }
            QTest::addRow("40 stages x 8 steps") << m;
            m.collapsed = true;
            QTest::addRow("40 stages collapsed") << m;
        }
    }

    void hostileModel()
    {
        QFETCH(DagModel, model);
        DagView view;
        view.resize(640, 480);
        view.setModel(model);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(waitForLayout(view.dagScene()));
        QVERIFY2(view.dagScene()->layoutError().isEmpty(), qPrintable(view.dagScene()->layoutError()));
        QCOMPARE(view.dagScene()->clusterItems().size() + view.dagScene()->stageNodeItems().size(),
            model.stages.size());
        // Nothing grows without bound: every node stays a sensible size.
        for (const StepNodeItem *item : view.dagScene()->stepItems())
            QVERIFY(item->boundingRect().width() < 600);
        QVERIFY(!view.grab().isNull());
    }

    // Screenshots for a human to look at (not compared): light and dark palettes, normal and large.
    void screenshots_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("whatIf");
        QTest::addColumn<bool>("collapsed");
        QTest::addRow("dag-light-1280") << false << QSize(1280, 800) << false << false;
        QTest::addRow("dag-dark-1280") << true << QSize(1280, 800) << false << false;
        QTest::addRow("dag-light-2560") << false << QSize(2560, 1600) << false << false;
        QTest::addRow("dag-dark-2560-whatif") << true << QSize(2560, 1600) << true << false;
        QTest::addRow("dag-light-1280-whatif") << false << QSize(1280, 800) << true << false;
        QTest::addRow("dag-dark-1280-collapsed") << true << QSize(1280, 800) << false << true;
    }

    void screenshots()
    {
        QFETCH(bool, dark);
        QFETCH(QSize, size);
        QFETCH(bool, whatIf);
        QFETCH(bool, collapsed);
        applyTheme(dark ? ThemeMode::Dark : ThemeMode::Light);
        DagView view;
        view.resize(size);
        view.setModel(makeModel(projectFixture(), QStringLiteral("02-edit-src"), whatIf, collapsed));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(waitForLayout(view.dagScene()));
        view.selectStep(1, 1);
        saveScreenshot(&view, QString::fromLatin1(QTest::currentDataTag()));
        applyTheme(ThemeMode::Light);
    }

    // A what-if tick or another build of the same Dockerfile changes states, times, verdicts and the
    // critical path, never the graph: the items are restyled where they stand, Graphviz is not asked again.
    void restyleWithoutLayout_data()
    {
        QTest::addColumn<DagModel>("before");
        QTest::addColumn<DagModel>("after");
        const Fixture project = projectFixture();
        QTest::addRow("what-if tick") << makeModel(project, QStringLiteral("02-edit-src"), false, false)
                                      << makeModel(project, QStringLiteral("02-edit-src"), true, false);
        QTest::addRow("what-if untick") << makeModel(project, QStringLiteral("02-edit-src"), true, false)
                                        << makeModel(project, QStringLiteral("02-edit-src"), false, false);
        QTest::addRow("another build") << makeModel(project, QStringLiteral("00-cold"), false, false)
                                       << makeModel(project, QStringLiteral("02-edit-src"), true, false);
        QTest::addRow("collapsed, another build") << makeModel(project, QStringLiteral("00-cold"), false,
            true) << makeModel(project, QStringLiteral("02-edit-src"), true, true);
    }
    void restyleWithoutLayout()
    {
        QFETCH(DagModel, before);
        QFETCH(DagModel, after);
        DagScene scene;
        scene.setModel(before);
        QVERIFY(waitForLayout(&scene));
        QCOMPARE(scene.layoutCount(), 1);
        QHash<QGraphicsItem *, QPointF> places;
        for (QGraphicsItem *item : scene.items())
            places.insert(item, item->pos());

        QSignalSpy started(&scene, &DagScene::layoutStarted);
        QSignalSpy restyled(&scene, &DagScene::restyled);
        scene.setModel(after);
        QCOMPARE(restyled.size(), 1);
        QCOMPARE(started.size(), 0);
        QCOMPARE(scene.layoutCount(), 1);
        QVERIFY(!scene.isLayoutPending());
        // The same items in the same places...
        QCOMPARE(scene.items().size(), places.size());
        for (QGraphicsItem *item : scene.items()) {
            QVERIFY(places.contains(item));
            QCOMPARE(item->pos(), places.value(item));
        }
        // ...showing the new model.
        int badges = 0;
        for (const StepNodeItem *item : scene.stepItems()) {
            const DagStep &step = after.stages[item->stage()].steps[item->step()];
            QCOMPARE(item->data().state, step.state);
            QCOMPARE(item->data().verdict, step.verdict);
            QCOMPARE(item->data().critical, step.critical);
            QCOMPARE(item->texts().seconds, formatSeconds(step.seconds));
            badges += item->texts().badge.isEmpty() ? 0 : 1;
            // Whatever the badge and the seconds take, the text still fits the box it was laid out in.
            const DagFonts &fonts = item->fonts();
            const StepNodeItem::Texts &t = item->texts();
            qreal needed = StepNodeItem::stripeWidth(step.state) + 16
                + QFontMetricsF(step.critical ? fonts.bold : fonts.text).horizontalAdvance(t.text);
            if (!t.seconds.isEmpty())
                needed += QFontMetricsF(fonts.small).horizontalAdvance(t.seconds) + 12;
            if (!t.badge.isEmpty())
                needed += QFontMetricsF(fonts.smallBold).horizontalAdvance(t.badge) + 16;
            QVERIFY2(needed <= item->boundingRect().width() - 12 + 0.5, qPrintable(t.text));
        }
        if (!after.collapsed)
            QCOMPARE(
                badges, countSteps(after, [](const DagStep &s) { return s.verdict != WhatIfVerdict::None; }));
        for (const DependencyEdgeItem *edge : scene.dependencyItems()) {
            if (after.collapsed)
                break; // merged edges: critical when both stage nodes are
            const DagEdge &e = after.edges[edge->modelEdge];
            const bool fromCritical = e.fromStage >= 0 && after.stages[e.fromStage].steps.last().critical;
            const bool toCritical = after.stages[e.toStage].steps[e.toStep].critical;
            QCOMPARE(edge->isCritical(), fromCritical && toCritical);
        }
        for (const StageNodeItem *node : scene.stageNodeItems()) {
            int cached = 0;
            for (const DagStep &step : after.stages[node->stage()].steps)
                cached += step.state == StepState::Cached ? 1 : 0;
            QCOMPARE(node->summary().contains(QStringLiteral("%1 cached").arg(cached)), cached > 0);
        }
    }

    // What the layout depends on does change the layout.
    void structureChangeLaysOut_data()
    {
        QTest::addColumn<DagModel>("before");
        QTest::addColumn<DagModel>("after");
        const Fixture project = projectFixture();
        QTest::addRow("collapse") << makeModel(project, QStringLiteral("02-edit-src"), false, false)
                                  << makeModel(project, QStringLiteral("02-edit-src"), false, true);
        QTest::addRow("another Dockerfile") << makeModel(project, QStringLiteral("02-edit-src"), false,
            false) << makeModel(failFixture(), QStringLiteral("22-fail-run-exit1"), false, false);
        DagModel untimed = makeModel(project, QStringLiteral("02-edit-src"), false, false);
        for (DagStage &stage : untimed.stages) {
            for (DagStep &step : stage.steps) {
                step.state = StepState::NoLog;
                step.seconds = -1;
                step.critical = false;
            }
        }
        QTest::addRow("first build loaded")
            << untimed << makeModel(project, QStringLiteral("02-edit-src"), false, false);
    }
    void structureChangeLaysOut()
    {
        QFETCH(DagModel, before);
        QFETCH(DagModel, after);
        DagScene scene;
        scene.setModel(before);
        QVERIFY(waitForLayout(&scene));
        QSignalSpy restyled(&scene, &DagScene::restyled);
        scene.setModel(after);
        QVERIFY(scene.isLayoutPending());
        QCOMPARE(scene.layoutCount(), 2);
        QVERIFY(waitForLayout(&scene));
        QCOMPARE(restyled.size(), 0);
        QCOMPARE(scene.stepItems().size() + scene.stageNodeItems().size(),
            after.collapsed ? after.stages.size() : countSteps(after, [](const DagStep &) { return true; }));
    }

    // A model of the same structure set while its layout still runs: no second layout, the newest states.
    void sameStructureWhileLayoutRuns()
    {
        DagScene scene;
        const DagModel first = makeModel(projectFixture(), QStringLiteral("00-cold"), false, false);
        const DagModel second = makeModel(projectFixture(), QStringLiteral("02-edit-src"), true, false);
        scene.setModel(first);
        scene.setModel(second);
        QCOMPARE(scene.layoutCount(), 1);
        QVERIFY(waitForLayout(&scene));
        for (const StepNodeItem *item : scene.stepItems())
            QCOMPARE(item->data().verdict, second.stages[item->stage()].steps[item->step()].verdict);
    }
};

QTEST_MAIN(TestDagScene)
#include "tst_dagscene.moc"
