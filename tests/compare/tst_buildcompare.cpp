// `stagelens compare` on the consecutive builds of shared/corpus/buildkit-real, with the project's history
// rebuilt as a git repository from regen.sh's edits (each case's edit is one commit): the roots of the
// misses, their causes and the files they name are checked against EXPECTED.md's facts table.

#include "model/buildlog/buildlogreader.h"
#include "model/compare/buildcompare.h"
#include "model/compare/gitrevisions.h"
#include "testutils.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

struct Root
{
    QString labelStart; ///< "[builder 2/3]"
    QString kind;
    QStringList files; ///< for files causes: exactly these
};

QString real(const QString &name)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + name);
}

bool copyTree(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    QDirIterator it(
        from, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QString target = to + QLatin1Char('/') + QDir(from).relativeFilePath(it.filePath());
        if (it.fileInfo().isDir()) {
            QDir().mkpath(target);
        } else if (!QFile::copy(it.filePath(), target)) {
            return false;
        } else {
            QFile::setPermissions(target, it.fileInfo().permissions() | QFileDevice::WriteOwner);
        }
    }
    return true;
}

} // namespace

class TestBuildCompare : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_repo;
    QHash<QString, QString> m_commit; // case number -> commit of the project it was built from

    QString git(const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_repo);
        p.start(QStringLiteral("git"), args);
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }
    void append(const QString &file, const QByteArray &text)
    {
        QFile f(m_repo + QLatin1Char('/') + file);
        QVERIFY(f.open(QIODevice::Append));
        f.write(text);
    }
    void replace(const QString &file, const QByteArray &from, const QByteArray &to)
    {
        QFile f(m_repo + QLatin1Char('/') + file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        QVERIFY(text.contains(from));
        text.replace(from, to);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }
    void commit(const QString &caseNumber)
    {
        git({QStringLiteral("add"), QStringLiteral("-A")});
        git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
            QStringLiteral("-m"), QStringLiteral("case ") + caseNumber});
        m_commit.insert(caseNumber, git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));
    }

private slots:
    // regen.sh's edits, in order, one commit per case.
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("git")).isEmpty())
            QSKIP("git is needed to rebuild the project's history");
        QVERIFY(m_dir.isValid());
        m_repo = m_dir.filePath(QStringLiteral("project"));
        QVERIFY(copyTree(real(QStringLiteral("project")), m_repo));
        git({QStringLiteral("init"), QStringLiteral("-q")});
        git({QStringLiteral("config"), QStringLiteral("user.email"),
            QStringLiteral("test@stagelens.invalid")});
        git({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("test")});
        git({QStringLiteral("config"), QStringLiteral("core.fileMode"), QStringLiteral("true")});
        commit(QStringLiteral("01"));
        append(QStringLiteral("src/util.c"), "int helper(void) { return 1; }\n");
        commit(QStringLiteral("02"));
        replace(QStringLiteral("src/main.c"), "// main.c - entry point", "// main.c - program entry point");
        commit(QStringLiteral("03"));
        append(QStringLiteral("deps.manifest"), "libbaz\n");
        commit(QStringLiteral("04"));
        append(QStringLiteral("README.md"), "more text\n");
        append(QStringLiteral("notes/todo.txt"), "later\n");
        append(QStringLiteral("src/scratch.tmp"), "scratch\n");
        commit(QStringLiteral("05"));
        replace(QStringLiteral("Dockerfile"), "runtime ready:", "runtime is ready:");
        commit(QStringLiteral("06"));
        for (const char *n : {"07", "08", "09", "10"})
            commit(QLatin1String(n)); // build args only
        append(QStringLiteral("extra/unused.txt"), "edited\n");
        commit(QStringLiteral("11"));
        append(QStringLiteral("docs/guide.txt"), "line three\n");
        commit(QStringLiteral("12"));
        commit(QStringLiteral("15")); // touch: same bytes
        QFile::setPermissions(m_repo + QStringLiteral("/src/build.sh"),
            QFile::permissions(m_repo + QStringLiteral("/src/build.sh")) | QFileDevice::ExeOwner
                | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        commit(QStringLiteral("16"));
        append(QStringLiteral("src/feature.c"), "int feature(void) { return 2; }\n");
        commit(QStringLiteral("17"));
        append(QStringLiteral("tests/run_tests.sh"), "echo \"PASS extra check\"\n");
        commit(QStringLiteral("18"));
        append(QStringLiteral("assets/style.css"), "p { margin: 0; }\n");
        commit(QStringLiteral("19"));
        commit(QStringLiteral("20"));
        commit(QStringLiteral("21"));
        QCOMPARE(m_commit.size(), 19);
    }

    void gitChangedPaths()
    {
        QString error;
        const std::optional<QStringList> paths =
            changedPaths(m_repo, m_commit[QStringLiteral("04")], m_commit[QStringLiteral("05")], &error);
        QVERIFY2(paths, qPrintable(error));
        QCOMPARE(*paths,
            (QStringList {QStringLiteral("README.md"), QStringLiteral("notes/todo.txt"),
                QStringLiteral("src/scratch.tmp")}));
        // A mode change is a change.
        QCOMPARE(
            *changedPaths(m_repo, m_commit[QStringLiteral("15")], m_commit[QStringLiteral("16")], &error),
            QStringList {QStringLiteral("src/build.sh")});
        QVERIFY(!changedPaths(m_repo, QStringLiteral("nope"), m_commit[QStringLiteral("16")], &error));
        QVERIFY(error.contains(QLatin1String("nope")));
        QTemporaryDir plain;
        QVERIFY(!changedPaths(plain.path(), QStringLiteral("HEAD"), QStringLiteral("HEAD"), &error));
        QVERIFY2(error.contains(QLatin1String("not in a git repository")), qPrintable(error));
        QCOMPARE(QDir(repositoryRoot(m_repo + QStringLiteral("/src"))), QDir(m_repo));
    }

    void consecutive_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QList<Root>>("roots");
        auto row = [](const char *b, const char *a, QList<Root> roots) {
            QTest::addRow("%s -> %s", b, a) << QString::fromLatin1(b) << QString::fromLatin1(a) << roots;
        };
        const QString files = QStringLiteral("files");
        row("01-nochange", "02-edit-src",
            {{QStringLiteral("[builder 2/3]"), files, {QStringLiteral("src/util.c")}}});
        row("02-edit-src", "03-edit-src-comment-only",
            {{QStringLiteral("[builder 2/3]"), files, {QStringLiteral("src/main.c")}}});
        row("03-edit-src-comment-only", "04-edit-manifest",
            {{QStringLiteral("[deps 3/4]"), files, {QStringLiteral("deps.manifest")}}});
        row("04-edit-manifest", "05-edit-dockerignored", {}); // every edited file is .dockerignore'd
        row("05-edit-dockerignored", "06-edit-runtime-instruction",
            {{QStringLiteral("[runtime 6/6]"), QStringLiteral("instruction"), {}}});
        row("06-edit-runtime-instruction", "07-build-arg-changed",
            {{QStringLiteral("[builder 3/3]"), QStringLiteral("build-arg"), {}}});
        row("07-build-arg-changed", "08-build-arg-reverted", {});
        row("08-build-arg-reverted", "09-build-arg-declared-unused",
            {{QStringLiteral("[assets 4/4]"), QStringLiteral("build-arg"), {}}});
        row("09-build-arg-declared-unused", "10-build-arg-undeclared", {});
        row("10-build-arg-undeclared", "11-edit-unreferenced-file", {});
        row("11-edit-unreferenced-file", "12-edit-unused-stage-input", {});
        row("12-edit-unused-stage-input", "15-touch-mtime-only", {});
        row("15-touch-mtime-only", "16-chmod-x",
            {{QStringLiteral("[builder 2/3]"), files, {QStringLiteral("src/build.sh")}}});
        row("16-chmod-x", "17-add-src-file",
            {{QStringLiteral("[builder 2/3]"), files, {QStringLiteral("src/feature.c")}}});
        row("17-add-src-file", "18-edit-tests",
            {{QStringLiteral("[test 1/2]"), files, {QStringLiteral("tests/run_tests.sh")}}});
        row("18-edit-tests", "19-edit-asset",
            {{QStringLiteral("[assets 3/4]"), files, {QStringLiteral("assets/style.css")}}});
        row("19-edit-asset", "20-deps-arg-changed",
            {{QStringLiteral("[deps 4/4]"), QStringLiteral("build-arg"), {}}});
        row("20-deps-arg-changed", "21-no-cache",
            {{QStringLiteral("[deps 3/4]"), QStringLiteral("no-cache"), {}},
                {QStringLiteral("[assets 3/4]"), QStringLiteral("no-cache"), {}}});
    }
    void consecutive()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        QFETCH(QList<Root>, roots);
        QProcess cli;
        cli.start(QStringLiteral(STAGELENS_BINARY),
            {QStringLiteral("compare"), real(before + QStringLiteral(".log")),
                real(after + QStringLiteral(".log")), QStringLiteral("--project"), m_repo,
                QStringLiteral("--revisions"),
                m_commit[before.left(2)] + QStringLiteral("..") + m_commit[after.left(2)],
                QStringLiteral("--json")});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const QJsonObject o = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(o[QStringLiteral("before")].toObject()[QStringLiteral("revision")].toString(),
            m_commit[before.left(2)]);

        // The steps that ran in AFTER but were produced BEFORE are the missed ones (EXPECTED.md's "ran"
        // column); each is a root or follows one.
        const BuildRun a = readBuildLogFile(real(after + QStringLiteral(".log"))).builds.first();
        QSet<QString> ranAfter;
        for (const BuildVertex &v : a.vertices) {
            if (v.label.step > 0 && !v.label.internal && v.status == VertexStatus::Done
                && v.label.instruction != QLatin1String("FROM"))
                ranAfter.insert(v.name);
        }
        QSet<QString> missed;
        QList<QJsonObject> rootSteps;
        for (const QJsonValue &value : o[QStringLiteral("steps")].toArray()) {
            const QJsonObject s = value.toObject();
            if (s[QStringLiteral("change")].toString() != QLatin1String("missed"))
                continue;
            missed.insert(s[QStringLiteral("label")].toString());
            if (s[QStringLiteral("root")].toBool())
                rootSteps.append(s);
            else
                QVERIFY(!s[QStringLiteral("follows")].toString().isEmpty());
        }
        QCOMPARE(missed, ranAfter);
        // Both builds built the same steps: none added or removed, the shared FROM included (BuildKit prints
        // it under whichever stage got there first, not always the same one).
        for (const QJsonValue &value : o[QStringLiteral("steps")].toArray()) {
            const QString change = value.toObject()[QStringLiteral("change")].toString();
            QVERIFY2(change != QLatin1String("added") && change != QLatin1String("removed"),
                qPrintable(value.toObject()[QStringLiteral("label")].toString()));
        }
        QCOMPARE(rootSteps.size(), roots.size());
        for (int i = 0; i < roots.size(); ++i) {
            const Root &want = roots[i];
            const auto it = std::find_if(rootSteps.cbegin(), rootSteps.cend(), [&want](const QJsonObject &s) {
                return s[QStringLiteral("label")].toString().startsWith(want.labelStart);
            });
            QVERIFY2(it != rootSteps.cend(), qPrintable(want.labelStart));
            const QJsonObject cause = (*it)[QStringLiteral("cause")].toObject();
            QCOMPARE(cause[QStringLiteral("kind")].toString(), want.kind);
            if (want.kind == QLatin1String("files")) {
                QStringList named;
                for (const QJsonValue &f : cause[QStringLiteral("files")].toArray())
                    named.append(f.toString());
                QCOMPARE(named, want.files);
            }
        }
        // Causes ranked by cost, and each cause's steps are its roots and their followers.
        double previous = 1e300;
        int counted = 0;
        for (const QJsonValue &value : o[QStringLiteral("causes")].toArray()) {
            const double seconds = value.toObject()[QStringLiteral("seconds")].toDouble();
            QVERIFY(seconds <= previous);
            previous = seconds;
            counted += int(value.toObject()[QStringLiteral("steps")].toArray().size());
        }
        QCOMPARE(counted, missed.size());
    }

    // The revisions read from the CI logs themselves (#19): the same logs behind a GitLab checkout line and
    // a GitHub `git log -1` checkout, compared with --project but no --revisions, give the commits in
    // before/after and the same file causes as the revisions given by hand.
    void revisionsFromCiLogs_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::newRow("edit-src") << QStringLiteral("01-nochange") << QStringLiteral("02-edit-src");
        QTest::newRow("chmod") << QStringLiteral("15-touch-mtime-only") << QStringLiteral("16-chmod-x");
    }
    void revisionsFromCiLogs()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        const QString from = m_commit[before.left(2)], to = m_commit[after.left(2)];
        QVERIFY(!from.isEmpty() && !to.isEmpty());
        auto writeLog = [this](const QString &name, const QByteArray &checkout) {
            const QString path = m_dir.filePath(QStringLiteral("ci-") + name + QStringLiteral(".log"));
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly))
                return QString();
            f.write(checkout + Test::readAll(real(name + QStringLiteral(".log"))));
            return path;
        };
        const QString beforeLog = writeLog(
            before, "Checking out " + from.left(8).toLatin1() + " as detached HEAD (ref is main)...\n");
        const QString afterLog =
            writeLog(after, "[command]/usr/bin/git log -1 '--format=%H'\n" + to.toLatin1() + "\n");
        QVERIFY(!beforeLog.isEmpty() && !afterLog.isEmpty());
        auto compare = [this](const QStringList &args) {
            QProcess cli;
            cli.start(QStringLiteral(STAGELENS_BINARY),
                QStringList {QStringLiteral("compare")} + args
                    + QStringList {QStringLiteral("--project"), m_repo, QStringLiteral("--json")});
            cli.waitForFinished(60000);
            if (cli.exitCode() != 0)
                qWarning() << cli.readAllStandardError();
            return QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        };
        const QJsonObject fromLogs = compare({beforeLog, afterLog});
        QCOMPARE(fromLogs[QStringLiteral("before")].toObject()[QStringLiteral("revision")].toString(),
            from.left(8));
        QCOMPARE(fromLogs[QStringLiteral("after")].toObject()[QStringLiteral("revision")].toString(), to);
        const QJsonObject byHand =
            compare({real(before + QStringLiteral(".log")), real(after + QStringLiteral(".log")),
                QStringLiteral("--revisions"), from + QStringLiteral("..") + to});
        const QJsonArray causes = fromLogs[QStringLiteral("causes")].toArray();
        QVERIFY(!causes.isEmpty());
        QCOMPARE(causes.first().toObject()[QStringLiteral("kind")].toString(), QStringLiteral("files"));
        QVERIFY(!causes.first().toObject()[QStringLiteral("files")].toArray().isEmpty());
        QCOMPARE(causes.size(), byHand[QStringLiteral("causes")].toArray().size());
        for (int i = 0; i < causes.size(); ++i) {
            QCOMPARE(causes[i].toObject()[QStringLiteral("files")],
                byHand[QStringLiteral("causes")].toArray()[i].toObject()[QStringLiteral("files")]);
            QCOMPARE(causes[i].toObject()[QStringLiteral("kind")],
                byHand[QStringLiteral("causes")].toArray()[i].toObject()[QStringLiteral("kind")]);
        }
    }

    // Two builds of one Jenkins console log: the second reuses two steps of the first.
    void twoBuildsInOneLog()
    {
        const BuildLogResult log = readBuildLogFile(Test::corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log")));
        QCOMPARE(log.builds.size(), 2);
        const CompareResult r = compareBuilds(log.builds[0], log.builds[1]);
        int hits = 0, missed = 0;
        for (const ComparedStep &s : r.steps) {
            hits += s.change == StepChange::Hit ? 1 : 0;
            missed += s.change == StepChange::Missed ? 1 : 0;
            if (s.change == StepChange::Missed)
                QVERIFY(s.root != !s.follows.isEmpty());
        }
        int cachedAfter = 0;
        for (const BuildVertex &v : log.builds[1].vertices)
            cachedAfter += (v.label.step > 0 && v.status == VertexStatus::Cached) ? 1 : 0;
        QCOMPARE(hits, cachedAfter);
        QVERIFY(missed > 0);
        const QString markdown = compareToMarkdown(r, QStringLiteral("build 1"), QStringLiteral("build 2"));
        QVERIFY(markdown.startsWith(QLatin1String("### Why it changed")));
        QVERIFY(markdown.contains(QLatin1String("| Cause | Detail | Steps | Time |")));
    }

    // Build records: their vcs:revision is reported (with no work tree to diff, no file is named), and a
    // record of the same project with no steps leaves the first one's steps as removed.
    void records()
    {
        const QString a =
            Test::corpusPath(QStringLiteral("dockerbuild/docker~test-docker-action~COIO50.dockerbuild"));
        const QString b =
            Test::corpusPath(QStringLiteral("dockerbuild/docker~test-docker-action~SNHBPN+3.dockerbuild"));
        QProcess cli;
        cli.start(QStringLiteral(STAGELENS_BINARY),
            {QStringLiteral("compare"), a, b + QStringLiteral("#1"), QStringLiteral("--json")});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const QJsonObject o = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        const BuildRun before = readBuildLogFile(a).builds.first();
        QVERIFY(before.record);
        QCOMPARE(o[QStringLiteral("before")].toObject()[QStringLiteral("revision")].toString(),
            before.record->vcsRevision);
        QCOMPARE(o[QStringLiteral("after")].toObject()[QStringLiteral("build")].toInt(), 1);
        int steps = 0;
        for (const BuildVertex &v : before.vertices)
            steps += (v.label.step > 0 && !v.label.internal) ? 1 : 0;
        int removed = 0;
        for (const QJsonValue &value : o[QStringLiteral("steps")].toArray())
            removed +=
                value.toObject()[QStringLiteral("change")].toString() == QLatin1String("removed") ? 1 : 0;
        QCOMPARE(removed, steps);
        QVERIFY(o[QStringLiteral("causes")].toArray().isEmpty());
    }

    // Bad input: a missing file, a build number past the end, a revision without a project.
    void usageErrors()
    {
        const QString log = real(QStringLiteral("01-nochange.log"));
        for (const QStringList &args :
            {QStringList {log}, QStringList {log, QStringLiteral("/nonexistent.log")},
                QStringList {log, log + QStringLiteral("#3")},
                QStringList {log, log, QStringLiteral("--revisions"), QStringLiteral("a..b")}}) {
            QProcess cli;
            cli.start(QStringLiteral(STAGELENS_BINARY), QStringList {QStringLiteral("compare")} + args);
            QVERIFY(cli.waitForFinished(30000));
            QCOMPARE(cli.exitCode(), 2);
            QVERIFY(!cli.readAllStandardError().isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestBuildCompare)
#include "tst_buildcompare.moc"
