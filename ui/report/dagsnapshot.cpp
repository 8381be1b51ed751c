#include "dagsnapshot.h"

#include "ui/graph/dagitems.h"
#include "ui/graph/dagscene.h"
#include "ui/style/palette.h"
#include "ui/viewadapters.h"

#include <QFont>
#include <QMap>
#include <QPainter>
#include <QPalette>

namespace Stagelens {

DagSnapshot::DagSnapshot(const ReportData &data, bool collapsed)
    : m_scene(std::make_unique<DagScene>())
    , m_collapsed(collapsed)
{
    if (data.graph.stages.isEmpty()) {
        m_error = QStringLiteral("the Dockerfile has no stages");
        return;
    }
    // Reports are printed on white whatever the desktop theme, so the scene gets a light palette and a
    // fixed font instead of the application's.
    m_scene->setPalette(ViewPalette::printPalette());
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setHintingPreference(QFont::PreferNoHinting);
    font.setPixelSize(9);
    m_scene->setFont(font);

    DagInput input = makeDagInput(data.graph, data.analysis);
    input.model.collapsed = collapsed;

    // Laid out here and now: a report never spins an event loop while other results could re-enter.
    if (!m_scene->setModelAndLayOut(input.model))
        m_error = m_scene->layoutError().isEmpty() ? QStringLiteral("the graph layout failed")
                                                   : m_scene->layoutError();
    if (m_error.isEmpty()) {
        m_rect = m_scene->itemsBoundingRect().marginsAdded(QMarginsF(4, 4, 4, 4));
        // Every item of a stage (cluster, title, steps; or its one node when collapsed) in one group.
        QMap<int, NodeGroup> stages;
        auto addToStage = [&stages](int stage, QGraphicsItem *item) {
            NodeGroup &g = stages[stage];
            g.rect = g.rect.isNull() ? item->sceneBoundingRect() : g.rect.united(item->sceneBoundingRect());
            g.items.append(item);
        };
        for (QGraphicsItem *item : m_scene->items()) {
            if (auto *step = dynamic_cast<StepNodeItem *>(item))
                addToStage(step->stage(), item);
            else if (auto *node = dynamic_cast<StageNodeItem *>(item))
                addToStage(node->stage(), item);
            else if (auto *cluster = dynamic_cast<StageClusterItem *>(item))
                addToStage(cluster->stage(), item);
            else if (auto *title = dynamic_cast<StageTitleItem *>(item))
                addToStage(title->stage(), item);
            else if (dynamic_cast<ImageNodeItem *>(item))
                m_groups.append({item->sceneBoundingRect(), {item}});
        }
        m_groups += stages.values();
    }
}

QList<QRectF> DagSnapshot::nodeRects() const
{
    QList<QRectF> rects;
    for (const NodeGroup &g : m_groups)
        rects.append(g.rect);
    return rects;
}

QRectF DagSnapshot::tileSource(const QRectF &cell) const
{
    QRectF source = cell;
    for (const NodeGroup &g : m_groups) {
        if (cell.contains(g.rect.center()))
            source = source.united(g.rect);
    }
    return source;
}

void DagSnapshot::renderTile(QPainter *painter, const QRectF &target, const QRectF &cell) const
{
    if (!isValid())
        return;
    // Other tiles' stages are hidden while this one paints, so none shows in part on two pages.
    QList<QGraphicsItem *> hidden;
    for (const NodeGroup &g : m_groups) {
        if (cell.contains(g.rect.center()))
            continue;
        for (QGraphicsItem *item : g.items) {
            if (item->isVisible()) {
                item->setVisible(false);
                hidden.append(item);
            }
        }
    }
    render(painter, target, tileSource(cell));
    for (QGraphicsItem *item : hidden)
        item->setVisible(true);
}

QList<qreal> tileCuts(qreal from, qreal to, qreal maxSpan, const QList<QPair<qreal, qreal>> &boxes)
{
    QList<qreal> cuts {from};
    if (!(maxSpan > 0) || !(to > from))
        return cuts << to;
    constexpr qreal Gap = 2;
    qreal pos = from;
    while (to - pos > maxSpan + 1e-6) {
        const qreal wanted = pos + maxSpan;
        qreal cut = wanted;
        // Back off before every box the cut would go through; boxes overlap, so repeat until none is cut.
        for (bool moved = true; moved;) {
            moved = false;
            for (const auto &[a, b] : boxes) {
                if (a < cut && cut < b && a - Gap < cut) {
                    cut = a - Gap;
                    moved = true;
                }
            }
        }
        if (cut < pos + maxSpan / 4)
            cut = wanted; // a box (or a run of overlapping ones) wider than a page: cut it where it must be
        cuts.append(cut);
        pos = cut;
    }
    cuts.append(to);
    return cuts;
}

DagSnapshot::~DagSnapshot() = default;

void DagSnapshot::render(QPainter *painter, const QRectF &target, const QRectF &source) const
{
    if (!isValid())
        return;
    painter->save();
    painter->setClipRect(target);
    m_scene->render(painter, target, source, Qt::KeepAspectRatio);
    painter->restore();
}

} // namespace Stagelens
