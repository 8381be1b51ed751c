#include "dagscene.h"

#include <QDataStream>
#include <QEvent>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QFutureWatcher>
#include <QHash>
#include <QIODevice>
#include <QLoggingCategory>

#include <algorithm>
#include <memory>

Q_LOGGING_CATEGORY(lcDag, "stagelens.ui.dag", QtWarningMsg)

namespace Stagelens {

namespace {

constexpr qreal MaxStepTextWidth = 380; // longer instructions are elided; the tooltip has them in full
constexpr qreal MaxTitleWidth = 420;
constexpr qreal NodePadding = 8;
constexpr qreal SceneMargin = 24;
constexpr int MaxEdgesPerModel = 10000; // hostile models: beyond this, dependencies are dropped

enum class NodeKind
{
    Step,
    Image,
    Stage,
    Placeholder
};

struct NodeInfo
{
    NodeKind kind = NodeKind::Step;
    int stage = -1;
    int step = -1;
    int image = -1;
    StepNodeItem::Texts texts;
    QString title;
    QString summary;
    StepState state = StepState::NoLog;
    bool critical = false;
};

struct EdgeInfo
{
    DependencyEdgeItem::Role role = DependencyEdgeItem::Role::Dependency;
    int modelEdge = -1;
    DagEdgeKind kind = DagEdgeKind::From;
    bool critical = false;
    bool dimmed = false;
    QString label;
    QString toolTip;
};

struct ClusterInfo
{
    int stage = -1;
    QString title;
    QString subtitle;
};

QString stageTitle(const DagModel &model, int stage)
{
    const QString name = model.stages[stage].name;
    return name.isEmpty() ? QStringLiteral("stage-%1").arg(stage) : name;
}

QString stepToolTip(const DagModel &model, int stage, int step)
{
    const DagStage &s = model.stages[stage];
    const DagStep &d = s.steps[step];
    QStringList lines;
    lines << (d.label.isEmpty() ? d.shortText : d.label);
    lines << QStringLiteral("Stage %1, step %2 of %3")
                 .arg(stageTitle(model, stage))
                 .arg(step + 1)
                 .arg(s.steps.size());
    if (d.line > 0)
        lines << QStringLiteral("Dockerfile line %1").arg(d.line);
    if (d.state != StepState::NoLog) {
        QString state = QStringLiteral("Cache: %1").arg(dagStepStateName(d.state));
        if (d.seconds >= 0)
            state += QStringLiteral(", %1").arg(formatSeconds(d.seconds));
        lines << state;
    } else if (d.seconds >= 0) {
        lines << formatSeconds(d.seconds);
    }
    if (d.critical)
        lines << QStringLiteral("On the critical path");
    if (d.verdict != WhatIfVerdict::None)
        lines << QStringLiteral("After the edit: %1").arg(whatIfVerdictName(d.verdict));
    if (d.change != DagChange::None) {
        lines << QStringLiteral("Against the build before: %1%2")
                     .arg(dagChangeName(d.change), d.rootMiss ? QStringLiteral(" (root miss)") : QString());
        if (!d.changeNote.isEmpty())
            lines << d.changeNote;
    }
    if (!s.needed)
        lines << QStringLiteral("The target does not need this stage");
    return lines.join(QLatin1Char('\n'));
}

// The summary state of a collapsed stage: the most alarming one wins.
StepState stageState(const DagStage &stage)
{
    auto has = [&stage](StepState state) {
        return std::any_of(
            stage.steps.begin(), stage.steps.end(), [state](const DagStep &s) { return s.state == state; });
    };
    for (StepState s : {StepState::Error, StepState::Canceled, StepState::Running, StepState::Ran,
             StepState::Cached, StepState::NotInLog}) {
        if (has(s))
            return s;
    }
    return StepState::NoLog;
}

} // namespace

struct DagScene::Prepared
{
    LayoutRequest request;
    QList<NodeInfo> nodes;
    QList<EdgeInfo> edges;
    QList<ClusterInfo> clusters;
    /// What the layout depends on besides text widths: the nodes, edges and clusters, the collapsed mode,
    /// whether a build is loaded (the state stripe) and the fonts. Equal keys: restyle, no new layout.
    QByteArray key;
};

DagScene::DagScene(QObject *parent)
    : QGraphicsScene(parent)
{
    updateFonts();
    connect(this, &QGraphicsScene::selectionChanged, this, &DagScene::onSelectionChanged);
}

DagScene::~DagScene()
{
    // QGraphicsScene's destructor removes the items and emits selectionChanged() when DagScene is already
    // gone: cut the connection first.
    disconnect(this, &QGraphicsScene::selectionChanged, this, &DagScene::onSelectionChanged);
}

void DagScene::updateFonts()
{
    // Pixel sizes: one scene unit is one Graphviz point, and the text must measure the same on every device
    // (screen, QImage for reports) or it overflows the boxes it was measured for.
    QFont base = font();
    const int px = qMax(8, QFontInfo(base).pixelSize());
    m_fonts.text = base;
    m_fonts.text.setPixelSize(px);
    m_fonts.bold = m_fonts.text;
    m_fonts.bold.setBold(true);
    m_fonts.small = base;
    m_fonts.small.setPixelSize(qMax(8, qRound(px * 0.85)));
    m_fonts.smallBold = m_fonts.small;
    m_fonts.smallBold.setBold(true);
    m_fonts.title = base;
    m_fonts.title.setPixelSize(qRound(px * 1.1));
    m_fonts.title.setBold(true);
}

bool DagScene::event(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        updateFonts();
        relayout();
    }
    return QGraphicsScene::event(event);
}

void DagScene::setModel(const DagModel &model)
{
    m_model = model;
    auto prepared = std::make_shared<Prepared>(prepare());
    if (m_pending && prepared->key == m_pendingKey) {
        // The layout running fits this model too: it will show the newest states when it lands.
        m_pendingPrepared = std::move(prepared);
        return;
    }
    if (!m_pending && !m_shownKey.isEmpty() && prepared->key == m_shownKey) {
        restyle(*prepared);
        emit restyled();
        return;
    }
    relayout(std::move(prepared));
}

bool DagScene::setModelAndLayOut(const DagModel &model)
{
    m_model = model;
    const Prepared prepared = prepare();
    ++m_generation; // a background layout still running is dropped
    ++m_layoutCount;
    m_pending = false;
    m_pendingPrepared.reset();
    const GraphLayout layout = layoutGraph(prepared.request);
    if (!layout.isValid()) {
        m_error = layout.error;
        return false;
    }
    m_error.clear();
    buildItems(prepared, layout);
    m_shownKey = prepared.key;
    return true;
}

void DagScene::setCollapsed(bool collapsed)
{
    if (m_model.collapsed == collapsed)
        return;
    m_model.collapsed = collapsed;
    relayout();
}

DagScene::Prepared DagScene::prepare() const
{
    Prepared p;
    const DagModel &m = m_model;
    const QFontMetricsF text(m_fonts.text), bold(m_fonts.bold), small(m_fonts.small),
        smallBold(m_fonts.smallBold), title(m_fonts.title);
    const qreal stepHeight = qCeil(bold.height() + 12);
    const qreal secondsRoom = small.horizontalAdvance(QStringLiteral("00 min 00 s"));

    auto addNode = [&p](const NodeInfo &info, const QSizeF &size, int cluster) {
        p.nodes.append(info);
        p.request.nodes.append({QString(), size, cluster});
        return int(p.nodes.size() - 1);
    };

    // Images first so that they rank above the stages that use them.
    QList<int> imageNode(m.images.size(), -1);
    for (qsizetype i = 0; i < m.images.size(); ++i) {
        NodeInfo info;
        info.kind = NodeKind::Image;
        info.image = int(i);
        info.title = small.elidedText(m.images[i].name, Qt::ElideMiddle, MaxTitleWidth);
        const QSizeF size(
            qCeil(small.horizontalAdvance(info.title) + 2 * NodePadding + 12), qCeil(small.height() + 12));
        imageNode[i] = addNode(info, size, -1);
    }

    // Per stage: its step nodes (expanded) or its one node (collapsed).
    QList<QList<int>> stepNode(m.stages.size());
    QList<int> stageNode(m.stages.size(), -1);
    for (qsizetype s = 0; s < m.stages.size(); ++s) {
        const DagStage &stage = m.stages[s];
        const QString name =
            stageTitle(m, int(s)) + (stage.needed ? QString() : QStringLiteral(" (not built)"));
        if (m.collapsed) {
            NodeInfo info;
            info.kind = NodeKind::Stage;
            info.stage = int(s);
            info.title = title.elidedText(name, Qt::ElideRight, MaxTitleWidth);
            double total = 0;
            int cached = 0;
            for (const DagStep &step : stage.steps) {
                total += qMax(0.0, step.seconds);
                cached += step.state == StepState::Cached ? 1 : 0;
                info.critical = info.critical || step.critical;
            }
            QStringList parts {QStringLiteral("%1 steps").arg(stage.steps.size())};
            if (total > 0)
                parts << formatSeconds(total);
            if (cached > 0)
                parts << QStringLiteral("%1 cached").arg(cached);
            if (!stage.baseImage.isEmpty())
                parts << small.elidedText(stage.baseImage, Qt::ElideMiddle, MaxTitleWidth / 2);
            info.summary = parts.join(QStringLiteral(" | "));
            info.state = stageState(stage);
            // Room for another build's summary too (a long total, every step cached), so that switching
            // builds restyles the node instead of laying the graph out again.
            QString widest = info.summary;
            if (info.state != StepState::NoLog) {
                QStringList longest {parts.first(), QStringLiteral("00 min 00 s"),
                    QStringLiteral("%1 cached").arg(stage.steps.size())};
                if (!stage.baseImage.isEmpty())
                    longest << parts.last();
                widest = longest.join(QStringLiteral(" | "));
            }
            const qreal w = qMax(title.horizontalAdvance(info.title),
                                qMax(small.horizontalAdvance(info.summary), small.horizontalAdvance(widest)))
                + 2 * NodePadding + 6 + StepNodeItem::stripeWidth(info.state);
            stageNode[s] = addNode(info, QSizeF(qCeil(w), qCeil(title.height() + small.height() + 10)), -1);
            continue;
        }

        const int cluster = int(p.request.clusters.size());
        ClusterInfo clusterInfo;
        clusterInfo.stage = int(s);
        clusterInfo.title = title.elidedText(name, Qt::ElideRight, MaxTitleWidth);
        clusterInfo.subtitle = small.elidedText(stage.baseImage, Qt::ElideMiddle, MaxTitleWidth);
        const qreal labelWidth =
            qMax(title.horizontalAdvance(clusterInfo.title), small.horizontalAdvance(clusterInfo.subtitle))
            + 6;
        const qreal labelHeight = title.height() + (clusterInfo.subtitle.isEmpty() ? 0 : small.height()) + 4;
        p.clusters.append(clusterInfo);
        p.request.clusters.append({clusterInfo.title, QSizeF(qCeil(labelWidth), qCeil(labelHeight))});

        if (stage.steps.isEmpty()) {
            NodeInfo info;
            info.kind = NodeKind::Placeholder;
            info.stage = int(s);
            info.title = QStringLiteral("(no steps)");
            stepNode[s].append(addNode(info,
                QSizeF(qCeil(small.horizontalAdvance(info.title) + 2 * NodePadding), stepHeight), cluster));
            continue;
        }
        // All steps of a stage share one width so the stage reads as a tidy column.
        QList<NodeInfo> infos;
        qreal width = 0;
        for (qsizetype k = 0; k < stage.steps.size(); ++k) {
            const DagStep &step = stage.steps[k];
            NodeInfo info;
            info.kind = NodeKind::Step;
            info.stage = int(s);
            info.step = int(k);
            info.state = step.state;
            info.critical = step.critical;
            const QFontMetricsF &metrics = step.critical ? bold : text;
            const QString full = step.shortText.isEmpty() ? step.label : step.shortText;
            // One line per node: newlines (heredocs, continuations) would break the fixed box height.
            QString oneLine = full.left(2000);
            oneLine.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\t'), QLatin1Char(' '));
            info.texts.text = metrics.elidedText(oneLine, Qt::ElideRight, MaxStepTextWidth);
            info.texts.seconds = formatSeconds(step.seconds);
            info.texts.badge = step.change != DagChange::None ? dagChangeBadge(step.change, step.rootMiss)
                                                              : whatIfVerdictName(step.verdict).toUpper();
            // Sized so that another build's times or critical path fit without a new layout: the text as
            // if bold, and room for a long duration whenever a build is loaded.
            qreal w = StepNodeItem::stripeWidth(step.state) + NodePadding
                + bold.horizontalAdvance(info.texts.text) + NodePadding;
            if (step.state != StepState::NoLog)
                w += qMax(small.horizontalAdvance(info.texts.seconds), secondsRoom) + 12;
            else if (!info.texts.seconds.isEmpty())
                w += small.horizontalAdvance(info.texts.seconds) + 12;
            if (!info.texts.badge.isEmpty())
                w += smallBold.horizontalAdvance(info.texts.badge) + 8 + 8;
            width = qMax(width, w);
            infos.append(info);
        }
        width = qMax<qreal>(qCeil(width + 2), 120);
        for (qsizetype k = 0; k < infos.size(); ++k) {
            stepNode[s].append(addNode(infos[k], QSizeF(width, stepHeight), cluster));
            if (k > 0) {
                EdgeInfo order;
                order.role = DependencyEdgeItem::Role::StepOrder;
                order.critical = stage.steps[k - 1].critical && stage.steps[k].critical;
                order.dimmed = !stage.needed;
                p.edges.append(order);
                // Heavy weight: dot keeps a stage's steps in one straight column.
                p.request.edges.append({stepNode[s][k - 1], stepNode[s][k], QString(), QSizeF(),
                    LayoutEdgeStyle::Solid, 50, true});
            }
        }
    }

    QHash<QString, bool> seen; // collapsed mode merges parallel edges of the same kind
    const int edgeLimit = int(qMin<qsizetype>(m.edges.size(), MaxEdgesPerModel));
    for (int e = 0; e < edgeLimit; ++e) {
        const DagEdge &edge = m.edges[e];
        if (edge.toStage < 0 || edge.toStage >= m.stages.size())
            continue;
        int source = -1;
        bool sourceCritical = false;
        bool dimmed = !m.stages[edge.toStage].needed;
        QString sourceName;
        if (edge.fromStage >= 0 && edge.fromStage < m.stages.size()) {
            if (edge.fromStage == edge.toStage)
                continue;
            const DagStage &from = m.stages[edge.fromStage];
            source = m.collapsed ? stageNode[edge.fromStage] : stepNode[edge.fromStage].last();
            sourceCritical = !from.steps.isEmpty() && from.steps.last().critical;
            dimmed = dimmed || !from.needed;
            sourceName = stageTitle(m, edge.fromStage);
        } else if (edge.fromStage < 0 && edge.fromImage >= 0 && edge.fromImage < m.images.size()) {
            source = imageNode[edge.fromImage];
            sourceName = m.images[edge.fromImage].name;
        }
        if (source < 0)
            continue;
        const DagStage &to = m.stages[edge.toStage];
        const int toStep = to.steps.isEmpty() ? 0 : qBound(0, edge.toStep, int(to.steps.size()) - 1);
        const int target = m.collapsed ? stageNode[edge.toStage] : stepNode[edge.toStage][toStep];
        if (m.collapsed) {
            const QString key = QStringLiteral("%1>%2:%3").arg(source).arg(target).arg(int(edge.kind));
            if (seen.contains(key))
                continue;
            seen.insert(key, true);
        }
        EdgeInfo info;
        info.modelEdge = e;
        info.kind = edge.kind;
        info.label = dagEdgeKindName(edge.kind);
        info.dimmed = dimmed;
        const bool targetCritical = !to.steps.isEmpty() && to.steps[toStep].critical;
        info.critical = m.collapsed ? (p.nodes[source].critical && p.nodes[target].critical)
                                    : (sourceCritical && targetCritical);
        info.toolTip =
            QStringLiteral("%1 -> %2 (%3)").arg(sourceName, stageTitle(m, edge.toStage), info.label);
        p.edges.append(info);
        const LayoutEdgeStyle style = edge.kind == DagEdgeKind::Copy ? LayoutEdgeStyle::Dashed
            : edge.kind == DagEdgeKind::Mount                        ? LayoutEdgeStyle::Dotted
                                                                     : LayoutEdgeStyle::Solid;
        const QSizeF labelSize(qCeil(small.horizontalAdvance(info.label) + 10), qCeil(small.height() + 4));
        // One weight for every dependency: a critical path that changes with the build must not move nodes.
        p.request.edges.append({source, target, info.label, labelSize, style, 1, true});
    }
    p.request.rankDir = RankDir::TopToBottom;
    p.request.nodeSeparation = 22;
    p.request.rankSeparation = 26;

    QDataStream key(&p.key, QIODevice::WriteOnly);
    bool timed = false;
    key << m.collapsed << m.compareMode << m_fonts.text.toString() << qint64(p.nodes.size());
    for (qsizetype n = 0; n < p.nodes.size(); ++n) {
        const NodeInfo &info = p.nodes[n];
        key << int(info.kind) << info.stage << info.step << info.image << p.request.nodes[n].cluster;
        if (info.kind != NodeKind::Step)
            key << info.title;
        timed = timed || info.state != StepState::NoLog;
    }
    key << qint64(p.clusters.size());
    for (const ClusterInfo &c : std::as_const(p.clusters))
        key << c.stage << c.title << c.subtitle;
    key << qint64(p.edges.size());
    for (qsizetype e = 0; e < p.edges.size(); ++e) {
        const LayoutEdge &edge = p.request.edges[e];
        key << edge.from << edge.to << int(edge.style) << int(p.edges[e].role) << p.edges[e].modelEdge
            << p.edges[e].dimmed;
    }
    key << timed;
    return p;
}

void DagScene::relayout()
{
    relayout(std::make_shared<Prepared>(prepare()));
}

void DagScene::relayout(std::shared_ptr<Prepared> prepared)
{
    const quint64 generation = ++m_generation;
    ++m_layoutCount;
    m_pending = true;
    m_pendingKey = prepared->key;
    m_pendingPrepared = prepared;
    emit layoutStarted();
    // A watcher owned by the scene: if the scene goes away first, the result is simply never delivered.
    auto *watcher = new QFutureWatcher<GraphLayout>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // a newer model superseded this layout
        m_pending = false;
        const std::shared_ptr<Prepared> latest = std::exchange(m_pendingPrepared, {});
        const GraphLayout layout = watcher->result();
        if (!layout.isValid()) {
            m_error = layout.error;
            qCWarning(lcDag) << "stage graph layout failed:" << layout.error;
            emit layoutFailed(layout.error);
            return;
        }
        m_error.clear();
        buildItems(*latest, layout);
        m_shownKey = latest->key;
        emit layoutFinished();
    });
    watcher->setFuture(layoutGraphAsync(prepared->request));
}

void DagScene::buildItems(const Prepared &p, const GraphLayout &layout)
{
    m_selectingProgrammatically = true;
    clear();
    m_nodeItems.clear();
    m_edgeItems.clear();
    m_shownKey.clear();
    const DagModel &m = m_model;

    for (qsizetype c = 0; c < p.clusters.size(); ++c) {
        const ClusterInfo &info = p.clusters[c];
        if (layout.clusters[c].isNull())
            continue;
        const DagStage &stage = m.stages[info.stage];
        auto *item = new StageClusterItem(info.stage, layout.clusters[c], layout.clusterLabels[c], info.title,
            info.subtitle, stage.needed, m_fonts);
        item->setZValue(-10);
        QString tip = stageTitle(m, info.stage);
        if (!stage.baseImage.isEmpty())
            tip += QStringLiteral("\nBase: %1").arg(stage.baseImage);
        tip += QStringLiteral("\n%1 steps").arg(stage.steps.size());
        if (!stage.needed) {
            tip += QStringLiteral("\nThe target does not need this stage: BuildKit does not build it");
            item->setOpacity(0.5);
        }
        item->setData(ToolTipDataKey, tip);
        addItem(item);
        auto *title = new StageTitleItem(
            info.stage, layout.clusterLabels[c], info.title, info.subtitle, stage.needed, m_fonts);
        title->setZValue(7);
        title->setOpacity(item->opacity());
        title->setData(ToolTipDataKey, tip);
        addItem(title);
    }

    for (qsizetype n = 0; n < p.nodes.size(); ++n) {
        const NodeInfo &info = p.nodes[n];
        const QRectF rect = layout.nodes[n];
        QGraphicsItem *item = nullptr;
        switch (info.kind) {
        case NodeKind::Step: {
            const DagStep &step = m.stages[info.stage].steps[info.step];
            auto *node =
                new StepNodeItem(info.stage, info.step, step, rect.size(), info.texts, m_fonts, m.showHeat);
            // A layout of an older model of the same structure: its boxes may be narrower than these texts.
            node->setContent(step, info.texts, m.showHeat);
            item = node;
            item->setData(ToolTipDataKey, stepToolTip(m, info.stage, info.step));
            break;
        }
        case NodeKind::Stage: {
            item = new StageNodeItem(
                info.stage, info.title, info.summary, info.state, info.critical, rect.size(), m_fonts);
            item->setData(ToolTipDataKey, QString(info.title + QLatin1Char('\n') + info.summary));
            break;
        }
        case NodeKind::Image:
            item = new ImageNodeItem(info.image, info.title, rect.size(), m_fonts);
            item->setData(ToolTipDataKey, QStringLiteral("Image %1").arg(m.images[info.image].name));
            break;
        case NodeKind::Placeholder:
            item = new ImageNodeItem(-1, info.title, rect.size(), m_fonts);
            break;
        }
        item->setPos(rect.topLeft());
        item->setZValue(10);
        if (info.stage >= 0 && !m.stages[info.stage].needed)
            item->setOpacity(0.5);
        addItem(item);
        m_nodeItems.append(item);
    }

    for (qsizetype e = 0; e < p.edges.size(); ++e) {
        const EdgeInfo &info = p.edges[e];
        const EdgeGeometry &geometry = layout.edges[e];
        m_edgeItems.append(nullptr);
        if (geometry.bezier.isEmpty())
            continue;
        auto *item = new DependencyEdgeItem(info.role, info.kind, geometry.bezier, geometry.arrowHead,
            geometry.labelCenter, info.label, info.critical, m_fonts);
        item->modelEdge = info.modelEdge;
        item->setZValue(info.critical ? 6 : 5);
        if (info.dimmed)
            item->setOpacity(0.5);
        if (!info.toolTip.isEmpty())
            item->setData(ToolTipDataKey, info.toolTip);
        addItem(item);
        m_edgeItems.last() = item;
    }

    m_graphRect = layout.boundingRect;
    setSceneRect(m_graphRect.adjusted(-SceneMargin, -SceneMargin, SceneMargin, SceneMargin));
    if (m_selection.first >= 0) {
        if (QGraphicsItem *item = stepItem(m_selection.first, m_selection.second))
            item->setSelected(true);
        else
            m_selection = {-1, -1};
    }
    m_selectingProgrammatically = false;
}

void DagScene::restyle(const Prepared &p)
{
    const DagModel &m = m_model;
    for (qsizetype n = 0; n < p.nodes.size() && n < m_nodeItems.size(); ++n) {
        const NodeInfo &info = p.nodes[n];
        QGraphicsItem *item = m_nodeItems[n];
        if (info.kind == NodeKind::Step && item->type() == StepNodeType) {
            static_cast<StepNodeItem *>(item)->setContent(
                m.stages[info.stage].steps[info.step], info.texts, m.showHeat);
            item->setData(ToolTipDataKey, stepToolTip(m, info.stage, info.step));
        } else if (info.kind == NodeKind::Stage && item->type() == StageNodeType) {
            auto *node = static_cast<StageNodeItem *>(item);
            node->setContent(info.summary, info.state, info.critical);
            item->setData(ToolTipDataKey, QString(info.title + QLatin1Char('\n') + info.summary));
        }
    }
    for (qsizetype e = 0; e < p.edges.size() && e < m_edgeItems.size(); ++e) {
        if (DependencyEdgeItem *item = m_edgeItems[e]) {
            item->setCritical(p.edges[e].critical);
            item->setZValue(p.edges[e].critical ? 6 : 5);
        }
    }
}

QList<StepNodeItem *> DagScene::stepItems() const
{
    QList<StepNodeItem *> result;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (item->type() == StepNodeType)
            result.append(static_cast<StepNodeItem *>(item));
    }
    return result;
}

QList<StageNodeItem *> DagScene::stageNodeItems() const
{
    QList<StageNodeItem *> result;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (item->type() == StageNodeType)
            result.append(static_cast<StageNodeItem *>(item));
    }
    return result;
}

QList<StageClusterItem *> DagScene::clusterItems() const
{
    QList<StageClusterItem *> result;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (item->type() == StageClusterType)
            result.append(static_cast<StageClusterItem *>(item));
    }
    return result;
}

QList<ImageNodeItem *> DagScene::imageItems() const
{
    QList<ImageNodeItem *> result;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (item->type() == ImageNodeType && static_cast<ImageNodeItem *>(item)->image() >= 0)
            result.append(static_cast<ImageNodeItem *>(item));
    }
    return result;
}

QList<DependencyEdgeItem *> DagScene::dependencyItems() const
{
    QList<DependencyEdgeItem *> result;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (item->type() == DependencyEdgeType
            && static_cast<DependencyEdgeItem *>(item)->role() == DependencyEdgeItem::Role::Dependency)
            result.append(static_cast<DependencyEdgeItem *>(item));
    }
    return result;
}

QGraphicsItem *DagScene::stepItem(int stage, int step) const
{
    for (QGraphicsItem *item : items()) {
        if (item->type() == StepNodeType) {
            auto *node = static_cast<StepNodeItem *>(item);
            if (node->stage() == stage && node->step() == step)
                return node;
        } else if (item->type() == StageNodeType && static_cast<StageNodeItem *>(item)->stage() == stage
            && (step < 0 || m_model.collapsed)) {
            return item;
        }
    }
    return nullptr;
}

void DagScene::selectStep(int stage, int step)
{
    m_selectingProgrammatically = true;
    clearSelection();
    m_selection = {-1, -1};
    if (QGraphicsItem *item = stepItem(stage, step)) {
        item->setSelected(true);
        m_selection = {stage, step};
    } else if (m_pending) {
        m_selection = {stage, step}; // applied when the pending layout arrives
    }
    m_selectingProgrammatically = false;
}

QPair<int, int> DagScene::selectedStep() const
{
    return m_selection;
}

void DagScene::onSelectionChanged()
{
    if (m_selectingProgrammatically)
        return;
    const QList<QGraphicsItem *> selected = selectedItems();
    if (selected.isEmpty()) {
        m_selection = {-1, -1};
        return;
    }
    QGraphicsItem *item = selected.first();
    QPair<int, int> selection {-1, -1};
    if (item->type() == StepNodeType) {
        auto *node = static_cast<StepNodeItem *>(item);
        selection = {node->stage(), node->step()};
    } else if (item->type() == StageNodeType) {
        selection = {static_cast<StageNodeItem *>(item)->stage(), -1};
    }
    if (selection.first < 0 || selection == m_selection)
        return;
    m_selection = selection;
    emit stepSelected(selection.first, selection.second);
}

} // namespace Stagelens
