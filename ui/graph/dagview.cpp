#include "dagview.h"

#include "ui/graph/dagoverview.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/plaintooltip.h"
#include "ui/style/palette.h"

#include <QFontMetricsF>
#include <QGestureEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QPinchGesture>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <functional>

namespace Stagelens {

namespace {

constexpr qreal MinZoom = 0.02;
constexpr qreal MaxZoom = 8.0;
// The smallest on-screen text a step label may have at the zoom the view opens with, in pixels.
constexpr qreal MinReadablePixels = 9.0;
constexpr qreal KeyZoomStep = 1.25;
constexpr qreal LegendMargin = 10;
constexpr qreal LegendPadding = 8;

} // namespace

// One legend row: its height and a painter callback given the row's top-left corner.
struct DagView::LegendEntry
{
    qreal width = 0;
    qreal height = 0;
    std::function<void(QPainter *, QPointF)> paint;
};

DagView::DagView(QWidget *parent)
    : QGraphicsView(parent)
    , m_scene(new DagScene(this))
{
    setScene(m_scene);
    m_scene->setPalette(palette());
    m_scene->setFont(font());
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    // The legend is painted in viewport coordinates: partial scroll updates would smear it.
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setBackgroundRole(QPalette::Window);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->grabGesture(Qt::PinchGesture);
    connect(m_scene, &DagScene::stepSelected, this, &DagView::stepSelected);
    connect(m_scene, &DagScene::layoutFinished, this, &DagView::onLayoutFinished);
    // Say that a layout is running only when it takes noticeably long, or fast layouts would flicker a
    // notice.
    m_pendingTimer.setSingleShot(true);
    m_pendingTimer.setInterval(300);
    connect(&m_pendingTimer, &QTimer::timeout, this, [this] {
        if (!m_scene->isLayoutPending())
            return;
        m_pendingText = QStringLiteral("Laying out the stage graph...");
        viewport()->update();
    });
    connect(m_scene, &DagScene::layoutStarted, this, [this] { m_pendingTimer.start(); });
    connect(m_scene, &DagScene::layoutFailed, this, [this](const QString &error) {
        m_pendingText = QStringLiteral("Layout failed: %1").arg(error.left(200));
        viewport()->update();
    });
}

DagView::~DagView() = default;

void DagView::setModel(const DagModel &model)
{
    m_autoFit = true;
    m_empty = model.stages.isEmpty();
    viewport()->update();
    m_scene->setModel(model);
    emit legendChanged(); // a restyle (new states, verdicts) changes what the legend explains
}

void DagView::setEmptyText(const QString &text)
{
    m_emptyText = text;
    viewport()->update();
}

void DagView::setCollapsed(bool collapsed)
{
    m_autoFit = true;
    m_scene->setCollapsed(collapsed);
}

void DagView::selectStep(int stage, int step)
{
    m_scene->selectStep(stage, step);
    if (QGraphicsItem *item = m_scene->stepItem(stage, step))
        ensureVisible(item, 40, 40);
}

void DagView::onLayoutFinished()
{
    m_pendingTimer.stop();
    m_pendingText.clear();
    if (m_autoFit)
        fitToView();
    if (const auto sel = m_scene->selectedStep(); sel.first >= 0) {
        if (QGraphicsItem *item = m_scene->stepItem(sel.first, sel.second))
            ensureVisible(item, 40, 40);
    }
    viewport()->update();
    emit legendChanged();
}

qreal DagView::zoom() const
{
    return transform().m11();
}

void DagView::setZoom(qreal factor)
{
    if (!std::isfinite(factor) || factor <= 0)
        return;
    factor = qBound(MinZoom, factor, MaxZoom);
    const qreal current = zoom();
    if (qFuzzyCompare(current, factor))
        return;
    scale(factor / current, factor / current);
    emit zoomChanged(factor);
}

void DagView::zoomBy(qreal factor)
{
    m_autoFit = false;
    setZoom(zoom() * factor);
}

void DagView::zoomIn()
{
    zoomBy(KeyZoomStep);
}

void DagView::zoomOut()
{
    zoomBy(1 / KeyZoomStep);
}

void DagView::fitToView()
{
    const QRectF rect = m_scene->sceneRect();
    if (rect.isEmpty())
        return;
    const QSizeF avail(viewport()->width() - 4, viewport()->height() - 4);
    if (avail.width() <= 0 || avail.height() <= 0)
        return;
    // The whole graph when it fits readably; never smaller than readable (a big graph scrolls instead), and
    // never enlarged beyond 100%, so small graphs keep their natural size.
    qreal factor = std::min({avail.width() / rect.width(), avail.height() / rect.height(), qreal(1.0)});
    factor = qBound(MinZoom, std::max(factor, std::min(readableZoom(), qreal(1.0))), MaxZoom);
    const qreal before = zoom();
    resetTransform();
    scale(factor, factor);
    if (rect.width() * factor > avail.width() || rect.height() * factor > avail.height()) {
        // Readable but not whole: start where reading starts, at the stage nearest the top left. The graph's
        // own corner can be empty space (the top row centred over a wider one).
        QRectF first;
        auto consider = [&first](const QGraphicsItem *item) {
            const QRectF r = item->sceneBoundingRect();
            if (first.isNull() || r.top() < first.top() - 1
                || (r.top() <= first.top() + 1 && r.left() < first.left()))
                first = r;
        };
        for (const QGraphicsItem *item : m_scene->clusterItems())
            consider(item);
        for (const QGraphicsItem *item : m_scene->stageNodeItems())
            consider(item);
        const QPointF corner = first.isNull() ? rect.topLeft() : first.topLeft() - QPointF(8, 8);
        centerOn(corner + QPointF(avail.width() / factor / 2, avail.height() / factor / 2));
    } else {
        centerOn(rect.center());
    }
    m_autoFit = true;
    if (!qFuzzyCompare(before, zoom()))
        emit zoomChanged(zoom());
}

qreal DagView::readableZoom() const
{
    const int px = std::max(1, m_scene->fonts().small.pixelSize());
    return MinReadablePixels / px;
}

void DagView::wheelEvent(QWheelEvent *event)
{
    // Ctrl+wheel zooms around the cursor (AnchorUnderMouse); a plain wheel scrolls as everywhere else.
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y();
        if (delta != 0)
            zoomBy(std::pow(1.0015, delta));
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void DagView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_0:
        fitToView();
        return;
    case Qt::Key_1:
        m_autoFit = false;
        setZoom(1.0);
        return;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

bool DagView::viewportEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::ToolTip: {
        // Our own plain-text tooltip: QToolTip would render instruction text that looks like HTML as HTML.
        auto *help = static_cast<QHelpEvent *>(event);
        QString text;
        for (QGraphicsItem *item : items(help->pos())) {
            text = item->data(ToolTipDataKey).toString();
            if (!text.isEmpty())
                break;
        }
        if (text.isEmpty())
            PlainToolTip::hideText();
        else
            PlainToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    case QEvent::Leave:
        PlainToolTip::hideText();
        break;
    case QEvent::Gesture: {
        auto *gesture = static_cast<QGestureEvent *>(event);
        if (auto *pinch = static_cast<QPinchGesture *>(gesture->gesture(Qt::PinchGesture))) {
            if (pinch->changeFlags() & QPinchGesture::ScaleFactorChanged)
                zoomBy(pinch->scaleFactor());
            gesture->accept(pinch);
            return true;
        }
        break;
    }
    case QEvent::NativeGesture: {
        // Touchpad pinch on macOS/Wayland arrives as a native zoom gesture instead.
        auto *native = static_cast<QNativeGestureEvent *>(event);
        if (native->gestureType() == Qt::ZoomNativeGesture) {
            zoomBy(1 + native->value());
            return true;
        }
        break;
    }
    case QEvent::MouseMove:
        if (static_cast<QMouseEvent *>(event)->buttons() == Qt::NoButton)
            break;
        PlainToolTip::hideText();
        break;
    default:
        break;
    }
    return QGraphicsView::viewportEvent(event);
}

void DagView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_autoFit && !m_scene->graphRect().isEmpty()) {
        fitToView();
        // The selection stays in sight (compare mode selects the root miss before the window has its size).
        if (const auto sel = m_scene->selectedStep(); sel.first >= 0) {
            if (QGraphicsItem *item = m_scene->stepItem(sel.first, sel.second))
                ensureVisible(item, 40, 40);
        }
    }
}

void DagView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        m_scene->setPalette(palette());
        viewport()->update();
        emit legendChanged();
    } else if (event->type() == QEvent::FontChange) {
        m_scene->setFont(font());
    }
    QGraphicsView::changeEvent(event);
}

QList<DagView::LegendEntry> DagView::legendEntries() const
{
    QList<LegendEntry> rows;
    const DagModel &model = m_scene->model();
    const QFont font = m_scene->fonts().small;
    const QFontMetricsF fm(font);
    const qreal rowHeight = qCeil(fm.height() + 6);
    const QPalette pal = palette();

    bool states[6] = {};
    bool anyVerdict = false, anyCritical = false, anyHeat = false;
    bool kinds[3] = {};
    bool changes[6] = {};
    bool anyRoot = false;
    for (const DagStage &stage : model.stages) {
        for (const DagStep &step : stage.steps) {
            states[int(step.state)] = true;
            anyVerdict = anyVerdict || step.verdict != WhatIfVerdict::None;
            anyCritical = anyCritical || step.critical;
            anyHeat = anyHeat || step.seconds >= 0;
            changes[int(step.change)] = true;
            anyRoot = anyRoot || step.rootMiss;
        }
    }
    for (const DagEdge &edge : model.edges) {
        if (int(edge.kind) >= 0 && int(edge.kind) < 3)
            kinds[int(edge.kind)] = true;
    }

    // Step states: the coloured square carries the same glyph as the node stripe.
    QList<StepState> shown;
    for (StepState s :
        {StepState::Ran, StepState::Cached, StepState::Error, StepState::Canceled, StepState::NotInLog}) {
        if (states[int(s)])
            shown.append(s);
    }
    if (!shown.isEmpty()) {
        LegendEntry row;
        row.height = rowHeight;
        for (StepState s : shown)
            row.width += rowHeight + 4 + fm.horizontalAdvance(dagStepStateName(s)) + 12;
        row.paint = [shown, font, rowHeight, pal](QPainter *p, QPointF at) {
            const QFontMetricsF fm(font);
            p->setFont(font);
            for (StepState s : shown) {
                const QRectF box(at.x(), at.y() + 2, rowHeight - 4, rowHeight - 4);
                const QColor c = ViewPalette::stateColor(s, pal);
                p->setPen(Qt::NoPen);
                p->setBrush(c);
                p->drawRoundedRect(box, 2, 2);
                drawStateIcon(p, box.adjusted(3, 3, -3, -3), s, ViewPalette::textOn(c));
                p->setPen(pal.color(QPalette::WindowText));
                const QString name = dagStepStateName(s);
                p->drawText(QRectF(box.right() + 4, at.y(), fm.horizontalAdvance(name) + 2, rowHeight),
                    Qt::AlignLeft | Qt::AlignVCenter, name);
                at.rx() += rowHeight + 4 + fm.horizontalAdvance(name) + 12;
            }
        };
        rows.append(row);
    }

    if (model.showHeat && anyHeat && model.maxSeconds > 0 && !anyVerdict && !model.compareMode) {
        LegendEntry row;
        row.height = rowHeight;
        const QString left = QStringLiteral("Duration  0 s");
        const QString right = formatSeconds(model.maxSeconds);
        const qreal bar = 140;
        row.width = fm.horizontalAdvance(left) + 6 + bar + 6 + fm.horizontalAdvance(right);
        row.paint = [=](QPainter *p, QPointF at) {
            p->setFont(font);
            p->setPen(pal.color(QPalette::WindowText));
            const qreal lw = fm.horizontalAdvance(left);
            p->drawText(QRectF(at.x(), at.y(), lw + 2, rowHeight), Qt::AlignLeft | Qt::AlignVCenter, left);
            const QRectF barRect(at.x() + lw + 6, at.y() + 3, bar, rowHeight - 6);
            QLinearGradient gradient(barRect.topLeft(), barRect.topRight());
            for (int i = 0; i <= 4; ++i)
                gradient.setColorAt(i / 4.0, ViewPalette::heatColor(i / 4.0, pal));
            p->setBrush(gradient);
            p->setPen(QPen(pal.color(QPalette::Mid), 1));
            p->drawRect(barRect);
            p->setPen(pal.color(QPalette::WindowText));
            p->drawText(QRectF(barRect.right() + 6, at.y(), fm.horizontalAdvance(right) + 2, rowHeight),
                Qt::AlignLeft | Qt::AlignVCenter, right);
        };
        rows.append(row);
    }

    if (anyVerdict) {
        LegendEntry row;
        row.height = rowHeight;
        const QFont bold = m_scene->fonts().smallBold;
        const QFontMetricsF bm(bold);
        const QString caption = QStringLiteral("After the edit:");
        const QList<WhatIfVerdict> verdicts {
            WhatIfVerdict::Rerun, WhatIfVerdict::Maybe, WhatIfVerdict::Cached};
        row.width = fm.horizontalAdvance(caption) + 8;
        for (WhatIfVerdict v : verdicts)
            row.width += bm.horizontalAdvance(whatIfVerdictName(v).toUpper()) + 8 + 8;
        row.paint = [=](QPainter *p, QPointF at) {
            p->setFont(font);
            p->setPen(pal.color(QPalette::WindowText));
            const qreal cw = fm.horizontalAdvance(caption);
            p->drawText(QRectF(at.x(), at.y(), cw + 2, rowHeight), Qt::AlignLeft | Qt::AlignVCenter, caption);
            at.rx() += cw + 8;
            p->setFont(bold);
            for (WhatIfVerdict v : verdicts) {
                const QString text = whatIfVerdictName(v).toUpper();
                const QRectF badge(at.x(), at.y() + 2, bm.horizontalAdvance(text) + 8, rowHeight - 4);
                const QColor c = ViewPalette::verdictColor(v, pal);
                p->setPen(Qt::NoPen);
                p->setBrush(c);
                p->drawRoundedRect(badge, 3, 3);
                p->setPen(ViewPalette::textOn(c));
                p->drawText(badge, Qt::AlignCenter, text);
                at.rx() += badge.width() + 8;
            }
        };
        rows.append(row);
    }

    // Compare mode: the badges the nodes carry, in their colours, with what an unchanged step looks like.
    if (model.compareMode) {
        QList<QPair<QString, QColor>> badges;
        if (anyRoot)
            badges.append(
                {dagChangeBadge(DagChange::Missed, true), ViewPalette::changeColor(DagChange::Missed, pal)});
        for (DagChange c :
            {DagChange::Missed, DagChange::Hit, DagChange::Added, DagChange::Ran, DagChange::Same}) {
            if (changes[int(c)])
                badges.append({c == DagChange::Same ? QStringLiteral("same") : dagChangeBadge(c, false),
                    c == DagChange::Same ? ViewPalette::changeFill(c, pal)
                                         : ViewPalette::changeColor(c, pal)});
        }
        LegendEntry row;
        row.height = rowHeight;
        const QFont bold = m_scene->fonts().smallBold;
        const QFontMetricsF bm(bold);
        const QString caption = QStringLiteral("Against the build before:");
        row.width = fm.horizontalAdvance(caption) + 8;
        for (const auto &badge : badges)
            row.width += bm.horizontalAdvance(badge.first) + 8 + 8;
        row.paint = [=](QPainter *p, QPointF at) {
            p->setFont(font);
            p->setPen(pal.color(QPalette::WindowText));
            const qreal cw = fm.horizontalAdvance(caption);
            p->drawText(QRectF(at.x(), at.y(), cw + 2, rowHeight), Qt::AlignLeft | Qt::AlignVCenter, caption);
            at.rx() += cw + 8;
            p->setFont(bold);
            for (const auto &[text, c] : badges) {
                const QRectF badge(at.x(), at.y() + 2, bm.horizontalAdvance(text) + 8, rowHeight - 4);
                p->setPen(c == ViewPalette::changeFill(DagChange::Same, pal)
                        ? QPen(pal.color(QPalette::Mid), 1)
                        : QPen(Qt::NoPen));
                p->setBrush(c);
                p->drawRoundedRect(badge, 3, 3);
                p->setPen(ViewPalette::textOn(c));
                p->drawText(badge, Qt::AlignCenter, text);
                at.rx() += badge.width() + 8;
            }
        };
        rows.append(row);
    }

    QList<DagEdgeKind> edgeKinds;
    for (DagEdgeKind k : {DagEdgeKind::From, DagEdgeKind::Copy, DagEdgeKind::Mount}) {
        if (kinds[int(k)])
            edgeKinds.append(k);
    }
    if (!edgeKinds.isEmpty() || anyCritical) {
        LegendEntry row;
        row.height = rowHeight;
        const qreal sample = 28;
        const QString critical = QStringLiteral("critical path");
        for (DagEdgeKind k : edgeKinds)
            row.width += sample + 4 + fm.horizontalAdvance(dagEdgeKindName(k)) + 12;
        if (anyCritical)
            row.width += sample + 4 + fm.horizontalAdvance(critical);
        row.paint = [=](QPainter *p, QPointF at) {
            p->setFont(font);
            const QColor line = ViewPalette::mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.55);
            const qreal y = at.y() + rowHeight / 2;
            auto drawSample = [&](const QPen &pen, const QString &name) {
                p->setPen(pen);
                p->drawLine(QPointF(at.x(), y), QPointF(at.x() + sample, y));
                p->setPen(pal.color(QPalette::WindowText));
                p->drawText(QRectF(at.x() + sample + 4, at.y(), fm.horizontalAdvance(name) + 2, rowHeight),
                    Qt::AlignLeft | Qt::AlignVCenter, name);
                at.rx() += sample + 4 + fm.horizontalAdvance(name) + 12;
            };
            for (DagEdgeKind k : edgeKinds) {
                const Qt::PenStyle style = k == DagEdgeKind::Copy ? Qt::DashLine
                    : k == DagEdgeKind::Mount                     ? Qt::DotLine
                                                                  : Qt::SolidLine;
                drawSample(QPen(line, 1.4, style), dagEdgeKindName(k));
            }
            if (anyCritical)
                drawSample(QPen(pal.color(QPalette::Text), 3), critical);
        };
        rows.append(row);
    }
    return rows;
}

// The legend strip: the rows of legendEntries() laid out left to right, wrapping onto more lines when the
// strip is narrow. Below the view in the window's layout, so it never covers a step.
class DagLegend : public QWidget
{
public:
    explicit DagLegend(DagView *view)
        : QWidget(view->parentWidget())
        , m_view(view)
    {
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        QObject::connect(view, &DagView::legendChanged, this, [this]() {
            updateGeometry();
            update();
        });
    }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return int(std::ceil(layoutHeight(width))); }
    QSize sizeHint() const override { return QSize(400, heightForWidth(width() > 0 ? width() : 800)); }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        place(width(),
            [&painter](const DagView::LegendEntry &entry, QPointF at) { entry.paint(&painter, at); });
    }

private:
    qreal layoutHeight(int width) const { return place(width, {}); }

    // Positions every entry; returns the height used (0 when there is nothing to explain).
    qreal place(int width, const std::function<void(const DagView::LegendEntry &, QPointF)> &paint) const
    {
        if (m_view->m_scene->graphRect().isEmpty())
            return 0;
        const QList<DagView::LegendEntry> entries = m_view->legendEntries();
        if (entries.isEmpty())
            return 0;
        QPointF at(LegendPadding, LegendPadding / 2);
        qreal line = 0;
        for (const DagView::LegendEntry &entry : entries) {
            if (at.x() > LegendPadding && at.x() + entry.width > width - LegendPadding) {
                at = QPointF(LegendPadding, at.y() + line);
                line = 0;
            }
            if (paint)
                paint(entry, at);
            at.rx() += entry.width + 3 * LegendPadding;
            line = std::max(line, entry.height);
        }
        return at.y() + line + LegendPadding / 2;
    }

    DagView *m_view;
};

DagOverview *DagView::overviewWidget()
{
    if (!m_overview)
        m_overview = new DagOverview(this);
    return m_overview;
}

QWidget *DagView::legendWidget()
{
    if (!m_legend)
        m_legend = new DagLegend(this);
    return m_legend;
}

void DagView::drawForeground(QPainter *painter, const QRectF &)
{
    painter->save();
    painter->resetTransform(); // viewport coordinates: the legend stays put while the graph zooms
    painter->setRenderHint(QPainter::Antialiasing);
    if (!m_pendingText.isEmpty()) {
        painter->setFont(m_scene->fonts().text);
        painter->setPen(palette().color(QPalette::WindowText));
        painter->drawText(
            QRectF(12, 8, viewport()->width() - 24, 24), Qt::AlignLeft | Qt::AlignVCenter, m_pendingText);
    }
    if (m_empty && !m_emptyText.isEmpty()) {
        // Centred in the empty canvas, wrapped to at most 60 characters' width.
        painter->setFont(m_scene->fonts().text);
        painter->setPen(palette().color(QPalette::PlaceholderText));
        const QFontMetricsF metrics(painter->font());
        const qreal width = std::min<qreal>(viewport()->width() - 48, metrics.averageCharWidth() * 60);
        const QRectF box((viewport()->width() - width) / 2, 24, width, viewport()->height() - 48);
        painter->drawText(box, Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
    }
    painter->restore();
}

} // namespace Stagelens
