// The log loader without any widget: order, provisional builds, cancel.
#include "model/session/logloader.h"
#include "testutils.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

QString real(const QString &name)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + name);
}

QString manyBuilds(const QTemporaryDir &dir, int copies)
{
    return Test::writeRepeatedColdBuild(dir.path(), copies);
}

} // namespace

class TestLogLoader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deliversInTheOrderAsked()
    {
        LogLoader loader;
        QSignalSpy finished(&loader, &LogLoader::finished);
        QSignalSpy idle(&loader, &LogLoader::idle);
        const QStringList paths {real(QStringLiteral("02-edit-src.log")), real(QStringLiteral("00-cold.log")),
            real(QStringLiteral("16-chmod-x.log"))};
        for (const QString &path : paths)
            loader.enqueue(path);
        QVERIFY(loader.isBusy());
        QVERIFY(idle.wait(20000));
        QCOMPARE(finished.count(), paths.size());
        for (int i = 0; i < paths.size(); ++i) {
            QCOMPARE(finished.at(i).at(0).toString(), QFileInfo(paths.at(i)).absoluteFilePath());
            QCOMPARE(finished.at(i).at(1).value<BuildLogResult>().builds.size(), 1);
        }
        QVERIFY(!loader.isBusy());
    }

    void provisionalBuildsThenCancel()
    {
        QTemporaryDir dir;
        const QString path = manyBuilds(dir, 3000); // about 20 MB
        LogLoader loader;
        QSignalSpy provisional(&loader, &LogLoader::provisionalBuilds);
        QSignalSpy finished(&loader, &LogLoader::finished);
        QSignalSpy canceled(&loader, &LogLoader::canceled);
        loader.enqueue(path);
        loader.enqueue(real(QStringLiteral("00-cold.log"))); // dropped by the cancel
        QVERIFY(provisional.wait(20000));
        const auto first = provisional.first().at(1).value<QList<BuildRun>>();
        QVERIFY(!first.isEmpty());
        QCOMPARE(first.first().vertices.size(), 22); // the cold build, complete
        loader.cancel();
        QVERIFY(canceled.wait(20000) || canceled.count() == 1);
        QCOMPARE(canceled.count(), 1);
        QTest::qWait(100);
        QCOMPARE(finished.count(), 0);
        QVERIFY(!loader.isBusy());
    }

    void destroyedWhileReading()
    {
        QTemporaryDir dir;
        const QString path = manyBuilds(dir, 2000);
        for (int round = 0; round < 3; ++round) {
            auto *loader = new LogLoader;
            loader->enqueue(path);
            QTest::qWait(round * 5);
            delete loader; // waits for the worker; nothing is delivered afterwards
        }
        // The process is sound afterwards: a new loader reads as before.
        LogLoader loader;
        QSignalSpy finished(&loader, &LogLoader::finished);
        loader.enqueue(real(QStringLiteral("00-cold.log")));
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(1).value<BuildLogResult>().builds.first().vertices.size(), 22);
    }
};

QTEST_GUILESS_MAIN(TestLogLoader)
#include "tst_logloader.moc"
