#pragma once

// The widget that shows a DagScene: zoom (Ctrl+wheel, pinch, +/-/0 keys), pan (drag), fit, plain-text hover
// tooltips, a legend, and step selection in both directions. GUI thread only.

#include "ui/graph/dagmodel.h"

#include <QGraphicsView>
#include <QTimer>

namespace Stagelens {

class DagOverview;
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
    /// What the view says in its middle while it has no stage to draw (why the graph is empty); empty:
    /// nothing.
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }
    /// Selects and scrolls to a step without emitting stepSelected().
    void selectStep(int stage, int step);

    qreal zoom() const;
    void setZoom(qreal factor);
    void zoomBy(qreal factor);
    void zoomIn();
    void zoomOut();
    /// Fits the whole graph when it can be shown readably, never enlarging beyond 100% so small graphs keep
    /// their natural size; a graph too big for that is shown at the smallest readable zoom and scrolls.
    void fitToView();
    /// The zoom at which the smallest text of the graph is 9 pixels tall on screen.
    qreal readableZoom() const;
    /// The legend strip that explains this view's colours, glyphs and lines. It is a widget of its own, for
    /// the window to place beside the view (never over the drawing); made on first use, owned by the view.
    QWidget *legendWidget();
    /// The overview of the whole graph, for the window to place beside the view; made on first use.
    DagOverview *overviewWidget();

signals:
    void stepSelected(int stage, int step);
    /// What the legend shows may have changed (a new model, another palette).
    void legendChanged();
    void zoomChanged(qreal factor);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class DagLegend;
    struct LegendEntry;
    QList<LegendEntry> legendEntries() const;
    void onLayoutFinished();

    DagScene *m_scene = nullptr;
    bool m_autoFit = true;
    QWidget *m_legend = nullptr;
    DagOverview *m_overview = nullptr;
    QString m_pendingText;
    QString m_emptyText;
    bool m_empty = true; ///< the model shown has no stage
    QTimer m_pendingTimer;
};

} // namespace Stagelens
