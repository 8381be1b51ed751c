// Hostile build logs through the streaming reader: junk, NUL bytes, broken encodings, huge lines,
// interleaved and duplicated vertex ids, and real logs cut at every byte (small ones) or at a few hundred
// offsets (larger ones). Whatever the input, the result must be well formed: every file span inside the
// file, every line number inside it, vertex ids unique within a build, times finite and ordered, and the
// peak memory within a budget proportional to the input.

#include "hostileutils.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

#include <cmath>

using namespace Stagelens;

namespace {

BuildLogResult readBytes(const QByteArray &bytes, const BuildLogReadOptions &options = {})
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    return readBuildLogDevice(buffer, options);
}

/// Checks the invariants every result must keep; returns a description of the first violation.
QString checkWellFormed(const BuildLogResult &result, const QByteArray &input)
{
    const qint64 size = input.size();
    const int lines = int(input.count('\n')) + 1;
    for (const Diagnostic &d : result.diagnostics) {
        if (d.message.isEmpty() || d.line < 0 || d.line > lines)
            return QStringLiteral("diagnostic out of range: %1").arg(d.toString().left(200));
    }
    for (const BuildRun &run : result.builds) {
        if (run.firstLine < 0 || run.lastLine > lines || run.firstLine > run.lastLine)
            return QStringLiteral("build %1 lines %2-%3 of %4")
                .arg(run.index)
                .arg(run.firstLine)
                .arg(run.lastLine)
                .arg(lines);
        if (run.duration && (!std::isfinite(*run.duration) || *run.duration < 0))
            return QStringLiteral("build %1 duration %2").arg(run.index).arg(*run.duration);
        if (run.failedVertex < -1 || run.failedVertex >= run.vertices.size())
            return QStringLiteral("build %1 failedVertex %2").arg(run.index).arg(run.failedVertex);
        QSet<QString> ids;
        for (const BuildVertex &v : run.vertices) {
            if (ids.contains(v.id))
                return QStringLiteral("build %1: vertex id %2 twice").arg(run.index).arg(v.id.left(80));
            ids.insert(v.id);
            // indexOfVertex is a linear search: check it on the first vertices only, to keep this linear.
            if (ids.size() <= 200 && run.indexOfVertex(v.id) < 0)
                return QStringLiteral("indexOfVertex(%1) fails").arg(v.id.left(80));
            for (const LogSpan &span : v.spans) {
                if (span.offset < 0 || span.length < 0 || span.offset + span.length > size)
                    return QStringLiteral("vertex %1 span %2+%3 outside %4 bytes")
                        .arg(v.id.left(80))
                        .arg(span.offset)
                        .arg(span.length)
                        .arg(size);
            }
            for (const std::optional<double> &t : {v.seconds, v.start, v.end}) {
                if (t && (!std::isfinite(*t) || *t < 0))
                    return QStringLiteral("vertex %1 has time %2").arg(v.id.left(80)).arg(*t);
            }
            if (v.start && v.end && *v.end < *v.start)
                return QStringLiteral("vertex %1 ends (%2) before it starts (%3)")
                    .arg(v.id.left(80))
                    .arg(*v.end)
                    .arg(*v.start);
            if (v.logLines < 0 || v.firstLine < 0 || v.firstLine > lines)
                return QStringLiteral("vertex %1 lines %2 first %3")
                    .arg(v.id.left(80))
                    .arg(v.logLines)
                    .arg(v.firstLine);
        }
    }
    return QString();
}

QByteArray plain(const char *text)
{
    return QByteArray(text);
}

} // namespace

class TestHostileLog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { Test::setCNumericLocale(); }
    void junk_data();
    void junk();
    void longLineIsCut();
    void vertexIds_data();
    void vertexIds();
    void truncatedEveryByte_data();
    void truncatedEveryByte();
    void truncatedOffsets_data();
    void truncatedOffsets();
};

void TestHostileLog::junk_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::addRow("empty") << QByteArray();
    QTest::addRow("one newline") << QByteArray("\n");
    QTest::addRow("binary 1 MiB") << Test::junkBytes(1 << 20);
    QTest::addRow("NUL bytes 64 KiB") << QByteArray(64 * 1024, '\0');
    QTest::addRow("NUL inside plain lines")
        << QByteArray("#1 [a 1/1] RUN x\0y\n#1 0.1 out\0put\n#1 DONE 0.1s\n", 45);
    QTest::addRow("invalid UTF-8 in names")
        << plain("#1 [a\xff 1/2] RUN \xed\xa0\x80\xc3\n#1 DONE 0.1s\n#2 \xfe\xfe\n");
    QTest::addRow("plain then junk") << plain("#1 [a 1/1] RUN x\n#1 DONE 1.0s\n") + Test::junkBytes(8192, 3);
    QTest::addRow("absurd numbers") << plain(
        "#99999999999999999999 [a 1/1] RUN x\n#99999999999999999999 DONE 1e308s\n#-1 x\n#0 DONE -5s\n"
        "#2 [a 99999999999/99999999999] RUN y\n#2 DONE nan\n#3 DONE 1e999s\n");
    QTest::addRow("CR only") << plain("#1 [a 1/1] RUN x\r#1 DONE 0.1s\r");
    QTest::addRow("100k CR in one line") << QByteArray(100000, '\r');
    QTest::addRow("tty frames of junk")
        << plain("[+] Building 1e400s (99999999999/0) FINISHED\n => [a 1/1] RUN x  -3.0s\n"
                 "[+] Building nan (1/1)\n => CACHED\n");
    QTest::addRow("rawjson deep nesting") << QByteArray("{\"vertexes\":") + QByteArray(100000, '[') + '\n';
    QTest::addRow("rawjson junk values") << plain(
        "{\"vertexes\":[{\"digest\":7,\"name\":{},\"started\":\"x\",\"completed\":\"2024-13-45T99:99:99Z\"}]}"
        "\n"
        "{\"logs\":[{\"vertex\":null,\"data\":\"!!!!\"}],\"statuses\":[[]]}\n{\"vertexes\":[{}]}\n{");
    QTest::addRow("rawjson repeated digests") << plain(
        "{\"vertexes\":[{\"digest\":\"sha256:a\",\"name\":\"[a 1/1] RUN "
        "x\",\"started\":\"2024-01-01T00:00:02Z\"},"
        "{\"digest\":\"sha256:a\",\"name\":\"[b 1/1] RUN y\",\"completed\":\"2024-01-01T00:00:01Z\"}]}\n");
    QTest::addRow("legacy junk") << plain(
        "Step 99999999999/-1 : RUN x\n ---> Using cache\nStep 0/0 :\n ---> \n");
    QTest::addRow("GitHub timestamps of junk")
        << plain("2024-99-99T99:99:99.9999999999999999Z #1 [a 1/1] RUN x\n"
                 "0000-00-00T00:00:00Z #1 DONE 0.1s\n##[group]\n##[endgroup]\n");
    QTest::addRow("ANSI escapes unterminated")
        << QByteArray("\x1b[") + QByteArray(100000, '9') + "\n\x1b]" + QByteArray(1000, 'x');
    // Each vertex names its own bake target: one BuildRun per target must not cost targets x vertices.
    QTest::addRow("20k bake targets") << [] {
        QByteArray out("#1 [internal] load build definition from Dockerfile\n#1 DONE 0.1s\n");
        for (int i = 2; i <= 20000; ++i)
            out += "#" + QByteArray::number(i) + " [t" + QByteArray::number(i) + " a 1/1] RUN x\n";
        return out;
    }();
    QTest::addRow("100k distinct vertices") << [] {
        QByteArray out;
        for (int i = 1; i <= 100000; ++i)
            out += "#" + QByteArray::number(i) + " [a 1/1] RUN x\n#" + QByteArray::number(i) + " DONE 0.1s\n";
        return out;
    }();
}

void TestHostileLog::junk()
{
    QFETCH(QByteArray, bytes);
    // Memory bound: the reader keeps spans, not text, so 64 bytes per input byte plus a fixed 64 MB covers
    // the vertex records (a vertex costs a few hundred bytes; the smallest vertex line is ~15 bytes).
    const qint64 budget = Test::memoryBudget(bytes.size(), 64);
    const Test::PeakMemory memory;
    const BuildLogResult result = readBytes(bytes);
    const QByteArray json = QJsonDocument(toJson(result)).toJson(QJsonDocument::Compact);
    QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());
    const QString problem = checkWellFormed(result, bytes);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(json.size() <= 64 * bytes.size() + 4096, qPrintable(QString::number(json.size())));
}

// A line longer than maxLineBytes is cut to its start, with a warning at its line number, and reading goes
// on with the next line. 20 MB against the default 16 MiB limit, and 1 MB against a 4 KiB one.
void TestHostileLog::longLineIsCut()
{
    for (const qint64 limit : {qint64(16) << 20, qint64(4096)}) {
        const qint64 length = limit > 4096 ? (20 << 20) : (1 << 20);
        QByteArray bytes = "#1 [a 1/2] RUN x\n#1 0.1 " + QByteArray(length, 'z')
            + "\n#1 DONE 0.5s\n#2 [a 2/2] RUN y\n#2 DONE 0.2s\n";
        BuildLogReadOptions options;
        options.maxLineBytes = limit;
        const qint64 budget = Test::memoryBudget(bytes.size(), 8);
        const Test::PeakMemory memory;
        const BuildLogResult result = readBytes(bytes, options);
        QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());
        const QString problem = checkWellFormed(result, bytes);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        bool warned = false;
        for (const Diagnostic &d : result.diagnostics)
            warned = warned || (d.line == 2 && d.severity != Severity::Error);
        QVERIFY2(warned, "no warning at line 2 for the cut line");
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(run.vertices.size(), 2);
        QCOMPARE(run.vertices[1].seconds.value_or(-1), 0.2); // the lines after the cut are read
    }
}

void TestHostileLog::vertexIds_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected"); // "id=status:seconds" of the first build, in order

    QTest::addRow("interleaved") << plain(
        "#1 [internal] load build definition from Dockerfile\n#2 [a 1/2] FROM docker.io/library/alpine\n"
        "#3 [b 1/2] FROM docker.io/library/busybox\n#2 DONE 0.5s\n#3 0.1 hi\n#1 0.2 more\n#1 DONE 0.1s\n"
        "#3 DONE 0.7s\n")
                                 << QStringList {QStringLiteral("#1=done:0.1"), QStringLiteral("#2=done:0.5"),
                                        QStringLiteral("#3=done:0.7")};
    // BuildKit repeats a header after a pause ("#5 ..."): still one vertex.
    QTest::addRow("repeated header") << plain(
        "#5 [a 2/2] RUN x\n#5 0.1 one\n#6 [b 1/1] RUN y\n#5 [a 2/2] RUN x\n#5 0.2 two\n#5 DONE 1.0s\n#6 DONE "
        "2.0s\n") << QStringList {QStringLiteral("#5=done:1"), QStringLiteral("#6=done:2")};
    QTest::addRow("status lines before the header")
        << plain("#7 DONE 0.3s\n#7 [a 1/1] RUN x\n#8 0.1 output without header\n#8 DONE 0.4s\n")
        << QStringList();
    QTest::addRow("DONE twice") << plain(
        "#1 [a 1/1] RUN x\n#1 DONE 0.1s\n#1 DONE 0.9s\n#1 CACHED\n#1 ERROR: boom\n")
                                << QStringList();
}

void TestHostileLog::vertexIds()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    const BuildLogResult result = readBytes(bytes);
    const QString problem = checkWellFormed(result, bytes);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    if (expected.isEmpty())
        return; // only the invariants: what BuildKit never prints has no "right" reading
    QVERIFY(!result.builds.isEmpty());
    QStringList actual;
    for (const BuildVertex &v : result.builds.first().vertices)
        actual
            << QStringLiteral("%1=%2:%3").arg(v.id, vertexStatusName(v.status)).arg(v.seconds.value_or(-1));
    QCOMPARE(actual, expected);
}

// Small real logs of each format, cut after every byte.
void TestHostileLog::truncatedEveryByte_data()
{
    QTest::addColumn<QString>("path");
    QTest::addRow("plain, failed RUN")
        << Test::corpusPath(QStringLiteral("buildkit-real/22-fail-run-exit1.log"));
    QTest::addRow("plain, target") << Test::corpusPath(QStringLiteral("buildkit-real/13-target-test.log"));
    QTest::addRow("tty") << Test::corpusPath(
        QStringLiteral("logs/buildkit-4967-tty-remote-builder-frontend.log"));
    QTest::addRow("rawjson") << Test::corpusPath(QStringLiteral("logs/bakah-12-rawjson-ndjson.log"));
    QTest::addRow("warnings summary")
        << Test::corpusPath(QStringLiteral("logs/buildx-2551-warnings-summary.log"));
}

void TestHostileLog::truncatedEveryByte()
{
    QFETCH(QString, path);
    const QByteArray full = Test::readAll(path);
    QVERIFY2(!full.isEmpty(), qPrintable(path));
    const BuildLogResult whole = readBytes(full);
    int wholeVertices = 0;
    for (const BuildRun &run : whole.builds)
        wholeVertices += int(run.vertices.size());

    for (qsizetype cut = 0; cut <= full.size(); ++cut) {
        const QByteArray prefix = full.left(cut);
        const BuildLogResult result = readBytes(prefix);
        const QString problem = checkWellFormed(result, prefix);
        QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(problem)));
        // A prefix cannot hold more steps than the whole log, save one whose id was cut ("#12" -> "#1").
        int vertices = 0;
        for (const BuildRun &run : result.builds)
            vertices += int(run.vertices.size());
        QVERIFY2(vertices <= wholeVertices + 1,
            qPrintable(QStringLiteral("cut at %1: %2 vertices, whole log %3")
                           .arg(cut)
                           .arg(vertices)
                           .arg(wholeVertices)));
    }
}

// Larger logs cut at 300 evenly spread offsets (and one byte either side of each).
void TestHostileLog::truncatedOffsets_data()
{
    QTest::addColumn<QString>("path");
    QTest::addRow("compose build, canceled") << Test::corpusPath(
        QStringLiteral("logs/TtranPphu-little-startup-compose-parallel-build-canceled.log"));
    QTest::addRow("GitHub Actions job") << Test::corpusPath(
        QStringLiteral("logs/Baragji-N_grade-gha-full-job-action-image-and-buildx-load.log"));
    QTest::addRow("tty with ANSI") << Test::corpusPath(
        QStringLiteral("logs/buildx-3187-tty-ansi-docker-container.log"));
}

void TestHostileLog::truncatedOffsets()
{
    QFETCH(QString, path);
    const QByteArray full = Test::readAll(path);
    QVERIFY2(!full.isEmpty(), qPrintable(path));
    const int steps = 300;
    for (int i = 1; i <= steps; ++i) {
        const qsizetype middle = full.size() * i / steps;
        for (qsizetype cut = qMax<qsizetype>(0, middle - 1); cut <= qMin(full.size(), middle + 1); ++cut) {
            const QByteArray prefix = full.left(cut);
            const BuildLogResult result = readBytes(prefix);
            const QString problem = checkWellFormed(result, prefix);
            QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(problem)));
        }
    }
}

QTEST_GUILESS_MAIN(TestHostileLog)
#include "tst_hostilelog.moc"
