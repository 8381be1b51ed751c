// The History view's models against a real store: an SQLite file filled from the corpus (every plain log
// under corpus/logs, the buildkit-real sequence as one project's history, the build records), read through
// HistoryBuildsModel, its proxy, the trends and the HistoryClient's worker; the slowest steps on a private
// PostgreSQL 15 too (the same as on SQLite); plus git provenance from .git.

#include "model/history/gitprovenance.h"
#include "model/history/historybuildsmodel.h"
#include "model/history/historyclient.h"
#include "model/history/historytrends.h"
#include "pgcluster.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Stagelens;

namespace {

QStringList filesIn(const QString &relative, const QStringList &filters)
{
    const QDir dir(Test::corpusPath(relative));
    QStringList files;
    for (const QString &name : dir.entryList(filters, QDir::Files, QDir::Name))
        files.append(dir.filePath(name));
    return files;
}

// The buildkit-real runs of one project, in the order they were built (the tty capture and the unsupported
// rawjson run are not plain builds).
QStringList projectRuns()
{
    QStringList runs;
    for (const QString &path : filesIn(QStringLiteral("buildkit-real"), {QStringLiteral("*.log")})) {
        const QString name = QFileInfo(path).fileName();
        if (!name.startsWith(QLatin1String("26-")) && !name.startsWith(QLatin1String("27-")))
            runs.append(path);
    }
    return runs;
}

using Values = QList<std::optional<double>>;

} // namespace

Q_DECLARE_METATYPE(Values)

class TestHistoryModels : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HistoryLocation m_location;
    QList<HistoryBuild> m_builds; // as the store lists them, newest first
    int m_projectBuilds = 0;

    QList<qint64> addAll(HistoryStore &store, const QStringList &files, const HistoryProvenance &provenance)
    {
        QList<qint64> ids;
        for (const QString &path : files) {
            const HistoryAddResult result = store.addFile(path, provenance);
            if (!result.error.isEmpty())
                qWarning() << path << result.error;
            ids += result.added;
        }
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        Test::setCNumericLocale();
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY(parseHistoryLocation(m_dir.filePath(QStringLiteral("history.sqlite")), &m_location, &error));
        HistoryStore store;
        QVERIFY2(store.open(m_location), qPrintable(store.errorString()));
        const QStringList logs = filesIn(QStringLiteral("logs"), {QStringLiteral("*.log")});
        QVERIFY(logs.size() >= 30);
        QVERIFY(!addAll(store, logs, {}).isEmpty());
        const QStringList runs = projectRuns();
        QVERIFY(runs.size() >= 20);
        m_projectBuilds = int(addAll(store, runs,
            {QStringLiteral("example/buildkit-real"), QStringLiteral("main"),
                QStringLiteral("0123456789abcdef0123456789abcdef01234567"),
                {}}).size());
        QCOMPARE(m_projectBuilds, runs.size());
        addAll(store, filesIn(QStringLiteral("dockerbuild"), {QStringLiteral("*.dockerbuild")}), {});
        m_builds = store.builds();
        QVERIFY(m_builds.size() > m_projectBuilds + 30);
    }

    void buildsModel()
    {
        HistoryBuildsModel model;
        QAbstractItemModelTester tester(&model);
        model.setBuilds(m_builds);
        QCOMPARE(model.rowCount(), m_builds.size());
        QCOMPARE(model.columnCount(), int(HistoryBuildsModel::ColumnCount));
        int unknownWall = 0;
        int unknownRate = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const HistoryBuild &b = m_builds.at(row);
            QCOMPARE(model.index(row, 0).data(HistoryBuildsModel::BuildIdRole).toLongLong(), b.id);
            QCOMPARE(model.index(row, 0).data(HistoryBuildsModel::SourceFileRole).toString(), b.file);
            const QModelIndex wall = model.index(row, HistoryBuildsModel::WallTime);
            const QModelIndex rate = model.index(row, HistoryBuildsModel::CacheHitRate);
            if (!b.wallSeconds) {
                ++unknownWall;
                QCOMPARE(wall.data().toString(), QStringLiteral("—"));
                QVERIFY(!wall.data(HistoryBuildsModel::SortRole).isValid());
            } else {
                QCOMPARE(wall.data(HistoryBuildsModel::SortRole).toDouble(), *b.wallSeconds);
            }
            if (b.cached + b.ran == 0) {
                ++unknownRate;
                // No Dockerfile step in the build: the rate is unknown, not 0%.
                QCOMPARE(rate.data().toString(), QStringLiteral("—"));
            } else {
                QCOMPARE(rate.data().toString(),
                    QStringLiteral("%1%").arg(qRound(100.0 * b.cached / (b.cached + b.ran))));
            }
            QCOMPARE(model.index(row, HistoryBuildsModel::Branch).data().toString(),
                b.branch.isEmpty() ? QStringLiteral("—") : b.branch);
            QCOMPARE(model.index(row, HistoryBuildsModel::Result).data().toString(),
                b.failed ? QStringLiteral("failed") : QStringLiteral("ok"));
        }
        // The corpus has logs without a Dockerfile step (a rate to say nothing about) and with known times.
        QVERIFY(unknownRate > 0);
        QVERIFY(unknownWall < model.rowCount());
        QCOMPARE(model.branches(), QStringList {QStringLiteral("main")});
    }

    void proxySortsNumbersAndUnknownsLast()
    {
        HistoryBuildsModel model;
        HistoryBuildsProxyModel proxy;
        QAbstractItemModelTester tester(&proxy);
        proxy.setSourceModel(&model);
        model.setBuilds(m_builds);
        proxy.sort(HistoryBuildsModel::WallTime, Qt::AscendingOrder);
        bool seenUnknown = false;
        double last = -1;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            const QVariant value =
                proxy.index(row, HistoryBuildsModel::WallTime).data(HistoryBuildsModel::SortRole);
            if (!value.isValid()) {
                seenUnknown = true;
                continue;
            }
            QVERIFY2(!seenUnknown, "a known wall time after an unknown one");
            QVERIFY2(value.toDouble() >= last,
                qPrintable(QStringLiteral("row %1: %2 after %3").arg(row).arg(value.toDouble()).arg(last)));
            last = value.toDouble();
        }
        proxy.sort(HistoryBuildsModel::CacheHitRate, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, HistoryBuildsModel::CacheHitRate).data().toString(), QStringLiteral("100%"));
        // Unknown last in the descending order too.
        QCOMPARE(proxy.index(proxy.rowCount() - 1, HistoryBuildsModel::CacheHitRate).data().toString(),
            QStringLiteral("—"));
        double previous = 2;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            const QVariant value =
                proxy.index(row, HistoryBuildsModel::CacheHitRate).data(HistoryBuildsModel::SortRole);
            if (value.isValid()) {
                QVERIFY(value.toDouble() <= previous);
                previous = value.toDouble();
            }
        }
    }

    void proxyFiltersByBranch()
    {
        HistoryBuildsModel model;
        HistoryBuildsProxyModel proxy;
        QAbstractItemModelTester tester(&proxy);
        proxy.setSourceModel(&model);
        model.setBuilds(m_builds);
        QCOMPARE(proxy.rowCount(), m_builds.size());
        proxy.setBranch(QStringLiteral("main"));
        QCOMPARE(proxy.rowCount(), m_projectBuilds);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, HistoryBuildsModel::Branch).data().toString(), QStringLiteral("main"));
        proxy.setBranch(QStringLiteral("no-such-branch"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setBranch({});
        QCOMPARE(proxy.rowCount(), m_builds.size());
    }

    void previousBuildStaysOnItsBranch()
    {
        HistoryBuildsModel model;
        model.setBuilds(m_builds);
        // The newest build of main: its previous one on main is the next main build down the list.
        int newestMain = -1;
        int nextMain = -1;
        for (int row = 0; row < m_builds.size(); ++row) {
            if (m_builds.at(row).branch != QLatin1String("main"))
                continue;
            if (newestMain < 0)
                newestMain = row;
            else if (nextMain < 0)
                nextMain = row;
        }
        QVERIFY(nextMain > newestMain);
        QCOMPARE(model.previousBuild(newestMain, true), m_builds.at(nextMain).id);
        QCOMPARE(model.previousBuild(int(m_builds.size()) - 1, false), qint64(0));
    }

    void regressions_data()
    {
        QTest::addColumn<Values>("values");
        QTest::addColumn<QList<int>>("expected");
        QTest::addRow("flat, then a jump") << Values {10.0, 11.0, 10.0, 10.5, 25.0} << QList<int> {4};
        QTest::addRow("noise only") << Values {10.0, 12.0, 9.0, 11.0, 13.0, 10.0} << QList<int> {};
        QTest::addRow("too few before it") << Values {1.0, 30.0} << QList<int> {};
        QTest::addRow("unknown is skipped, not 0")
            << Values {10.0, std::nullopt, 10.0, std::nullopt, 10.0, 10.0} << QList<int> {};
        QTest::addRow("jump after unknowns")
            << Values {10.0, std::nullopt, 10.0, 10.0, std::nullopt, 20.0} << QList<int> {5};
        QTest::addRow("short step: +0.5 s is not news") << Values {0.2, 0.2, 0.2, 0.7} << QList<int> {};
        QTest::addRow("median of the last five")
            << Values {100.0, 100.0, 100.0, 10.0, 10.0, 10.0, 10.0, 10.0, 20.0} << QList<int> {8};
    }

    void regressions()
    {
        QFETCH(Values, values);
        QFETCH(QList<int>, expected);
        QCOMPARE(findRegressions(values), expected);
    }

    // The trends of the project's builds: one point per build, step seconds as the store's own step rows say.
    void trendsOfTheProject()
    {
        HistoryStore store;
        QVERIFY(store.open(m_location));
        HistoryQuery query;
        query.branch = QStringLiteral("main");
        const QList<HistoryBuild> builds = store.builds(query);
        const QList<HistoryStepSeries> steps = store.slowestSteps(query, 5);
        QVERIFY2(store.errorString().isEmpty(), qPrintable(store.errorString()));
        QCOMPARE(steps.size(), 5);
        for (qsizetype i = 1; i < steps.size(); ++i)
            QVERIFY(steps.at(i - 1).totalSeconds >= steps.at(i).totalSeconds);
        const HistoryTrends trends = makeHistoryTrends(builds, steps);
        QCOMPARE(trends.builds.size(), m_projectBuilds);
        QCOMPARE(trends.builds.first(), builds.last().id); // oldest first
        QCOMPARE(trends.wallTime.values.size(), trends.builds.size());
        QCOMPARE(trends.cacheHitRate.values.size(), trends.builds.size());
        QCOMPARE(trends.slowestSteps.size(), 5);
        for (const HistoryStepSeries &series : steps) {
            QVERIFY(!series.label.isEmpty());
            QVERIFY(!series.secondsByBuild.isEmpty());
            // Cross-check against the build's own steps, read by another query.
            for (auto it = series.secondsByBuild.cbegin(); it != series.secondsByBuild.cend(); ++it) {
                double slowest = -1;
                for (const HistoryStep &s : store.steps(it.key())) {
                    if (s.stage == series.stage && s.step == series.step && s.stepCount == series.stepCount
                        && s.seconds)
                        slowest = qMax(slowest, *s.seconds);
                }
                QCOMPARE(it.value(), slowest);
            }
        }
        // The cold build (first) ran every step: no hit; later runs hit the cache.
        QCOMPARE(trends.cacheHitRate.values.first(), std::optional<double>(0.0));
        for (const int i : trends.wallTime.regressions)
            QVERIFY(trends.wallTime.values.at(i).has_value());
    }

    void clientAnswersFromItsWorker()
    {
        HistoryClient client(m_location);
        QSignalSpy builds(&client, &HistoryClient::buildsLoaded);
        QSignalSpy trends(&client, &HistoryClient::trendsLoaded);
        QSignalSpy idle(&client, &HistoryClient::idle);
        // Two requests back to back: only the newer one's answer is delivered.
        HistoryQuery all;
        HistoryQuery main;
        main.branch = QStringLiteral("main");
        client.requestBuilds(all);
        client.requestBuilds(main);
        client.requestTrends(main, 3);
        QVERIFY(client.isBusy());
        QVERIFY(idle.wait(20000));
        QCOMPARE(builds.size(), 1);
        const auto list = builds.first().first().value<QList<HistoryBuild>>();
        QCOMPARE(list.size(), m_projectBuilds);
        QCOMPARE(trends.size(), 1);
        const auto t = trends.first().first().value<HistoryTrends>();
        QVERIFY(t.error.isEmpty());
        QCOMPARE(t.builds.size(), m_projectBuilds);
        QCOMPARE(t.slowestSteps.size(), 3);
        QVERIFY(!client.isBusy());
    }

    void clientAddsWithProvenance()
    {
        QTemporaryDir dir;
        HistoryLocation location;
        QString error;
        QVERIFY(parseHistoryLocation(dir.filePath(QStringLiteral("add.sqlite")), &location, &error));
        HistoryClient client(location);
        QSignalSpy added(&client, &HistoryClient::fileAdded);
        const QString log = Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src.log"));
        client.addFile(
            log, {QStringLiteral("acme/app"), QStringLiteral("feature/x"), QStringLiteral("abc123"), {}});
        QVERIFY(added.wait(20000));
        auto result = added.first().at(1).value<HistoryAddResult>();
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(result.added.size(), 1);
        // Adding the same file again adds nothing.
        client.addFile(log, {});
        QVERIFY(added.wait(20000));
        result = added.last().at(1).value<HistoryAddResult>();
        QCOMPARE(result.added.size(), 0);
        HistoryStore store;
        QVERIFY(store.open(location));
        const QList<HistoryBuild> builds = store.builds();
        QCOMPARE(builds.size(), 1);
        QCOMPARE(builds.first().branch, QStringLiteral("feature/x"));
        QCOMPARE(builds.first().repo, QStringLiteral("acme/app"));
    }

    void clientReportsABrokenDatabase_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("not an SQLite file") << QStringLiteral("garbage") << QStringLiteral("broken.sqlite");
        // Port 1 on the loopback: refused at once, whatever the machine runs.
        QTest::addRow("no server") << QStringLiteral("postgresql://nobody@127.0.0.1:1/none")
                                   << QStringLiteral("postgresql://nobody@127.0.0.1:1/none");
    }

    void clientReportsABrokenDatabase()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        QString text = url;
        if (url == QLatin1String("garbage")) {
            text = dir.filePath(QStringLiteral("broken.sqlite"));
            QFile file(text);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        HistoryLocation location;
        QString error;
        QVERIFY(parseHistoryLocation(text, &location, &error));
        HistoryClient client(location);
        QSignalSpy failed(&client, &HistoryClient::failed);
        QSignalSpy trends(&client, &HistoryClient::trendsLoaded);
        client.requestBuilds({});
        client.requestTrends({}, 5);
        // The requests returned at once; the answers come later, from the worker.
        QVERIFY(client.isBusy());
        QVERIFY(failed.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(trends.size(), 1, 30000);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY2(
            !trends.first().first().value<HistoryTrends>().error.isEmpty(), "the trends say they failed");
    }

    // The same project on PostgreSQL (a private cluster, as tst_historystore starts one): the slowest steps'
    // SQL gives what SQLite gives, and the client's worker reads it the same way.
    void sameTrendsOnPostgres()
    {
        Test::PgCluster pg;
        QString error;
        QVERIFY2(pg.start(&error), qPrintable(error));
        HistoryLocation location;
        QVERIFY(parseHistoryLocation(pg.url(QStringLiteral("postgres")), &location, &error));
        HistoryStore store;
        QVERIFY2(store.open(location), qPrintable(store.errorString()));
        addAll(
            store, projectRuns(), {QStringLiteral("example/buildkit-real"), QStringLiteral("main"), {}, {}});
        HistoryQuery query;
        query.branch = QStringLiteral("main");
        const QList<HistoryStepSeries> onPostgres = store.slowestSteps(query, 5);
        QVERIFY2(store.errorString().isEmpty(), qPrintable(store.errorString()));
        HistoryStore sqlite;
        QVERIFY(sqlite.open(m_location));
        const QList<HistoryStepSeries> onSqlite = sqlite.slowestSteps(query, 5);
        QCOMPARE(onPostgres.size(), onSqlite.size());
        for (qsizetype i = 0; i < onSqlite.size(); ++i) {
            QCOMPARE(onPostgres.at(i).label, onSqlite.at(i).label);
            QVERIFY(qAbs(onPostgres.at(i).totalSeconds - onSqlite.at(i).totalSeconds) < 1e-6);
            QList<double> a = onPostgres.at(i).secondsByBuild.values();
            QList<double> b = onSqlite.at(i).secondsByBuild.values();
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
            QCOMPARE(a, b);
        }
        HistoryClient client(location);
        QSignalSpy trends(&client, &HistoryClient::trendsLoaded);
        client.requestTrends(query, 5);
        QVERIFY(trends.wait(30000));
        const auto t = trends.first().first().value<HistoryTrends>();
        QVERIFY2(t.error.isEmpty(), qPrintable(t.error));
        QCOMPARE(t.builds.size(), m_projectBuilds);
        QCOMPARE(t.slowestSteps.size(), 5);
    }

    void gitProvenance()
    {
        QTemporaryDir dir;
        const QString sha = QStringLiteral("89abcdef0123456789abcdef0123456789abcdef");
        const QString packed = QStringLiteral("fedcba9876543210fedcba9876543210fedcba98");
        auto write = [&dir](const QString &relative, const QByteArray &text) {
            QDir().mkpath(QFileInfo(dir.filePath(relative)).absolutePath());
            QFile file(dir.filePath(relative));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(text);
        };
        write(QStringLiteral("repo/.git/HEAD"), "ref: refs/heads/feature/history\n");
        write(QStringLiteral("repo/.git/refs/heads/feature/history"), sha.toLatin1() + '\n');
        write(QStringLiteral("repo/.git/packed-refs"),
            "# pack-refs with: peeled fully-peeled sorted\n" + packed.toLatin1() + " refs/heads/release\n");
        write(QStringLiteral("repo/.git/config"),
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/app.git\n");
        write(QStringLiteral("repo/sub/Dockerfile"), "FROM scratch\n");

        HistoryProvenance p = readGitProvenance(dir.filePath(QStringLiteral("repo/sub")));
        QCOMPARE(p.branch, QStringLiteral("feature/history"));
        QCOMPARE(p.commit, sha);
        QCOMPARE(p.repo, QStringLiteral("acme/app"));

        write(QStringLiteral("repo/.git/HEAD"), "ref: refs/heads/release\n");
        p = readGitProvenance(dir.filePath(QStringLiteral("repo")));
        QCOMPARE(p.branch, QStringLiteral("release"));
        QCOMPARE(p.commit, packed);

        write(QStringLiteral("repo/.git/HEAD"), sha.toLatin1() + '\n');
        p = readGitProvenance(dir.filePath(QStringLiteral("repo")));
        QVERIFY(p.branch.isEmpty()); // detached
        QCOMPARE(p.commit, sha);

        // A linked worktree: .git is a file naming its git dir, whose commondir holds refs and config.
        write(QStringLiteral("repo/.git/worktrees/wt/HEAD"), "ref: refs/heads/feature/history\n");
        write(QStringLiteral("repo/.git/worktrees/wt/commondir"), "../..\n");
        write(QStringLiteral("wt/.git"),
            "gitdir: " + dir.filePath(QStringLiteral("repo/.git/worktrees/wt")).toUtf8() + '\n');
        p = readGitProvenance(dir.filePath(QStringLiteral("wt")));
        QCOMPARE(p.branch, QStringLiteral("feature/history"));
        QCOMPARE(p.commit, sha);
        QCOMPARE(p.repo, QStringLiteral("acme/app"));

        // A ref that walks out of the git dir is not followed.
        write(QStringLiteral("repo/.git/HEAD"), "ref: refs/../../../outside\n");
        write(QStringLiteral("outside"), sha.toLatin1());
        QVERIFY(readGitProvenance(dir.filePath(QStringLiteral("repo"))).commit.isEmpty());

        QTemporaryDir plain;
        p = readGitProvenance(plain.path());
        QVERIFY(p.branch.isEmpty() && p.commit.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHistoryModels)
#include "tst_historymodels.moc"
