// The slowest-steps list sorts its own rows (a proxy sorting 90,000 rows through QVariant stalled the GUI):
// by time or share with unknown times last when descending, by name, ties in log order, and a view's
// persistent index follows its row.

#include "model/itemmodels/sloweststepsmodel.h"

#include <QAbstractItemModelTester>
#include <QPersistentModelIndex>
#include <QTest>

using namespace Stagelens;

namespace {

SlowStepRow row(int vertex, const char *name, std::optional<double> seconds)
{
    SlowStepRow r;
    r.vertex = vertex;
    r.name = QString::fromLatin1(name);
    r.seconds = seconds;
    r.state = seconds ? StepState::Ran : StepState::Cached;
    return r;
}

QList<int> vertices(const SlowestStepsModel &model)
{
    QList<int> out;
    for (const SlowStepRow &r : model.rows())
        out.append(r.vertex);
    return out;
}

} // namespace

class TestSlowestStepsModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sortsByColumn_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QList<int>>("expected");
        QTest::addRow("time, longest first; unknown last; ties in log order") << int(
            SlowestStepsModel::SecondsColumn) << int(Qt::DescendingOrder) << QList<int> {3, 1, 4, 0, 2};
        QTest::addRow("time, shortest first; unknown first")
            << int(SlowestStepsModel::SecondsColumn) << int(Qt::AscendingOrder) << QList<int> {0, 2, 4, 1, 3};
        // Share is capped at the wall time (10 s): 30 s and 12 s tie at 100 %, so log order decides.
        QTest::addRow("share, ties in log order")
            << int(SlowestStepsModel::ShareColumn) << int(Qt::DescendingOrder) << QList<int> {1, 3, 4, 0, 2};
        QTest::addRow("name") << int(SlowestStepsModel::StepColumn) << int(Qt::AscendingOrder)
                              << QList<int> {4, 1, 0, 3, 2};
    }

    void sortsByColumn()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QList<int>, expected);
        SlowestStepsModel model;
        QAbstractItemModelTester tester(&model);
        model.sort(column, Qt::SortOrder(order));
        model.setRows({row(0, "c", std::nullopt), row(1, "b", 12.0), row(2, "e", std::nullopt),
                          row(3, "d", 30.0), row(4, "a", 5.0)},
            10.0);
        QCOMPARE(vertices(model), expected);
        // The same rows again, any order: the model's order wins.
        QList<SlowStepRow> reversed = model.rows();
        std::reverse(reversed.begin(), reversed.end());
        model.setRows(reversed, 10.0);
        QCOMPARE(vertices(model), expected);
    }

    void persistentIndexFollowsItsRow()
    {
        SlowestStepsModel model;
        QAbstractItemModelTester tester(&model);
        model.setRows({row(0, "a", 1.0), row(1, "b", 3.0), row(2, "c", 2.0)}, std::nullopt);
        QCOMPARE(vertices(model), (QList<int> {0, 1, 2})); // unsorted: log order
        const QPersistentModelIndex picked = model.index(2, SlowestStepsModel::SecondsColumn);
        model.sort(SlowestStepsModel::SecondsColumn, Qt::DescendingOrder);
        QCOMPARE(vertices(model), (QList<int> {1, 2, 0}));
        QVERIFY(picked.isValid());
        QCOMPARE(picked.row(), 1);
        QCOMPARE(picked.column(), int(SlowestStepsModel::SecondsColumn));
        QCOMPARE(picked.data(SlowestStepsModel::VertexRole).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSlowestStepsModel)
#include "tst_sloweststepsmodel.moc"
