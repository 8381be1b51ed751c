// Every contradiction the differential tester found (tests/oracle, saved under tests/data/oracle/<name>/),
// replayed without Docker: `stagelens whatif` predicts again on the saved project with the saved arguments
// and the first build's real log (and, for --resolve-images, a fake daemon giving the saved `docker image
// inspect` answers), and each verdict must agree with what BuildKit did in the second build: rerun = it ran,
// cached = CACHED, maybe = either.

#include "fakedockerdaemon.h"
#include "testutils.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

QString casesDir()
{
    return Test::dataPath(QStringLiteral("oracle"));
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(Test::readAll(path)).object();
}

} // namespace

class TestOracleCases : public QObject
{
    Q_OBJECT
private slots:
    void replay_data();
    void replay();
};

void TestOracleCases::replay_data()
{
    QTest::addColumn<QString>("dir");
    const QStringList names = QDir(casesDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    int rows = 0;
    for (const QString &name : names) {
        const QString dir = casesDir() + QLatin1Char('/') + name;
        if (QFileInfo::exists(dir + QStringLiteral("/project/Dockerfile"))) {
            QTest::addRow("%s", qPrintable(name)) << dir;
            ++rows;
        }
    }
    QVERIFY2(rows > 0, "no saved oracle case");
}

void TestOracleCases::replay()
{
    QFETCH(QString, dir);
    const QJsonObject saved = readJson(dir + QStringLiteral("/case.json"));
    QStringList args = {QStringLiteral("whatif"), dir + QStringLiteral("/project"), QStringLiteral("--log"),
        dir + QStringLiteral("/build1.log"), QStringLiteral("--json")};
    for (const QJsonValue &a : saved.value(QStringLiteral("whatif_args")).toArray())
        args.append(a.toString());

    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QTemporaryDir sockets;
    std::unique_ptr<Test::FakeDockerDaemon> daemon;
    if (QFileInfo::exists(dir + QStringLiteral("/daemon.json"))) {
        daemon = std::make_unique<Test::FakeDockerDaemon>(sockets.filePath(QStringLiteral("docker.sock")));
        QVERIFY(daemon->isListening());
        const QJsonObject images = readJson(dir + QStringLiteral("/daemon.json"));
        for (auto it = images.begin(); it != images.end(); ++it)
            daemon->addImage(it.key(), QJsonDocument(it.value().toObject()).toJson(QJsonDocument::Compact));
        env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix://") + daemon->path());
    } else {
        env.remove(QStringLiteral("DOCKER_HOST"));
    }
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STAGELENS_BINARY), args);
    QVERIFY(p.waitForFinished(60000));
    const QByteArray err = p.readAllStandardError();
    const QJsonObject prediction = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QVERIFY2(p.exitCode() == 0, err.constData());
    QHash<QString, QString> verdicts;
    for (const QJsonValue &v : prediction.value(QStringLiteral("steps")).toArray()) {
        const QJsonObject o = v.toObject();
        verdicts.insert(o.value(QStringLiteral("label")).toString(),
            o.value(QStringLiteral("verdict")).toString() + QStringLiteral(" (")
                + o.value(QStringLiteral("reason")).toString() + QLatin1Char(')'));
    }

    QStringList wrong;
    int checked = 0;
    for (const QJsonValue &v : saved.value(QStringLiteral("steps")).toArray()) {
        const QJsonObject step = v.toObject();
        const QString label = step.value(QStringLiteral("label")).toString();
        const QString buildkit = step.value(QStringLiteral("buildkit")).toString();
        if (buildkit.isEmpty())
            continue; // the tester found no vertex for it
        if (!verdicts.contains(label)) {
            wrong.append(QStringLiteral("%1: no longer predicted").arg(label));
            continue;
        }
        const QString verdict = verdicts.value(label);
        ++checked;
        // Docker 20.10 prints the FROM of a local image "DONE" in every build: not checkable.
        if (buildkit == QLatin1String("done") && label.contains(QLatin1String("] FROM ")))
            continue;
        const bool ran = buildkit == QLatin1String("done") || buildkit == QLatin1String("error");
        if ((verdict.startsWith(QLatin1String("rerun")) && !ran)
            || (verdict.startsWith(QLatin1String("cached")) && ran))
            wrong.append(QStringLiteral("%1: predicted %2, BuildKit %3").arg(label, verdict, buildkit));
    }
    QVERIFY2(checked > 0, "no step of the case was checked");
    QVERIFY2(wrong.isEmpty(),
        qPrintable(saved.value(QStringLiteral("edit")).toString() + QLatin1Char('\n')
            + wrong.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestOracleCases)
#include "tst_oraclecases.moc"
