// RawJsonLogParser on its own: the digest index (thousands of vertices, updates in any order, a later build
// starting afresh), names shared by many vertices, inputs replaced only when they change, lines parsed in
// place or from the reused copy buffer, and the per-build vertex cap.
#include "model/buildlog/logformatparser.h"
#include "model/buildlog/rawjsonlogparser.h"

#include <QTest>

using namespace Stagelens;

namespace {

QByteArray digestOf(int i)
{
    return "sha256:" + QByteArray::number(i, 16).rightJustified(64, '0');
}

QByteArray vertexLine(int i, const QByteArray &name, const QByteArray &extra = {})
{
    return "{\"vertexes\":[{\"digest\":\"" + digestOf(i) + "\",\"name\":\"" + name + "\"" + extra + "}]}";
}

QByteArray logLine(int i, const QByteArray &text)
{
    return "{\"logs\":[{\"vertex\":\"" + digestOf(i) + "\",\"stream\":1,\"data\":\"" + text.toBase64()
        + "\"}]}";
}

// Feeds lines the way the reader does: each line inside one file buffer (so simdjson may read past its
// end in place) unless `padded` is false, in which case the parser gets no padding and must copy.
class Feeder
{
public:
    explicit Feeder(bool padded = true)
        : m_padded(padded)
    { }

    void feed(const QByteArray &text)
    {
        // Keep the bytes alive and followed by readable memory, as a file buffer would be.
        m_keep.append(text + QByteArray(128, ' '));
        LogLine line;
        line.text = QByteArrayView(m_keep.last().constData(), text.size());
        line.offset = m_offset;
        line.length = text.size();
        line.number = ++m_number;
        m_offset += text.size() + 1;
        parser.feedJson(line, m_padded ? 128 : 0);
    }

    QList<BuildRun> builds;
    QList<Diagnostic> diagnostics;
    RawJsonLogParser parser {&builds, &diagnostics};

private:
    bool m_padded;
    QList<QByteArray> m_keep;
    qint64 m_offset = 0;
    int m_number = 0;
};

int unreadableLines(const QList<Diagnostic> &diagnostics)
{
    int n = 0;
    for (const Diagnostic &d : diagnostics)
        n += d.message.startsWith(QLatin1String("unreadable rawjson line")) ? 1 : 0;
    return n;
}

} // namespace

class TestRawJsonLog : public QObject
{
    Q_OBJECT

private slots:
    void manyVerticesUpdatedInAnyOrder_data()
    {
        QTest::addColumn<bool>("padded");
        QTest::addRow("in place") << true;
        QTest::addRow("copied") << false;
    }

    // 5,000 vertices grow the digest index many times; updates and logs arrive in reverse order and must
    // still land on the vertex that was first seen with that digest.
    void manyVerticesUpdatedInAnyOrder()
    {
        QFETCH(bool, padded);
        constexpr int N = 5000;
        Feeder f(padded);
        for (int i = 0; i < N; ++i)
            f.feed(vertexLine(i,
                "[stage" + QByteArray::number(i % 3) + " 1/2] RUN step " + QByteArray::number(i),
                ",\"started\":\"2024-05-01T10:00:00Z\""));
        for (int i = N - 1; i >= 0; --i) {
            if (i % 2 == 0)
                f.feed(logLine(i, "line " + QByteArray::number(i) + "\nmore\n"));
            f.feed(vertexLine(i,
                "[stage" + QByteArray::number(i % 3) + " 1/2] RUN step " + QByteArray::number(i),
                ",\"started\":\"2024-05-01T10:00:00Z\",\"completed\":\"2024-05-01T10:00:0"
                    + QByteArray::number(i % 10) + "Z\""));
        }
        f.parser.finish(true);
        QCOMPARE(f.builds.size(), 1);
        const BuildRun &run = f.builds.first();
        QCOMPARE(run.vertices.size(), N);
        QCOMPARE(unreadableLines(f.diagnostics), 0);
        for (int i = 0; i < N; ++i) {
            const BuildVertex &v = run.vertices.at(i);
            QCOMPARE(v.id, QString::fromLatin1(digestOf(i)));
            QCOMPARE(v.firstLine, i + 1);
            QCOMPARE(v.name, QStringLiteral("[stage%1 1/2] RUN step %2").arg(i % 3).arg(i));
            QCOMPARE(v.label.stage, QStringLiteral("stage%1").arg(i % 3));
            QCOMPARE(v.label.instruction, QStringLiteral("RUN"));
            QCOMPARE(v.status, VertexStatus::Done);
            QCOMPARE(*v.seconds, double(i % 10));
            QCOMPARE(v.logLines, i % 2 == 0 ? 2 : 0);
            QCOMPARE(v.spans.size(), i % 2 == 0 ? 1 : 0);
        }
        QCOMPARE(run.indexOfVertex(QString::fromLatin1(digestOf(1234))), 1234);
    }

    // Every vertex of a name gets the same parsed label (parsed once); a renamed vertex gets its new label,
    // and a name that differs only after the bracket is not confused with the cached one.
    void sharedNames()
    {
        Feeder f;
        for (int i = 0; i < 100; ++i)
            f.feed(vertexLine(i, "[linux/arm64 app 2/5] COPY . /src"));
        f.feed(vertexLine(7, "[linux/amd64 app 3/5] RUN make"));
        f.feed(vertexLine(8, "[linux/arm64 app 2/5] COPY . /srcx"));
        f.feed(vertexLine(9, "[internal] load metadata for docker.io/library/alpine:3.20"));
        f.parser.finish(true);
        const BuildRun &run = f.builds.first();
        QCOMPARE(run.vertices.size(), 100);
        for (int i = 0; i < 100; ++i) {
            const BuildVertex &v = run.vertices.at(i);
            if (i == 7) {
                QCOMPARE(v.name, QStringLiteral("[linux/amd64 app 3/5] RUN make"));
                QCOMPARE(v.label.platform, QStringLiteral("linux/amd64"));
                QCOMPARE(v.label.step, 3);
                QCOMPARE(v.label.instruction, QStringLiteral("RUN"));
                QCOMPARE(v.category, VertexCategory::Run);
            } else if (i == 8) {
                QCOMPARE(v.label.text, QStringLiteral("COPY . /srcx"));
            } else if (i == 9) {
                QVERIFY(v.label.internal);
                QCOMPARE(v.category, VertexCategory::Metadata);
            } else {
                QCOMPARE(v.name, QStringLiteral("[linux/arm64 app 2/5] COPY . /src"));
                QCOMPARE(v.label.platform, QStringLiteral("linux/arm64"));
                QCOMPARE(v.label.stage, QStringLiteral("app"));
                QCOMPARE(v.label.step, 2);
                QCOMPARE(v.label.steps, 5);
                QCOMPARE(v.label.instruction, QStringLiteral("COPY"));
                QCOMPARE(v.label.text, QStringLiteral("COPY . /src"));
                QCOMPARE(v.category, VertexCategory::Copy);
            }
        }
    }

    // Non-ASCII names and escapes: the name comparison works on the unescaped UTF-8.
    void escapedAndNonAsciiNames()
    {
        Feeder f;
        f.feed(vertexLine(1, "[a 1/1] RUN echo \\\"h\\u00e9\\\" \xe2\x9c\x93"));
        f.feed(vertexLine(
            1, "[a 1/1] RUN echo \\\"h\xc3\xa9\\\" \xe2\x9c\x93", ",\"completed\":\"2024-05-01T10:00:00Z\""));
        f.parser.finish(true);
        const BuildVertex &v = f.builds.first().vertices.first();
        QCOMPARE(v.name, QStringLiteral("[a 1/1] RUN echo \"h\u00e9\" \u2713"));
        QCOMPARE(v.label.text, QStringLiteral("RUN echo \"h\u00e9\" \u2713"));
        QCOMPARE(v.status, VertexStatus::Done);
    }

    void inputsReplacedOnChange()
    {
        Feeder f;
        const QByteArray a = digestOf(100), b = digestOf(101);
        f.feed(vertexLine(1, "x", ",\"inputs\":[\"" + a + "\",\"" + b + "\"]"));
        f.feed(vertexLine(2, "y", ",\"inputs\":[\"" + a + "\"]"));
        f.feed(vertexLine(2, "y", ",\"inputs\":[\"" + b + "\",7]"));
        f.feed(vertexLine(1, "x", ",\"inputs\":[]"));
        f.feed(vertexLine(1, "x", ",\"inputs\":[\"" + a + "\",\"" + b + "\"]"));
        f.parser.finish(true);
        const BuildRun &run = f.builds.first();
        QCOMPARE(run.vertices.at(0).inputs, (QStringList {QString::fromLatin1(a), QString::fromLatin1(b)}));
        QCOMPARE(run.vertices.at(1).inputs, QStringList {QString::fromLatin1(b)});
    }

    // The copy buffer is reused: a short broken line after a long one must not be read with the long
    // line's leftover bytes.
    void copyBufferReuse()
    {
        Feeder f(false);
        f.feed(vertexLine(1, QByteArray(5000, 'n'), ",\"completed\":\"2024-05-01T10:00:01Z\""));
        f.feed("{\"vertexes\":[{\"digest\":\"" + digestOf(2) + "\"");
        f.feed("{\"vertexes\":[");
        f.feed(vertexLine(3, "short"));
        f.parser.finish(true);
        QCOMPARE(unreadableLines(f.diagnostics), 2);
        const BuildRun &run = f.builds.first();
        QCOMPARE(run.vertices.size(), 2);
        QCOMPARE(run.vertices.at(0).name.size(), 5000);
        QCOMPARE(run.vertices.at(1).name, QStringLiteral("short"));
    }

    // A build that ended leaves nothing behind: the same digests start new vertices in the next build.
    void nextBuildStartsAfresh()
    {
        Feeder f;
        for (int i = 0; i < 300; ++i)
            f.feed(vertexLine(i, "first", ",\"completed\":\"2024-05-01T10:00:01Z\""));
        f.parser.finish(false);
        f.feed(logLine(299, "a\n"));
        f.feed(vertexLine(5, "second"));
        f.parser.finish(true);
        QCOMPARE(f.builds.size(), 2);
        QCOMPARE(f.builds.at(0).vertices.size(), 300);
        const BuildRun &second = f.builds.at(1);
        QCOMPARE(second.vertices.size(), 2);
        QCOMPARE(second.vertices.at(0).id, QString::fromLatin1(digestOf(299)));
        QCOMPARE(second.vertices.at(0).logLines, 1);
        QCOMPARE(second.vertices.at(1).name, QStringLiteral("second"));
        QCOMPARE(second.vertices.at(1).status, VertexStatus::Running);
    }

    // Past MaxVerticesPerBuild new digests are dropped, while known ones still take updates.
    void vertexCap()
    {
        Feeder f;
        for (int i = 0; i < MaxVerticesPerBuild + 10; ++i)
            f.feed(vertexLine(i, "v"));
        f.feed(vertexLine(42, "v", ",\"completed\":\"2024-05-01T10:00:01Z\""));
        f.feed(logLine(MaxVerticesPerBuild + 3, "dropped\n"));
        f.parser.finish(true);
        const BuildRun &run = f.builds.first();
        QCOMPARE(run.vertices.size(), MaxVerticesPerBuild);
        QCOMPARE(run.vertices.at(42).status, VertexStatus::Done);
        QCOMPARE(run.vertices.last().id, QString::fromLatin1(digestOf(MaxVerticesPerBuild - 1)));
    }

    void extractLogsOfOneVertex()
    {
        const QByteArray line = "{\"logs\":[{\"vertex\":\"" + digestOf(1) + "\",\"data\":\""
            + QByteArray("one\n").toBase64() + "\"},{\"vertex\":\"" + digestOf(2) + "\",\"data\":\""
            + QByteArray("two\n").toBase64() + "\"},{\"vertex\":\"" + digestOf(1) + "\",\"data\":\""
            + QByteArray("three").toBase64() + "\"}]}";
        QCOMPARE(
            RawJsonLogParser::extractLogs(line, QString::fromLatin1(digestOf(1))), QByteArray("one\nthree"));
        QCOMPARE(RawJsonLogParser::extractLogs(line, QString::fromLatin1(digestOf(2))), QByteArray("two\n"));
        QCOMPARE(RawJsonLogParser::extractLogs(line, QString::fromLatin1(digestOf(3))), QByteArray());
    }
};

QTEST_GUILESS_MAIN(TestRawJsonLog)
#include "tst_rawjsonlog.moc"
