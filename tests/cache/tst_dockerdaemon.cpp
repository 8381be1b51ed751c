// The read-only Docker daemon client behind `whatif --resolve-images`, against a fake daemon (a QLocalServer
// answering canned inspect JSON): endpoints, HTTP framings, 404, silence, garbage, no daemon at all.

#include "fakedockerdaemon.h"
#include "model/cache/dockerdaemon.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;
using Stagelens::Test::FakeDockerDaemon;

class TestDockerDaemon : public QObject
{
    Q_OBJECT
private slots:
    void endpoints_data();
    void endpoints();
    void inspect_data();
    void inspect();
    void notFound();
    void silentDaemonTimesOut();
    void garbage();
    void noDaemon();
    void socketPathTooLong();
};

void TestDockerDaemon::endpoints_data()
{
    QTest::addColumn<QString>("dockerHost");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("error"); // a part of the message, empty when valid
    QTest::addRow("unset") << QString() << "/var/run/docker.sock" << QString();
    QTest::addRow("unix") << "unix:///run/user/1000/docker.sock"
                          << "/run/user/1000/docker.sock" << QString();
    QTest::addRow("unix, no path") << "unix://" << QString() << "names no socket path";
    QTest::addRow("tcp") << "tcp://10.0.0.5:2376" << QString() << "only a local unix:// socket";
    QTest::addRow("ssh") << "ssh://me@host" << QString() << "only a local unix:// socket";
    QTest::addRow("npipe") << "npipe:////./pipe/docker_engine" << QString() << "refused";
}

void TestDockerDaemon::endpoints()
{
    QFETCH(QString, dockerHost);
    QFETCH(QString, socket);
    QFETCH(QString, error);
    const DaemonEndpoint e = daemonEndpoint(dockerHost);
    QCOMPARE(e.isValid(), error.isEmpty());
    if (error.isEmpty())
        QCOMPARE(e.socketPath, socket);
    else
        QVERIFY2(e.error.contains(error), qPrintable(e.error));
}

void TestDockerDaemon::inspect_data()
{
    QTest::addColumn<int>("framing");
    QTest::addRow("content-length") << int(FakeDockerDaemon::Framing::Length);
    QTest::addRow("chunked") << int(FakeDockerDaemon::Framing::Chunked);
    QTest::addRow("close-delimited") << int(FakeDockerDaemon::Framing::Close);
}

void TestDockerDaemon::inspect()
{
    QFETCH(int, framing);
    QTemporaryDir dir;
    FakeDockerDaemon daemon(dir.filePath(QStringLiteral("d.sock")));
    QVERIFY(daemon.isListening());
    daemon.setFraming(FakeDockerDaemon::Framing(framing));
    daemon.addImage(QStringLiteral("docker.io/library/localbase:env"),
        FakeDockerDaemon::image(QStringLiteral("sha256:e1"), {QStringLiteral("sha256:l1")},
            {QStringLiteral("PATH=/bin"), QStringLiteral("FLAVOR=env")}, QStringLiteral("app"),
            QStringLiteral("/w")));
    const DockerDaemonClient client(daemon.path());
    const ImageFacts f = client.inspect(QStringLiteral("docker.io/library/localbase:env"));
    QVERIFY2(f.found, qPrintable(f.error));
    QCOMPARE(f.id, QStringLiteral("sha256:e1"));
    QCOMPARE(f.layers, QStringList {QStringLiteral("sha256:l1")});
    QCOMPARE(f.env, (QStringList {QStringLiteral("PATH=/bin"), QStringLiteral("FLAVOR=env")}));
    QCOMPARE(f.user, QStringLiteral("app"));
    QCOMPARE(f.workingDir, QStringLiteral("/w"));
    // The name travels as the path, percent-encoded where it must be (':' and '/' stay).
    QCOMPARE(daemon.requests(), QStringList {QStringLiteral("/images/docker.io/library/localbase:env/json")});
}

void TestDockerDaemon::notFound()
{
    QTemporaryDir dir;
    FakeDockerDaemon daemon(dir.filePath(QStringLiteral("d.sock")));
    const ImageFacts f =
        DockerDaemonClient(daemon.path()).inspect(QStringLiteral("docker.io/library/nope:1"));
    QVERIFY(!f.found);
    QCOMPARE(f.error, QStringLiteral("docker.io/library/nope:1 is not in the local image store"));
}

void TestDockerDaemon::silentDaemonTimesOut()
{
    QTemporaryDir dir;
    FakeDockerDaemon daemon(dir.filePath(QStringLiteral("d.sock")));
    daemon.setFraming(FakeDockerDaemon::Framing::Silent);
    QElapsedTimer timer;
    timer.start();
    const ImageFacts f = DockerDaemonClient(daemon.path(), 300).inspect(QStringLiteral("x"));
    QVERIFY(!f.found);
    QVERIFY2(f.error.contains(QLatin1String("did not answer within 300 ms")), qPrintable(f.error));
    QVERIFY(timer.elapsed() < 5000);
}

void TestDockerDaemon::garbage()
{
    QTemporaryDir dir;
    FakeDockerDaemon daemon(dir.filePath(QStringLiteral("d.sock")));
    daemon.addImage(QStringLiteral("a"), "{not json");
    daemon.addImage(QStringLiteral("b"), "{\"RootFS\":{}}");
    const DockerDaemonClient client(daemon.path());
    const ImageFacts a = client.inspect(QStringLiteral("a"));
    QVERIFY(!a.found);
    QVERIFY2(a.error.startsWith(QLatin1String("malformed answer for a")), qPrintable(a.error));
    const ImageFacts b = client.inspect(QStringLiteral("b"));
    QVERIFY2(b.error.contains(QLatin1String("no image Id")), qPrintable(b.error));
}

void TestDockerDaemon::noDaemon()
{
    QTemporaryDir dir;
    const ImageFacts f =
        DockerDaemonClient(dir.filePath(QStringLiteral("none.sock")), 1000).inspect(QStringLiteral("x"));
    QVERIFY(!f.found);
    QVERIFY2(
        f.error.startsWith(QLatin1String("cannot connect to the Docker daemon at ")), qPrintable(f.error));
}

// sockaddr_un holds 107 bytes of path: a longer DOCKER_HOST path is an error, not a truncated other socket.
void TestDockerDaemon::socketPathTooLong()
{
    const QString path = QStringLiteral("/tmp/") + QString(120, QLatin1Char('d')) + QStringLiteral(".sock");
    const ImageFacts f = DockerDaemonClient(path, 1000).inspect(QStringLiteral("x"));
    QVERIFY(!f.found);
    QVERIFY2(
        f.error.startsWith(QLatin1String("cannot connect to the Docker daemon at ")), qPrintable(f.error));
    QVERIFY2(f.error.contains(QLatin1String("longer than 107 bytes")), qPrintable(f.error));
}

QTEST_GUILESS_MAIN(TestDockerDaemon)
#include "tst_dockerdaemon.moc"
