// Joins the real BuildKit logs of shared/corpus/buildkit-real to the project's Dockerfile and checks the
// match and the derived figures against steps.tsv, which was written from BuildKit's own output.
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QSet>
#include <QTest>

using namespace Stagelens;

namespace {

struct Case
{
    QString dockerfile = QStringLiteral("Dockerfile");
    QString target;
    QHash<QString, QString> args;
};

// The docker build flags of each case, as regen.sh passes them (see EXPECTED.md).
Case caseOptions(const QString &name)
{
    Case c;
    if (name.startsWith(QLatin1String("07-")))
        c.args.insert(QStringLiteral("VERSION"), QStringLiteral("1.1"));
    else if (name.startsWith(QLatin1String("09-")))
        c.args.insert(QStringLiteral("ASSET_FLAVOR"), QStringLiteral("fancy"));
    else if (name.startsWith(QLatin1String("10-")))
        c.args.insert(QStringLiteral("NOT_DECLARED"), QStringLiteral("1"));
    else if (name.startsWith(QLatin1String("13-")))
        c.target = QStringLiteral("test");
    else if (name.startsWith(QLatin1String("14-")))
        c.target = QStringLiteral("docs");
    else if (name.startsWith(QLatin1String("20-")) || name.startsWith(QLatin1String("21-")))
        c.args.insert(QStringLiteral("DEPS_MIRROR"), QStringLiteral("mirror2"));
    else if (name.startsWith(QLatin1String("22-")))
        c.dockerfile = QStringLiteral("Dockerfile.fail");
    else if (name.startsWith(QLatin1String("23-")))
        c.dockerfile = QStringLiteral("Dockerfile.missing");
    else if (name.startsWith(QLatin1String("24-")))
        c.dockerfile = QStringLiteral("Dockerfile.longlog");
    return c;
}

struct TsvRow
{
    QString status;
    QString name;
};

// steps.tsv: case, rc, vertex, status, seconds, name.
QHash<QString, QList<TsvRow>> readStepsTsv()
{
    QHash<QString, QList<TsvRow>> rows;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cols = lines.at(i).split('\t');
        if (cols.size() < 6)
            continue;
        rows[QString::fromUtf8(cols.at(0))].append(
            {QString::fromUtf8(cols.at(3)), QString::fromUtf8(cols.at(5))});
    }
    return rows;
}

BuildGraph graphFor(const Case &c)
{
    BuildOptions options;
    options.target = c.target;
    options.buildArgs = c.args;
    return buildGraphFromFile(
        Test::corpusPath(QStringLiteral("buildkit-real/project/") + c.dockerfile), options);
}

} // namespace

class TestBuildAnalysis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { Test::setCNumericLocale(); }

    void matchesEveryStepOfRealLogs_data()
    {
        QTest::addColumn<QString>("log");
        const QStringList logs = QDir(Test::corpusPath(QStringLiteral("buildkit-real")))
                                     .entryList({QStringLiteral("*.log")}, QDir::Files, QDir::Name);
        QVERIFY(logs.size() >= 25);
        for (const QString &log : logs) {
            if (log.startsWith(QLatin1String("27-"))) // the CLI refused --progress=rawjson: no build at all
                continue;
            QTest::addRow("%s", qPrintable(log)) << log;
        }
    }
    void matchesEveryStepOfRealLogs()
    {
        QFETCH(QString, log);
        const QString caseName = log.chopped(4);
        const BuildGraph graph = graphFor(caseOptions(caseName));
        QVERIFY2(!hasErrors(graph.diagnostics), qPrintable(graph.diagnostics.value(0).toString()));
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/") + log));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        const BuildAnalysis analysis = analyseBuild(graph, run);

        QStringList unmatched;
        for (int v : analysis.unmatchedVertices)
            unmatched << run.vertices.at(v).name;
        QVERIFY2(unmatched.isEmpty(), qPrintable(unmatched.join(QLatin1String(" | "))));

        // Every step vertex of the log is matched, and its state is the one steps.tsv records for it.
        const QList<TsvRow> rows = readStepsTsv().value(caseName);
        int stepRows = 0;
        for (const TsvRow &row : rows) {
            if (!row.name.startsWith(QLatin1Char('[')) || row.name.startsWith(QLatin1String("[internal]")))
                continue;
            ++stepRows;
            int vertex = -1;
            // steps.tsv clips long names to 80 characters and "...".
            const bool clipped = row.name.endsWith(QLatin1String("..."));
            const QString prefix = clipped ? row.name.chopped(3) : row.name;
            for (int v = 0; v < run.vertices.size(); ++v) {
                const QString &name = run.vertices.at(v).name;
                if (clipped ? name.startsWith(prefix) : name == row.name)
                    vertex = v;
            }
            QVERIFY2(vertex >= 0, qPrintable(QStringLiteral("log vertex missing: ") + row.name));
            const auto [s, i] = analysis.stepOfVertex.at(vertex);
            QVERIFY2(s >= 0, qPrintable(QStringLiteral("not matched: ") + row.name));
            const StepTiming &timing = analysis.steps.at(s).at(i);
            const StepState expected = row.status == QLatin1String("CACHED") ? StepState::Cached
                : row.status == QLatin1String("ERROR")                       ? StepState::Error
                                                                             : StepState::Ran;
            if (timing.state != expected)
                qWarning() << row.name << "state" << stepStateName(timing.state) << "expected" << row.status;
            QCOMPARE(timing.state, expected);
            // The step the log names is the step the Dockerfile has at that stage and counter.
            const Step &step = graph.stages.at(s).steps.at(i);
            QCOMPARE(step.number, run.vertices.at(vertex).label.step);
        }
        if (rows.isEmpty()) {
            // steps.tsv has no rows for the tty capture; EXPECTED.md says a3 a4 r5 r6 ran (FROM aside).
            QVERIFY(caseName.startsWith(QLatin1String("26-")));
            QStringList ran;
            for (int s = 0; s < graph.stages.size(); ++s)
                for (int i = 0; i < graph.stages.at(s).steps.size(); ++i)
                    if (analysis.steps.at(s).at(i).state == StepState::Ran && i > 0)
                        ran << QStringLiteral("%1 %2")
                                   .arg(graph.stages.at(s).token())
                                   .arg(graph.stages.at(s).steps.at(i).number);
            QCOMPARE(ran,
                (QStringList {QStringLiteral("assets 3"), QStringLiteral("assets 4"),
                    QStringLiteral("runtime 5"), QStringLiteral("runtime 6")}));
            QCOMPARE(analysis.stepVertices, 17);
            return;
        }
        QCOMPARE(analysis.stepVertices, stepRows);
        QCOMPARE(analysis.summary.ran + analysis.summary.cached + analysis.summary.errors, stepRows);

        // Needed steps the log does not show are "not in log"; unneeded stages never get a state.
        for (int s = 0; s < graph.stages.size(); ++s) {
            for (int i = 0; i < graph.stages.at(s).steps.size(); ++i) {
                const StepTiming &t = analysis.steps.at(s).at(i);
                if (!graph.stages.at(s).needed)
                    QVERIFY(t.vertex < 0 || graph.stages.at(s).steps.at(i).keyword == QLatin1String("FROM"));
                if (t.vertex < 0)
                    QCOMPARE(t.state, StepState::NotInLog);
            }
        }
    }

    void criticalPathOfColdBuild()
    {
        const BuildGraph graph = graphFor({});
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        const BuildAnalysis analysis = analyseBuild(graph, run);
        QVERIFY(!analysis.criticalPath.isEmpty());
        // The chain's last Dockerfile step is the target stage's last, [runtime 6/6] (the exporter, which
        // waits for it, may follow), and the chain is ordered in time.
        QString lastStep;
        for (int v : analysis.criticalPath) {
            if (run.vertices.at(v).label.step > 0)
                lastStep = run.vertices.at(v).name;
        }
        QVERIFY2(lastStep.startsWith(QLatin1String("[runtime 6/6]")), qPrintable(lastStep));
        double previousEnd = -1;
        for (int v : analysis.criticalPath) {
            const BuildVertex &vertex = run.vertices.at(v);
            QVERIFY(vertex.end.has_value());
            QVERIFY2(*vertex.end >= previousEnd - 1e-6, qPrintable(vertex.name));
            previousEnd = *vertex.end;
        }
        // The slow deps install and the build step are on it (they gate everything after them).
        QStringList names;
        for (int v : analysis.criticalPath)
            names << run.vertices.at(v).name;
        QVERIFY2(names.join(QLatin1Char('\n')).contains(QLatin1String("[builder 3/3] RUN")),
            qPrintable(names.join(QLatin1Char('\n'))));
        QVERIFY(analysis.summary.criticalPathSeconds.value_or(0) > 0);
        QVERIFY(*analysis.summary.criticalPathSeconds <= analysis.summary.wallSeconds.value_or(0) + 0.5);
        QCOMPARE(analysis.summary.cached, 0);
        QCOMPARE(analysis.summary.cacheHitRate(), 0.0);
        // The DAG marks exactly the matched steps whose vertex is on that path.
        const QSet<int> onPath(analysis.criticalPath.cbegin(), analysis.criticalPath.cend());
        for (const QList<StepTiming> &stage : analysis.steps) {
            for (const StepTiming &t : stage)
                QCOMPARE(t.critical, t.vertex >= 0 && onPath.contains(t.vertex));
        }
    }

    void concurrencyShowsParallelStages()
    {
        // deps and assets run their slow RUN steps at the same time in the cold build.
        const BuildGraph graph = graphFor({});
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")));
        const BuildAnalysis analysis = analyseBuild(graph, result.builds.first());
        double peak = 0;
        for (const QPointF &p : analysis.concurrency)
            peak = std::max(peak, p.y());
        QVERIFY2(peak >= 2, qPrintable(QString::number(peak)));
        QCOMPARE(analysis.concurrency.last().y(), 0.0);
    }

    void cachedBuildHasFullHitRatio()
    {
        const BuildGraph graph = graphFor({});
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/01-nochange.log")));
        const BuildAnalysis analysis = analyseBuild(graph, result.builds.first());
        QCOMPARE(analysis.summary.ran, 1); // the shared FROM vertex prints DONE 0.0s even when nothing runs
        QVERIFY(analysis.summary.cacheHitRate().value_or(0) > 0.9);
    }
};

QTEST_GUILESS_MAIN(TestBuildAnalysis)
#include "tst_buildanalysis.moc"
