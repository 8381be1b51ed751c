// The BuildKit rules of issue #17, each checked against real BuildKit logs of the corpus where it has
// them: the stage token of single-stage files (rule 1), one vertex printed under several names (rule 5)
// and logs saved newest-first (rule 6). Expectations come from the raw log text (regular expressions,
// independent of the parser) and from dockerfile2llb's rules as written in BuildKit's convert.go.
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QBuffer>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

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

// Every distinct "[...] text" header of each #N in a plain log, read with a regular expression. Output
// lines ("#N 1.234 ...") are skipped; a build restarting at #1 is not handled (the log has one build).
QMap<QString, QStringList> rawHeaders(const QByteArray &log)
{
    static const QRegularExpression re(QStringLiteral("^(#\\d+) (\\[[^\\]]*\\] .*?)\\r?$"));
    QMap<QString, QStringList> headers;
    for (const QByteArray &line : log.split('\n')) {
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(line));
        if (m.hasMatch() && !headers[m.captured(1)].contains(m.captured(2)))
            headers[m.captured(1)].append(m.captured(2));
    }
    return headers;
}

// "[example-devcontainer base-devcontainer  2/13] RUN x" -> ("example-devcontainer", "[base-devcontainer
// 2/13] RUN x" without the target), by hand from the bracket's words.
QPair<QString, QString> targetAndRest(const QString &name)
{
    const qsizetype close = name.indexOf(QLatin1Char(']'));
    QStringList words = name.mid(1, close - 1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const bool counted = words.last().contains(QLatin1Char('/'));
    if (words.size() < (counted ? 3 : 2))
        return {QString(), name};
    const QString target = words.takeFirst();
    return {target, words.join(QLatin1Char(' ')) + name.mid(close)};
}

// The lines of `log` in reverse order, as a CI page that lists the newest line first saves them.
QByteArray reversedLines(const QByteArray &log)
{
    QList<QByteArray> lines = log.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    std::reverse(lines.begin(), lines.end());
    return lines.join('\n') + '\n';
}

bool sameTime(const std::optional<double> &a, const std::optional<double> &b)
{
    return a.has_value() == b.has_value() && (!a || std::abs(*a - *b) < 1e-6);
}

const QString ComposeLog =
    QStringLiteral("logs/TtranPphu-little-startup-compose-parallel-build-canceled.log");

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

    // Rule 5, on the real Compose log: a vertex that several targets share keeps every name it was
    // printed under, each target's part holds it under that target's name, and `names` lists them.
    void sharedVertexNames();
    void sharedVertexSplit();
    void sharedVertexRawJson();

    // Rule 6, on real logs turned around line by line (the corpus has no log saved newest-first): the
    // order is recognised and the log read as BuildKit wrote it, to the same vertices, names, statuses,
    // durations, output and errors as the original; names never come from progress lines.
    void newestFirst_data();
    void newestFirst();
    void progressLineNamesNothing();
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

void TestBuildKitRules::sharedVertexNames()
{
    const QByteArray raw = Test::readAll(Test::corpusPath(ComposeLog));
    // Expected: the #N printed under headers that differ only in the target word.
    QMap<QString, QStringList> expected;
    const QMap<QString, QStringList> headers = rawHeaders(raw);
    for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
        QStringList names {it.value().first()};
        for (const QString &other : it.value().mid(1)) {
            if (targetAndRest(other).second == targetAndRest(names.first()).second)
                names.append(other);
        }
        if (names.size() > 1)
            expected.insert(it.key(), names);
    }
    QVERIFY(expected.size() >= 5);
    QVERIFY(expected.contains(QStringLiteral("#29")));

    const BuildLogResult result = readBuildLogFile(Test::corpusPath(ComposeLog));
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.first();
    int aliased = 0;
    for (const BuildVertex &v : run.vertices) {
        const QStringList names = QStringList {v.name} + v.aliases;
        if (expected.contains(v.id)) {
            QCOMPARE(names, expected.value(v.id));
            ++aliased;
        } else {
            QVERIFY2(v.aliases.isEmpty(), qPrintable(v.id));
        }
        const QJsonObject json = toJson(v);
        QCOMPARE(json.contains(QStringLiteral("names")), names.size() > 1);
        if (names.size() > 1)
            QCOMPARE(json.value(QStringLiteral("names")).toVariant().toStringList(), names);
    }
    QCOMPARE(aliased, int(expected.size()));
}

void TestBuildKitRules::sharedVertexSplit()
{
    const QByteArray raw = Test::readAll(Test::corpusPath(ComposeLog));
    BuildLogReadOptions options;
    options.splitTargets = true;
    const BuildLogResult result = readBuildLogFile(Test::corpusPath(ComposeLog), options);
    QVERIFY(result.builds.size() >= 4);
    QHash<QString, const BuildRun *> partOf;
    for (const BuildRun &part : result.builds) {
        for (const BuildVertex &v : part.vertices) {
            if (!v.label.target.isEmpty())
                partOf.insert(v.label.target, &part);
        }
    }
    // Every header the log prints is found, under that very name, in its target's part.
    const QMap<QString, QStringList> headers = rawHeaders(raw);
    int checked = 0;
    for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
        for (const QString &name : it.value()) {
            const QString target = targetAndRest(name).first;
            if (target.isEmpty() || !partOf.contains(target))
                continue;
            const BuildRun *part = partOf.value(target);
            const int index = part->indexOfVertex(it.key());
            QVERIFY2(index >= 0, qPrintable(it.key() + QLatin1Char(' ') + name));
            const BuildVertex &v = part->vertices.at(index);
            if (targetAndRest(v.name).second != targetAndRest(name).second)
                continue; // another build step reused the number: not this test's concern
            QCOMPARE(v.name, name);
            QCOMPARE(v.label.target, target);
            ++checked;
        }
    }
    QVERIFY(checked > 100);
    // The shared RUN of base-devcontainer is step 2/13 in both devcontainer targets' parts.
    for (const QString &target :
        {QStringLiteral("example-devcontainer"), QStringLiteral("frontend-devcontainer")}) {
        QVERIFY(partOf.contains(target));
        const BuildRun *part = partOf.value(target);
        const BuildVertex &v = part->vertices.at(part->indexOfVertex(QStringLiteral("#29")));
        QCOMPARE(v.label.stage, QStringLiteral("base-devcontainer"));
        QCOMPARE(v.label.step, 2);
        QCOMPARE(v.aliases.size(), 1);
    }
}

void TestBuildKitRules::sharedVertexRawJson()
{
    // buildx prefixes each target's vertex names in the status stream it prints as rawjson: one digest,
    // two names (no rawjson log of the corpus has a shared step, so the shape is written here).
    const QByteArray log = R"({"vertexes":[{"digest":"sha256:aa","name":"[web base 2/3] RUN make"}]}
{"vertexes":[{"digest":"sha256:aa","name":"[api base 2/3] RUN make","started":"2024-01-01T00:00:00Z"}]}
{"vertexes":[{"digest":"sha256:aa","name":"[web base 2/3] RUN make","started":"2024-01-01T00:00:00Z","completed":"2024-01-01T00:00:02Z"}]}
{"vertexes":[{"digest":"sha256:bb","name":"[web internal] load build context"}]}
{"vertexes":[{"digest":"sha256:bb","name":"[web internal] load build definition"}]}
)";
    const BuildLogResult result = parseBytes(log);
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.first();
    QCOMPARE(run.vertices.size(), 2);
    QCOMPARE(run.vertices.at(0).name, QStringLiteral("[web base 2/3] RUN make"));
    QCOMPARE(run.vertices.at(0).aliases, QStringList {QStringLiteral("[api base 2/3] RUN make")});
    QCOMPARE(run.vertices.at(0).status, VertexStatus::Done);
    // A different text is a rename, not a second name.
    QCOMPARE(run.vertices.at(1).name, QStringLiteral("[web internal] load build definition"));
    QVERIFY(run.vertices.at(1).aliases.isEmpty());
    const QList<BuildRun> parts = splitByTarget(run);
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(1).vertices.first().name, QStringLiteral("[api base 2/3] RUN make"));
    QCOMPARE(parts.at(1).vertices.first().label.target, QStringLiteral("api"));
}

void TestBuildKitRules::newestFirst_data()
{
    QTest::addColumn<QString>("log");
    QTest::addColumn<bool>("hostileShapes");
    for (const char *name : {"buildkit-real/02-edit-src.log", "buildkit-real/22-fail-run-exit1.log",
             "buildkit-real/24-long-multiline-output.log",
             "logs/TtranPphu-little-startup-compose-parallel-build-canceled.log",
             "logs/gizadirov-devops-netology-gitlab-raw-trace-ansi-sections.log",
             "logs/Baragji-N_grade-gha-full-job-action-image-and-buildx-load.log",
             "logs/buildkit-2543-old-sha256-repeated-headers.log",
             "logs/langkebo-synapse-rust-context-transfer-progress-run-error.log",
             "logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"})
        QTest::addRow("%s", name) << QString::fromLatin1(name) << false;
    // CRLF line ends, an output line longer than the line cap, no newline at the end of either file.
    QTest::addRow("02-edit-src, CRLF, over-long line, no final newline")
        << QStringLiteral("buildkit-real/02-edit-src.log") << true;
}

void TestBuildKitRules::newestFirst()
{
    QFETCH(QString, log);
    QFETCH(bool, hostileShapes);
    QByteArray raw = Test::readAll(Test::corpusPath(log));
    QVERIFY(!raw.isEmpty());
    QByteArray turnedBytes = reversedLines(raw);
    if (hostileShapes) {
        const qsizetype eol = raw.indexOf('\n');
        QVERIFY(raw.startsWith("#1 "));
        raw.insert(eol + 1, "#1 0.100 " + QByteArray(5000, 'x') + '\n');
        raw.replace("\n", "\r\n");
        turnedBytes = reversedLines(raw);
        raw.chop(2);
        turnedBytes.chop(1);
    }
    QTemporaryDir dir;
    const QString original = dir.filePath(QStringLiteral("original.log"));
    const QString turned = dir.filePath(QStringLiteral("newest-first.log"));
    for (const auto &[path, bytes] : {qMakePair(original, raw), qMakePair(turned, turnedBytes)}) {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
    }
    const int lineCount = int(turnedBytes.count('\n')) + (turnedBytes.endsWith('\n') ? 0 : 1);

    // A small block size makes lines cross block boundaries in the backward reading.
    BuildLogReadOptions options;
    options.chunkSize = 4096;
    if (hostileShapes)
        options.maxLineBytes = 1024; // the inserted line is #1's only output: cut alike both ways
    const BuildLogResult forward = readBuildLogFile(original, options);
    const BuildLogResult backward = readBuildLogFile(turned, options);
    bool noted = false;
    for (const Diagnostic &d : backward.diagnostics)
        noted = noted || d.message.contains(QLatin1String("newest-first"));
    QVERIFY(noted);
    for (const Diagnostic &d : forward.diagnostics)
        QVERIFY2(!d.message.contains(QLatin1String("newest-first")), qPrintable(d.message));

    if (hostileShapes) {
        for (const BuildLogResult *result : {&forward, &backward}) {
            bool cut = false;
            for (const Diagnostic &d : result->diagnostics)
                cut = cut || d.message.contains(QLatin1String("longer than 1024 bytes"));
            QVERIFY(cut);
            QCOMPARE(result->builds.first().vertices.first().logLines, 1);
        }
    }
    QCOMPARE(backward.builds.size(), forward.builds.size());
    for (qsizetype b = 0; b < forward.builds.size(); ++b) {
        const BuildRun &f = forward.builds.at(b);
        const BuildRun &r = backward.builds.at(b);
        QVERIFY(!f.newestFirst);
        QVERIFY(r.newestFirst);
        QCOMPARE(r.error, f.error);
        QCOMPARE(r.failedVertex, f.failedVertex);
        QCOMPARE(r.truncated, f.truncated);
        // Physical line k of the original is line n + 1 - k of the turned file.
        QCOMPARE(r.firstLine, lineCount + 1 - f.lastLine);
        QCOMPARE(r.lastLine, lineCount + 1 - f.firstLine);
        QCOMPARE(r.vertices.size(), f.vertices.size());
        for (qsizetype i = 0; i < f.vertices.size(); ++i) {
            const BuildVertex &fv = f.vertices.at(i);
            const BuildVertex &rv = r.vertices.at(i);
            const QByteArray where = (fv.id + QLatin1Char(' ') + fv.name).toUtf8();
            QVERIFY2(rv.id == fv.id, where);
            QVERIFY2(rv.name == fv.name, QByteArray(where + " / " + rv.name.toUtf8()).constData());
            QVERIFY2(rv.aliases == fv.aliases, where);
            QVERIFY2(rv.status == fv.status, where);
            QVERIFY2(sameTime(rv.seconds, fv.seconds), where);
            QVERIFY2(sameTime(rv.start, fv.start) && sameTime(rv.end, fv.end), where);
            QVERIFY2(rv.error == fv.error, where);
            QVERIFY2(rv.logLines == fv.logLines, where);
            QVERIFY2(rv.firstLine == lineCount + 1 - fv.firstLine, where);
            if (fv.logLines > 0)
                QVERIFY2(readVertexOutput(turned, r, rv) == readVertexOutput(original, f, fv), where);
        }
    }
}

void TestBuildKitRules::progressLineNamesNothing()
{
    // rnasum's excerpt starts inside the exporter: "#27 exporting manifest sha256:... done" is a status
    // line of #27, whose header is not in the excerpt.
    const QString path =
        Test::corpusPath(QStringLiteral("logs/rnasum-98-gha-timestamps-attestation-export.log"));
    const QByteArray raw = Test::readAll(path);
    QVERIFY(raw.contains("#27 exporting manifest sha256:"));
    QVERIFY(!raw.contains("#27 exporting to") && !raw.contains("#27 ["));
    const BuildLogResult result = readBuildLogFile(path);
    QCOMPARE(result.builds.size(), 1);
    const int index = result.builds.first().indexOfVertex(QStringLiteral("#27"));
    QVERIFY(index >= 0);
    QCOMPARE(result.builds.first().vertices.at(index).name, QString());

    // In a log turned around, a vertex's newest line comes first; whatever it is, the name is the header.
    const QByteArray turned = reversedLines(Test::readAll(Test::corpusPath(ComposeLog)));
    static const QRegularExpression header(QStringLiteral("^#(\\d+) \\["));
    const BuildLogResult backward = parseBytes(turned);
    QCOMPARE(backward.builds.size(), 1);
    int named = 0;
    for (const BuildVertex &v : backward.builds.first().vertices) {
        if (v.name.startsWith(QLatin1Char('[')))
            ++named;
        QVERIFY2(!v.name.startsWith(QLatin1String("extracting"))
                && !v.name.startsWith(QLatin1String("sha256:"))
                && !v.name.startsWith(QLatin1String("transferring"))
                && !v.name.endsWith(QLatin1String(" done")),
            qPrintable(v.name));
    }
    // Every #N with a "[...]" header in the raw text is named by it.
    QSet<QString> withHeader;
    for (const QByteArray &line : Test::readAll(Test::corpusPath(ComposeLog)).split('\n')) {
        const QRegularExpressionMatch m = header.match(QString::fromUtf8(line));
        if (m.hasMatch())
            withHeader.insert(m.captured(1));
    }
    QCOMPARE(named, int(withHeader.size()));
}

QTEST_GUILESS_MAIN(TestBuildKitRules)
#include "tst_buildkitrules.moc"
