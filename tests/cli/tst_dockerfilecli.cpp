// `stagelens dockerfile` through the real binary: --ast against BuildKit's parser test results, the --json
// shape of shared/CLI.md, --dot, and the exit codes.
#include "testutils.h"

#include <QDir>
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
    QByteArray out;
    QByteArray err;
};

Run runStagelens(const QStringList &args)
{
    QProcess p;
    p.setProgram(QStringLiteral(STAGELENS_BINARY));
    p.setArguments(QStringList {QStringLiteral("dockerfile")} + args);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start();
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString projectDockerfile()
{
    return Test::corpusPath(QStringLiteral("buildkit-real/project/Dockerfile"));
}

} // namespace

class TestDockerfileCli : public QObject
{
    Q_OBJECT

private slots:
    void ast_data();
    void ast();
    void jsonShape();
    void jsonTargetAndArgs();
    void dot();
    void astRejectsNegativeCases_data();
    void astRejectsNegativeCases();
    void exitCodes_data();
    void exitCodes();
    void oversizedFileIsReadInPart();
};

void TestDockerfileCli::ast_data()
{
    QTest::addColumn<QString>("dir");
    const QDir root(Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/testfiles")));
    // Every BuildKit parser test case: the CLI prints exactly its `result`.
    for (const QString &c : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (root.exists(c + QStringLiteral("/result")))
            QTest::addRow("%s", qPrintable(c)) << root.filePath(c);
    }
}

void TestDockerfileCli::ast()
{
    QFETCH(QString, dir);
    const Run r = runStagelens({dir + QStringLiteral("/Dockerfile"), QStringLiteral("--ast")});
    const QByteArray expected = Test::readAll(dir + QStringLiteral("/result"));
    if (r.out != expected)
        qWarning("actual:\n%s\nexpected:\n%s", r.out.constData(), expected.constData());
    QCOMPARE(r.out, expected);
    // Some parser test files use flags the instruction checks reject (e.g. COPY --user): BuildKit's parser
    // accepts them, so --ast succeeds and reports those problems on stderr only.
    QCOMPARE(r.exitCode, 0);
}

void TestDockerfileCli::astRejectsNegativeCases_data()
{
    QTest::addColumn<QString>("dir");
    const QDir root(Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/testfiles-negative")));
    for (const QString &c : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        QTest::addRow("%s", qPrintable(c)) << root.filePath(c);
}

void TestDockerfileCli::astRejectsNegativeCases()
{
    QFETCH(QString, dir);
    const Run r = runStagelens({dir + QStringLiteral("/Dockerfile"), QStringLiteral("--ast")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("error"), r.err.constData());
}

void TestDockerfileCli::jsonShape()
{
    const Run r = runStagelens({projectDockerfile(), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject root = doc.object();
    QCOMPARE(root.value(QStringLiteral("file")).toString(), projectDockerfile());
    QCOMPARE(root.value(QStringLiteral("target")).toString(), QStringLiteral("runtime"));
    QVERIFY(root.value(QStringLiteral("diagnostics")).isArray());
    const QJsonArray stages = root.value(QStringLiteral("stages")).toArray();
    QCOMPARE(stages.size(), 6); // deps builder test assets docs runtime
    for (int i = 0; i < stages.size(); ++i) {
        const QJsonObject s = stages[i].toObject();
        QCOMPARE(s.value(QStringLiteral("index")).toInt(-1), i);
        QVERIFY(s.value(QStringLiteral("name")).isString() || s.value(QStringLiteral("name")).isNull());
        QVERIFY(s.value(QStringLiteral("base")).isString() || s.value(QStringLiteral("base")).isNull());
        QVERIFY(s.value(QStringLiteral("base_stage")).isDouble()
            || s.value(QStringLiteral("base_stage")).isNull());
        QVERIFY(s.value(QStringLiteral("line")).toInt() > 0);
        QVERIFY(s.value(QStringLiteral("needed")).isBool());
        const QJsonArray steps = s.value(QStringLiteral("steps")).toArray();
        QVERIFY(!steps.isEmpty());
        for (const QJsonValue &v : steps) {
            const QJsonObject step = v.toObject();
            QVERIFY(step.value(QStringLiteral("label")).toString().startsWith(QLatin1Char('[')));
            QVERIFY(!step.value(QStringLiteral("instruction")).toString().isEmpty());
            QVERIFY(step.value(QStringLiteral("line")).toInt() > 0);
            QVERIFY(
                step.value(QStringLiteral("end_line")).toInt() >= step.value(QStringLiteral("line")).toInt());
        }
    }
    // EXPECTED.md: deps is FROM ${BASE} = localbase:1, builder is FROM deps; docs is not needed.
    QCOMPARE(stages[0].toObject().value(QStringLiteral("base")).toString(),
        QStringLiteral("docker.io/library/localbase:1"));
    QCOMPARE(stages[1].toObject().value(QStringLiteral("base_stage")).toInt(-1), 0);
    QCOMPARE(stages[4].toObject().value(QStringLiteral("needed")).toBool(true), false);
    QCOMPARE(stages[0]
                 .toObject()
                 .value(QStringLiteral("steps"))
                 .toArray()[1]
                 .toObject()
                 .value(QStringLiteral("label"))
                 .toString(),
        QStringLiteral("[deps 2/4] WORKDIR /deps"));
    const QJsonArray edges = root.value(QStringLiteral("edges")).toArray();
    QVERIFY(!edges.isEmpty());
    QStringList kinds;
    for (const QJsonValue &v : edges) {
        const QJsonObject e = v.toObject();
        QVERIFY(e.value(QStringLiteral("from")).isDouble());
        QVERIFY(e.value(QStringLiteral("to")).isDouble());
        QVERIFY(e.value(QStringLiteral("line")).toInt() > 0);
        kinds.append(e.value(QStringLiteral("kind")).toString());
    }
    QVERIFY(kinds.contains(QStringLiteral("from")));
    QVERIFY(kinds.contains(QStringLiteral("copy")));
}

void TestDockerfileCli::jsonTargetAndArgs()
{
    // Cases 07 and 13 of buildkit-real: --build-arg VERSION=1.1 and --target test.
    const Run r = runStagelens({projectDockerfile(), QStringLiteral("--json"), QStringLiteral("--build-arg"),
        QStringLiteral("VERSION=1.1"), QStringLiteral("--target"), QStringLiteral("test")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject root = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(root.value(QStringLiteral("target")).toString(), QStringLiteral("test"));
    const QByteArray log =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/07-build-arg-changed.log")));
    QVERIFY(log.contains("[builder 3/3] RUN sh build.sh \"1.1\" /out/app && sleep 1"));
    bool found = false;
    for (const QJsonValue &s : root.value(QStringLiteral("stages")).toArray()) {
        const QJsonObject stage = s.toObject();
        if (stage.value(QStringLiteral("name")).toString() == QLatin1String("runtime"))
            QCOMPARE(stage.value(QStringLiteral("needed")).toBool(true), false);
        for (const QJsonValue &st : stage.value(QStringLiteral("steps")).toArray())
            found = found
                || st.toObject().value(QStringLiteral("label")).toString()
                    == QLatin1String("[builder 3/3] RUN sh build.sh \"1.1\" /out/app && sleep 1");
    }
    QVERIFY(found);
}

void TestDockerfileCli::dot()
{
    const Run r = runStagelens({projectDockerfile(), QStringLiteral("--dot")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("digraph"));
    QVERIFY(r.out.trimmed().endsWith('}'));
    QVERIFY(r.out.contains("->"));
}

// A file far larger than any Dockerfile (a log or an image passed by mistake) is read up to the session's
// cap, as the window reads it, with a warning: never whole into memory.
void TestDockerfileCli::oversizedFileIsReadInPart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("Dockerfile"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("FROM alpine AS base\nRUN true\n");
        // Past the 64 MiB the warning names (ProjectSession::MaxDockerfileBytes): a sparse run of NULs.
        QVERIFY(f.resize((qint64(64) << 20) + 4096));
    }
    for (const QString &mode : {QStringLiteral("--json"), QStringLiteral("--ast")}) {
        const Run r = runStagelens({path, mode});
        QVERIFY2(r.err.contains("only the first 64 MiB were read"), r.err.constData());
        QCOMPARE(r.exitCode, 1); // the NULs make a line longer than BuildKit allows
        if (mode == QLatin1String("--json")) {
            const QJsonObject root = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(root.value(QStringLiteral("stages")).toArray().size(), 1);
            bool warned = false;
            for (const QJsonValue &d : root.value(QStringLiteral("diagnostics")).toArray())
                warned = warned
                    || d.toObject()
                           .value(QStringLiteral("message"))
                           .toString()
                           .startsWith(QLatin1String("only the first 64 MiB"));
            QVERIFY(warned);
        }
    }
}

void TestDockerfileCli::exitCodes_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    const QByteArray good("FROM alpine AS a\nRUN true\n");
    QTest::addRow("ok") << good << QStringList {QStringLiteral("--json")} << 0;
    QTest::addRow("ast ok") << good << QStringList {QStringLiteral("--ast")} << 0;
    QTest::addRow("unknown option") << good << QStringList {QStringLiteral("--frobnicate")} << 2;
    QTest::addRow("two modes") << good << QStringList {QStringLiteral("--ast"), QStringLiteral("--json")}
                               << 2;
    QTest::addRow("missing file") << QByteArray() << QStringList {QStringLiteral("--json")} << 2;
    QTest::addRow("cycle") << QByteArray("FROM alpine AS a\nCOPY --from=a /x /y\n")
                           << QStringList {QStringLiteral("--json")} << 1;
    QTest::addRow("unknown target") << good
                                    << QStringList {QStringLiteral("--json"), QStringLiteral("--target=zz")}
                                    << 1;
}

void TestDockerfileCli::exitCodes()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("Dockerfile"));
    if (!dockerfile.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(dockerfile);
    }
    const Run r = runStagelens(QStringList {path} + args);
    if (r.exitCode != exitCode)
        qWarning("stderr: %s", r.err.constData());
    QCOMPARE(r.exitCode, exitCode);
    if (exitCode == 1) {
        // the diagnostics are in the document and on stderr
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!root.value(QStringLiteral("diagnostics")).toArray().isEmpty());
        QVERIFY(!r.err.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestDockerfileCli)
#include "tst_dockerfilecli.moc"
