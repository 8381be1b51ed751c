#include "dagoverview.h"

#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace Stagelens {

namespace {
constexpr int OverviewWidth = 160;
constexpr int Margin = 4;
} // namespace

DagOverview::DagOverview(DagView *view, QWidget *parent)
    : QWidget(parent)
    , m_view(view)
{
    setToolTip(tr("The whole graph: the frame is what the view shows. Click or drag to move it."));
    setCursor(Qt::PointingHandCursor);
    setFixedWidth(OverviewWidth);
    hide();
    // The picture is rendered once per layout or restyle, not at every scroll: scrolling only moves the
    // frame. A burst of scene changes (a restyle touches every item) is one render.
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(60);
    connect(&m_renderTimer, &QTimer::timeout, this, &DagOverview::render);
    // A new layout is drawn at once (it is rare, and a screenshot taken when it lands must show it).
    connect(view->dagScene(), &DagScene::layoutFinished, this, [this]() {
        updateVisibility();
        if (!isHidden())
            render();
    });
    connect(view->dagScene(), &DagScene::restyled, this, &DagOverview::scheduleRender);
    for (QScrollBar *bar : {view->horizontalScrollBar(), view->verticalScrollBar()}) {
        // Queued: ranges change while the scene swaps its items, when nothing of it may be asked.
        connect(bar, &QScrollBar::rangeChanged, this, &DagOverview::updateVisibility, Qt::QueuedConnection);
        connect(bar, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    }
}

void DagOverview::setEnabledByUser(bool enabled)
{
    m_userEnabled = enabled;
    updateVisibility();
}

QSize DagOverview::sizeHint() const
{
    return {OverviewWidth, 150};
}

// Shown only while part of the graph is off screen: a graph that fits needs no map.
void DagOverview::updateVisibility()
{
    const bool scrolls =
        m_view->horizontalScrollBar()->maximum() > 0 || m_view->verticalScrollBar()->maximum() > 0;
    const bool show = m_userEnabled && scrolls && !m_view->dagScene()->sceneRect().isEmpty();
    // isHidden(), not isVisible(): before the window shows, nothing is visible, whatever it was told.
    if (show == isHidden()) {
        setVisible(show);
        if (show && m_picture.isNull())
            render();
        else if (show)
            m_renderTimer.start();
    }
}

void DagOverview::scheduleRender()
{
    updateVisibility();
    if (!isHidden())
        m_renderTimer.start();
}

void DagOverview::render()
{
    const QRectF scene = m_view->dagScene()->sceneRect();
    if (scene.isEmpty() || width() <= 2 * Margin) {
        m_picture = {};
        update();
        return;
    }
    const qreal dpr = devicePixelRatioF();
    const QSizeF fit =
        scene.size().scaled(QSizeF(width() - 2 * Margin, height() - 2 * Margin), Qt::KeepAspectRatio);
    m_picture = QPixmap((fit * dpr).toSize());
    m_picture.setDevicePixelRatio(dpr);
    m_picture.fill(palette().color(QPalette::Base));
    QPainter painter(&m_picture);
    painter.setRenderHint(QPainter::Antialiasing);
    m_view->dagScene()->render(&painter, QRectF(QPointF(0, 0), fit), scene, Qt::KeepAspectRatio);
    painter.end();
    update();
}

QRectF DagOverview::pictureRect() const
{
    if (m_picture.isNull())
        return {};
    const QSizeF size = m_picture.deviceIndependentSize();
    return QRectF(QPointF((width() - size.width()) / 2, Margin), size);
}

QPointF DagOverview::toWidget(const QPointF &scenePos) const
{
    const QRectF scene = m_view->dagScene()->sceneRect();
    const QRectF picture = pictureRect();
    if (scene.isEmpty() || picture.isEmpty())
        return {};
    return {picture.left() + (scenePos.x() - scene.left()) * picture.width() / scene.width(),
        picture.top() + (scenePos.y() - scene.top()) * picture.height() / scene.height()};
}

QRectF DagOverview::visibleSceneRect() const
{
    return m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
}

void DagOverview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Window));
    const QRectF picture = pictureRect();
    if (picture.isEmpty())
        return;
    painter.drawPixmap(picture.topLeft(), m_picture);
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.drawRect(picture.adjusted(-0.5, -0.5, 0.5, 0.5));
    // The frame of what the view shows, clipped to the picture.
    const QRectF visible = visibleSceneRect();
    QRectF frame(toWidget(visible.topLeft()), toWidget(visible.bottomRight()));
    frame = frame.intersected(picture);
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlphaF(0.18f);
    painter.setBrush(fill);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.drawRect(frame);
}

void DagOverview::centerViewAt(const QPointF &widgetPos)
{
    const QRectF scene = m_view->dagScene()->sceneRect();
    const QRectF picture = pictureRect();
    if (scene.isEmpty() || picture.isEmpty())
        return;
    const QPointF scenePos(scene.left() + (widgetPos.x() - picture.left()) * scene.width() / picture.width(),
        scene.top() + (widgetPos.y() - picture.top()) * scene.height() / picture.height());
    m_view->centerOn(scenePos);
    update();
}

void DagOverview::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        centerViewAt(event->position());
}

void DagOverview::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        centerViewAt(event->position());
}

void DagOverview::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    scheduleRender();
}

} // namespace Stagelens
