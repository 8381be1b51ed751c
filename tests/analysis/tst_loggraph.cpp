// The stage graph a log shows by itself, checked against the graph of the Dockerfile that was really built.
#include "model/analysis/loggraph.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QSet>
#include <QTest>

using namespace Stagelens;

class TestLogGraph : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesTheDockerfileThatWasBuilt_data()
    {
        QTest::addColumn<QString>("log");
        QTest::addRow("cold, plain") << QStringLiteral("00-cold.log");
        QTest::addRow("edit, plain") << QStringLiteral("02-edit-src.log");
        QTest::addRow("tty capture") << QStringLiteral("26-tty-progress-edit-asset.log");
    }
    // Every stage the target needs is there under its token, with one step per printed vertex in counter
    // order, and the COPY --from edges between them are the Dockerfile's.
    void matchesTheDockerfileThatWasBuilt()
    {
        QFETCH(QString, log);
        const BuildLogResult read =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/") + log));
        QCOMPARE(read.builds.size(), 1);
        const BuildGraph fromLog = graphFromLog(read.builds.first());
        const BuildGraph real =
            buildGraphFromFile(Test::corpusPath(QStringLiteral("buildkit-real/project/Dockerfile")), {});

        QSet<QString> tokens;
        for (const Stage &stage : fromLog.stages) {
            tokens.insert(stage.token());
            for (int k = 1; k < stage.steps.size(); ++k)
                QVERIFY(stage.steps.at(k - 1).number < stage.steps.at(k).number);
        }
        QSet<QPair<QString, QString>> realCopies;
        for (const Stage &stage : real.stages) {
            if (!stage.needed)
                continue;
            QVERIFY2(tokens.contains(stage.token()), qPrintable(stage.token()));
        }
        for (const Edge &e : real.edges) {
            if (e.kind == EdgeKind::Copy && real.stages.at(e.to).needed)
                realCopies.insert({real.stages.at(e.from).token(), real.stages.at(e.to).token()});
        }
        QSet<QPair<QString, QString>> logCopies;
        for (const Edge &e : fromLog.edges) {
            QCOMPARE(e.kind, EdgeKind::Copy);
            QCOMPARE(fromLog.stages.at(e.to).steps.at(e.toStep).fromStage, e.from);
            logCopies.insert({fromLog.stages.at(e.from).token(), fromLog.stages.at(e.to).token()});
        }
        QVERIFY(!realCopies.isEmpty());
        QCOMPARE(logCopies, realCopies);
        QCOMPARE(fromLog.target, QStringLiteral("runtime"));
    }

    // A failed build cut the target short: the unfinished stage that waited for the failing one is the
    // target.
    void failedBuildTarget()
    {
        const BuildLogResult read = readBuildLogFile(Test::corpusPath(
            QStringLiteral("logs/langkebo-synapse-rust-context-transfer-progress-run-error.log")));
        const BuildGraph g = graphFromLog(read.builds.last());
        QCOMPARE(g.target, QStringLiteral("runtime")); // [runtime 4/9] is its last printed step
    }

    // A one-stage build prints no stage token: one unnamed stage, its steps' labels the log's.
    void singleStage()
    {
        const BuildLogResult read =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/23-fail-copy-missing.log")));
        const BuildGraph g = graphFromLog(read.builds.first());
        QCOMPARE(g.stages.size(), 1);
        QVERIFY(g.stages.first().name.isEmpty());
        for (const Step &step : g.stages.first().steps)
            QVERIFY2(
                step.label.startsWith(QLatin1Char('[')) && !step.label.startsWith(QLatin1String("[stage")),
                qPrintable(step.label));
    }
};

QTEST_GUILESS_MAIN(TestLogGraph)
#include "tst_loggraph.moc"
