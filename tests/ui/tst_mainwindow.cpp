// The main window on real corpus projects and logs: the scene has what the Dockerfile and the log say.
#include "model/analysis/contexttreemodel.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

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

DagStepState expectedState(const BuildVertex &vertex)
{
    switch (vertex.status) {
    case VertexStatus::Done:
        return DagStepState::Ran;
    case VertexStatus::Cached:
        return DagStepState::Cached;
    case VertexStatus::Error:
        return DagStepState::Error;
    default:
        return DagStepState::Canceled;
    }
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
            QVERIFY(stage.needed || item->data().state == DagStepState::NotInLog
                || item->data().state == DagStepState::Ran); // the shared FROM vertex
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
        // And File > Export Report would carry the prediction.
        QVERIFY(window.reportInput().whatIf.has_value());
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
