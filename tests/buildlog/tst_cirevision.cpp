// The commit a CI job checked out, read from real CI logs of the corpus (#19). The expected SHA is taken
// by this test from the raw log line that prints it (a regular expression over the file's text, not the
// code under test), and the reader must give each build that commit.

#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/cirevision.h"
#include "testutils.h"

#include <QRegularExpression>
#include <QTest>

using namespace Stagelens;

namespace {

QString corpusLog(const QString &name)
{
    return Test::corpusPath(QStringLiteral("logs/") + name);
}

// Every match of `pattern`'s first group in the raw log, ANSI colour codes removed first; `lines` gets the
// 1-based line each match ends on.
QStringList rawMatches(const QString &path, const QString &pattern, QList<int> *lines = nullptr)
{
    QString text = QString::fromUtf8(Test::readAll(path));
    text.remove(QRegularExpression(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]")));
    QStringList found;
    auto it = QRegularExpression(pattern, QRegularExpression::MultilineOption).globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        found.append(m.captured(1).toLower());
        if (lines)
            lines->append(int(QStringView(text).left(m.capturedEnd(1)).count(QLatin1Char('\n'))) + 1);
    }
    return found;
}

} // namespace

class TestCiRevision : public QObject
{
    Q_OBJECT
private slots:
    void realLogs_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("pattern"); // the raw line that says the commit, its SHA captured
        // actions/checkout: `git log -1 --format=%H`, then the full SHA alone on the next line.
        QTest::newRow("github-actions")
            << QStringLiteral("Baragji-N_grade-gha-full-job-action-image-and-buildx-load.log")
            << QStringLiteral("git log -1 --format=%H\\r?\\n\\S+Z ([0-9a-f]{40})\\r?$");
        QTest::newRow("gitlab") << QStringLiteral(
            "gizadirov-devops-netology-gitlab-raw-trace-ansi-sections.log")
                                << QStringLiteral("^Checking out ([0-9a-f]{7,40}) as ");
        QTest::newRow("render") << QStringLiteral(
            "codewithharz-glotrade_ecom-render-deploy-all-cached-exit1.log")
                                << QStringLiteral("==> Checking out commit ([0-9a-f]{40}) in branch");
        QTest::newRow("render-ns-timestamps")
            << QStringLiteral("person3113-recipemate-render-deploy-ns-timestamps.log")
            << QStringLiteral("==> Checking out commit ([0-9a-f]{40}) in branch");
    }

    // The scanner finds the commit the raw line prints, and every build read from the log after that line
    // carries it (a build before the checkout, as GitHub's action image build, does not).
    void realLogs()
    {
        QFETCH(QString, file);
        QFETCH(QString, pattern);
        const QString path = corpusLog(file);
        QList<int> lines;
        const QStringList expected = rawMatches(path, pattern, &lines);
        QCOMPARE(expected.size(), 1);
        QStringList found;
        for (const CiRevision &r : findCiRevisions(Test::readAll(path)))
            found.append(r.sha);
        QVERIFY2(found.contains(expected.first()), qPrintable(found.join(QLatin1Char(' '))));
        const BuildLogResult log = readBuildLogFile(path);
        QVERIFY(!log.builds.isEmpty());
        int after = 0;
        for (const BuildRun &run : log.builds) {
            if (run.firstLine > lines.first()) {
                QCOMPARE(run.revision, expected.first());
                ++after;
            } else {
                QCOMPARE(run.revision, QString());
            }
        }
        QVERIFY(after > 0);
    }

    // GitHub also prints "HEAD is now at <short>": the full SHA of `git log -1` is the same commit and wins.
    void githubShortAndFull()
    {
        const QString path =
            corpusLog(QStringLiteral("Baragji-N_grade-gha-full-job-action-image-and-buildx-load.log"));
        const QStringList shortSha = rawMatches(path, QStringLiteral("HEAD is now at ([0-9a-f]{7,40}) "));
        QCOMPARE(shortSha.size(), 1);
        const BuildLogResult log = readBuildLogFile(path);
        QVERIFY(!log.builds.isEmpty());
        QVERIFY(log.builds.last().revision.startsWith(shortSha.first()));
        QCOMPARE(log.builds.last().revision.size(), 40);
    }

    // Jenkins' parallel branches print both checkouts on one line, before both builds: both commits are
    // found, and neither build is given a guess.
    void parallelCheckoutsStayUnknown()
    {
        const QString path = corpusLog(
            QStringLiteral("happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"));
        const QStringList expected =
            rawMatches(path, QStringLiteral("Checking out Revision ([0-9a-f]{40}) "));
        QCOMPARE(expected.size(), 2);
        QStringList found;
        for (const CiRevision &r : findCiRevisions(Test::readAll(path)))
            found.append(r.sha);
        QCOMPARE(found, expected);
        const BuildLogResult log = readBuildLogFile(path);
        QCOMPARE(log.builds.size(), 2);
        for (const BuildRun &run : log.builds)
            QVERIFY2(run.revision.isEmpty(), qPrintable(run.revision));
    }

    // One checkout, then builds one after another: each build gets the commit printed before it.
    void sequentialCheckouts()
    {
        const QByteArray log =
            "Checking out 1234abcd as detached HEAD (ref is main)...\n"
            "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.1s\n"
            "==> Checking out commit 0123456789abcdef0123456789abcdef01234567 in branch x\n"
            "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.1s\n";
        const QList<CiRevision> revisions = findCiRevisions(log);
        QCOMPARE(revisions.size(), 2);
        QList<BuildRun> builds(2);
        builds[0].firstLine = 2;
        builds[0].lastLine = 3;
        builds[1].firstLine = 5;
        builds[1].lastLine = 6;
        assignCiRevisions(&builds, revisions);
        QCOMPARE(builds[0].revision, QStringLiteral("1234abcd"));
        QCOMPARE(builds[1].revision, QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        // No commit printed before a build: it stays unknown; a word that only looks like hex is no commit.
        QVERIFY(findCiRevisions("Checking out deadbeefs as x\nHEAD is now at cafe\n").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCiRevision)
#include "tst_cirevision.moc"
