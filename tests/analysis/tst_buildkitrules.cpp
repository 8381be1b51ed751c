// The BuildKit rules of issue #17, each checked against real BuildKit logs of the corpus where it has
// them: the stage token of single-stage files (rule 1), one vertex printed under several names (rule 5)
// and logs saved newest-first (rule 6). Expectations come from the raw log text (regular expressions,
// independent of the parser) and from dockerfile2llb's rules as written in BuildKit's convert.go.
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QBuffer>
#include <QRegularExpression>
#include <QTest>

using namespace Stagelens;

namespace {

BuildLogResult parseBytes(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return readBuildLogDevice(buffer);
}

// The "[... k/n] ..." vertex names of a plain log, in order of first appearance, read with a regular
// expression (CI prefixes such as GitLab's colour codes and section markers are skipped over).
QStringList rawStepNames(const QByteArray &log)
{
    static const QRegularExpression re(QStringLiteral("#\\d+ (\\[[^\\]]*\\b\\d+/\\d+\\] [^\\r\\x1b]*)"));
    QStringList names;
    for (const QByteArray &line : log.split('\n')) {
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(line));
        if (m.hasMatch() && !names.contains(m.captured(1)))
            names.append(m.captured(1));
    }
    return names;
}

// A FROM vertex names the image as resolved (with its digest); the Dockerfile names it without.
QString withoutDigest(const QString &name)
{
    static const QRegularExpression digest(QStringLiteral("@sha256:[0-9a-f]{64}$"));
    QString out = name;
    return out.remove(digest);
}

QStringList predictedLabels(const BuildGraph &g)
{
    QStringList labels;
    for (const auto &[s, k] : g.neededVertices())
        labels.append(g.stages[s].steps[k].label);
    return labels;
}

QString errorsOf(const BuildGraph &g)
{
    QStringList out;
    for (const Diagnostic &d : g.diagnostics) {
        if (d.severity == Severity::Error)
            out.append(d.toString());
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestBuildKitRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { Test::setCNumericLocale(); }

    // Rule 1, on real single-stage logs: the predicted labels are the log's vertex names, character for
    // character (no stage token, k padded to the width of n), whether or not the one stage is named.
    void singleStageRealLogs_data();
    void singleStageRealLogs();
    // Rule 1 as dockerfile2llb states it: a token only when the build has more than one dispatch state.
    void stageToken_data();
    void stageToken();
};

void TestBuildKitRules::singleStageRealLogs_data()
{
    QTest::addColumn<QString>("log");
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("stageName");
    const QString missing = Test::corpusPath(QStringLiteral("buildkit-real/project/Dockerfile.missing"));
    const QString missingLog = Test::corpusPath(QStringLiteral("buildkit-real/23-fail-copy-missing.log"));
    const QString gitlab =
        Test::corpusPath(QStringLiteral("logs/gizadirov-devops-netology-gitlab-raw-trace-ansi-sections.log"));
    const QString gitlabFile = Test::dataPath(QStringLiteral("fidelity/gizadirov-python-api.Dockerfile"));
    QTest::addRow("23-fail-copy-missing") << missingLog << missing << QString();
    QTest::addRow("23-fail-copy-missing, stage named") << missingLog << missing << QStringLiteral("only");
    QTest::addRow("gitlab padded counters") << gitlab << gitlabFile << QString();
    QTest::addRow("gitlab padded counters, stage named") << gitlab << gitlabFile << QStringLiteral("api");
}

void TestBuildKitRules::singleStageRealLogs()
{
    QFETCH(QString, log);
    QFETCH(QString, dockerfile);
    QFETCH(QString, stageName);
    QByteArray text = Test::readAll(dockerfile);
    QVERIFY(!text.isEmpty());
    if (!stageName.isEmpty()) {
        // BuildKit resets the name of the only stage: naming it must not change a single label.
        const qsizetype eol = text.indexOf('\n', text.indexOf("FROM "));
        text.insert(eol, " AS " + stageName.toUtf8());
    }
    const BuildGraph g = buildGraph(text, QStringLiteral("Dockerfile"), {});
    QVERIFY2(errorsOf(g).isEmpty(), qPrintable(errorsOf(g)));
    QCOMPARE(g.stages.size(), 1);
    QCOMPARE(g.stages.first().name, stageName);

    const QByteArray raw = Test::readAll(log);
    QStringList expected = rawStepNames(raw);
    QVERIFY(expected.size() >= 2);
    for (QString &name : expected)
        name = withoutDigest(name);
    QCOMPARE(predictedLabels(g), expected);

    // Every step vertex of the log is matched to its step, and every step to a vertex.
    const BuildLogResult result = readBuildLogFile(log);
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.first();
    const BuildAnalysis analysis = analyseBuild(g, run);
    QCOMPARE(analysis.stepVertices, int(expected.size()));
    QVERIFY(analysis.unmatchedVertices.isEmpty());
    for (const auto &[s, k] : g.neededVertices()) {
        const StepTiming &timing = analysis.steps.at(s).at(k);
        QVERIFY2(timing.vertex >= 0, qPrintable(g.stages[s].steps[k].label));
        QCOMPARE(withoutDigest(run.vertices.at(timing.vertex).name), g.stages[s].steps[k].label);
    }
}

void TestBuildKitRules::stageToken_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<QString>("lastLabel");
    // dockerfile2llb names unnamed stages "stage-N" and then clears the name when allDispatchStates holds
    // one state. COPY --from=<image> and (dockerfile frontend 1.3+) every RUN mount that does not name a
    // stage add an unregistered state, so the token comes back; prefixCommand pads k with "%*d" to the
    // digit count of n.
    QTest::addRow("one unnamed stage")
        << QByteArray("FROM alpine\nWORKDIR /b\nRUN true\n") << QStringLiteral("[3/3] RUN true");
    QTest::addRow("one named stage") << QByteArray("FROM alpine AS build\nWORKDIR /b\nRUN true\n")
                                     << QStringLiteral("[3/3] RUN true");
    QTest::addRow("one stage, COPY --from an image")
        << QByteArray("FROM alpine\nCOPY --from=busybox:1.36 /bin/sh /sh\n")
        << QStringLiteral("[stage-0 2/2] COPY --from=busybox:1.36 /bin/sh /sh");
    QTest::addRow("one named stage, COPY --from an image")
        << QByteArray("FROM alpine AS app\nCOPY --from=busybox:1.36 /bin/sh /sh\n")
        << QStringLiteral("[app 2/2] COPY --from=busybox:1.36 /bin/sh /sh");
    QTest::addRow("one stage, cache mount")
        << QByteArray("FROM alpine\nRUN --mount=type=cache,target=/c true\n")
        << QStringLiteral("[stage-0 2/2] RUN --mount=type=cache,target=/c true");
    // cmdTotal counts the FROM only when it names an image, not a stage.
    QTest::addRow("two stages, last unnamed")
        << QByteArray("FROM alpine AS a\nFROM a\nRUN true\n") << QStringLiteral("[stage-1 1/1] RUN true");
    QTest::addRow("ten steps, padded")
        << QByteArray("FROM alpine\nRUN 2\nRUN 3\nRUN 4\nRUN 5\nRUN 6\nRUN 7\nRUN 8\nRUN 9\nRUN 10\n")
        << QStringLiteral("[10/10] RUN 10");
}

void TestBuildKitRules::stageToken()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(QString, lastLabel);
    const BuildGraph g = buildGraph(dockerfile, QStringLiteral("Dockerfile"), {});
    QVERIFY2(errorsOf(g).isEmpty(), qPrintable(errorsOf(g)));
    QCOMPARE(g.stages.last().steps.last().label, lastLabel);

    // The log BuildKit prints for it matches, as does the same step printed by the other frontend
    // generation (a token "stage-0" where this one has none), which the analysis must accept too.
    for (const bool otherGeneration : {false, true}) {
        if (otherGeneration && g.stages.size() != 1)
            continue;
        const QString token =
            g.stages.first().name.isEmpty() ? QStringLiteral("stage-0") : g.stages.first().name;
        QByteArray log;
        int id = 0;
        for (const auto &[s, k] : g.neededVertices()) {
            QString label = g.stages[s].steps[k].label;
            if (otherGeneration && label.startsWith(QLatin1Char('[') + token + QLatin1Char(' ')))
                label.remove(1, token.size() + 1);
            else if (otherGeneration)
                label.insert(1, token + QLatin1Char(' '));
            const QByteArray number = "#" + QByteArray::number(++id);
            log += number + ' ' + label.toUtf8() + '\n' + number + " DONE 0.1s\n\n";
        }
        const BuildLogResult result = parseBytes(log);
        QCOMPARE(result.builds.size(), 1);
        const BuildAnalysis analysis = analyseBuild(g, result.builds.first());
        QVERIFY2(analysis.unmatchedVertices.isEmpty(), log.constData());
        QCOMPARE(analysis.stepVertices, int(g.neededVertices().size()));
        for (const auto &[s, k] : g.neededVertices())
            QVERIFY2(analysis.steps.at(s).at(k).vertex >= 0, log.constData());
    }
}

QTEST_GUILESS_MAIN(TestBuildKitRules)
#include "tst_buildkitrules.moc"
