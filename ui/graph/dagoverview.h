#pragma once

// A small picture of the whole stage graph beside the DAG view, with the part on screen framed: a big graph
// (moby/buildkit, docker/buildx) is shown at a readable zoom and scrolls, and this is how to see where one
// is and to jump elsewhere (click or drag). It sits beside the view, never over the drawing, and hides while
// the whole graph is on screen anyway.

#include <QPixmap>
#include <QTimer>
#include <QWidget>

namespace Stagelens {

class DagView;

class DagOverview : public QWidget
{
    Q_OBJECT
public:
    explicit DagOverview(DagView *view, QWidget *parent = nullptr);

    /// View > Overview: when off, the overview never shows.
    void setEnabledByUser(bool enabled);
    bool isEnabledByUser() const { return m_userEnabled; }
    /// The scene rectangle the framed part covers (the main view's visible area), in scene coordinates.
    QRectF visibleSceneRect() const;
    /// Where the scene point `scenePos` is drawn in this widget.
    QPointF toWidget(const QPointF &scenePos) const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateVisibility();
    void scheduleRender();
    void render();
    QRectF pictureRect() const;
    void centerViewAt(const QPointF &widgetPos);

    DagView *m_view;
    QPixmap m_picture;
    QTimer m_renderTimer;
    bool m_userEnabled = true;
};

} // namespace Stagelens
