#pragma once

// The GUI's stage DAG (ui/graph DagScene) laid out once, offscreen, for painting into a report.
/// GUI thread only.

#include "model/report/reportdata.h"

#include <QRectF>
#include <QString>

#include <memory>

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
    /// Paints `source` (part of rect()) into `target`, keeping the aspect ratio; vector on PDF and SVG.
    void render(QPainter *painter, const QRectF &target, const QRectF &source) const;

private:
    std::unique_ptr<DagScene> m_scene;
    QRectF m_rect;
    QString m_error;
    bool m_collapsed = false;
};

} // namespace Stagelens
