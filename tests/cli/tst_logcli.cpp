// `stagelens log --json --dockerfile`: a log joined to a Dockerfile says whether it fits (shared/CLI.md).
#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
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
    // A mistyped subcommand or option is a usage error decided before any window system is loaded: it holds
    // on a machine without a display (no DISPLAY, no QT_QPA_PLATFORM) instead of aborting in Qt's xcb plugin.
    void unknownFormsAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("mistyped subcommand") << QStringList {QStringLiteral("reprot"), QStringLiteral(".")};
        QTest::addRow("unknown word") << QStringList {QStringLiteral("bogus")};
        QTest::addRow("unknown GUI option") << QStringList {QStringLiteral("--bogus")};
        QTest::addRow("option value missing") << QStringList {QStringLiteral("--screenshot")};
    }
    void unknownFormsAreUsageErrors()
    {
        QFETCH(QStringList, args);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(STAGELENS_BINARY), args);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("stagelens:"));
    }

    // --help lists every GUI option, --theme included.
    void helpListsGuiOptions()
    {
        QProcess p;
        p.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        const QByteArray help = p.readAllStandardOutput();
        for (const char *option : {"--changed", "--screenshot", "--size", "--theme", "--version"})
            QVERIFY2(help.contains(option), option);
        for (const char *sub : {"dockerfile", "log", "whatif", "report"})
            QVERIFY2(help.contains(sub), sub);
    }

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

    // The builds of a log are written in batches, the next batch on a second thread, and a build larger
    // than a batch alone: every build comes out once, in order, whole, in one well-formed document.
    void manyBuildsInOrder()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("many.log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QList<int> sizes;
        for (int b = 0; b < 30; ++b)
            sizes.append(b == 12 ? 21000
                    : b % 2 == 0 ? 3000
                                 : 7); // batches ahead before and after the big one
        for (const int n : sizes) {
            QByteArray build("#0 building with \"default\" instance using docker driver\n");
            for (int v = 1; v <= n; ++v) {
                const QByteArray id = '#' + QByteArray::number(v);
                build += id + " [stage " + QByteArray::number(v) + '/' + QByteArray::number(n)
                    + "] RUN step\n" + id + " 0.100 out\n" + id + " DONE 0.2s\n";
            }
            QCOMPARE(file.write(build), build.size());
        }
        file.close();
        int rc = -1;
        const QJsonObject doc = run({QStringLiteral("log"), path, QStringLiteral("--json")}, &rc);
        QCOMPARE(rc, 0);
        const QJsonArray builds = doc.value(QStringLiteral("builds")).toArray();
        QCOMPARE(builds.size(), sizes.size());
        for (int b = 0; b < builds.size(); ++b) {
            const QJsonObject build = builds.at(b).toObject();
            QCOMPARE(build.value(QStringLiteral("index")).toInt(), b);
            QCOMPARE(build.value(QStringLiteral("vertices")).toArray().size(), sizes.at(b));
            QCOMPARE(build.value(QStringLiteral("summary")).toObject().value(QStringLiteral("steps")).toInt(),
                sizes.at(b));
        }
        QCOMPARE(doc.value(QStringLiteral("file")).toString(), path);
    }
};

QTEST_GUILESS_MAIN(TestLogCli)
#include "tst_logcli.moc"
