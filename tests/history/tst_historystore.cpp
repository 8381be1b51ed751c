// The build history on SQLite and on a real PostgreSQL 15 started by the test itself, with the same test
// data: every log and record of the corpus added, listed and trended (against buildkit-real/steps.tsv),
// adding twice, 8 processes adding at once, a process killed in the middle of an add, migration from every
// earlier schema version, a database from a newer version, least-privilege PostgreSQL roles, the CLI.
#include "model/analysis/buildsummary.h"
#include "model/buildlog/buildlogreader.h"
#include "model/history/historyschema.h"
#include "model/history/historystore.h"
#include "pgcluster.h"
#include "testutils.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>

using namespace Stagelens;

namespace {

// What a file holds, read independently of the store: its builds and their summaries.
struct FileBuilds
{
    QString path;
    QList<BuildRun> runs;
};

QStringList corpusFiles()
{
    QStringList paths;
    for (const QString &dir :
        {QStringLiteral("logs"), QStringLiteral("buildkit-real"), QStringLiteral("dockerbuild")}) {
        const QDir d(Test::corpusPath(dir));
        for (const QString &name : d.entryList(QDir::Files, QDir::Name)) {
            if (dir != QLatin1String("buildkit-real") || name.endsWith(QLatin1String(".log")))
                paths.append(d.filePath(name));
        }
    }
    return paths;
}

// buildkit-real/steps.tsv: case -> the row of one step (status, seconds) by its "[stage k/n]" prefix.
QHash<QString, QHash<QString, QPair<QString, QString>>> readStepsTsv()
{
    QHash<QString, QHash<QString, QPair<QString, QString>>> rows;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cols = lines.at(i).split('\t');
        if (cols.size() < 6 || !cols.at(5).startsWith('['))
            continue;
        const QString name = QString::fromUtf8(cols.at(5));
        rows[QString::fromUtf8(cols.at(0))].insert(name.left(name.indexOf(QLatin1Char(']')) + 1),
            {QString::fromUtf8(cols.at(3)), QString::fromUtf8(cols.at(4))});
    }
    return rows;
}

QProcessEnvironment cleanEnvironment()
{
    // The CLI takes provenance from CI variables when the options do not give it; these tests state it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name :
        {"GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "STAGELENS_DB", "STAGELENS_HISTORY_TEST_PAUSE"})
        env.remove(QString::fromLatin1(name));
    return env;
}

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

CliResult runCli(const QStringList &args, const QProcessEnvironment &env = cleanEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STAGELENS_BINARY), QStringList {QStringLiteral("history")} + args);
    CliResult r;
    if (!p.waitForFinished(120000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

bool close(const std::optional<double> &a, const std::optional<double> &b)
{
    if (!a || !b)
        return a.has_value() == b.has_value();
    return std::abs(*a - *b) < 1e-6;
}

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT

private:
    Test::PgCluster m_pg;
    QTemporaryDir m_tmp;
    int m_databases = 0;
    QList<FileBuilds> m_corpus;

    // A new, empty database of `engine` for one test.
    QString freshDatabase(const QString &engine)
    {
        const QString name = QStringLiteral("t%1").arg(++m_databases);
        if (engine == QLatin1String("sqlite"))
            return QStringLiteral("sqlite:") + m_tmp.filePath(name + QStringLiteral(".sqlite"));
        execAdmin(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1").arg(name));
        return m_pg.url(name);
    }

    // Test-side SQL, outside the store: to count rows, create old schemas, and set up roles.
    QSqlDatabase connect(const QString &url, const QString &connectionName)
    {
        HistoryLocation location;
        QString error;
        if (!parseHistoryLocation(url, &location, &error))
            qFatal("bad url %s", qPrintable(url));
        QSqlDatabase db = QSqlDatabase::addDatabase(location.engine == HistoryLocation::Engine::Sqlite
                ? QStringLiteral("QSQLITE")
                : QStringLiteral("QPSQL"),
            connectionName);
        if (location.engine == HistoryLocation::Engine::Sqlite) {
            db.setDatabaseName(location.path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        } else {
            db.setDatabaseName(location.database);
            db.setHostName(location.host);
            db.setUserName(location.user);
        }
        if (!db.open())
            qWarning() << "cannot open" << url << db.lastError().text();
        return db;
    }

    QVariantList query(const QString &url, const QString &sql)
    {
        QVariantList values;
        {
            QSqlDatabase db = connect(url, QStringLiteral("test-query"));
            QSqlQuery q(db);
            if (!q.exec(sql))
                qWarning() << sql << q.lastError().text();
            while (q.next())
                values.append(q.value(0));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("test-query"));
        return values;
    }

    int count(const QString &url, const QString &table)
    {
        return query(url, QStringLiteral("SELECT COUNT(*) FROM ") + table).value(0).toInt();
    }

    bool execAll(const QString &url, const QStringList &statements)
    {
        bool ok = true;
        {
            QSqlDatabase db = connect(url, QStringLiteral("test-exec"));
            for (const QString &sql : statements) {
                QSqlQuery q(db);
                if (!q.exec(sql)) {
                    qWarning() << sql << q.lastError().text();
                    ok = false;
                    break;
                }
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("test-exec"));
        return ok;
    }

    void execAdmin(const QString &database, const QString &sql)
    {
        QVERIFY(execAll(m_pg.url(database), {sql}));
    }

    HistoryLocation location(const QString &url)
    {
        HistoryLocation l;
        QString error;
        parseHistoryLocation(url, &l, &error);
        return l;
    }

    // Adds the whole corpus; checks each file gave the builds readBuildLogFile finds in it.
    QHash<QString, QList<qint64>> addCorpus(HistoryStore &store)
    {
        QHash<QString, QList<qint64>> ids;
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            HistoryProvenance p;
            p.repo = QFileInfo(f.path).dir().dirName();
            p.branch = QStringLiteral("main");
            const HistoryAddResult r = store.addFile(f.path, p);
            if (!r.error.isEmpty())
                qWarning() << f.path << r.error;
            if (r.builds != f.runs.size() || r.added.size() != f.runs.size() || !r.skipped.isEmpty())
                qWarning() << f.path << "builds" << r.builds << "added" << r.added.size() << "expected"
                           << f.runs.size();
            ids.insert(f.path, r.added);
        }
        return ids;
    }

private slots:
    void initTestCase()
    {
        Test::setCNumericLocale();
        QVERIFY(m_tmp.isValid());
        QString error;
        // Not a skip: the README's set-up installs PostgreSQL 15, and CI runs this too.
        QVERIFY2(m_pg.start(&error), qPrintable(error));
        for (const QString &path : corpusFiles())
            m_corpus.append({path, readBuildLogFile(path).builds});
        QVERIFY(m_corpus.size() >= 70);
    }
    void cleanupTestCase() { m_pg.stop(); }

    void engines_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        QTest::addRow("postgresql") << QStringLiteral("postgresql");
    }

    // Every file of the corpus added, listed with its summary figures, and trended.
    void corpusAddListTrend_data() { engines_data(); }
    void corpusAddListTrend()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        HistoryStore store;
        QVERIFY2(store.open(location(url)), qPrintable(store.errorString()));
        QCOMPARE(store.openedSchemaVersion(), 0);
        const QHash<QString, QList<qint64>> ids = addCorpus(store);
        int total = 0;
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            QCOMPARE(ids.value(f.path).size(), f.runs.size());
            total += int(f.runs.size());
        }
        QVERIFY(total >= 70);
        QCOMPARE(count(url, QStringLiteral("builds")), total);
        QCOMPARE(count(url, QStringLiteral("sources")), m_corpus.size());

        // Listed with the figures summarizeBuild gives (tst_buildsummary checks those against the raw text).
        const QList<HistoryBuild> listed = store.builds();
        QCOMPARE(listed.size(), total);
        QHash<qint64, HistoryBuild> byId;
        for (const HistoryBuild &b : listed)
            byId.insert(b.id, b);
        int vertices = 0;
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            for (int i = 0; i < f.runs.size(); ++i) {
                const qint64 id = ids.value(f.path).at(i);
                const HistoryBuild b = byId.value(id);
                const BuildSummary s = summarizeBuild(f.runs.at(i));
                const QString where = QStringLiteral("%1 #%2").arg(f.path).arg(i + 1);
                QVERIFY2(b.id == id && b.buildIndex == i && b.file == f.path, qPrintable(where));
                QVERIFY2(b.steps == s.steps && b.cached == s.cached && b.ran == s.ran && b.errors == s.errors
                        && b.internal == s.internal,
                    qPrintable(where));
                QVERIFY2(close(b.wallSeconds, s.wallSeconds), qPrintable(where));
                QVERIFY2(close(b.criticalPathSeconds, s.criticalPathSeconds), qPrintable(where));
                QCOMPARE(b.failed, s.failed());
                QCOMPARE(b.failedStep, s.failedStep);
                QCOMPARE(b.error, s.error);
                QCOMPARE(b.repo, QFileInfo(f.path).dir().dirName());
                QCOMPARE(b.startedAt.has_value(), f.runs.at(i).startEpoch.has_value());
                // Enough to reopen it: every vertex, in order, with the critical path marked.
                const QList<HistoryStep> steps = store.steps(id);
                QCOMPARE(steps.size(), f.runs.at(i).vertices.size());
                QList<int> path;
                for (int v = 0; v < steps.size(); ++v) {
                    QCOMPARE(steps.at(v).id, f.runs.at(i).vertices.at(v).id);
                    QCOMPARE(steps.at(v).status, vertexStatusName(f.runs.at(i).vertices.at(v).status));
                    if (steps.at(v).criticalPosition > 0)
                        path.append(steps.at(v).criticalPosition);
                }
                QCOMPARE(path.size(), s.criticalPath.size());
                vertices += int(steps.size());
            }
        }
        QCOMPARE(count(url, QStringLiteral("steps")), vertices);
        QCOMPARE(store.builds({QStringLiteral("buildkit-real"), {}, {}, {}, 5}).size(), 5);

        // The trend of one step across the buildkit-real builds, against BuildKit's own steps.tsv: status
        // and seconds per case, in the order the builds were added; the wall time and hit rate per build.
        HistoryQuery q;
        q.repo = QStringLiteral("buildkit-real");
        q.step = QStringLiteral("[builder 3/3] RUN sh build.sh \"1.0\" /out/app && sleep 1");
        const QList<HistoryTrendPoint> points = store.trend(q);
        const auto tsv = readStepsTsv();
        QStringList cases;
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            if (f.path.contains(QLatin1String("/buildkit-real/")) && !f.runs.isEmpty())
                cases.append(QFileInfo(f.path).completeBaseName());
        }
        QCOMPARE(points.size(), cases.size());
        int compared = 0;
        for (int i = 0; i < cases.size(); ++i) {
            const HistoryTrendPoint &p = points.at(i);
            QCOMPARE(p.build,
                ids.value(Test::corpusPath(QStringLiteral("buildkit-real/%1.log").arg(cases.at(i)))).first());
            const HistoryBuild &b = byId.value(p.build);
            QVERIFY(close(p.wallSeconds, b.wallSeconds));
            QVERIFY(close(p.cacheHitRate, b.cacheHitRate()));
            if (!tsv.contains(cases.at(i)))
                continue; // 26 (tty) and 27 are not in steps.tsv
            const auto row = tsv.value(cases.at(i)).value(QStringLiteral("[builder 3/3]"));
            const QString where = cases.at(i);
            if (row.first.isEmpty()) {
                QVERIFY2(p.stepStatus.isEmpty(), qPrintable(where)); // the step is not in this build
            } else {
                QVERIFY2(
                    p.stepStatus == row.first.toLower(), qPrintable(where + QLatin1Char(' ') + p.stepStatus));
                if (row.first == QLatin1String("DONE"))
                    QVERIFY2(close(p.stepSeconds, row.second.chopped(1).toDouble()), qPrintable(where));
                else
                    QVERIFY2(!p.stepSeconds, qPrintable(where));
            }
            ++compared;
        }
        QVERIFY(compared >= 25);
        // By instruction text rather than label, and by Dockerfile (22 was built from Dockerfile.fail).
        q.step = QStringLiteral("RUN   sh build.sh \"1.0\"  /out/app && sleep 1");
        QCOMPARE(store.trend(q).size(), cases.size());
        q.step.clear();
        q.dockerfile = QStringLiteral("Dockerfile.fail");
        QCOMPARE(store.trend(q).size(), 1);
    }

    // The same file twice: nothing changes, its builds are reported as already present.
    void addTwice_data() { engines_data(); }
    void addTwice()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        HistoryStore store;
        QVERIFY2(store.open(location(url)), qPrintable(store.errorString()));
        const QHash<QString, QList<qint64>> first = addCorpus(store);
        const int builds = count(url, QStringLiteral("builds"));
        const int steps = count(url, QStringLiteral("steps"));
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            const HistoryAddResult r = store.addFile(f.path);
            QVERIFY(r.added.isEmpty());
            QCOMPARE(r.skipped, first.value(f.path));
        }
        // The same content under another name, and builds handed over directly (the file's hash known):
        // still the same builds.
        const QString copy = m_tmp.filePath(QStringLiteral("copy-%1.log").arg(engine));
        QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")), copy));
        QCOMPARE(store.addFile(copy).skipped.size(), 1);
        const QString path = Test::corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"));
        const HistoryAddResult direct =
            store.addBuilds(path, HistoryStore::fileHash(path), readBuildLogFile(path).builds);
        QVERIFY(direct.added.isEmpty());
        QCOMPARE(direct.skipped, first.value(path));
        QCOMPARE(count(url, QStringLiteral("builds")), builds);
        QCOMPARE(count(url, QStringLiteral("steps")), steps);
    }

    // 8 processes adding at once (each its share of the corpus, and all of them one common file) lose
    // nothing and add nothing twice.
    void concurrentAdds_data() { engines_data(); }
    void concurrentAdds()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        QList<QStringList> shares(8);
        int expected = 0;
        for (int i = 0; i < m_corpus.size(); ++i) {
            shares[i % 8].append(m_corpus.at(i).path);
            expected += int(m_corpus.at(i).runs.size());
        }
        const QString common = Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"));
        QList<QProcess *> processes;
        for (const QStringList &share : std::as_const(shares)) {
            auto *p = new QProcess;
            p->setProcessEnvironment(cleanEnvironment());
            p->start(QStringLiteral(STAGELENS_BINARY),
                QStringList {QStringLiteral("history"), QStringLiteral("add"), QStringLiteral("--db"), url,
                    QStringLiteral("--json"), common}
                    + share);
            processes.append(p);
        }
        QList<qint64> added;
        for (QProcess *p : std::as_const(processes))
            p->waitForFinished(120000);
        const auto cleanup = qScopeGuard([&processes] { qDeleteAll(processes); });
        for (QProcess *p : std::as_const(processes)) {
            QCOMPARE(p->state(), QProcess::NotRunning);
            const QString err = QString::fromUtf8(p->readAllStandardError());
            // 1: the corpus has two files without any build (an error diagnostic); nothing else may fail.
            QVERIFY2(p->exitStatus() == QProcess::NormalExit && (p->exitCode() == 0 || p->exitCode() == 1),
                qPrintable(err));
            QVERIFY2(!err.contains(location(url).displayName()), qPrintable(err)); // no database error
            const QJsonObject o = QJsonDocument::fromJson(p->readAllStandardOutput()).object();
            for (const QJsonValue id : o.value(QStringLiteral("added")).toArray())
                added.append(id.toInteger());
        }
        QCOMPARE(added.size(), expected);
        QCOMPARE(count(url, QStringLiteral("builds")), expected);
        QCOMPARE(query(url,
                     QStringLiteral(
                         "SELECT COUNT(*) FROM (SELECT DISTINCT content_hash, build_index FROM builds) d"))
                     .value(0)
                     .toInt(),
            expected);
        int vertices = 0;
        for (const FileBuilds &f : std::as_const(m_corpus)) {
            for (const BuildRun &run : f.runs)
                vertices += int(run.vertices.size());
        }
        QCOMPARE(count(url, QStringLiteral("steps")), vertices);
    }

    // A process killed (SIGKILL) inside an add's transaction leaves no part of the build; the database
    // works on, and the next add of the file adds it whole.
    void killedMidAdd_data() { engines_data(); }
    void killedMidAdd()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        const QString log = Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"));
        QVERIFY(runCli({QStringLiteral("add"), QStringLiteral("--db"), url,
                           Test::corpusPath(QStringLiteral("buildkit-real/01-nochange.log"))})
                    .exitCode
            == 0);
        const QString marker = m_tmp.filePath(QStringLiteral("paused-%1").arg(engine));
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("STAGELENS_HISTORY_TEST_PAUSE"), marker);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(STAGELENS_BINARY),
            {QStringLiteral("history"), QStringLiteral("add"), QStringLiteral("--db"), url, log});
        QVERIFY(p.waitForStarted());
        QElapsedTimer waited;
        waited.start();
        while (!QFile::exists(marker) && waited.elapsed() < 30000)
            QThread::msleep(20);
        QVERIFY2(QFile::exists(marker), "the add never reached its pause");
        p.kill(); // SIGKILL: no cleanup, no rollback by the process
        QVERIFY(p.waitForFinished(10000));

        const QString hash = HistoryStore::fileHash(log);
        // The killed backend or SQLite's lock may take a moment to go: the next add waits for it.
        HistoryStore store;
        QVERIFY2(store.open(location(url)), qPrintable(store.errorString()));
        QCOMPARE(query(url, QStringLiteral("SELECT COUNT(*) FROM builds WHERE content_hash = '%1'").arg(hash))
                     .value(0)
                     .toInt(),
            0);
        QCOMPARE(count(url, QStringLiteral("builds")), 1);
        QCOMPARE(count(url, QStringLiteral("steps")),
            int(readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/01-nochange.log")))
                    .builds.first()
                    .vertices.size()));
        QCOMPARE(count(url, QStringLiteral("sources")), 1);
        const HistoryAddResult again = store.addFile(log);
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(again.added.size(), 1);
        QCOMPARE(store.steps(again.added.first()).size(), 22);
        QCOMPARE(count(url, QStringLiteral("builds")), 2);
    }

    // A database of every earlier schema version, with a build in it as that version stored it, is
    // migrated: the build keeps its figures, gains those the new columns derive from its rows, and the
    // figures it cannot recompute stay unknown.
    void migration_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<int>("version");
        for (const QString &engine : {QStringLiteral("sqlite"), QStringLiteral("postgresql")}) {
            for (int v = 1; v < HistorySchemaVersion; ++v)
                QTest::addRow("%s from %d", qPrintable(engine), v) << engine << v;
        }
    }
    void migration()
    {
        QFETCH(QString, engine);
        QFETCH(int, version);
        const QString url = freshDatabase(engine);
        const HistoryLocation::Engine e = location(url).engine;
        QStringList statements;
        for (int v = 1; v <= version; ++v)
            statements += historySchemaStatements(v, e);
        // 22-fail-run-exit1 as schema 1 stored it (the columns of version 1 exist in every later one).
        // Its facts from steps.tsv: 8 vertices, 4 "[stage k/n]" steps: 1 cached, 2 done, 1 error.
        statements += QStringLiteral("INSERT INTO builds (id, content_hash, build_index, source_file, "
                                     "format, repo, branch, commit_sha,"
                                     " started_at, wall_seconds, steps, cached, result, added_at) VALUES (7, "
                                     "'abc', 0, '/ci/22.log', 'plain',"
                                     " 'demo', 'main', 'f00d', NULL, 0.568, 4, 1, 'failed', 1700000000)");
        const QList<QStringList> rows {
            {QStringLiteral("#1"), QStringLiteral("[internal] load build definition from Dockerfile.fail"),
                QStringLiteral("done")},
            {QStringLiteral("#2"), QStringLiteral("[internal] load .dockerignore"), QStringLiteral("done")},
            {QStringLiteral("#3"),
                QStringLiteral("[internal] load metadata for docker.io/library/localbase:1"),
                QStringLiteral("done")},
            {QStringLiteral("#4"), QStringLiteral("[prep 1/2] FROM docker.io/library/localbase:1"),
                QStringLiteral("cached")},
            {QStringLiteral("#6"), QStringLiteral("[internal] load build context"), QStringLiteral("done")},
            {QStringLiteral("#5"), QStringLiteral("[prep 2/2] RUN echo \"step one ok\""),
                QStringLiteral("done")},
            {QStringLiteral("#7"), QStringLiteral("[broken 1/3] COPY deps.manifest /m"),
                QStringLiteral("done")},
            {QStringLiteral("#8"), QStringLiteral("[broken 2/3] RUN echo \"about to fail\" && exit 1"),
                QStringLiteral("error")},
        };
        for (int i = 0; i < rows.size(); ++i) {
            const QRegularExpressionMatch m =
                QRegularExpression(QStringLiteral("^\\[(\\S+) (\\d+)/\\d+\\]")).match(rows.at(i).at(1));
            QString name = rows.at(i).at(1);
            name.replace(QLatin1Char('\''), QLatin1String("''"));
            statements += QStringLiteral(
                "INSERT INTO steps (build_id, vertex, vertex_id, name, stage, step, status,"
                " seconds, start_seconds) VALUES (7, %1, '%2', '%3', %4, %5, '%6', NULL, NULL)")
                              .arg(i)
                              .arg(rows.at(i).at(0), name,
                                  m.hasMatch() && !rows.at(i).at(1).contains(QLatin1String("internal"))
                                      ? QLatin1Char('\'') + m.captured(1) + QLatin1Char('\'')
                                      : QStringLiteral("NULL"),
                                  m.hasMatch() ? m.captured(2) : QStringLiteral("NULL"), rows.at(i).at(2));
        }
        QVERIFY(execAll(url, statements));
        if (e == HistoryLocation::Engine::Postgres)
            QVERIFY(
                execAll(url, {QStringLiteral("SELECT setval(pg_get_serial_sequence('builds', 'id'), 7)")}));

        HistoryStore store;
        QVERIFY2(store.open(location(url)), qPrintable(store.errorString()));
        QCOMPARE(store.openedSchemaVersion(), version);
        QCOMPARE(query(url, QStringLiteral("SELECT version FROM schema_version")).value(0).toInt(),
            HistorySchemaVersion);
        const std::optional<HistoryBuild> b = store.build(7);
        QVERIFY(b);
        QCOMPARE(b->steps, 4);
        QCOMPARE(b->cached, 1);
        QCOMPARE(b->ran, 2);
        QCOMPARE(b->errors, 1);
        QCOMPARE(b->internal, 4);
        QVERIFY(b->failed);
        QCOMPARE(*b->wallSeconds, 0.568);
        QVERIFY(!b->criticalPathSeconds); // not recomputable from the rows of version 1: unknown
        QVERIFY(b->timing.isEmpty());
        QCOMPARE(b->repo, QStringLiteral("demo"));
        const QList<HistoryStep> steps = store.steps(7);
        QCOMPARE(steps.size(), 8);
        QCOMPARE(steps.at(6).instruction, QStringLiteral("COPY deps.manifest /m"));
        QCOMPARE(steps.at(6).stepCount, 3);
        QVERIFY(steps.at(0).instruction.isEmpty());
        // The trend finds the migrated build's step by label, next to a build added now.
        const QString log = Test::corpusPath(QStringLiteral("buildkit-real/22-fail-run-exit1.log"));
        const HistoryAddResult added = store.addFile(log);
        QCOMPARE(added.added.size(), 1);
        QVERIFY(added.added.first() > 7);
        HistoryQuery q;
        q.step = QStringLiteral("[broken 2/3]");
        const QList<HistoryTrendPoint> points = store.trend(q);
        QCOMPARE(points.size(), 2);
        QCOMPARE(points.at(0).build, 7); // added in 2023, before this run
        QCOMPARE(points.at(0).stepStatus, QStringLiteral("error"));
        QCOMPARE(points.at(1).stepStatus, QStringLiteral("error"));
        // Opening again finds the current version: nothing to migrate.
        store.close();
        QVERIFY(store.open(location(url)));
        QCOMPARE(store.openedSchemaVersion(), HistorySchemaVersion);
    }

    // A database written by a newer Stagelens is refused with a clear message and left as it is.
    void newerSchemaRefused_data() { engines_data(); }
    void newerSchemaRefused()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        {
            HistoryStore store;
            QVERIFY(store.open(location(url)));
            QCOMPARE(
                store.addFile(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))).added.size(), 1);
        }
        QVERIFY(execAll(
            url, {QStringLiteral("UPDATE schema_version SET version = %1").arg(HistorySchemaVersion + 1)}));
        HistoryStore store;
        QVERIFY(!store.open(location(url)));
        QVERIFY2(store.errorString().contains(QLatin1String("newer Stagelens"))
                && store.errorString().contains(QStringLiteral("version %1").arg(HistorySchemaVersion + 1)),
            qPrintable(store.errorString()));
        QVERIFY(!store.isOpen());
        QCOMPARE(query(url, QStringLiteral("SELECT version FROM schema_version")).value(0).toInt(),
            HistorySchemaVersion + 1);
        const CliResult cli =
            runCli({QStringLiteral("list"), QStringLiteral("--db"), url, QStringLiteral("--json")});
        QCOMPARE(cli.exitCode, 1);
        QVERIFY2(cli.err.contains(QLatin1String("newer Stagelens")), qPrintable(cli.err));
        QVERIFY(cli.out.isEmpty());
    }

    // Not a Stagelens history, not a database, no server: refused with a message, quickly.
    void brokenDatabases()
    {
        const QString garbage = m_tmp.filePath(QStringLiteral("garbage.sqlite"));
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        HistoryStore store;
        QVERIFY(!store.open(location(garbage)));
        QVERIFY2(store.errorString().contains(garbage), qPrintable(store.errorString()));

        const QString foreign = freshDatabase(QStringLiteral("sqlite"));
        QVERIFY(execAll(foreign, {QStringLiteral("CREATE TABLE invoices (id INTEGER)")}));
        QVERIFY(!store.open(location(foreign)));
        QVERIFY2(store.errorString().contains(QLatin1String("no Stagelens history")),
            qPrintable(store.errorString()));

        QElapsedTimer timer;
        timer.start();
        QVERIFY(!store.open(
            location(QStringLiteral("postgresql://nobody@/nowhere?host=%1/missing").arg(m_tmp.path()))));
        QVERIFY2(store.errorString().startsWith(QLatin1String("postgresql://nobody@/nowhere")),
            qPrintable(store.errorString()));
        QVERIFY(timer.elapsed() < 15000);
        const CliResult cli = runCli({QStringLiteral("add"), QStringLiteral("--db"),
            QStringLiteral("postgresql://x@/y?host=/nonexistent"),
            Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))});
        QCOMPARE(cli.exitCode, 1);
        QVERIFY(cli.err.contains(QLatin1String("cannot open the database")));
    }

    // The team set-up of docs/history.md, statement for statement: an owner role creates the schema; a CI
    // role that may only read and insert adds builds; a read-only role lists them and cannot add.
    void leastPrivilegeRoles()
    {
        const QString database = QStringLiteral("team");
        execAdmin(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE stagelens_owner LOGIN"));
        execAdmin(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE stagelens_ci LOGIN"));
        execAdmin(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE stagelens_viewer LOGIN"));
        execAdmin(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE team OWNER stagelens_owner"));
        QVERIFY(execAll(m_pg.url(database),
            {QStringLiteral("REVOKE ALL ON DATABASE team FROM PUBLIC"),
                QStringLiteral("GRANT CONNECT ON DATABASE team TO stagelens_ci, stagelens_viewer"),
                QStringLiteral("GRANT USAGE ON SCHEMA public TO stagelens_ci, stagelens_viewer"),
                QStringLiteral("ALTER DEFAULT PRIVILEGES FOR ROLE stagelens_owner IN SCHEMA public"
                               " GRANT SELECT, INSERT ON TABLES TO stagelens_ci"),
                QStringLiteral("ALTER DEFAULT PRIVILEGES FOR ROLE stagelens_owner IN SCHEMA public"
                               " GRANT USAGE ON SEQUENCES TO stagelens_ci"),
                QStringLiteral("ALTER DEFAULT PRIVILEGES FOR ROLE stagelens_owner IN SCHEMA public"
                               " GRANT SELECT ON TABLES TO stagelens_viewer")}));
        CliResult r = runCli({QStringLiteral("list"), QStringLiteral("--db"),
            m_pg.url(database, QStringLiteral("stagelens_owner"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString log = Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log"));
        r = runCli({QStringLiteral("add"), QStringLiteral("--db"),
            m_pg.url(database, QStringLiteral("stagelens_ci")), QStringLiteral("--json"), log});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("added")).toArray().size(), 1);
        // Adding it again (another CI job with the same log) is no error for the CI role either.
        r = runCli({QStringLiteral("add"), QStringLiteral("--db"),
            m_pg.url(database, QStringLiteral("stagelens_ci")), QStringLiteral("--json"), log});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("skipped")).toArray().size(), 1);
        r = runCli({QStringLiteral("list"), QStringLiteral("--db"),
            m_pg.url(database, QStringLiteral("stagelens_viewer")), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("builds")).toArray().size(), 1);
        r = runCli({QStringLiteral("add"), QStringLiteral("--db"),
            m_pg.url(database, QStringLiteral("stagelens_viewer")),
            Test::corpusPath(QStringLiteral("buildkit-real/03-edit-src-comment-only.log"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QLatin1String("permission denied")), qPrintable(r.err));
        // The CI role cannot change the schema: an outdated one stays for the owner to migrate.
        QVERIFY(!execAll(m_pg.url(database, QStringLiteral("stagelens_ci")),
            {QStringLiteral("ALTER TABLE builds ADD COLUMN x INTEGER")}));
    }

    // The --db forms of shared/CLI.md.
    void locations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("display");
        QTest::addRow("file") << QStringLiteral("/data/h.sqlite") << true
                              << QStringLiteral("sqlite:/data/h.sqlite");
        QTest::addRow("sqlite:") << QStringLiteral("sqlite:/data/h.sqlite") << true
                                 << QStringLiteral("sqlite:/data/h.sqlite");
        QTest::addRow("sqlite:///") << QStringLiteral("sqlite:///data/h.sqlite") << true
                                    << QStringLiteral("sqlite:/data/h.sqlite");
        QTest::addRow("postgresql tcp") << QStringLiteral("postgresql://ci@db.example:5433/history") << true
                                        << QStringLiteral("postgresql://ci@db.example:5433/history");
        QTest::addRow("password never shown")
            << QStringLiteral("postgresql://ci:s3cret@db/history?sslmode=require") << true
            << QStringLiteral("postgresql://ci@db/history");
        QTest::addRow("socket") << QStringLiteral("postgresql://ci@/history?host=/run/postgresql") << true
                                << QStringLiteral("postgresql://ci@/history?host=/run/postgresql");
        QTest::addRow("postgres:// alias")
            << QStringLiteral("postgres://db/history") << true << QStringLiteral("postgresql://db/history");
        QTest::addRow("no database") << QStringLiteral("postgresql://ci@db") << false << QString();
        QTest::addRow("unknown parameter")
            << QStringLiteral("postgresql://db/h?color=blue") << false << QString();
        QTest::addRow("bad port") << QStringLiteral("postgresql://db/h?port=x") << false << QString();
        QTest::addRow("other scheme") << QStringLiteral("mysql://db/h") << false << QString();
        QTest::addRow("empty") << QStringLiteral(" ") << false << QString();
    }
    void locations()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, display);
        HistoryLocation l;
        QString error;
        QCOMPARE(parseHistoryLocation(text, &l, &error), valid);
        if (valid)
            QCOMPARE(l.displayName(), display);
        else
            QVERIFY(!error.isEmpty());
    }
    void passwordAndOptions()
    {
        HistoryLocation l;
        QString error;
        QVERIFY(parseHistoryLocation(
            QStringLiteral("postgresql://ci:s3cret@db:5433/history?sslmode=require"), &l, &error));
        QCOMPARE(l.password, QStringLiteral("s3cret"));
        QCOMPARE(l.port, 5433);
        QCOMPARE(l.options, QStringLiteral("sslmode=require;connect_timeout=10"));
    }

    // The CLI: JSON shapes of shared/CLI.md, the default location, STAGELENS_DB, exit codes.
    void cli_data() { engines_data(); }
    void cli()
    {
        QFETCH(QString, engine);
        const QString url = freshDatabase(engine);
        const QString cold = Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"));
        const QString two = Test::corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"));
        CliResult r = runCli({QStringLiteral("add"), QStringLiteral("--db"), url, QStringLiteral("--repo"),
            QStringLiteral("acme/app"), QStringLiteral("--branch"), QStringLiteral("main"),
            QStringLiteral("--commit"), QStringLiteral("abc123"), QStringLiteral("--url"),
            QStringLiteral("https://ci.example/job/1"), QStringLiteral("--json"), cold, two});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("added")).toArray().size(), 3);
        QCOMPARE(o.value(QStringLiteral("skipped")).toArray().size(), 0);
        const qint64 first = o.value(QStringLiteral("added")).toArray().at(0).toInteger();
        r = runCli({QStringLiteral("add"), QStringLiteral("--db"), url, QStringLiteral("--json"), cold});
        o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("added")).toArray().size(), 0);
        QCOMPARE(o.value(QStringLiteral("skipped")).toArray(), QJsonArray {first});

        r = runCli({QStringLiteral("list"), QStringLiteral("--db"), url, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray builds =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("builds")).toArray();
        QCOMPARE(builds.size(), 3);
        const BuildSummary coldSummary = summarizeBuild(readBuildLogFile(cold).builds.first());
        for (const QJsonValue &value : builds) {
            const QJsonObject b = value.toObject();
            for (const char *key : {"id", "file", "repo", "branch", "commit", "started", "wall_seconds",
                     "steps", "cached", "result"})
                QVERIFY2(b.contains(QLatin1String(key)), key);
            QCOMPARE(b.value(QStringLiteral("repo")).toString(), QStringLiteral("acme/app"));
            QCOMPARE(b.value(QStringLiteral("url")).toString(), QStringLiteral("https://ci.example/job/1"));
            QVERIFY(b.value(QStringLiteral("started")).isNull()); // no clock in these logs
            if (b.value(QStringLiteral("id")).toInteger() == first) {
                QCOMPARE(b.value(QStringLiteral("steps")).toInt(), coldSummary.steps);
                QCOMPARE(b.value(QStringLiteral("cached")).toInt(), 0);
                QCOMPARE(b.value(QStringLiteral("result")).toString(), QStringLiteral("ok"));
                QCOMPARE(b.value(QStringLiteral("wall_seconds")).toDouble(), *coldSummary.wallSeconds);
            }
        }
        r = runCli({QStringLiteral("list"), QStringLiteral("--db"), url, QStringLiteral("--limit"),
            QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("builds")).toArray().size(), 1);

        r = runCli({QStringLiteral("trend"), QStringLiteral("--db"), url, QStringLiteral("--repo"),
            QStringLiteral("acme/app"), QStringLiteral("--step"), QStringLiteral("[web-app 2/3]"),
            QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray points =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("points")).toArray();
        QCOMPARE(points.size(), 3);
        for (const char *key :
            {"build", "started", "wall_seconds", "cache_hit_rate", "step_seconds", "step_status"})
            QVERIFY2(points.at(0).toObject().contains(QLatin1String(key)), key);
        QCOMPARE(points.at(0).toObject().value(QStringLiteral("cache_hit_rate")).toDouble(),
            0.0); // 00-cold: nothing cached
        QVERIFY(points.at(0).toObject().value(QStringLiteral("step_status")).isNull()); // no web-app stage in
                                                                                        // 00-cold
        QCOMPARE(
            points.at(1).toObject().value(QStringLiteral("step_status")).toString(), QStringLiteral("done"));

        r = runCli({QStringLiteral("show"), QString::number(first), QStringLiteral("--db"), url,
            QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject shown = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(shown.value(QStringLiteral("vertices")).toArray().size(), 22);
        const QJsonObject summary = shown.value(QStringLiteral("summary")).toObject();
        const QJsonObject expected = toJson(coldSummary, readBuildLogFile(cold).builds.first());
        for (const QString &key : expected.keys())
            QVERIFY2(summary.value(key) == expected.value(key), qPrintable(key));

        // list writes its JSON without QJsonDocument; show through it: the same build, the same values.
        for (const QJsonValue &value : builds) {
            if (value.toObject().value(QStringLiteral("id")).toInteger() != first)
                continue;
            QJsonObject fromShow = shown;
            fromShow.remove(QStringLiteral("summary"));
            fromShow.remove(QStringLiteral("vertices"));
            QCOMPARE(value.toObject(), fromShow);
            const QDateTime added = QDateTime::fromString(
                value.toObject().value(QStringLiteral("added")).toString(), Qt::ISODate);
            QVERIFY(added.isValid() && std::abs(added.secsTo(QDateTime::currentDateTimeUtc())) < 600);
        }
        QCOMPARE(
            runCli({QStringLiteral("show"), QStringLiteral("999999"), QStringLiteral("--db"), url}).exitCode,
            1);
        QCOMPARE(runCli({QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(runCli({QStringLiteral("add"), QStringLiteral("--db"), url, QStringLiteral("/no/such/file")})
                     .exitCode,
            2);
        QCOMPARE(
            runCli({QStringLiteral("list"), QStringLiteral("--db"), QStringLiteral("mysql://x/y")}).exitCode,
            2);

        // STAGELENS_DB, then the default under $XDG_DATA_HOME.
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("STAGELENS_DB"), url);
        r = runCli({QStringLiteral("list"), QStringLiteral("--json")}, env);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("builds")).toArray().size(), 3);
        if (engine == QLatin1String("sqlite")) {
            env = cleanEnvironment();
            const QString xdg = m_tmp.filePath(QStringLiteral("xdg"));
            env.insert(QStringLiteral("XDG_DATA_HOME"), xdg);
            r = runCli({QStringLiteral("add"), cold}, env);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QVERIFY(QFile::exists(xdg + QStringLiteral("/stagelens/history.sqlite")));
        }
    }

    // CI variables give the provenance when the options do not.
    void ciEnvironment()
    {
        const QString url = freshDatabase(QStringLiteral("sqlite"));
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("GITHUB_ACTIONS"), QStringLiteral("true"));
        env.insert(QStringLiteral("GITHUB_REPOSITORY"), QStringLiteral("acme/app"));
        env.insert(QStringLiteral("GITHUB_REF_NAME"), QStringLiteral("main"));
        env.insert(QStringLiteral("GITHUB_SHA"), QStringLiteral("0123abc"));
        env.insert(QStringLiteral("GITHUB_SERVER_URL"), QStringLiteral("https://github.com"));
        env.insert(QStringLiteral("GITHUB_RUN_ID"), QStringLiteral("42"));
        const CliResult r = runCli(
            {QStringLiteral("add"), QStringLiteral("--db"), url, QStringLiteral("--branch"),
                QStringLiteral("feature"), Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log"))},
            env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        HistoryStore store;
        QVERIFY(store.open(location(url)));
        const HistoryBuild b = store.builds().first();
        QCOMPARE(b.repo, QStringLiteral("acme/app"));
        QCOMPARE(b.branch, QStringLiteral("feature")); // the option wins
        QCOMPARE(b.commit, QStringLiteral("0123abc"));
        QCOMPARE(b.url, QStringLiteral("https://github.com/acme/app/actions/runs/42"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
