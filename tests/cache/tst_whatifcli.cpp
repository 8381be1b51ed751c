// `stagelens whatif` end to end: the CLI.md contract (keys, exit codes) on the ground-truth project.

#include "fakedockerdaemon.h"
#include "testutils.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

struct Run
{
    int exitCode = -1;
    QJsonObject json;
    QByteArray out;
    QByteArray err;
};

Run runWhatif(const QStringList &args, const QString &dockerHost = QString())
{
    Run run;
    QProcess p;
    if (!dockerHost.isNull()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), dockerHost);
        p.setProcessEnvironment(env);
    }
    p.setProgram(QStringLiteral(STAGELENS_BINARY));
    p.setArguments(QStringList {QStringLiteral("whatif")} + args);
    p.start();
    if (!p.waitForFinished(60000))
        return run;
    run.exitCode = p.exitCode();
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    run.json = QJsonDocument::fromJson(run.out).object();
    return run;
}

QString project()
{
    return Test::corpusPath(QStringLiteral("buildkit-real/project"));
}

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out.append(QString::fromUtf8(i));
    return out;
}

} // namespace

class TestWhatifCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void contract();
    void verdicts_data();
    void verdicts();
    void timings();
    void usageErrors_data();
    void usageErrors();
    void platformPrefixes();
    void notesSayWhatIsWrong_data();
    void notesSayWhatIsWrong();
    void resolveImages();
};

// --resolve-images end to end with a fake daemon on a unix socket: DOCKER_HOST unix:// is honoured, the
// base swap is judged exactly, tcp:// is refused before anything is read.
void TestWhatifCli::resolveImages()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("ctx")));
    const QString ctx = dir.filePath(QStringLiteral("ctx"));
    auto write = [](const QString &path, const QByteArray &bytes) {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    };
    QVERIFY(write(ctx + QStringLiteral("/Dockerfile"), "FROM localbase:env\nWORKDIR /w\nRUN echo hi > x\n"));
    QVERIFY(write(dir.filePath(QStringLiteral("build1.log")),
        "#3 [internal] load metadata for docker.io/library/localbase:1\n#3 DONE 0.0s\n"
        "#4 [1/3] FROM docker.io/library/localbase:1\n#4 DONE 0.0s\n"
        "#5 [2/3] WORKDIR /w\n#5 DONE 0.0s\n#6 [3/3] RUN echo hi > x\n#6 DONE 0.2s\n"));
    Test::FakeDockerDaemon daemon(dir.filePath(QStringLiteral("docker.sock")));
    QVERIFY(daemon.isListening());
    const QStringList layers = {QStringLiteral("sha256:aaa")};
    daemon.addImage(QStringLiteral("docker.io/library/localbase:1"),
        Test::FakeDockerDaemon::image(QStringLiteral("sha256:c1"), layers, {QStringLiteral("PATH=/bin")}));
    daemon.addImage(QStringLiteral("docker.io/library/localbase:env"),
        Test::FakeDockerDaemon::image(QStringLiteral("sha256:c2"), layers,
            {QStringLiteral("PATH=/bin"), QStringLiteral("FLAVOR=env")}));
    const QStringList args = {ctx, QStringLiteral("--log"), dir.filePath(QStringLiteral("build1.log")),
        QStringLiteral("--changed-line"), QStringLiteral("1"), QStringLiteral("--resolve-images"),
        QStringLiteral("--json")};
    const Run run = runWhatif(args, QStringLiteral("unix://") + daemon.path());
    QCOMPARE(run.exitCode, 0);
    const QJsonArray bases = run.json.value(QStringLiteral("base_images")).toArray();
    QCOMPARE(bases.size(), 1);
    const QJsonObject base = bases.first().toObject();
    QCOMPARE(base.value(QStringLiteral("rests_on")).toString(), QStringLiteral("log+daemon"));
    QCOMPARE(base.value(QStringLiteral("run_config_changed")).toBool(), true);
    QCOMPARE(base.value(QStringLiteral("verdict")).toString(), QStringLiteral("cached"));
    QStringList verdicts;
    for (const QJsonValue &v : run.json.value(QStringLiteral("steps")).toArray())
        verdicts.append(v.toObject().value(QStringLiteral("verdict")).toString());
    QCOMPARE(verdicts,
        (QStringList {QStringLiteral("cached"), QStringLiteral("cached"), QStringLiteral("rerun")}));

    // Without --resolve-images the daemon is never asked: the answer rests on the log.
    const int asked = int(daemon.requests().size());
    const Run quiet = runWhatif(
        args.mid(0, 5) + QStringList {QStringLiteral("--json")}, QStringLiteral("unix://") + daemon.path());
    QCOMPARE(daemon.requests().size(), asked);
    QCOMPARE(quiet.json.value(QStringLiteral("base_images"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("rests_on"))
                 .toString(),
        QStringLiteral("log"));

    for (const QString &host : {QStringLiteral("tcp://127.0.0.1:2375"), QStringLiteral("ssh://me@host")}) {
        const Run refused = runWhatif(args, host);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("only a local unix:// socket is read"), refused.err.constData());
        QVERIFY(refused.out.isEmpty());
    }
}

// A multi-platform build labels its steps with BuildKit's platform prefix; whatif predicts those labels.
void TestWhatifCli::platformPrefixes()
{
    const Run one = runWhatif({project(), QStringLiteral("--platform"), QStringLiteral("linux/arm64"),
        QStringLiteral("--changed"), QStringLiteral("src/util.c"), QStringLiteral("--json")});
    QCOMPARE(one.exitCode, 0);
    const Run two =
        runWhatif({project(), QStringLiteral("--platform"), QStringLiteral("linux/arm64,linux/amd64"),
            QStringLiteral("--changed"), QStringLiteral("src/util.c"), QStringLiteral("--json")});
    QCOMPARE(two.exitCode, 0);
    const QJsonArray single = one.json.value(QStringLiteral("steps")).toArray();
    const QJsonArray multi = two.json.value(QStringLiteral("steps")).toArray();
    QCOMPARE(multi.size(), single.size());
    QVERIFY(!multi.isEmpty());
    for (qsizetype i = 0; i < multi.size(); ++i) {
        const QString label = multi.at(i)[QStringLiteral("label")].toString();
        // One platform prints no prefix; several print the platform first (BuildKit's prefixCommand).
        QVERIFY2(label.startsWith(QLatin1String("[linux/arm64 ")), qPrintable(label));
        QVERIFY(!single.at(i)[QStringLiteral("label")].toString().contains(QLatin1String("linux/")));
        QCOMPARE(multi.at(i)[QStringLiteral("verdict")], single.at(i)[QStringLiteral("verdict")]);
    }
}

// The human form says what is wrong with a question, in words a user can act on.
void TestWhatifCli::notesSayWhatIsWrong_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("note");
    // The Dockerfile's length, counted here, not by the code under test.
    const QByteArray text = Test::readAll(project() + QStringLiteral("/Dockerfile"));
    const int lines = int(text.count('\n')) + (text.endsWith('\n') ? 0 : 1);
    QTest::addRow("file named without its folder") << QStringList {QStringLiteral("--changed"),
        QStringLiteral("util.c")} << QStringLiteral("util.c is not in the build context");
    QTest::addRow("undeclared arg") << QStringList {QStringLiteral("--changed-arg"), QStringLiteral("NOPE")}
                                    << QStringLiteral("ARG NOPE is not declared in the Dockerfile");
    QTest::addRow("line past the end")
        << QStringList {QStringLiteral("--changed-line"), QStringLiteral("999")}
        << QStringLiteral("line 999 is past the end of the Dockerfile (%1 lines)").arg(lines);
    QTest::addRow("no log") << QStringList {QStringLiteral("--changed"), QStringLiteral("src/util.c")}
                            << QStringLiteral("no log given (--log): times unknown");
}

void TestWhatifCli::notesSayWhatIsWrong()
{
    QFETCH(QStringList, args);
    QFETCH(QString, note);
    const Run run = runWhatif(QStringList {project()} + args);
    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(note), qPrintable(out));
    // Plurals as people write them.
    QVERIFY(!out.contains(QLatin1String("step(s)")));
    QVERIFY(!out.contains(QLatin1String(" 1 steps")));
}

void TestWhatifCli::initTestCase()
{
    // The binary is a build dependency of this test: missing, it is a failure, never a skip.
    QVERIFY2(QFileInfo(QStringLiteral(STAGELENS_BINARY)).isExecutable(), STAGELENS_BINARY " is not built");
}

void TestWhatifCli::contract()
{
    const Run run = runWhatif(
        {project(), QStringLiteral("--changed"), QStringLiteral("src/util.c"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.json.value(QStringLiteral("target")).toString(), QStringLiteral("runtime"));
    const QJsonArray steps = run.json.value(QStringLiteral("steps")).toArray();
    QVERIFY(!steps.isEmpty());
    for (const QJsonValue &v : steps) {
        const QJsonObject s = v.toObject();
        for (const char *key : {"label", "stage", "line", "verdict", "reason", "seconds"})
            QVERIFY2(s.contains(QLatin1String(key)), key);
        QVERIFY(s.value(QStringLiteral("seconds")).isNull()); // no --log
    }
    QVERIFY(run.json.contains(QStringLiteral("rerun_seconds")));
    QVERIFY(run.json.value(QStringLiteral("rerun_seconds")).isNull());
    QVERIFY(run.json.contains(QStringLiteral("maybe_seconds")));
}

void TestWhatifCli::verdicts_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("label"); // "[stage k/n]"
    QTest::addColumn<QString>("verdict");
    // From EXPECTED.md: 02 (edit src), 13 (--target test), 16 (chmod), 07 (build arg), 06 (line 48).
    QTest::addRow("edit src") << list({"--changed", "src/util.c"}) << "[builder 2/3]"
                              << "rerun";
    QTest::addRow("edit src, runtime copy") << list({"--changed", "src/util.c"}) << "[runtime 3/6]"
                                            << "maybe";
    QTest::addRow("ignored file") << list({"--changed", "README.md"}) << "[builder 2/3]"
                                  << "cached";
    QTest::addRow("target test") << list({"--target", "test", "--changed", "tests/run_tests.sh"})
                                 << "[test 1/2]"
                                 << "rerun";
    QTest::addRow("chmod") << list({"--chmod", "src/build.sh"}) << "[builder 2/3]"
                           << "rerun";
    QTest::addRow("touch") << list({"--touched", "src/main.c"}) << "[builder 2/3]"
                           << "cached";
    QTest::addRow("build arg") << list({"--build-arg", "VERSION=1.1", "--changed-arg", "VERSION"})
                               << "[builder 3/3]"
                               << "rerun";
    QTest::addRow("build arg leaves WORKDIR") << list({"--changed-arg", "VERSION"}) << "[runtime 2/6]"
                                              << "cached";
    QTest::addRow("line") << list({"--changed-line", "48"}) << "[runtime 6/6]"
                          << "rerun";
    QTest::addRow("absolute path") << QStringList {QStringLiteral("--changed"),
        project() + QStringLiteral("/deps.manifest")}
                                   << "[deps 3/4]"
                                   << "rerun";
}

void TestWhatifCli::verdicts()
{
    QFETCH(QStringList, args);
    QFETCH(QString, label);
    QFETCH(QString, verdict);
    const Run run = runWhatif(QStringList {project(), QStringLiteral("--json")} + args);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QString actual;
    for (const QJsonValue &v : run.json.value(QStringLiteral("steps")).toArray()) {
        if (v.toObject().value(QStringLiteral("label")).toString().startsWith(label))
            actual = v.toObject().value(QStringLiteral("verdict")).toString();
    }
    QCOMPARE(actual, verdict);
}

void TestWhatifCli::timings()
{
    const Run run = runWhatif(
        {project(), QStringLiteral("--changed"), QStringLiteral("assets/style.css"), QStringLiteral("--log"),
            Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.json.value(QStringLiteral("rerun_seconds")).isDouble());
    QVERIFY(run.json.value(QStringLiteral("rerun_seconds")).toDouble() > 0);
    QVERIFY(run.json.value(QStringLiteral("maybe_seconds")).isDouble());
}

void TestWhatifCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addRow("no context") << QStringList {QStringLiteral("--json")} << 2;
    QTest::addRow("missing context") << list({"/nonexistent/ctx", "--json"}) << 2;
    QTest::addRow("outside path") << QStringList {project(), QStringLiteral("--changed"),
        QStringLiteral("/etc/passwd")}
                                  << 2;
    QTest::addRow("bad line") << QStringList {project(), QStringLiteral("--changed-line"),
        QStringLiteral("x")} << 2;
    QTest::addRow("missing log") << QStringList {project(), QStringLiteral("--log"),
        QStringLiteral("/nonexistent.log")}
                                 << 2;
    QTest::addRow("unknown option") << QStringList {project(), QStringLiteral("--bogus")} << 2;
    QTest::addRow("missing dockerfile")
        << QStringList {project(), QStringLiteral("-f"), QStringLiteral("/nonexistent")} << 2;
}

void TestWhatifCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    const Run run = runWhatif(args);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY(!run.err.isEmpty());
}

QTEST_GUILESS_MAIN(TestWhatifCli)
#include "tst_whatifcli.moc"
