// CI wrapper and ANSI stripping, timestamps, and vertex label parsing: one row per rule.
#include "model/buildlog/buildrun.h"
#include "model/buildlog/lineunwrapper.h"

#include <QTest>

#include <cmath>

using namespace Stagelens;

Q_DECLARE_METATYPE(Stagelens::CiWrapper)
Q_DECLARE_METATYPE(Stagelens::VertexCategory)

class TestLineUnwrapper : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unwrap_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<CiWrapper>("wrapper");
        QTest::addColumn<double>("timestamp"); // -1: none
        QTest::addColumn<bool>("marker");

        // 2024-01-02T03:04:05Z is 1704164645 s after the epoch (2024-01-01 is 1704067200).
        QTest::addRow("plain line") << QByteArray("#1 DONE 0.0s") << QByteArray("#1 DONE 0.0s")
                                    << CiWrapper::None << -1.0 << false;
        QTest::addRow("CRLF") << QByteArray("#1 DONE 0.0s\r") << QByteArray("#1 DONE 0.0s") << CiWrapper::None
                              << -1.0 << false;
        QTest::addRow("github 7 digits")
            << QByteArray("2024-01-02T03:04:05.1234567Z #1 DONE 0.0s") << QByteArray("#1 DONE 0.0s")
            << CiWrapper::GitHub << 1704164645.1234567 << false;
        QTest::addRow("github empty line") << QByteArray("2024-01-02T03:04:05.1234567Z ") << QByteArray()
                                           << CiWrapper::GitHub << 1704164645.1234567 << false;
        QTest::addRow("github group marker")
            << QByteArray("2024-01-02T03:04:05.1234567Z ##[group]Build image")
            << QByteArray("##[group]Build image") << CiWrapper::GitHub << 1704164645.1234567 << true;
        QTest::addRow("gh run view") << QByteArray(
            "build\tRun docker build\t2024-01-02T03:04:05.1234567Z #1 DONE 0.0s")
                                     << QByteArray("#1 DONE 0.0s") << CiWrapper::GhCli << 1704164645.1234567
                                     << false;
        QTest::addRow("gitlab FF_TIMESTAMPS")
            << QByteArray("2024-01-02T03:04:05.123456Z 01O #1 DONE 0.0s") << QByteArray("#1 DONE 0.0s")
            << CiWrapper::GitLab << 1704164645.123456 << false;
        QTest::addRow("gitlab continuation")
            << QByteArray("2024-01-02T03:04:05.123456Z 01E+#5 0.1 x") << QByteArray("#5 0.1 x")
            << CiWrapper::GitLab << 1704164645.123456 << false;
        QTest::addRow("gitlab section")
            << QByteArray("section_start:1703241835:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting\x1b[0;m")
            << QByteArray("Executing") << CiWrapper::GitLab << -1.0 << false;
        QTest::addRow("buildkite") << QByteArray("\x1b_bk;t=1704164645123\x07#1 DONE 0.0s")
                                   << QByteArray("#1 DONE 0.0s") << CiWrapper::Buildkite << 1704164645.123
                                   << false;
        QTest::addRow("render 9 digits")
            << QByteArray("2024-01-02T03:04:05.990954837Z #1 DONE 0.0s") << QByteArray("#1 DONE 0.0s")
            << CiWrapper::Timestamped << 1704164645.990954837 << false;
        QTest::addRow("utc offset") << QByteArray("2024-01-02T04:04:05+01:00 #1 DONE 0.0s")
                                    << QByteArray("#1 DONE 0.0s") << CiWrapper::Timestamped << 1704164645.0
                                    << false;
        QTest::addRow("github line link")
            << QByteArray("#44 exporting manifest list "
                          "sha256:147e[52](https://github.com/a/b/actions/runs/1/job/2#step:12:52)fe done")
            << QByteArray("#44 exporting manifest list sha256:147efe done") << CiWrapper::None << -1.0
            << false;
        QTest::addRow("ansi colour") << QByteArray("\x1b[34m => [internal] x  0.0s\x1b[0m")
                                     << QByteArray(" => [internal] x  0.0s") << CiWrapper::None << -1.0
                                     << false;
        QTest::addRow("ansi cursor") << QByteArray("\x1b[1A\x1b[0G\x1b[?25l[+] Building 0.1s (2/3)")
                                     << QByteArray("[+] Building 0.1s (2/3)") << CiWrapper::None << -1.0
                                     << false;
        QTest::addRow("not a timestamp")
            << QByteArray("2024-13-02T03:04:05Z x") << QByteArray("2024-13-02T03:04:05Z x") << CiWrapper::None
            << -1.0 << false;
    }
    void unwrap()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, text);
        QFETCH(CiWrapper, wrapper);
        QFETCH(double, timestamp);
        QFETCH(bool, marker);
        const UnwrappedLine line = unwrapLogLine(raw);
        QCOMPARE(line.text, text);
        QCOMPARE(ciWrapperName(line.wrapper), ciWrapperName(wrapper));
        QCOMPARE(line.ciMarker, marker);
        if (timestamp < 0) {
            QVERIFY2(!line.timestamp, qPrintable(QString::number(line.timestamp.value_or(0), 'f', 6)));
        } else {
            QVERIFY(line.timestamp);
            QVERIFY2(std::abs(*line.timestamp - timestamp) < 1e-5,
                qPrintable(QStringLiteral("actual %1 expected %2")
                               .arg(*line.timestamp, 0, 'f', 6)
                               .arg(timestamp, 0, 'f', 6)));
        }
    }

    // The vector pre-check agrees with a byte-by-byte reading at every position (window edges, the
    // overlapping last window), and the copy-free unwrapping gives what unwrapLogLine gives.
    void cleanLineCheck_data()
    {
        QTest::addColumn<QByteArray>("raw");
        const QList<QByteArray> inserts {QByteArray("\x1b"), QByteArray("\t"), QByteArray("\r"),
            QByteArray("section_start:1:x\r"), QByteArray("section_"), QByteArray("sectio_"),
            QByteArray("](https://github.com/a)"), QByteArray("]("), QByteArray("] ("), QByteArray("n_"),
            QByteArray(1, '\0'), QByteArray("_bk;t=1\x07")};
        for (int length : {0, 1, 7, 15, 16, 17, 22, 23, 24, 31, 38, 39, 40, 70, 71, 93}) {
            const QByteArray base = QByteArray("#12 3.456 ") + QByteArray(length, 'x');
            QTest::addRow("clean %d", length) << base.left(length);
            for (const QByteArray &insert : inserts) {
                for (int at = 0; at <= length; ++at) {
                    QTest::addRow("%d at %d of %d", int(inserts.indexOf(insert)), at, length)
                        << base.left(length).insert(at, insert);
                }
            }
        }
        QTest::addRow("github group") << QByteArray("##[group]x");
        QTest::addRow("github group, no bracket") << QByteArray("##[endgroup");
        QTest::addRow("stamp") << QByteArray("2024-01-02T03:04:05.1234567Z #1 DONE 0.0s");
        QTest::addRow("buildkite bare") << QByteArray("_bk;t=1704164645123\x07#1 DONE 0.0s");
    }
    void cleanLineCheck()
    {
        QFETCH(QByteArray, raw);
        bool expected = true;
        for (qsizetype i = 0; i < raw.size(); ++i) {
            const auto c = static_cast<unsigned char>(raw[i]);
            if (c < 0x20 || raw.mid(i).startsWith("section_") || raw.mid(i).startsWith("]("))
                expected = false;
        }
        const bool clean = isCleanLine(raw);
        QCOMPARE(clean, expected);
        const UnwrappedLine line = unwrapLogLine(raw);
        QByteArray scratch;
        for (const bool known : {false, clean}) {
            const UnwrappedView view = unwrapLogLineView(raw, &scratch, known);
            QCOMPARE(view.text.toByteArray(), line.text);
            QCOMPARE(ciWrapperName(view.wrapper), ciWrapperName(line.wrapper));
            QCOMPARE(view.timestamp, line.timestamp);
            QCOMPARE(view.ciMarker, line.ciMarker);
            QCOMPARE(view.timestampOnly, line.timestampOnly);
        }
    }

    void coolifyTimestampLine()
    {
        QVERIFY(unwrapLogLine("2026-Feb-28 01:28:25.792055").timestampOnly);
        QVERIFY(!unwrapLogLine("#1 [internal] load build definition from Dockerfile").timestampOnly);
    }

    void stripAnsiNeverOverruns_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addRow("lone escape") << QByteArray("abc\x1b");
        QTest::addRow("open CSI") << QByteArray("abc\x1b[12;");
        QTest::addRow("open OSC") << QByteArray("\x1b]0;title");
        QTest::addRow("escape escape") << QByteArray("\x1b\x1b\x1b");
    }
    void stripAnsiNeverOverruns()
    {
        QFETCH(QByteArray, input);
        const QByteArray out = stripAnsi(input);
        QVERIFY(out.size() <= input.size());
        QVERIFY(!out.contains('\x1b'));
    }

    void label_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("platform");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("stage");
        QTest::addColumn<int>("step");
        QTest::addColumn<int>("steps");
        QTest::addColumn<QString>("instruction");
        QTest::addColumn<VertexCategory>("category");

        QTest::addRow("multi-platform")
            << QStringLiteral("[linux/arm64 builder 3/5] RUN make") << QStringLiteral("linux/arm64")
            << QString() << QStringLiteral("builder") << 3 << 5 << QStringLiteral("RUN")
            << VertexCategory::Run;
        QTest::addRow("bake target") << QStringLiteral("[app builder 2/5] COPY . .") << QString()
                                     << QStringLiteral("app") << QStringLiteral("builder") << 2 << 5
                                     << QStringLiteral("COPY") << VertexCategory::Copy;
        QTest::addRow("internal") << QStringLiteral("[internal] load build context") << QString() << QString()
                                  << QString() << 0 << 0 << QString() << VertexCategory::Context;
        QTest::addRow("target internal")
            << QStringLiteral("[backend internal] load build definition from Dockerfile.test") << QString()
            << QStringLiteral("backend") << QString() << 0 << 0 << QString() << VertexCategory::Context;
        QTest::addRow("padded counter")
            << QStringLiteral("[stage-1  6/30] RUN x") << QString() << QString() << QStringLiteral("stage-1")
            << 6 << 30 << QStringLiteral("RUN") << VertexCategory::Run;
        QTest::addRow("platform, unnamed stage")
            << QStringLiteral("[linux/arm64  2/18] RUN apt-get update") << QStringLiteral("linux/arm64")
            << QString() << QString() << 2 << 18 << QStringLiteral("RUN") << VertexCategory::Run;
        QTest::addRow("unnamed stage")
            << QStringLiteral("[2/2] COPY does-not-exist.txt /x") << QString() << QString() << QString() << 2
            << 2 << QStringLiteral("COPY") << VertexCategory::Copy;
        QTest::addRow("FROM") << QStringLiteral("[runtime 1/6] FROM docker.io/library/localbase:1")
                              << QString() << QString() << QStringLiteral("runtime") << 1 << 6
                              << QStringLiteral("FROM") << VertexCategory::Metadata;
        QTest::addRow("export") << QStringLiteral("exporting to image") << QString() << QString() << QString()
                                << 0 << 0 << QString() << VertexCategory::Export;
        QTest::addRow("compose target export")
            << QStringLiteral("[student-fe] exporting to image") << QString() << QStringLiteral("student-fe")
            << QString() << 0 << 0 << QString() << VertexCategory::Export;
        QTest::addRow("auth") << QStringLiteral("[auth] library/alpine:pull token for registry-1.docker.io")
                              << QString() << QString() << QString() << 0 << 0 << QString()
                              << VertexCategory::Metadata;
        QTest::addRow("metadata") << QStringLiteral(
            "[linux/amd64 internal] load metadata for docker.io/library/alpine:3.12")
                                  << QStringLiteral("linux/amd64") << QString() << QString() << 0 << 0
                                  << QString() << VertexCategory::Metadata;
        QTest::addRow("WORKDIR") << QStringLiteral("[deps 2/4] WORKDIR /deps") << QString() << QString()
                                 << QStringLiteral("deps") << 2 << 4 << QStringLiteral("WORKDIR")
                                 << VertexCategory::Other;
        QTest::addRow("garbage") << QStringLiteral("[unclosed 1/2 RUN") << QString() << QString() << QString()
                                 << 0 << 0 << QString() << VertexCategory::Other;
    }
    void label()
    {
        QFETCH(QString, name);
        QFETCH(QString, platform);
        QFETCH(QString, target);
        QFETCH(QString, stage);
        QFETCH(int, step);
        QFETCH(int, steps);
        QFETCH(QString, instruction);
        QFETCH(VertexCategory, category);
        const VertexLabel l = parseVertexLabel(name);
        QCOMPARE(l.platform, platform);
        QCOMPARE(l.target, target);
        QCOMPARE(l.stage, stage);
        QCOMPARE(l.step, step);
        QCOMPARE(l.steps, steps);
        QCOMPARE(l.instruction, instruction);
        QCOMPARE(vertexCategoryName(categorizeVertex(name, l)), vertexCategoryName(category));
    }
};

QTEST_GUILESS_MAIN(TestLineUnwrapper)
#include "tst_lineunwrapper.moc"
