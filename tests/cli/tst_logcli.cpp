// `stagelens log --json --dockerfile`: a log joined to a Dockerfile says whether it fits (shared/CLI.md).
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Stagelens;

class TestLogCli : public QObject
{
    Q_OBJECT
private:
    static QJsonObject run(const QStringList &args, int *exitCode)
    {
        QProcess p;
        p.start(QStringLiteral(STAGELENS_BINARY), args);
        p.waitForFinished(60000);
        *exitCode = p.exitCode();
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    }
    static QStringList codes(const QJsonObject &doc)
    {
        QStringList out;
        for (const QJsonValue &d : doc.value(QStringLiteral("diagnostics")).toArray())
            out.append(d.toObject().value(QStringLiteral("code")).toString());
        out.removeAll(QString());
        return out;
    }

private Q_SLOTS:
    void mismatchIsWarned()
    {
        int rc = -1;
        const QJsonObject doc =
            run({QStringLiteral("log"),
                    Test::corpusPath(QStringLiteral(
                        "logs/jesuuslopeez-2526_DAW_u2_springboot-gha-full-job-git-context-push.log")),
                    QStringLiteral("--json"), QStringLiteral("--dockerfile"),
                    Test::corpusPath(QStringLiteral(
                        "dockerfiles/docker__awesome-compose__spring-postgres__backend__Dockerfile/"
                        "Dockerfile"))},
                &rc);
        QCOMPARE(rc, 0); // a warning, not an input error
        QCOMPARE(codes(doc), QStringList {QStringLiteral("log-dockerfile-mismatch")});
    }

    void matchingPairIsQuiet()
    {
        int rc = -1;
        const QJsonObject doc =
            run({QStringLiteral("log"), Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log")),
                    QStringLiteral("--json"), QStringLiteral("--dockerfile"),
                    Test::corpusPath(QStringLiteral("buildkit-real/project/Dockerfile"))},
                &rc);
        QCOMPARE(rc, 0);
        QVERIFY(!doc.value(QStringLiteral("builds")).toArray().isEmpty());
        QCOMPARE(codes(doc), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestLogCli)
#include "tst_logcli.moc"
