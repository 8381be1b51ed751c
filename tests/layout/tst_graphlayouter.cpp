#include "model/layout/graphlayouter.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QFutureSynchronizer>
#include <QHash>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace Stagelens;

// Layout tests assert relations with a tolerance, never coordinates: those change between Graphviz versions.
namespace {

constexpr qreal Tolerance = 1.5; // points

QString describe(const QRectF &r)
{
    return QStringLiteral("(%1,%2 %3x%4)").arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
}

QString describe(const QPointF &p)
{
    return QStringLiteral("(%1,%2)").arg(p.x()).arg(p.y());
}

bool containsWithTolerance(const QRectF &outer, const QRectF &inner)
{
    return outer.adjusted(-Tolerance, -Tolerance, Tolerance, Tolerance).contains(inner);
}

bool containsWithTolerance(const QRectF &outer, const QPointF &p)
{
    return outer.adjusted(-Tolerance, -Tolerance, Tolerance, Tolerance).contains(p);
}

qreal distanceToRect(const QRectF &r, const QPointF &p)
{
    const qreal dx = qMax(qMax(r.left() - p.x(), 0.0), p.x() - r.right());
    const qreal dy = qMax(qMax(r.top() - p.y(), 0.0), p.y() - r.bottom());
    return std::sqrt(dx * dx + dy * dy);
}

// Position along the flow axis: grows from the first rank to the last.
qreal flowPosition(const QRectF &r, RankDir dir)
{
    switch (dir) {
    case RankDir::TopToBottom:
        return r.center().y();
    case RankDir::BottomToTop:
        return -r.center().y();
    case RankDir::LeftToRight:
        return r.center().x();
    case RankDir::RightToLeft:
        return -r.center().x();
    }
    return 0;
}

LayoutRequest chain(int length, RankDir dir)
{
    LayoutRequest request;
    request.rankDir = dir;
    for (int i = 0; i < length; ++i)
        request.nodes.append({QStringLiteral("n%1").arg(i), QSizeF(60 + 10 * (i % 3), 24), -1});
    for (int i = 0; i + 1 < length; ++i)
        request.edges.append({i, i + 1, QString(), QSizeF(), LayoutEdgeStyle::Solid, 1, true});
    return request;
}

// A few stages as clusters with a chain of steps each, linked stage to stage like a multi-stage Dockerfile.
LayoutRequest stagesRequest(int stages, int stepsPerStage, bool edgeLabels)
{
    LayoutRequest request;
    for (int s = 0; s < stages; ++s) {
        request.clusters.append({QStringLiteral("stage %1").arg(s), QSizeF(80 + 7 * s, 16)});
        for (int k = 0; k < stepsPerStage; ++k) {
            const int index = int(request.nodes.size());
            request.nodes.append({QStringLiteral("s%1k%2").arg(s).arg(k), QSizeF(120 + 15 * k, 22), s});
            if (k > 0)
                request.edges.append(
                    {index - 1, index, QString(), QSizeF(), LayoutEdgeStyle::Solid, 10, true});
        }
    }
    for (int s = 1; s < stages; ++s) {
        const int producerLast = s * stepsPerStage - 1;
        const int consumer = s * stepsPerStage + (s % stepsPerStage);
        request.edges.append({producerLast, consumer, QStringLiteral("copy"),
            edgeLabels ? QSizeF(30, 14) : QSizeF(), LayoutEdgeStyle::Dashed, 1, true});
    }
    return request;
}

// Deterministic pseudo-random DAG: edges only go from lower to higher index.
LayoutRequest largeDag(int nodeCount)
{
    LayoutRequest request;
    quint32 state = 12345;
    auto next = [&state] {
        state = state * 1103515245u + 12345u;
        return (state >> 16) & 0x7fff;
    };
    for (int i = 0; i < nodeCount; ++i)
        request.nodes.append({QString::number(i), QSizeF(40 + next() % 80, 20), (i % 10 == 0) ? -1 : i / 30});
    for (int i = 0; i < nodeCount / 30; ++i)
        request.clusters.append({QStringLiteral("c%1").arg(i), QSizeF(50, 14)});
    for (int i = 1; i < nodeCount; ++i) {
        const int from = int(next() % i);
        request.edges.append({from, i, QString(), QSizeF(), LayoutEdgeStyle::Solid, 1, true});
    }
    return request;
}

QString checkCommon(const LayoutRequest &request, const GraphLayout &layout)
{
    if (!layout.isValid())
        return QStringLiteral("layout failed: ") + layout.error;
    if (layout.nodes.size() != request.nodes.size() || layout.edges.size() != request.edges.size()
        || layout.clusters.size() != request.clusters.size())
        return QStringLiteral("result lists are not parallel to the request");
    for (qsizetype i = 0; i < layout.nodes.size(); ++i) {
        const QRectF &r = layout.nodes[i];
        if (!containsWithTolerance(layout.boundingRect, r))
            return QStringLiteral("node %1 %2 outside bounding box %3")
                .arg(i)
                .arg(describe(r), describe(layout.boundingRect));
        // fixedsize: the caller's measured size must come back unchanged, or its text would overflow.
        if (qAbs(r.width() - request.nodes[i].size.width()) > Tolerance
            || qAbs(r.height() - request.nodes[i].size.height()) > Tolerance)
            return QStringLiteral("node %1 has size %2x%3, requested %4x%5")
                .arg(i)
                .arg(r.width())
                .arg(r.height())
                .arg(request.nodes[i].size.width())
                .arg(request.nodes[i].size.height());
    }
    for (qsizetype i = 0; i < layout.nodes.size(); ++i) {
        const int c = request.nodes[i].cluster;
        if (c >= 0 && c < request.clusters.size()
            && !containsWithTolerance(layout.clusters[c], layout.nodes[i]))
            return QStringLiteral("cluster %1 %2 does not contain node %3 %4")
                .arg(c)
                .arg(describe(layout.clusters[c]))
                .arg(i)
                .arg(describe(layout.nodes[i]));
    }
    if (!layout.warnings.isEmpty())
        qInfo("Graphviz warnings: %s", qPrintable(layout.warnings.join(QLatin1Char('\n'))));
    for (qsizetype i = 0; i < layout.edges.size(); ++i) {
        const EdgeGeometry &e = layout.edges[i];
        if (e.bezier.size() < 4 || e.bezier.size() % 3 != 1)
            return QStringLiteral("edge %1 has %2 bezier points, expected 3n+1").arg(i).arg(e.bezier.size());
        if (!e.arrowHead)
            return QStringLiteral("edge %1 has no arrow head").arg(i);
        for (const QPointF &p : e.bezier) {
            if (!containsWithTolerance(layout.boundingRect, p))
                return QStringLiteral("edge %1 point %2 outside the bounding box").arg(i).arg(describe(p));
        }
    }
    return {};
}

} // namespace

class TestGraphLayouter : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { Test::setCNumericLocale(); }

    void rankOrder_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<RankDir>("dir");
        QTest::addRow("2 nodes top to bottom") << 2 << RankDir::TopToBottom;
        QTest::addRow("6 nodes top to bottom") << 6 << RankDir::TopToBottom;
        QTest::addRow("6 nodes left to right") << 6 << RankDir::LeftToRight;
        QTest::addRow("5 nodes bottom to top") << 5 << RankDir::BottomToTop;
        QTest::addRow("5 nodes right to left") << 5 << RankDir::RightToLeft;
    }

    void rankOrder()
    {
        QFETCH(int, length);
        QFETCH(RankDir, dir);
        const LayoutRequest request = chain(length, dir);
        const GraphLayout layout = layoutGraph(request);
        const QString problem = checkCommon(request, layout);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        for (int i = 0; i + 1 < length; ++i) {
            const qreal a = flowPosition(layout.nodes[i], dir);
            const qreal b = flowPosition(layout.nodes[i + 1], dir);
            QVERIFY2(b > a + 1,
                qPrintable(QStringLiteral("node %1 at %2 is not after node %3 at %4")
                               .arg(i + 1)
                               .arg(describe(layout.nodes[i + 1]))
                               .arg(i)
                               .arg(describe(layout.nodes[i]))));
        }
        for (int i = 0; i < layout.edges.size(); ++i) {
            const EdgeGeometry &e = layout.edges[i];
            const QRectF source = layout.nodes[request.edges[i].from];
            const QRectF target = layout.nodes[request.edges[i].to];
            // The curve leaves the source's border and the arrow tip touches the target's border.
            QVERIFY2(distanceToRect(source, e.bezier.first()) < 3,
                qPrintable(QStringLiteral("edge %1 starts at %2, source %3")
                               .arg(i)
                               .arg(describe(e.bezier.first()), describe(source))));
            QVERIFY2(distanceToRect(target, *e.arrowHead) < 3,
                qPrintable(QStringLiteral("edge %1 arrow tip at %2, target %3")
                               .arg(i)
                               .arg(describe(*e.arrowHead), describe(target))));
        }
    }

    void clusters_data()
    {
        QTest::addColumn<int>("stages");
        QTest::addColumn<int>("steps");
        QTest::addColumn<bool>("edgeLabels");
        QTest::addRow("one stage") << 1 << 3 << false;
        QTest::addRow("three stages") << 3 << 4 << false;
        QTest::addRow("five stages, labelled edges") << 5 << 3 << true;
    }

    void clusters()
    {
        QFETCH(int, stages);
        QFETCH(int, steps);
        QFETCH(bool, edgeLabels);
        const LayoutRequest request = stagesRequest(stages, steps, edgeLabels);
        const GraphLayout layout = layoutGraph(request);
        const QString problem = checkCommon(request, layout);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        for (int n = 0; n < request.nodes.size(); ++n) {
            const int c = request.nodes[n].cluster;
            QVERIFY2(containsWithTolerance(layout.clusters[c], layout.nodes[n]),
                qPrintable(QStringLiteral("cluster %1 %2 does not contain node %3 %4")
                               .arg(c)
                               .arg(describe(layout.clusters[c]))
                               .arg(n)
                               .arg(describe(layout.nodes[n]))));
        }
        for (int c = 0; c < request.clusters.size(); ++c) {
            const QRectF label = layout.clusterLabels[c];
            QVERIFY2(
                containsWithTolerance(layout.boundingRect, layout.clusters[c]), qPrintable(describe(label)));
            QVERIFY2(containsWithTolerance(layout.clusters[c], label),
                qPrintable(QStringLiteral("cluster %1 label %2 outside cluster %3")
                               .arg(c)
                               .arg(describe(label), describe(layout.clusters[c]))));
            QCOMPARE(label.size(), request.clusters[c].labelSize);
            // The title sits above every node of its cluster, so it is never drawn over a step.
            for (int n = 0; n < request.nodes.size(); ++n) {
                if (request.nodes[n].cluster == c)
                    QVERIFY2(label.bottom() <= layout.nodes[n].top() + Tolerance,
                        qPrintable(QStringLiteral("label %1 overlaps node %2")
                                       .arg(describe(label), describe(layout.nodes[n]))));
            }
        }
        // Clusters of this request are disjoint.
        for (int a = 0; a < request.clusters.size(); ++a) {
            for (int b = a + 1; b < request.clusters.size(); ++b)
                QVERIFY2(!layout.clusters[a].adjusted(1, 1, -1, -1).intersects(layout.clusters[b]),
                    qPrintable(
                        describe(layout.clusters[a]) + QLatin1Char(' ') + describe(layout.clusters[b])));
        }
        for (int e = 0; e < request.edges.size(); ++e) {
            const bool wantsLabel =
                request.edges[e].labelSize.isValid() && !request.edges[e].labelSize.isEmpty();
            QCOMPARE(layout.edges[e].labelCenter.has_value(), wantsLabel);
            if (!wantsLabel)
                continue;
            QRectF labelRect(QPointF(), request.edges[e].labelSize);
            labelRect.moveCenter(*layout.edges[e].labelCenter);
            for (int n = 0; n < layout.nodes.size(); ++n)
                QVERIFY2(!labelRect.adjusted(1, 1, -1, -1).intersects(layout.nodes[n]),
                    qPrintable(QStringLiteral("edge label %1 overlaps node %2")
                                   .arg(describe(labelRect), describe(layout.nodes[n]))));
        }
    }

    void largeGraph_data()
    {
        QTest::addColumn<int>("nodeCount");
        QTest::addRow("300 nodes") << 300;
    }

    void largeGraph()
    {
        QFETCH(int, nodeCount);
        const LayoutRequest request = largeDag(nodeCount);
        QElapsedTimer timer;
        timer.start();
        const GraphLayout layout = layoutGraph(request);
        qInfo(
            "%d nodes, %d edges laid out in %lld ms", nodeCount, int(request.edges.size()), timer.elapsed());
        const QString problem = checkCommon(request, layout);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // dot never lets nodes overlap.
        for (int a = 0; a < layout.nodes.size(); ++a) {
            for (int b = a + 1; b < layout.nodes.size(); ++b)
                QVERIFY2(!layout.nodes[a].adjusted(1, 1, -1, -1).intersects(layout.nodes[b]),
                    qPrintable(QStringLiteral("nodes %1 and %2 overlap").arg(a).arg(b)));
        }
        // Every edge points down the ranks (the DAG only has forward edges).
        for (int e = 0; e < request.edges.size(); ++e) {
            const LayoutEdge &edge = request.edges[e];
            QVERIFY2(layout.nodes[edge.to].center().y() > layout.nodes[edge.from].center().y(),
                qPrintable(QStringLiteral("edge %1: node %2 %3 is not below node %4 %5")
                               .arg(e)
                               .arg(edge.to)
                               .arg(describe(layout.nodes[edge.to]))
                               .arg(edge.from)
                               .arg(describe(layout.nodes[edge.from]))));
        }
    }

    // The dot plugin is a builtin: Graphviz must not need its plugin directory or config file.
    void worksWithoutGraphvizConfig_data()
    {
        QTest::addColumn<int>("stages");
        QTest::addRow("empty GVBINDIR, clusters") << 3;
    }

    void worksWithoutGraphvizConfig()
    {
        QFETCH(int, stages);
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        const QByteArray previous = qgetenv("GVBINDIR");
        qputenv("GVBINDIR", empty.path().toLocal8Bit());
        const LayoutRequest request = stagesRequest(stages, 3, true);
        const GraphLayout layout = layoutGraph(request);
        if (previous.isNull())
            qunsetenv("GVBINDIR");
        else
            qputenv("GVBINDIR", previous);
        const QString problem = checkCommon(request, layout);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(QDir(empty.path()).isEmpty());
    }

    void concurrentCalls_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("callsPerThread");
        QTest::addRow("4 threads x 3") << 4 << 3;
    }

    void concurrentCalls()
    {
        QFETCH(int, threads);
        QFETCH(int, callsPerThread);
        const LayoutRequest request = stagesRequest(4, 3, true);
        const GraphLayout reference = layoutGraph(request);
        QVERIFY2(checkCommon(request, reference).isEmpty(), qPrintable(checkCommon(request, reference)));

        QThreadPool pool;
        pool.setMaxThreadCount(threads);
        QFutureSynchronizer<QString> direct;
        for (int t = 0; t < threads; ++t) {
            direct.addFuture(QtConcurrent::run(&pool, [&request, &reference, callsPerThread] {
                for (int k = 0; k < callsPerThread; ++k) {
                    const GraphLayout layout = layoutGraph(request);
                    if (QString problem = checkCommon(request, layout); !problem.isEmpty())
                        return problem;
                    // Serialised calls on the same input give the same geometry.
                    if (layout.nodes != reference.nodes)
                        return QStringLiteral("concurrent result differs from the reference");
                }
                return QString();
            }));
        }
        QList<QFuture<GraphLayout>> async;
        for (int k = 0; k < threads; ++k)
            async.append(layoutGraphAsync(request));
        direct.waitForFinished();
        for (const QFuture<QString> &f : direct.futures())
            QVERIFY2(f.result().isEmpty(), qPrintable(f.result()));
        for (QFuture<GraphLayout> &f : async) {
            const GraphLayout layout = f.result();
            QVERIFY2(checkCommon(request, layout).isEmpty(), qPrintable(checkCommon(request, layout)));
            QCOMPARE(layout.nodes, reference.nodes);
        }
    }

    // Hostile or careless input: no crash, a usable result or an error.
    void badInput_data()
    {
        QTest::addColumn<LayoutRequest>("request");
        QTest::addColumn<bool>("valid");
        QTest::addRow("empty") << LayoutRequest() << true;
        {
            LayoutRequest r = chain(3, RankDir::TopToBottom);
            r.edges.append({0, 99, QString(), QSizeF(), LayoutEdgeStyle::Solid, 1, true});
            r.edges.append({-1, 1, QString(), QSizeF(), LayoutEdgeStyle::Solid, 1, true});
            QTest::addRow("edges to missing nodes") << r << true;
        }
        {
            LayoutRequest r = chain(3, RankDir::TopToBottom);
            r.nodes[0].size = QSizeF(qQNaN(), -5);
            r.nodes[1].size = QSizeF(1e12, 1e12);
            r.nodes[2].cluster = 7;
            r.nodeSeparation = qInf();
            QTest::addRow("nonsense sizes and cluster index") << r << true;
        }
        {
            LayoutRequest r = chain(3, RankDir::TopToBottom);
            r.edges.append({2, 0, QString(), QSizeF(20, 10), LayoutEdgeStyle::Dotted, -4, false});
            r.edges.append({1, 1, QString(), QSizeF(), LayoutEdgeStyle::Bold, 1, true});
            QTest::addRow("cycle and self loop") << r << true;
        }
        {
            LayoutRequest r;
            r.clusters.append({QStringLiteral("empty"), QSizeF(40, 12)});
            r.nodes.append({QStringLiteral("a"), QSizeF(30, 20), -1});
            QTest::addRow("empty cluster") << r << true;
        }
        QTest::addRow("too many nodes") << chain(MaxLayoutNodes + 1, RankDir::TopToBottom) << false;
    }

    // The DOT written for a request is the graph layoutGraph() lays out: the dot command places every node
    // where layoutGraph() does (up to the flip and shift into scene coordinates).
    void dotIsTheLaidOutGraph()
    {
        LayoutRequest request = stagesRequest(4, 3, true);
        request.edges[2].style = LayoutEdgeStyle::Dotted;
        const QByteArray dot = layoutRequestToDot(request);
        QVERIFY(dot.startsWith("digraph"));
        QCOMPARE(dot.count("subgraph cluster_"), request.clusters.size());
        QCOMPARE(dot.count("->"), request.edges.size());
        QVERIFY(dot.contains("newrank=true"));
        QVERIFY(dot.contains("style=dotted"));
        QVERIFY(dot.contains("node [label=\"\"];")); // dot's default would be the node name
        LayoutRequest unconstrained = request;
        unconstrained.edges[1].constraint = false;
        QVERIFY(layoutRequestToDot(unconstrained).contains("constraint=false"));

        const QString dotCommand = QStandardPaths::findExecutable(QStringLiteral("dot"));
        if (dotCommand.isEmpty())
            QSKIP("the dot command is not installed");
        QProcess process;
        process.start(dotCommand, {QStringLiteral("-Tplain")});
        QVERIFY(process.waitForStarted());
        process.write(dot);
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 0);
        const GraphLayout layout = layoutGraph(request);
        QVERIFY(layout.isValid());
        // "node NAME X Y W H ..." in inches, y up; "edge TAIL HEAD ...".
        QHash<int, QRectF> placed;
        QList<QPair<int, int>> edges;
        for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() > 5 && f.at(0) == "node" && f.at(1).startsWith('n')) {
                QRectF r(0, 0, f.at(4).toDouble() * 72, f.at(5).toDouble() * 72);
                r.moveCenter(QPointF(f.at(2).toDouble() * 72, -f.at(3).toDouble() * 72));
                placed.insert(f.at(1).mid(1).toInt(), r);
            } else if (f.size() > 3 && f.at(0) == "edge") {
                edges.append({f.at(1).mid(1).toInt(), f.at(2).mid(1).toInt()});
            }
        }
        // The same nodes with the same sizes, the same edges, the same ranks. Exact x positions are not
        // compared: cgraph's default ID discipline numbers objects by string addresses, so a layout inside a
        // process that has allocated other things before may order a rank differently from a fresh dot
        // process (both are dot's layouts of this graph).
        QCOMPARE(placed.size(), request.nodes.size());
        QList<QPair<int, int>> expected;
        for (const LayoutEdge &e : std::as_const(request.edges))
            expected.append({e.from, e.to});
        std::sort(expected.begin(), expected.end());
        std::sort(edges.begin(), edges.end());
        QCOMPARE(edges, expected);
        const qreal originY = placed.value(0).center().y() - layout.nodes.at(0).center().y();
        for (qsizetype i = 0; i < request.nodes.size(); ++i) {
            const QRectF r = placed.value(int(i));
            QVERIFY2(qAbs(r.width() - request.nodes.at(i).size.width()) < 0.5
                    && qAbs(r.height() - request.nodes.at(i).size.height()) < 0.5,
                qPrintable(QStringLiteral("node %1 has another size in the DOT").arg(i)));
            const qreal dy = r.center().y() - layout.nodes.at(i).center().y() - originY;
            QVERIFY2(qAbs(dy) < 1, qPrintable(QStringLiteral("node %1 ranked differently by dot").arg(i)));
        }
    }

    void observerSeesRequests()
    {
        QList<qsizetype> seen;
        setLayoutRequestObserver([&seen](const LayoutRequest &r) { seen.append(r.nodes.size()); });
        layoutGraph(chain(3, RankDir::TopToBottom));
        layoutGraph(chain(5, RankDir::LeftToRight));
        setLayoutRequestObserver({});
        layoutGraph(chain(4, RankDir::TopToBottom));
        QCOMPARE(seen, (QList<qsizetype> {3, 5}));
    }

    void badInput()
    {
        QFETCH(LayoutRequest, request);
        QFETCH(bool, valid);
        const GraphLayout layout = layoutGraph(request);
        QVERIFY2(layout.isValid() == valid,
            qPrintable(QStringLiteral("expected valid=%1, error: %2").arg(valid).arg(layout.error)));
        if (!valid)
            return;
        QCOMPARE(layout.nodes.size(), request.nodes.size());
        QCOMPARE(layout.edges.size(), request.edges.size());
        for (const QRectF &r : layout.nodes)
            QVERIFY2(containsWithTolerance(layout.boundingRect, r), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestGraphLayouter)
#include "tst_graphlayouter.moc"
