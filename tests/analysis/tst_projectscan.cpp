#include "model/analysis/projectscan.h"
#include "testutils.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

class TestProjectScan : public QObject
{
    Q_OBJECT
private:
    static void write(const QString &path, const QByteArray &content)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

private Q_SLOTS:
    void dockerfileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("dockerfile");
        QTest::addRow("plain") << QStringLiteral("Dockerfile") << true;
        QTest::addRow("suffix") << QStringLiteral("api.Dockerfile") << true;
        QTest::addRow("prefix") << QStringLiteral("Dockerfile.test") << true;
        QTest::addRow("containerfile") << QStringLiteral("Containerfile") << true;
        QTest::addRow("ignore file") << QStringLiteral("Dockerfile.dockerignore") << false;
        QTest::addRow("other") << QStringLiteral("Makefile") << false;
    }
    void dockerfileNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, dockerfile);
        QCOMPARE(isDockerfileName(name), dockerfile);
    }

    void findsDockerfilesSkippingVendoredTrees()
    {
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("Dockerfile")), "FROM alpine\n");
        write(dir.filePath(QStringLiteral("docker/api.Dockerfile")), "FROM alpine\n");
        write(dir.filePath(QStringLiteral("Dockerfile.dev")), "FROM alpine\n");
        write(dir.filePath(QStringLiteral("node_modules/x/Dockerfile")), "FROM alpine\n");
        write(dir.filePath(QStringLiteral(".git/Dockerfile")), "FROM alpine\n");
        QVERIFY(QFile::link(dir.path(), dir.filePath(QStringLiteral("docker/loop"))));
        const QStringList found = findDockerfiles(dir.path());
        QCOMPARE(found,
            (QStringList {QStringLiteral("Dockerfile"), QStringLiteral("Dockerfile.dev"),
                QStringLiteral("docker/api.Dockerfile")}));
    }

    void classifiesByNameAndContent()
    {
        const QString project = Test::corpusPath(QStringLiteral("buildkit-real/project"));
        QCOMPARE(classifyPath(project), PathKind::ProjectFolder);
        QCOMPARE(classifyPath(project + QStringLiteral("/Dockerfile")), PathKind::Dockerfile);
        QCOMPARE(
            classifyPath(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))), PathKind::BuildLog);
        QCOMPARE(classifyPath(project + QStringLiteral("/no-such-file")), PathKind::Missing);
        QTemporaryDir dir;
        write(
            dir.filePath(QStringLiteral("build-recipe")), "# syntax=docker/dockerfile:1\nFROM alpine AS x\n");
        write(
            dir.filePath(QStringLiteral("output")), "#1 [internal] load build definition from Dockerfile\n");
        QCOMPARE(classifyPath(dir.filePath(QStringLiteral("build-recipe"))), PathKind::Dockerfile);
        QCOMPARE(classifyPath(dir.filePath(QStringLiteral("output"))), PathKind::BuildLog);
    }
};

QTEST_GUILESS_MAIN(TestProjectScan)
#include "tst_projectscan.moc"
