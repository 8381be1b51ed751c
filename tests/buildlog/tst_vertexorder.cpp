// What each vertex of a plain log waits for (vertexDependencies), from its labels: the expected edges are
// written out from BuildKit's rules for each case, not read back from the code.
#include "model/buildlog/vertexlabelcache.h"
#include "model/buildlog/vertexorder.h"

#include <QTest>

#include <algorithm>

using namespace Stagelens;

namespace {

BuildRun runOf(const QStringList &names)
{
    BuildRun run;
    VertexLabelCache labels;
    for (const QString &name : names) {
        BuildVertex &v = run.vertices.emplaceBack();
        v.id = QStringLiteral("#%1").arg(run.vertices.size());
        labels.apply(v, name);
    }
    return run;
}

QList<int> dependenciesOf(const VertexDependencies &deps, int vertex)
{
    QList<int> out(deps.begin(vertex), deps.end(vertex));
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestVertexOrder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A stage printed twice (a retried step, two logs concatenated): each step waits for the last vertex
    // printed with the counter below its own, whatever order the counters came in.
    void repeatedCountersKeepTheLastVertex_data()
    {
        QTest::addColumn<int>("offset");
        // Counters as printed, and counters far above the number of steps (the other path of the code).
        QTest::addRow("small counters") << 0;
        QTest::addRow("large counters") << 1000000;
    }
    void repeatedCountersKeepTheLastVertex()
    {
        QFETCH(int, offset);
        const auto step = [offset](int k, const char *text) {
            return QStringLiteral("[build %1/%2] %3")
                .arg(offset + k)
                .arg(offset + 3)
                .arg(QLatin1String(text));
        };
        const BuildRun run = runOf({
            step(2, "RUN make"), // 0
            step(1, "WORKDIR /src"), // 1
            step(3, "RUN make test"), // 2
            step(2, "RUN make"), // 3: the same step again
            step(3, "RUN make test"), // 4
        });
        const VertexDependencies deps = vertexDependencies(run);
        QCOMPARE(deps.size(), 5);
        QVERIFY(!deps.fromInputs);
        QCOMPARE(dependenciesOf(deps, 1), QList<int>()); // the first step of a stage built on nothing named
        QCOMPARE(dependenciesOf(deps, 0), QList<int> {1});
        QCOMPARE(dependenciesOf(deps, 3), QList<int> {1});
        QCOMPARE(dependenciesOf(deps, 2), QList<int> {3}); // the last vertex printed as 2/3
        QCOMPARE(dependenciesOf(deps, 4), QList<int> {3});
    }

    // A COPY of the build context waits for "[internal] load build context" of its platform, in every stage;
    // a COPY --from waits for the other stage's last step and not for the context.
    void copiesWaitForTheirContext()
    {
        const BuildRun run = runOf({
            QStringLiteral("[linux/amd64 internal] load build context"), // 0
            QStringLiteral("[linux/arm64 internal] load build context"), // 1
            QStringLiteral("[linux/amd64 builder 1/2] WORKDIR /src"), // 2
            QStringLiteral("[linux/arm64 builder 1/2] WORKDIR /src"), // 3
            QStringLiteral("[linux/amd64 builder 2/2] COPY . ."), // 4
            QStringLiteral("[linux/arm64 builder 2/2] COPY . ."), // 5
            QStringLiteral("[linux/amd64 final 1/2] WORKDIR /app"), // 6
            QStringLiteral("[linux/amd64 final 2/2] COPY --from=builder /src/app ."), // 7
            QStringLiteral("[linux/arm64 final 1/2] WORKDIR /app"), // 8
            QStringLiteral("[linux/arm64 final 2/2] COPY config.yaml ."), // 9
        });
        const VertexDependencies deps = vertexDependencies(run);
        QCOMPARE(dependenciesOf(deps, 4), (QList<int> {0, 2}));
        QCOMPARE(dependenciesOf(deps, 5), (QList<int> {1, 3}));
        QCOMPARE(dependenciesOf(deps, 7), (QList<int> {4, 6}));
        QCOMPARE(dependenciesOf(deps, 9), (QList<int> {1, 8}));
    }
};

QTEST_GUILESS_MAIN(TestVertexOrder)
#include "tst_vertexorder.moc"
