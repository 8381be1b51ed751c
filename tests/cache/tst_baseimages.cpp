// Rule 2 of issue #17: a base image counts by content. The previous build's log names the base it used;
// the Docker daemon (here a fake one on a unix socket, no Docker needed) says what the previous and next
// references are. Same layers and run config: nothing re-runs; same layers, other Env: the RUN steps (and
// what follows) re-run, not the WORKDIR/COPY before them; other layers: the whole stage. Without the daemon
// (or without a log) a changed base stays "maybe", and the answer says what it rests on.

#include "fakedockerdaemon.h"
#include "model/buildlog/buildlogreader.h"
#include "model/cache/baseimages.h"
#include "model/cache/dockerdaemon.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;
using Stagelens::Test::FakeDockerDaemon;

Q_DECLARE_METATYPE(Stagelens::Verdict)

namespace {

// The first build's log, as Docker 20.10 prints it (the FROM of a local image names no digest).
const QByteArray PreviousLog = "#1 [internal] load build definition from Dockerfile\n"
                               "#1 DONE 0.0s\n"
                               "#3 [internal] load metadata for docker.io/library/localbase:1\n"
                               "#3 DONE 0.0s\n"
                               "#4 [1/5] FROM docker.io/library/localbase:1\n"
                               "#4 DONE 0.0s\n"
                               "#5 [internal] load build context\n"
                               "#5 DONE 0.0s\n"
                               "#6 [2/5] WORKDIR /w\n"
                               "#6 DONE 0.0s\n"
                               "#7 [3/5] COPY a.txt /w/\n"
                               "#7 DONE 0.0s\n"
                               "#8 [4/5] RUN cat a.txt > b\n"
                               "#8 DONE 0.1s\n"
                               "#9 [5/5] COPY c.txt /w/\n"
                               "#9 DONE 0.0s\n";

QByteArray dockerfile(const QByteArray &base)
{
    return "FROM " + base + "\nWORKDIR /w\nCOPY a.txt /w/\nRUN cat a.txt > b\nCOPY c.txt /w/\n";
}

const QString Layer1 = QStringLiteral("sha256:aaa");
const QString Layer2 = QStringLiteral("sha256:bbb");

struct Fixture
{
    QTemporaryDir dir;
    FakeDockerDaemon daemon {dir.filePath(QStringLiteral("docker.sock"))};
    BuildRun previous;

    Fixture()
    {
        // localbase:1 and :1b are one image under two tags; :env has its layers and one more Env
        // variable; :other has another layer.
        const QByteArray base =
            FakeDockerDaemon::image(QStringLiteral("sha256:c1"), {Layer1}, {QStringLiteral("PATH=/bin")});
        daemon.addImage(QStringLiteral("docker.io/library/localbase:1"), base);
        daemon.addImage(QStringLiteral("docker.io/library/localbase:1b"), base);
        daemon.addImage(QStringLiteral("docker.io/library/localbase:env"),
            FakeDockerDaemon::image(QStringLiteral("sha256:c2"), {Layer1},
                {QStringLiteral("PATH=/bin"), QStringLiteral("FLAVOR=env")}));
        daemon.addImage(QStringLiteral("docker.io/library/localbase:other"),
            FakeDockerDaemon::image(
                QStringLiteral("sha256:c3"), {Layer1, Layer2}, {QStringLiteral("PATH=/bin")}));
        QFile log(dir.filePath(QStringLiteral("build1.log")));
        if (log.open(QIODevice::WriteOnly))
            log.write(PreviousLog);
        log.close();
        const BuildLogResult read = readBuildLogFile(log.fileName());
        if (!read.builds.isEmpty())
            previous = read.builds.first();
    }

    // The what-if after FROM was edited to `base` (line 1).
    WhatIfResult ask(const QByteArray &base, bool withLog, bool withDaemon)
    {
        const QByteArray text = dockerfile(base);
        BuildGraph graph = buildGraph(text, dir.filePath(QStringLiteral("Dockerfile")), BuildOptions());
        const DockerDaemonClient client(daemon.path(), 3000);
        WhatIfChanges changes;
        changes.lines = {1};
        changes.bases =
            gatherBaseImages(graph, withLog ? &previous : nullptr, withDaemon ? &client : nullptr);
        const CacheEngine engine(std::move(graph), nullptr);
        return engine.whatIf(changes);
    }
};

QString describe(const WhatIfResult &r)
{
    QStringList out;
    for (const StepVerdict &v : r.steps)
        out.append(QStringLiteral("%1 %2 (%3)").arg(v.label, verdictName(v.verdict), v.reason()));
    for (const BaseImageVerdict &b : r.baseImages)
        out.append(
            QStringLiteral("base %1 -> %2: %3 %4 [%5]")
                .arg(b.previous, b.next, verdictName(b.verdict), b.detail, baseEvidenceName(b.restsOn)));
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestBaseImages : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exactWithDaemon_data();
    void exactWithDaemon();
    void withoutDaemon();
    void unreachableDaemon();
    void json();
    void sharedFromVertex();
};

// Two stages on one image print one FROM vertex, under the first stage's name: the second stage's previous
// base is still known when the logged build resolved a single image.
void TestBaseImages::sharedFromVertex()
{
    Fixture f;
    QFile log(f.dir.filePath(QStringLiteral("two.log")));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write("#3 [internal] load metadata for docker.io/library/localbase:1\n#3 DONE 0.0s\n"
              "#4 [a 1/2] FROM docker.io/library/localbase:1\n#4 DONE 0.0s\n"
              "#5 [a 2/2] RUN echo a > /a\n#5 DONE 0.1s\n#6 [b 2/2] RUN echo b > /b\n#6 DONE 0.1s\n");
    log.close();
    const BuildLogResult read = readBuildLogFile(log.fileName());
    QCOMPARE(read.builds.size(), 1);
    const QByteArray text =
        "FROM localbase:1 AS a\nRUN echo a > /a\nFROM localbase:env AS b\nRUN echo b > /b\n";
    BuildOptions options;
    options.target = QStringLiteral("b");
    BuildGraph graph = buildGraph(text, f.dir.filePath(QStringLiteral("Dockerfile")), options);
    const DockerDaemonClient client(f.daemon.path(), 3000);
    WhatIfChanges changes;
    changes.lines = {3};
    changes.bases = gatherBaseImages(graph, &read.builds.first(), &client);
    const WhatIfResult r = CacheEngine(std::move(graph), nullptr).whatIf(changes);
    QCOMPARE(r.baseImages.size(), 1);
    QCOMPARE(r.baseImages.first().stageToken, QStringLiteral("b"));
    QCOMPARE(r.baseImages.first().previous, QStringLiteral("docker.io/library/localbase:1"));
    QCOMPARE(r.baseImages.first().restsOn, BaseEvidence::LogAndDaemon);
    QVERIFY2(r.steps.last().verdict == Verdict::Rerun, qPrintable(describe(r)));
}

void TestBaseImages::initTestCase()
{
    Fixture f;
    QVERIFY(f.daemon.isListening());
    QCOMPARE(f.previous.vertices.size(), 8);
    QCOMPARE(fromVertexReference(QStringLiteral("FROM docker.io/library/alpine:3.20@sha256:ab")),
        QStringLiteral("docker.io/library/alpine:3.20@sha256:ab"));
}

void TestBaseImages::exactWithDaemon_data()
{
    QTest::addColumn<QByteArray>("base");
    QTest::addColumn<QList<Verdict>>("expected"); // FROM, WORKDIR, COPY, RUN, COPY
    QTest::addColumn<bool>("runConfig");
    const Verdict C = Verdict::Cached;
    const Verdict R = Verdict::Rerun;
    QTest::addRow("another tag of the same image")
        << QByteArray("localbase:1b") << QList<Verdict> {C, C, C, C, C} << false;
    QTest::addRow("same layers, another Env")
        << QByteArray("localbase:env") << QList<Verdict> {C, C, C, R, R} << true;
    QTest::addRow("other layers") << QByteArray("localbase:other") << QList<Verdict> {R, R, R, R, R} << false;
}

void TestBaseImages::exactWithDaemon()
{
    QFETCH(QByteArray, base);
    QFETCH(QList<Verdict>, expected);
    QFETCH(bool, runConfig);
    Fixture f;
    const WhatIfResult r = f.ask(base, true, true);
    QCOMPARE(r.steps.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QVERIFY2(r.steps.at(i).verdict == expected.at(i), qPrintable(describe(r)));
    QCOMPARE(r.baseImages.size(), 1);
    const BaseImageVerdict &b = r.baseImages.first();
    QCOMPARE(b.previous, QStringLiteral("docker.io/library/localbase:1"));
    QCOMPARE(b.next, QStringLiteral("docker.io/library/localbase:") + QString::fromUtf8(base.mid(10)));
    QCOMPARE(b.restsOn, BaseEvidence::LogAndDaemon);
    QCOMPARE(b.runConfigChanged, runConfig);
    QCOMPARE(b.verdict, expected.first());
    if (runConfig) {
        QVERIFY2(r.steps.at(3).reason().contains(QLatin1String("another Env")), qPrintable(describe(r)));
        QVERIFY2(b.detail.contains(QLatin1String("other Env")), qPrintable(b.detail));
    }
}

void TestBaseImages::withoutDaemon()
{
    Fixture f;
    // The log names the previous base, nobody says what either is: every step may re-run.
    const WhatIfResult logged = f.ask("localbase:env", true, false);
    QCOMPARE(logged.count(Verdict::Maybe), 5);
    QCOMPARE(logged.baseImages.first().restsOn, BaseEvidence::Log);
    QCOMPARE(logged.baseImages.first().previous, QStringLiteral("docker.io/library/localbase:1"));
    QVERIFY(f.daemon.requests().isEmpty());
    // Neither log nor daemon: the Dockerfile alone.
    const WhatIfResult bare = f.ask("localbase:env", false, true);
    QCOMPARE(bare.count(Verdict::Maybe), 5);
    QCOMPARE(bare.baseImages.first().restsOn, BaseEvidence::Dockerfile);
    QVERIFY(f.daemon.requests().isEmpty()); // nothing to compare with: the daemon is not asked
    // The Dockerfile not edited yet (it names what the log names): the new base is unknown.
    const WhatIfResult early = f.ask("localbase:1", true, true);
    QCOMPARE(early.count(Verdict::Maybe), 5);
    QVERIFY2(early.baseImages.first().detail.contains(QLatin1String("edit it first")),
        qPrintable(early.baseImages.first().detail));
}

void TestBaseImages::unreachableDaemon()
{
    Fixture f;
    const QString gone = f.dir.filePath(QStringLiteral("nothing.sock"));
    const QByteArray text = dockerfile("localbase:env");
    BuildGraph graph = buildGraph(text, f.dir.filePath(QStringLiteral("Dockerfile")), BuildOptions());
    const DockerDaemonClient client(gone, 1000);
    WhatIfChanges changes;
    changes.lines = {1};
    changes.bases = gatherBaseImages(graph, &f.previous, &client);
    const WhatIfResult r = CacheEngine(std::move(graph), nullptr).whatIf(changes);
    QCOMPARE(r.count(Verdict::Maybe), 5);
    QCOMPARE(r.baseImages.first().restsOn, BaseEvidence::Log);
    QVERIFY2(r.baseImages.first().detail.startsWith(QLatin1String("cannot connect to the Docker daemon")),
        qPrintable(r.baseImages.first().detail));
}

void TestBaseImages::json()
{
    Fixture f;
    const QJsonObject o = toJson(f.ask("localbase:env", true, true));
    const QJsonArray bases = o.value(QStringLiteral("base_images")).toArray();
    QCOMPARE(bases.size(), 1);
    const QJsonObject b = bases.first().toObject();
    QCOMPARE(b.value(QStringLiteral("stage")).toString(), QStringLiteral("stage-0"));
    QCOMPARE(b.value(QStringLiteral("previous")).toString(), QStringLiteral("docker.io/library/localbase:1"));
    QCOMPARE(b.value(QStringLiteral("next")).toString(), QStringLiteral("docker.io/library/localbase:env"));
    QCOMPARE(b.value(QStringLiteral("verdict")).toString(), QStringLiteral("cached"));
    QCOMPARE(b.value(QStringLiteral("run_config_changed")).toBool(), true);
    QCOMPARE(b.value(QStringLiteral("rests_on")).toString(), QStringLiteral("log+daemon"));
    QVERIFY(!b.value(QStringLiteral("detail")).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestBaseImages)
#include "tst_baseimages.moc"
