#pragma once

// The GUI's stage DAG (ui/graph DagScene) laid out once, offscreen, for painting into a report.
/// GUI thread only.

#include "model/report/reportdata.h"

#include <QRectF>
#include <QString>

#include <memory>

class QGraphicsItem;
class QPainter;

namespace Stagelens {

class DagScene;

class DagSnapshot
{
public:
    /// Lays out the DAG of `data` (one node per stage when `collapsed`) on the calling thread. Check error()
    /// for failure.
    DagSnapshot(const ReportData &data, bool collapsed);
    ~DagSnapshot();

    bool isValid() const { return m_error.isEmpty() && !m_rect.isEmpty(); }
    QString error() const { return m_error; }
    bool isCollapsed() const { return m_collapsed; }
    /// The drawing's extent in scene units (points at scale 1).
    QRectF rect() const { return m_rect; }
    /// The boxes of the stages and images (scene units), which a page edge must not cut.
    QList<QRectF> nodeRects() const;
    /// What a tile whose cell is `cell` shows: the cell grown to hold whole every stage and image whose
    /// centre lies in it (each belongs to exactly one tile).
    QRectF tileSource(const QRectF &cell) const;
    /// Paints the tile of `cell` into `target` (sized to tileSource(cell)): its own stages and images
    /// whole, no part of another tile's, and the edges that pass through.
    void renderTile(QPainter *painter, const QRectF &target, const QRectF &cell) const;
    /// Paints `source` (part of rect()) into `target`, keeping the aspect ratio; vector on PDF and SVG.
    void render(QPainter *painter, const QRectF &target, const QRectF &source) const;

private:
    std::unique_ptr<DagScene> m_scene;
    /// A stage (its box, title and steps) or an image: drawn whole on one tile.
    struct NodeGroup
    {
        QRectF rect;
        QList<QGraphicsItem *> items;
    };
    QList<NodeGroup> m_groups;
    QRectF m_rect;
    QString m_error;
    bool m_collapsed = false;
};

/// Where to cut [from, to] into spans of at most `maxSpan`, preferring cuts between `boxes` (intervals
/// along that axis) over cuts through one: a cut that would split a box moves back to just before it,
/// unless that leaves less than a quarter of a span (a box wider than a page is cut where it must be).
/// Returns the cut positions, `from` first and `to` last.
QList<qreal> tileCuts(qreal from, qreal to, qreal maxSpan, const QList<QPair<qreal, qreal>> &boxes);

} // namespace Stagelens
