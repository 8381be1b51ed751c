// Build records through the real binary: `log RECORD --json` (format "record" and the `record` object of
// shared/CLI.md), and `dockerfile RECORD --json`, whose labels, predicted from the Dockerfile the record's
// provenance carries with the record's own target and build args, must be the vertex names in the record.
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
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
    p.setArguments(args);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start();
    Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString record(const char *name)
{
    return Test::corpusPath(QStringLiteral("dockerbuild/") + QLatin1String(name));
}

/// The text of a label after its "[...]" prefix.
QString labelText(const QString &label)
{
    const qsizetype close = label.indexOf(QLatin1String("] "));
    return close < 0 ? label : label.mid(close + 2);
}

} // namespace

class TestRecordCli : public QObject
{
    Q_OBJECT

private slots:
    void logJson();
    void dockerfileFromRecord();
    void predictedLabelsAreTheRecordsVertexNames();
    void recordWithoutDockerfile();
};

void TestRecordCli::logJson()
{
    const Run r = runStagelens(
        {QStringLiteral("log"), record("moby~buildkit~LWDOW6.dockerbuild"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    const QJsonArray builds = doc.value(QStringLiteral("builds")).toArray();
    QCOMPARE(builds.size(), 1);
    const QJsonObject build = builds.at(0).toObject();
    QCOMPARE(build.value(QStringLiteral("format")).toString(), QStringLiteral("record"));
    const QJsonObject rec = build.value(QStringLiteral("record")).toObject();
    for (const char *key :
        {"ref", "target", "build_args", "vcs_revision", "vcs_source", "created", "completed", "platform"})
        QVERIFY2(rec.contains(QLatin1String(key)), key);
    QCOMPARE(rec.value(QStringLiteral("ref")).toString(), QStringLiteral("lwdow6io1fxqqzd80mp8tj83w"));
    QCOMPARE(rec.value(QStringLiteral("target")).toString(), QStringLiteral("integration-tests"));
    QCOMPARE(rec.value(QStringLiteral("build_args"))
                 .toObject()
                 .value(QStringLiteral("BUILDKIT_CONTEXT_KEEP_GIT_DIR"))
                 .toString(),
        QStringLiteral("1"));
    QCOMPARE(rec.value(QStringLiteral("vcs_revision")).toString(),
        QStringLiteral("8b48ab031cf58203cdf1ae52cc3317bd74475d9e"));
    QCOMPARE(rec.value(QStringLiteral("vcs_source")).toString(),
        QStringLiteral("https://github.com/crazy-max/buildkit.git"));
    QCOMPARE(rec.value(QStringLiteral("created")).toString(), QStringLiteral("2024-05-29T08:07:41.210Z"));
    QCOMPARE(rec.value(QStringLiteral("completed")).toString(), QStringLiteral("2024-05-29T08:09:03.053Z"));
    QCOMPARE(rec.value(QStringLiteral("platform")).toString(), QStringLiteral("linux/amd64"));
    for (const QJsonValue &v : build.value(QStringLiteral("vertices")).toArray())
        QCOMPARE(v.toObject().value(QStringLiteral("timing")).toString(), QStringLiteral("exact"));

    // A record built without a target: that key is null, not missing.
    const Run plain = runStagelens({QStringLiteral("log"),
        record("docker~test-docker-action~COIO50.dockerbuild"), QStringLiteral("--json")});
    QCOMPARE(plain.exitCode, 0);
    const QJsonObject coio = QJsonDocument::fromJson(plain.out)
                                 .object()
                                 .value(QStringLiteral("builds"))
                                 .toArray()
                                 .at(0)
                                 .toObject();
    QVERIFY(coio.value(QStringLiteral("record")).toObject().contains(QStringLiteral("target")));
    QVERIFY(coio.value(QStringLiteral("record")).toObject().value(QStringLiteral("target")).isNull());
}

void TestRecordCli::dockerfileFromRecord()
{
    const Run r = runStagelens(
        {QStringLiteral("dockerfile"), record("moby~buildkit~LWDOW6.dockerbuild"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    // The record's target is the default; --target overrides it.
    QCOMPARE(doc.value(QStringLiteral("target")).toString(), QStringLiteral("integration-tests"));
    QCOMPARE(doc.value(QStringLiteral("file")).toString(), QStringLiteral("Dockerfile"));
    QCOMPARE(doc.value(QStringLiteral("record")).toObject().value(QStringLiteral("ref")).toString(),
        QStringLiteral("lwdow6io1fxqqzd80mp8tj83w"));
    QVERIFY(doc.value(QStringLiteral("stages")).toArray().size() > 40);
    const Run other = runStagelens({QStringLiteral("dockerfile"), record("moby~buildkit~LWDOW6.dockerbuild"),
        QStringLiteral("--json"), QStringLiteral("--target"), QStringLiteral("buildctl")});
    QCOMPARE(other.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(other.out).object().value(QStringLiteral("target")).toString(),
        QStringLiteral("buildctl"));
    // --ast reads it too.
    const Run ast = runStagelens({QStringLiteral("dockerfile"),
        record("docker~test-docker-action~COIO50.dockerbuild"), QStringLiteral("--ast")});
    QCOMPARE(ast.exitCode, 0);
    QVERIFY(ast.out.contains("(from \"busybox:latest\")"));
}

void TestRecordCli::predictedLabelsAreTheRecordsVertexNames()
{
    const QString path = record("moby~buildkit~LWDOW6.dockerbuild");
    const Run dockerfile = runStagelens({QStringLiteral("dockerfile"), path, QStringLiteral("--json")});
    const Run log = runStagelens({QStringLiteral("log"), path, QStringLiteral("--json")});
    QCOMPARE(dockerfile.exitCode, 0);
    QCOMPARE(log.exitCode, 0);

    QStringList predicted; // every step of every stage the target needs
    for (const QJsonValue &stage :
        QJsonDocument::fromJson(dockerfile.out).object().value(QStringLiteral("stages")).toArray()) {
        if (!stage.toObject().value(QStringLiteral("needed")).toBool())
            continue;
        for (const QJsonValue &step : stage.toObject().value(QStringLiteral("steps")).toArray())
            predicted.append(step.toObject().value(QStringLiteral("label")).toString());
    }
    QStringList names; // the record's Dockerfile steps: vertices with a k/n counter
    QSet<QString> texts;
    for (const QJsonValue &v : QJsonDocument::fromJson(log.out)
                                   .object()
                                   .value(QStringLiteral("builds"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QStringLiteral("vertices"))
                                   .toArray()) {
        if (v.toObject().value(QStringLiteral("step")).isNull())
            continue;
        names.append(v.toObject().value(QStringLiteral("name")).toString());
        texts.insert(labelText(names.last()));
    }
    QVERIFY(names.size() > 60);
    const QSet<QString> predictedSet(predicted.begin(), predicted.end());
    const QSet<QString> nameSet(names.begin(), names.end());

    // What a prediction from the Dockerfile alone cannot know (the report lists them with reasons):
    // - BuildKit appends the digest it resolved a FROM image to ("...@sha256:<digest>");
    // - $GOPATH in `WORKDIR $GOPATH/src/...` comes from the golang base image's ENV (GOPATH=/go).
    static const QRegularExpression digest(QStringLiteral("@sha256:[0-9a-f]{64}$"));
    const QString gopath = QStringLiteral("[runc 1/3] WORKDIR /go/src/github.com/opencontainers/runc");
    int exact = 0;
    for (const QString &name : std::as_const(names)) {
        if (predictedSet.contains(name)) {
            ++exact;
        } else if (name.contains(QLatin1String("] FROM ")) && name.contains(digest)) {
            QVERIFY2(predictedSet.contains(QString(name).remove(digest)), qPrintable(name));
        } else if (name == gopath) {
            QVERIFY(predictedSet.contains(
                QStringLiteral("[runc 1/3] WORKDIR /src/github.com/opencontainers/runc")));
        } else {
            QFAIL(qPrintable(QStringLiteral("record vertex not predicted: ") + name));
        }
    }
    QCOMPARE(exact, int(names.size()) - 5); // four FROMs with a resolved digest, and the $GOPATH WORKDIR
    // Predicted steps the record lacks are those above, or steps BuildKit merged with an identical one of
    // another stage (same base, same instruction: one LLB vertex, named after one of the stages).
    int merged = 0;
    for (const QString &label : std::as_const(predicted)) {
        if (nameSet.contains(label))
            continue;
        bool explained = false;
        for (const QString &name : std::as_const(names))
            explained = explained || (name.contains(digest) && QString(name).remove(digest) == label);
        if (label == QLatin1String("[runc 1/3] WORKDIR /src/github.com/opencontainers/runc"))
            explained = true;
        if (!explained) {
            QVERIFY2(
                texts.contains(labelText(label)), qPrintable(QStringLiteral("not in the record: ") + label));
            ++merged;
        }
    }
    QCOMPARE(merged,
        4); // [git 1/2] FROM alpine:3.20, and WORKDIR /usr/src of runc-src, containerd-src, registry-src
}

void TestRecordCli::recordWithoutDockerfile()
{
    // The first record (by time) of this bake group failed before it had provenance.
    const Run r = runStagelens({QStringLiteral("dockerfile"),
        record("docker~test-docker-action~SNHBPN+3.dockerbuild") + QStringLiteral("#1"),
        QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("no Dockerfile"));
    // The parse-error record carries its Dockerfile in its error: the same parse error is found again.
    const Run broken = runStagelens({QStringLiteral("dockerfile"),
        record("docker~test-docker-action~SNHBPN+3.dockerbuild") + QStringLiteral("#2"),
        QStringLiteral("--json")});
    QCOMPARE(broken.exitCode, 1);
    QVERIFY2(broken.err.contains("summary-error.Dockerfile:2"), broken.err.constData());
    const Run none = runStagelens({QStringLiteral("dockerfile"),
        record("docker~test-docker-action~SNHBPN+3.dockerbuild") + QStringLiteral("#9"),
        QStringLiteral("--json")});
    QCOMPARE(none.exitCode, 1);
    QVERIFY(none.err.contains("not 9"));
}

QTEST_GUILESS_MAIN(TestRecordCli)
#include "tst_recordcli.moc"
