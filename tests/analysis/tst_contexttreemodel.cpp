// The what-if pane's context tree: a well-behaved item model over a real scan of a temporary project.
#include "model/analysis/contexttreemodel.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

class TestContextTreeModel : public QObject
{
    Q_OBJECT
private:
    static void write(const QString &path)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }

private Q_SLOTS:
    void treeRolesAndChecks()
    {
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("Dockerfile")));
        write(dir.filePath(QStringLiteral("src/a.c")));
        write(dir.filePath(QStringLiteral("src/b.c")));
        write(dir.filePath(QStringLiteral("notes/todo.md")));
        QFile ignore(dir.filePath(QStringLiteral(".dockerignore")));
        QVERIFY(ignore.open(QIODevice::WriteOnly));
        ignore.write("notes/\n");
        ignore.close();
        ContextScanOptions options;
        options.contextDir = dir.path();
        auto index = std::make_shared<const ContextIndex>(ContextIndex::scan(options));

        ContextTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int srcA = index->indexOf(QStringLiteral("src/a.c"));
        QVERIFY(srcA >= 0);
        model.setContext(index, {srcA});

        // Folders nest their files; only src/a.c (and its folder) is read by a needed step.
        const QModelIndex a = model.indexForPath(QStringLiteral("src/a.c"));
        const QModelIndex b = model.indexForPath(QStringLiteral("src/b.c"));
        QVERIFY(a.isValid() && b.isValid());
        QCOMPARE(a.parent(), model.indexForPath(QStringLiteral("src")));
        QCOMPARE(a.data().toString(), QStringLiteral("a.c"));
        QCOMPARE(a.data(ContextTreeModel::UnusedRole).toBool(), false);
        QCOMPARE(b.data(ContextTreeModel::UnusedRole).toBool(), true);
        QCOMPARE(
            model.indexForPath(QStringLiteral("src")).data(ContextTreeModel::UnusedRole).toBool(), false);
        QCOMPARE(
            model.indexForPath(QStringLiteral("notes")).data(ContextTreeModel::IgnoredRole).toBool(), true);

        // Ticking reports exactly the changed entries and the checked paths.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.setData(b, Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.checkedPaths(), QStringList {QStringLiteral("src/b.c")});
        changed.clear();
        QCOMPARE(model.setCheckedPaths({QStringLiteral("src/a.c"), QStringLiteral("missing")}), 1);
        QCOMPARE(changed.count(), 2); // b unticked, a ticked
        QCOMPARE(a.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
        QCOMPARE(b.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
        model.clearChecks();
        QVERIFY(model.checkedPaths().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestContextTreeModel)
#include "tst_contexttreemodel.moc"
