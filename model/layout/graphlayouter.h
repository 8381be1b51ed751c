#pragma once

// Graph layout as a value-in, value-out function over Graphviz's dot engine. Graphviz itself is only
// included by graphlayouter.cpp; callers see plain Qt value types in scene coordinates (points, y down).

#include <QFuture>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Stagelens {

/// Direction in which ranks follow each other (Graphviz rankdir).
enum class RankDir
{
    TopToBottom,
    LeftToRight,
    BottomToTop,
    RightToLeft
};

/// Hint for how an edge is drawn; it also changes how dot weighs it.
enum class LayoutEdgeStyle
{
    Solid,
    Dashed,
    Dotted,
    Bold
};

struct LayoutNode
{
    QString id; ///< for diagnostics only; nodes are referenced by index
    QSizeF size; ///< in points, measured by the caller; the node is laid out with exactly this size
    int cluster = -1; ///< index into LayoutRequest::clusters, or -1
};

struct LayoutCluster
{
    QString label; ///< for diagnostics only; the caller draws the text
    QSizeF labelSize; ///< space reserved for the title at the top of the cluster, in points
};

struct LayoutEdge
{
    int from = 0; ///< node index
    int to = 0; ///< node index
    QString label; ///< for diagnostics only
    QSizeF labelSize; ///< space reserved for a label on the edge; empty: no label
    LayoutEdgeStyle style = LayoutEdgeStyle::Solid;
    int weight = 1; ///< larger keeps the edge shorter and straighter
    bool constraint = true; ///< false: the edge does not influence ranking
};

struct LayoutRequest
{
    QList<LayoutNode> nodes;
    QList<LayoutCluster> clusters;
    QList<LayoutEdge> edges;
    RankDir rankDir = RankDir::TopToBottom;
    qreal nodeSeparation = 18; ///< points between neighbours in a rank
    qreal rankSeparation = 30; ///< points between ranks
};

struct EdgeGeometry
{
    QList<QPointF> bezier; ///< cubic bezier control points: 3n+1 (start, then c1, c2, end per segment)
    std::optional<QPointF> arrowHead; ///< tip of the arrow at the target; the bezier stops short of it
    std::optional<QPointF> arrowTail; ///< tip of an arrow at the source, when there is one
    std::optional<QPointF> labelCenter; ///< centre of the label rectangle, when a label size was given
};

/// Result of a layout, in points with y pointing down and the bounding box starting at (0, 0).
/// The lists are parallel to the request's lists.
struct GraphLayout
{
    QRectF boundingRect;
    QList<QRectF> nodes;
    QList<QRectF> clusters;
    QList<QRectF> clusterLabels; ///< where the caller should draw each cluster title
    QList<EdgeGeometry> edges;
    QString error; ///< empty on success
    QStringList warnings; ///< non-fatal messages from Graphviz

    bool isValid() const { return error.isEmpty(); }
};

/// Hard limits that keep a hostile or accidental huge request from taking unbounded time in dot.
constexpr int MaxLayoutNodes = 5000;
constexpr int MaxLayoutEdges = 20000;

/// Lays out the request with dot. Callable from any thread: a global lock serialises every Graphviz use.
/// Expects LC_NUMERIC "C" as main() sets it, though another decimal point is tolerated.
GraphLayout layoutGraph(const LayoutRequest &request);

/// Runs layoutGraph() on a dedicated single-thread pool so that long layouts never block the GUI thread and
/// never queue up behind other pool work. Callable from any thread. The layout itself cannot be interrupted:
/// callers drop stale results (generation counter) instead of cancelling.
QFuture<GraphLayout> layoutGraphAsync(const LayoutRequest &request);

/// The request as the Graphviz DOT graph layoutGraph() lays out (the same cgraph graph, written with
/// agwrite): `dot -Tsvg` on it does the layout the GUI gets. Empty when the graph cannot be built.
/// Callable from any thread.
QByteArray layoutRequestToDot(const LayoutRequest &request);

/// Benchmark and test hook: `observer` sees every request layoutGraph() is about to lay out, on the thread
/// that lays it out, with the Graphviz lock held (it must not call into this file). An empty function
/// removes it.
using LayoutRequestObserver = std::function<void(const LayoutRequest &)>;
void setLayoutRequestObserver(LayoutRequestObserver observer);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::LayoutRequest)
Q_DECLARE_METATYPE(Stagelens::GraphLayout)
