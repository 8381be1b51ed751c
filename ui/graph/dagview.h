#pragma once

// The widget that shows a DagScene: zoom (Ctrl+wheel, pinch, +/-/0 keys), pan (drag), fit, plain-text hover
// tooltips, a legend, and step selection in both directions. GUI thread only.

#include "ui/graph/dagmodel.h"

#include <QGraphicsView>
#include <QTimer>

namespace Stagelens {

class DagScene;

class DagView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit DagView(QWidget *parent = nullptr);
    ~DagView() override;

    DagScene *dagScene() const { return m_scene; }
    /// Lays out and shows `model`; the view fits the graph when the layout arrives unless the user zoomed.
    void setModel(const DagModel &model);
    void setCollapsed(bool collapsed);
    /// Selects and scrolls to a step without emitting stepSelected().
    void selectStep(int stage, int step);

    qreal zoom() const;
    void setZoom(qreal factor);
    void zoomBy(qreal factor);
    void zoomIn();
    void zoomOut();
    /// Fits the whole graph, never enlarging beyond 100% so small graphs keep their natural size.
    void fitToView();
    void setLegendVisible(bool visible);
    bool isLegendVisible() const { return m_legendVisible; }
    /// The legend's rectangle in viewport coordinates (empty when hidden).
    QRectF legendRect() const;

signals:
    void stepSelected(int stage, int step);
    void zoomChanged(qreal factor);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct LegendEntry;
    QList<LegendEntry> legendEntries() const;
    void paintLegend(QPainter *painter);
    void onLayoutFinished();

    DagScene *m_scene = nullptr;
    bool m_autoFit = true;
    bool m_legendVisible = true;
    QString m_pendingText;
    QTimer m_pendingTimer;
};

} // namespace Stagelens
