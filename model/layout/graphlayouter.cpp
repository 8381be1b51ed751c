#include "graphlayouter.h"

#include "model/core/lazylibrary.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include <clocale>
#include <cmath>
#include <dlfcn.h>
#include <functional>
#include <memory>

// The dot layout plugin is registered as a builtin, so Graphviz never has to find its plugin config file:
// bundles such as an AppImage usually lack it. Declared for its type only: it is looked up at run time.
extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
}

Q_LOGGING_CATEGORY(lcLayout, "stagelens.layout", QtWarningMsg)

// Graphviz 2.42's dot leaks the virtual edges it builds for clusters (mincross skeletons) even after
// gvFreeLayout + agclose. LeakSanitizer reads this hook from any binary that links the layouter, so the ASan
// CI run stays meaningful for our own code without a suppressions file. Inert without LeakSanitizer.
extern "C" const char *__lsan_default_suppressions()
{
    // With ASan's default fast unwinder the stacks stop at libgvc's gmalloc, so name that library too; our
    // own graph objects come from libcgraph and stay checked.
    return "leak:libgvplugin_dot_layout.so\nleak:libgvc.so\n";
}

namespace Stagelens {

namespace {

constexpr qreal PointsPerInch = 72.0;
constexpr qreal MaxExtent = 10000.0; // points; larger sizes are clamped, Graphviz HTML sizes stop at 65535

// cgraph/gvc keep global state (attribute prototypes, error hooks, string dictionaries) and are not
// thread-safe even for reads: one caller at a time for the whole build -> layout -> read -> free sequence.
QMutex s_graphvizMutex;
// Where captureGraphvizMessage() writes; only touched while s_graphvizMutex is held.
QStringList *s_messageSink = nullptr;

// Graphviz is opened on first use (model/core/lazylibrary.h), on the layout worker: the window shows before
// it is loaded (it cost 0.8 ms of every start, a bare window linked with it), and commands that draw no graph
// never load it. Each library's functions and variables, typed by its own header:
struct Cgraph
{
    LazyLibrary library {STAGELENS_LIBCGRAPH_SONAME};
    STAGELENS_LAZY_FUNCTION(agopen);
    STAGELENS_LAZY_FUNCTION(agclose);
    STAGELENS_LAZY_FUNCTION(agattr);
    STAGELENS_LAZY_FUNCTION(agsubg);
    STAGELENS_LAZY_FUNCTION(agnode);
    STAGELENS_LAZY_FUNCTION(agedge);
    STAGELENS_LAZY_FUNCTION(agxset);
    STAGELENS_LAZY_FUNCTION(agstrdup_html);
    STAGELENS_LAZY_FUNCTION(agwrite);
    STAGELENS_LAZY_FUNCTION(agseterrf);
    STAGELENS_LAZY_FUNCTION(agreseterrors);
    STAGELENS_LAZY_FUNCTION(Agdirected);
    STAGELENS_LAZY_FUNCTION(AgIoDisc);
    STAGELENS_LAZY_FUNCTION(AgMemDisc);
    STAGELENS_LAZY_FUNCTION(AgIdDisc);
};

struct Gvc
{
    LazyLibrary library {STAGELENS_LIBGVC_SONAME};
    STAGELENS_LAZY_FUNCTION(gvContextPlugins);
    STAGELENS_LAZY_FUNCTION(gvLayout);
    STAGELENS_LAZY_FUNCTION(gvFreeLayout);
    STAGELENS_LAZY_FUNCTION(gvFreeContext);
};

// The dot plugin lies in Graphviz's private folder (<libdir>/graphviz), which no search path names: the
// installed binary reaches it through its RUNPATH, a bundle beside its other libraries; elsewhere (a build
// tree, the tests) it is found beside the libgvc that was opened.
QByteArray dotPluginBesideGvc(const Gvc &gvc)
{
    Dl_info info {};
    if (!gvc.gvLayout || !dladdr(reinterpret_cast<void *>(gvc.gvLayout), &info) || !info.dli_fname)
        return {};
    QByteArray path = info.dli_fname;
    return path.left(path.lastIndexOf('/') + 1) + "graphviz/" STAGELENS_GVPLUGIN_DOT_LAYOUT_SONAME;
}

struct DotPlugin
{
    explicit DotPlugin(const Gvc &gvc)
        : library(STAGELENS_GVPLUGIN_DOT_LAYOUT_SONAME, dotPluginBesideGvc(gvc))
    { }
    LazyLibrary library;
    STAGELENS_LAZY_FUNCTION(gvplugin_dot_layout_LTX_library);
    const lt_symlist_t builtins[2] = {
        {"gvplugin_dot_layout_LTX_library", gvplugin_dot_layout_LTX_library},
        {nullptr, nullptr},
    };
};

struct Graphviz
{
    Cgraph cgraph;
    Gvc gvc;
    DotPlugin dot {gvc};
    /// Why Graphviz cannot lay out graphs here; empty when it can.
    QString error() const
    {
        for (const LazyLibrary *l : {&cgraph.library, &gvc.library, &dot.library}) {
            if (!l->error().isEmpty())
                return QStringLiteral("Graphviz: %1").arg(l->error());
        }
        return {};
    }
};

const Graphviz &graphviz()
{
    static const Graphviz opened;
    return opened;
}

int captureGraphvizMessage(char *message)
{
    if (s_messageSink && message)
        s_messageSink->append(QString::fromLocal8Bit(message).trimmed());
    return 0;
}

struct GvcDeleter
{
    void operator()(GVC_t *gvc) const { graphviz().gvc.gvFreeContext(gvc); }
};

struct GraphDeleter
{
    void operator()(Agraph_t *graph) const { graphviz().cgraph.agclose(graph); }
};

// Graphviz reads numbers with atof(), which honours LC_NUMERIC. main() sets "C", but a library must not
// produce garbage sizes when some plugin changed it: write the decimal point the C library expects.
QByteArray number(qreal value)
{
    QByteArray text = QByteArray::number(value, 'f', 4);
    const char *point = std::localeconv()->decimal_point;
    if (point && point[0] && point[0] != '.' && point[1] == '\0')
        text.replace('.', point[0]);
    return text;
}

qreal sanitized(qreal value, qreal minimum, qreal fallback)
{
    if (!std::isfinite(value))
        return fallback;
    return qBound(minimum, value, MaxExtent);
}

// An HTML-like label of a fixed size: dot reserves exactly this space for a cluster title or edge label,
// instead of estimating text width with its own font tables (which never match Qt's fonts).
QByteArray fixedSizeHtml(const QSizeF &size)
{
    const int w = int(std::ceil(sanitized(size.width(), 1, 1)));
    const int h = int(std::ceil(sanitized(size.height(), 1, 1)));
    const QByteArray ws = QByteArray::number(w), hs = QByteArray::number(h);
    return "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\" FIXEDSIZE=\"TRUE\" "
           "WIDTH=\""
        + ws + "\" HEIGHT=\"" + hs + "\"><TR><TD FIXEDSIZE=\"TRUE\" WIDTH=\"" + ws + "\" HEIGHT=\"" + hs
        + "\"></TD></TR></TABLE>";
}

const char *rankDirName(RankDir dir)
{
    switch (dir) {
    case RankDir::TopToBottom:
        return "TB";
    case RankDir::LeftToRight:
        return "LR";
    case RankDir::BottomToTop:
        return "BT";
    case RankDir::RightToLeft:
        return "RL";
    }
    return "TB";
}

const char *styleName(LayoutEdgeStyle style)
{
    switch (style) {
    case LayoutEdgeStyle::Solid:
        return "solid";
    case LayoutEdgeStyle::Dashed:
        return "dashed";
    case LayoutEdgeStyle::Dotted:
        return "dotted";
    case LayoutEdgeStyle::Bold:
        return "bold";
    }
    return "solid";
}

// cgraph takes char* everywhere in 2.42 although it never writes through them.
char *cstr(const char *text)
{
    return const_cast<char *>(text);
}

char *cstr(QByteArray &text)
{
    return text.data();
}

// Scene coordinates: Graphviz's y axis points up and its bounding box need not start at the origin.
struct Flip
{
    boxf bb;
    QPointF operator()(pointf p) const { return {p.x - bb.LL.x, bb.UR.y - p.y}; }
    QRectF rect(pointf centre, qreal width, qreal height) const
    {
        const QPointF c = (*this)(centre);
        return {c.x() - width / 2, c.y() - height / 2, width, height};
    }
    QRectF box(boxf b) const { return QRectF((*this)(b.LL), (*this)(b.UR)).normalized(); }
};

// dot's bounding box covers the curves but not their control points, which may stick out. Callers use the
// box as a scene rect and for fit-to-view, so grow it over everything and move the origin back to (0, 0).
void normalize(GraphLayout &layout)
{
    QRectF all = layout.boundingRect;
    for (const EdgeGeometry &edge : std::as_const(layout.edges)) {
        for (const QPointF &p : edge.bezier)
            all |= QRectF(p, QSizeF(0.01, 0.01));
        if (edge.arrowHead)
            all |= QRectF(*edge.arrowHead, QSizeF(0.01, 0.01));
        if (edge.arrowTail)
            all |= QRectF(*edge.arrowTail, QSizeF(0.01, 0.01));
    }
    const QPointF offset = -all.topLeft();
    layout.boundingRect = all.translated(offset);
    for (QRectF &r : layout.nodes)
        r.translate(offset);
    for (QRectF &r : layout.clusters)
        r = r.isNull() ? r : r.translated(offset);
    for (QRectF &r : layout.clusterLabels)
        r = r.isNull() ? r : r.translated(offset);
    for (EdgeGeometry &edge : layout.edges) {
        for (QPointF &p : edge.bezier)
            p += offset;
        if (edge.arrowHead)
            *edge.arrowHead += offset;
        if (edge.arrowTail)
            *edge.arrowTail += offset;
        if (edge.labelCenter)
            *edge.labelCenter += offset;
    }
}

QString joinedErrors(const QStringList &messages)
{
    QStringList errors;
    for (const QString &m : messages) {
        if (!m.startsWith(QLatin1String("Warning"), Qt::CaseInsensitive))
            errors.append(m);
    }
    return errors.join(QLatin1Char('\n'));
}

// The cgraph graph of a request, with handles parallel to the request's lists. layoutGraph() lays it out and
// layoutRequestToDot() writes it, so the DOT is exactly the graph the layout gets.
struct CGraph
{
    std::unique_ptr<Agraph_t, GraphDeleter> graph;
    QList<Agraph_t *> subgraphs; ///< parallel to request.clusters; null for an empty cluster
    QList<Agnode_t *> nodes;
    QList<Agedge_t *> edges; ///< null for an edge that refers to a missing node
};

// Builds the graph; on failure sets result.error. `disc` may be null (cgraph's default discipline).
bool buildCGraph(const LayoutRequest &request, Agdisc_t *disc, CGraph &out, GraphLayout &result)
{
    const Cgraph &cg = graphviz().cgraph;

    const qsizetype nodeCount = request.nodes.size();
    out.graph.reset(cg.agopen(cstr("stagelens"), *cg.Agdirected, disc));
    if (!out.graph) {
        result.error = QStringLiteral("could not create a Graphviz graph");
        return false;
    }
    Agraph_t *g = out.graph.get();

    cg.agattr(g, AGRAPH, cstr("rankdir"), cstr(rankDirName(request.rankDir)));
    QByteArray nodesep = number(sanitized(request.nodeSeparation, 1.5, 18) / PointsPerInch);
    QByteArray ranksep = number(sanitized(request.rankSeparation, 1.5, 30) / PointsPerInch);
    cg.agattr(g, AGRAPH, cstr("nodesep"), cstr(nodesep));
    cg.agattr(g, AGRAPH, cstr("ranksep"), cstr(ranksep));
    // Rank the whole graph at once: the old per-cluster ranking reverses edges whenever a cluster reaches a
    // node outside it that leads back in, and a stage DAG should always flow one way.
    cg.agattr(g, AGRAPH, cstr("newrank"), cstr("true"));
    // Cluster titles are reserved boxes; keep them at the top, left-aligned like a window title.
    cg.agattr(g, AGRAPH, cstr("labelloc"), cstr("t"));
    cg.agattr(g, AGRAPH, cstr("labeljust"), cstr("l"));
    Agsym_t *graphLabel = cg.agattr(g, AGRAPH, cstr("label"), cstr(""));

    // Sizes come from the caller (fixedsize), so node labels are empty and need no text measurement.
    cg.agattr(g, AGNODE, cstr("shape"), cstr("box"));
    cg.agattr(g, AGNODE, cstr("fixedsize"), cstr("true"));
    cg.agattr(g, AGNODE, cstr("label"), cstr(""));
    Agsym_t *nodeWidth = cg.agattr(g, AGNODE, cstr("width"), cstr("0.75"));
    Agsym_t *nodeHeight = cg.agattr(g, AGNODE, cstr("height"), cstr("0.5"));

    Agsym_t *edgeLabel = cg.agattr(g, AGEDGE, cstr("label"), cstr(""));
    Agsym_t *edgeStyle = cg.agattr(g, AGEDGE, cstr("style"), cstr("solid"));
    Agsym_t *edgeWeight = cg.agattr(g, AGEDGE, cstr("weight"), cstr("1"));
    Agsym_t *edgeConstraint = cg.agattr(g, AGEDGE, cstr("constraint"), cstr("true"));

    // Empty clusters are left out: dot gives them no box and they would only confuse ranking.
    QList<int> clusterSize(request.clusters.size(), 0);
    for (const LayoutNode &node : request.nodes) {
        if (node.cluster >= 0 && node.cluster < clusterSize.size())
            ++clusterSize[node.cluster];
    }
    out.subgraphs.fill(nullptr, request.clusters.size());
    for (qsizetype i = 0; i < request.clusters.size(); ++i) {
        if (clusterSize[i] == 0)
            continue;
        QByteArray name = "cluster_" + QByteArray::number(i);
        Agraph_t *sg = cg.agsubg(g, cstr(name), 1);
        const QSizeF labelSize = request.clusters[i].labelSize;
        if (sg && labelSize.width() > 0 && labelSize.height() > 0) {
            QByteArray html = fixedSizeHtml(labelSize);
            cg.agxset(sg, graphLabel, cg.agstrdup_html(g, cstr(html)));
        }
        out.subgraphs[i] = sg;
    }

    out.nodes.fill(nullptr, nodeCount);
    for (qsizetype i = 0; i < nodeCount; ++i) {
        const LayoutNode &node = request.nodes[i];
        QByteArray name = "n" + QByteArray::number(i);
        Agraph_t *owner =
            (node.cluster >= 0 && node.cluster < out.subgraphs.size() && out.subgraphs[node.cluster])
            ? out.subgraphs[node.cluster]
            : g;
        Agnode_t *n = cg.agnode(owner, cstr(name), 1);
        if (!n) {
            result.error = QStringLiteral("could not create node %1").arg(node.id);
            return false;
        }
        // Graphviz wants inches here but reports everything else in points.
        QByteArray w = number(sanitized(node.size.width(), 1, 54) / PointsPerInch);
        QByteArray h = number(sanitized(node.size.height(), 1, 36) / PointsPerInch);
        cg.agxset(n, nodeWidth, cstr(w));
        cg.agxset(n, nodeHeight, cstr(h));
        out.nodes[i] = n;
    }

    out.edges.fill(nullptr, request.edges.size());
    for (qsizetype i = 0; i < request.edges.size(); ++i) {
        const LayoutEdge &edge = request.edges[i];
        if (edge.from < 0 || edge.from >= nodeCount || edge.to < 0 || edge.to >= nodeCount) {
            result.warnings.append(QStringLiteral("edge %1 refers to a missing node").arg(i));
            continue;
        }
        QByteArray name = "e" + QByteArray::number(i);
        Agedge_t *e = cg.agedge(g, out.nodes[edge.from], out.nodes[edge.to], cstr(name), 1);
        if (!e)
            continue;
        if (edge.labelSize.width() > 0 && edge.labelSize.height() > 0) {
            QByteArray html = fixedSizeHtml(edge.labelSize);
            cg.agxset(e, edgeLabel, cg.agstrdup_html(g, cstr(html)));
        }
        cg.agxset(e, edgeStyle, cstr(styleName(edge.style)));
        QByteArray weight = QByteArray::number(qBound(0, edge.weight, 1000));
        cg.agxset(e, edgeWeight, cstr(weight));
        if (!edge.constraint)
            cg.agxset(e, edgeConstraint, cstr("false"));
        out.edges[i] = e;
    }
    return true;
}

GraphLayout layoutLocked(const LayoutRequest &request, QStringList &messages)
{
    GraphLayout result;
    const qsizetype nodeCount = request.nodes.size();
    result.nodes.resize(nodeCount);
    result.clusters.resize(request.clusters.size());
    result.clusterLabels.resize(request.clusters.size());
    result.edges.resize(request.edges.size());
    if (nodeCount == 0)
        return result;

    const Graphviz &gv = graphviz();
    std::unique_ptr<GVC_t, GvcDeleter> gvc(gv.gvc.gvContextPlugins(gv.dot.builtins, 0));
    if (!gvc) {
        result.error = QStringLiteral("could not create a Graphviz context");
        return result;
    }
    CGraph built;
    if (!buildCGraph(request, nullptr, built, result))
        return result;
    Agraph_t *g = built.graph.get();
    const QList<Agraph_t *> &subgraphs = built.subgraphs;
    const QList<Agnode_t *> &nodes = built.nodes;
    const QList<Agedge_t *> &edges = built.edges;

    if (gv.gvc.gvLayout(gvc.get(), g, "dot") != 0) {
        result.error = joinedErrors(messages);
        if (result.error.isEmpty())
            result.error = QStringLiteral("Graphviz dot layout failed");
        return result;
    }

    const Flip flip {GD_bb(g)};
    result.boundingRect = flip.box(GD_bb(g));
    for (qsizetype i = 0; i < nodeCount; ++i) {
        Agnode_t *n = nodes[i];
        result.nodes[i] = flip.rect(ND_coord(n), ND_width(n) * PointsPerInch, ND_height(n) * PointsPerInch);
    }
    for (qsizetype i = 0; i < subgraphs.size(); ++i) {
        Agraph_t *sg = subgraphs[i];
        if (!sg)
            continue;
        result.clusters[i] = flip.box(GD_bb(sg));
        const QSizeF labelSize = request.clusters[i].labelSize;
        if (textlabel_t *label = GD_label(sg); label && labelSize.isValid()) {
            // dot centres the reserved box in a slot that may be wider; report the box the caller asked for,
            // left-aligned at the slot like labeljust=l.
            QRectF slot = flip.rect(label->pos, label->dimen.x, label->dimen.y);
            QRectF box(QPointF(), labelSize.boundedTo(QSizeF(MaxExtent, MaxExtent)));
            box.moveCenter(slot.center());
            box.moveLeft(qMax(result.clusters[i].left(), slot.left()));
            result.clusterLabels[i] = box;
        }
    }
    for (qsizetype i = 0; i < edges.size(); ++i) {
        Agedge_t *e = edges[i];
        if (!e)
            continue;
        EdgeGeometry &geometry = result.edges[i];
        if (const splines *spl = ED_spl(e); spl && spl->size > 0) {
            // One edge normally has one bezier; should dot split it, the pieces join end to start, so the
            // joined list keeps the 3n+1 shape.
            for (int b = 0; b < spl->size; ++b) {
                const bezier &bz = spl->list[b];
                for (int p = (geometry.bezier.isEmpty() ? 0 : 1); p < bz.size; ++p)
                    geometry.bezier.append(flip(bz.list[p]));
                if (b == 0 && bz.sflag)
                    geometry.arrowTail = flip(bz.sp);
                if (b == spl->size - 1 && bz.eflag)
                    geometry.arrowHead = flip(bz.ep);
            }
        }
        if (textlabel_t *label = ED_label(e); label && label->set)
            geometry.labelCenter = flip(label->pos);
    }
    // Must run before agclose (the graph deleter): it frees the layout records hanging off the graph.
    gv.gvc.gvFreeLayout(gvc.get(), g);
    normalize(result);
    return result;
}

int appendToByteArray(void *chan, const char *text)
{
    static_cast<QByteArray *>(chan)->append(text);
    return 0;
}

int flushNothing(void *)
{
    return 0;
}

// Set and called only while s_graphvizMutex is held.
LayoutRequestObserver s_observer;

struct LayoutPool
{
    LayoutPool() { pool.setMaxThreadCount(1); }
    QThreadPool pool;
};

Q_GLOBAL_STATIC(LayoutPool, s_layoutPool)

} // namespace

GraphLayout layoutGraph(const LayoutRequest &request)
{
    if (request.nodes.size() > MaxLayoutNodes || request.edges.size() > MaxLayoutEdges) {
        GraphLayout result;
        result.error = QStringLiteral("graph too large to lay out (%1 nodes, %2 edges; limits %3 and %4)")
                           .arg(request.nodes.size())
                           .arg(request.edges.size())
                           .arg(MaxLayoutNodes)
                           .arg(MaxLayoutEdges);
        return result;
    }

    const Cgraph &cg = graphviz().cgraph;
    if (const QString error = graphviz().error(); !error.isEmpty()) {
        GraphLayout result;
        result.error = error;
        qCWarning(lcLayout) << "layout failed:" << result.error;
        return result;
    }
    QMutexLocker locker(&s_graphvizMutex);
    if (s_observer)
        s_observer(request);
    QStringList messages;
    s_messageSink = &messages;
    cg.agreseterrors();
    const agusererrf previous = cg.agseterrf(captureGraphvizMessage);
    GraphLayout result = layoutLocked(request, messages);
    cg.agseterrf(previous);
    s_messageSink = nullptr;

    for (const QString &m : std::as_const(messages)) {
        if (m.startsWith(QLatin1String("Warning"), Qt::CaseInsensitive))
            result.warnings.append(m);
    }
    if (!result.isValid())
        qCWarning(lcLayout) << "layout failed:" << result.error;
    return result;
}

QByteArray layoutRequestToDot(const LayoutRequest &request)
{
    const Cgraph &cg = graphviz().cgraph;
    if (!graphviz().error().isEmpty())
        return {};
    QMutexLocker locker(&s_graphvizMutex);
    Agiodisc_t io = *cg.AgIoDisc;
    io.putstr = appendToByteArray;
    io.flush = flushNothing;
    Agdisc_t disc = {cg.AgMemDisc, cg.AgIdDisc, &io};
    QStringList messages;
    s_messageSink = &messages;
    cg.agreseterrors();
    const agusererrf previous = cg.agseterrf(captureGraphvizMessage);
    CGraph built;
    GraphLayout ignored;
    QByteArray dot;
    if (buildCGraph(request, &disc, built, ignored)) {
        cg.agwrite(built.graph.get(), &dot);
        // agwrite leaves out attribute defaults that are empty strings, but the dot command's default node
        // label is "\N" (the node name, measured as text): say label="" as the graph in memory has it.
        const qsizetype open = dot.indexOf("{\n");
        if (open >= 0)
            dot.insert(open + 2, "\tnode [label=\"\"];\n");
    }
    built = CGraph();
    cg.agseterrf(previous);
    s_messageSink = nullptr;
    return dot;
}

void setLayoutRequestObserver(LayoutRequestObserver observer)
{
    QMutexLocker locker(&s_graphvizMutex);
    s_observer = std::move(observer);
}

QFuture<GraphLayout> layoutGraphAsync(const LayoutRequest &request)
{
    return QtConcurrent::run(&s_layoutPool()->pool, [request] { return layoutGraph(request); });
}

} // namespace Stagelens
