#include "dagitems.h"

#include "ui/style/palette.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace Stagelens {

namespace {

constexpr qreal Radius = 4;
constexpr qreal StripeWidth = 22;
constexpr qreal Padding = 8;

QPalette paletteOf(const QGraphicsItem *item)
{
    return item->scene() ? item->scene()->palette() : QPalette();
}

QColor lineColor(const QPalette &palette)
{
    return ViewPalette::mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.55);
}

// The selection ring sits outside the node so it never hides the state stripe or the text.
void drawSelection(QPainter *painter, const QRectF &rect, const QPalette &palette)
{
    painter->setPen(QPen(palette.color(QPalette::Highlight), 3));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(rect.adjusted(-3.5, -3.5, 3.5, 3.5), Radius + 3, Radius + 3);
}

} // namespace

void drawStateIcon(QPainter *painter, const QRectF &box, StepState state, const QColor &color)
{
    const qreal s = qMin(box.width(), box.height());
    const QRectF r(box.center().x() - s / 2, box.center().y() - s / 2, s, s);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(color, qMax(1.5, s / 6), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    switch (state) {
    case StepState::Ran: {
        QPolygonF play;
        play << QPointF(r.left() + s * 0.2, r.top() + s * 0.1)
             << QPointF(r.right() - s * 0.05, r.center().y())
             << QPointF(r.left() + s * 0.2, r.bottom() - s * 0.1);
        painter->setBrush(color);
        painter->drawPolygon(play);
        break;
    }
    case StepState::Cached: {
        QPolygonF check;
        check << QPointF(r.left() + s * 0.1, r.center().y())
              << QPointF(r.left() + s * 0.4, r.bottom() - s * 0.15)
              << QPointF(r.right() - s * 0.05, r.top() + s * 0.15);
        painter->drawPolyline(check);
        break;
    }
    case StepState::Error:
        painter->drawLine(
            r.topLeft() + QPointF(s * 0.15, s * 0.15), r.bottomRight() - QPointF(s * 0.15, s * 0.15));
        painter->drawLine(
            r.topRight() + QPointF(-s * 0.15, s * 0.15), r.bottomLeft() + QPointF(s * 0.15, -s * 0.15));
        break;
    case StepState::Canceled:
    case StepState::Running: // cut off: drawn like a cancelled step, named "unfinished" in tooltips
        painter->drawEllipse(r.adjusted(s * 0.08, s * 0.08, -s * 0.08, -s * 0.08));
        painter->drawLine(
            r.topRight() + QPointF(-s * 0.22, s * 0.22), r.bottomLeft() + QPointF(s * 0.22, -s * 0.22));
        break;
    case StepState::NotInLog:
        painter->drawLine(
            QPointF(r.left() + s * 0.15, r.center().y()), QPointF(r.right() - s * 0.15, r.center().y()));
        break;
    case StepState::NoLog:
        break;
    }
    painter->restore();
}

// ---- StepNodeItem

StepNodeItem::StepNodeItem(int stage, int step, const DagStep &data, const QSizeF &size, const Texts &texts,
    const DagFonts &fonts, bool showHeat)
    : m_stage(stage)
    , m_step(step)
    , m_data(data)
    , m_size(size)
    , m_texts(texts)
    , m_fonts(fonts)
    , m_showHeat(showHeat)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
}

void StepNodeItem::setContent(const DagStep &data, const Texts &texts, bool showHeat)
{
    m_data = data;
    m_texts = texts;
    m_showHeat = showHeat;
    // The box keeps its laid-out width: whatever the seconds and the badge take comes off the text.
    qreal room = m_size.width() - stripeWidth(m_data.state) - 2 * Padding;
    if (!m_texts.seconds.isEmpty())
        room -= QFontMetricsF(m_fonts.small).horizontalAdvance(m_texts.seconds) + 12;
    if (!m_texts.badge.isEmpty())
        room -= QFontMetricsF(m_fonts.smallBold).horizontalAdvance(m_texts.badge) + 16;
    const QFontMetricsF metrics(m_data.critical ? m_fonts.bold : m_fonts.text);
    if (metrics.horizontalAdvance(m_texts.text) > room)
        m_texts.text = metrics.elidedText(m_texts.text, Qt::ElideRight, qMax<qreal>(room, 0));
    update();
}

qreal StepNodeItem::stripeWidth(StepState state)
{
    return state == StepState::NoLog ? 0 : StripeWidth;
}

QRectF StepNodeItem::boundingRect() const
{
    // Room for the selection ring and the critical-path outline.
    return QRectF(QPointF(), m_size).adjusted(-6, -6, 6, 6);
}

QColor StepNodeItem::fillColor(const QPalette &palette) const
{
    const QColor base = palette.color(QPalette::Base);
    if (m_data.change != DagChange::None)
        return ViewPalette::changeFill(m_data.change, palette);
    if (m_data.verdict != WhatIfVerdict::None)
        return ViewPalette::mix(base, ViewPalette::verdictColor(m_data.verdict, palette), 0.45);
    if (m_showHeat && m_data.seconds >= 0)
        return ViewPalette::heatColor(m_data.heat, palette);
    return base;
}

void StepNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    const QRectF rect(QPointF(), m_size);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);

    const QColor fill = fillColor(palette);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(rect, Radius, Radius);
    // "maybe" gets a hatch as well as its colour and badge, so it differs from "rerun" without colour.
    if (m_data.verdict == WhatIfVerdict::Maybe) {
        QColor hatch = ViewPalette::verdictColor(m_data.verdict, palette);
        hatch.setAlphaF(0.55f);
        painter->setBrush(QBrush(hatch, Qt::BDiagPattern));
        painter->drawRoundedRect(rect, Radius, Radius);
    }

    const qreal stripe = stripeWidth(m_data.state);
    if (stripe > 0) {
        const QColor stateColor = ViewPalette::stateColor(m_data.state, palette);
        QPainterPath stripePath;
        stripePath.addRoundedRect(rect, Radius, Radius);
        QPainterPath clip;
        clip.addRect(QRectF(rect.topLeft(), QSizeF(stripe, rect.height())));
        painter->setBrush(stateColor);
        painter->drawPath(stripePath.intersected(clip));
        const qreal icon = qMin(11.0, rect.height() - 10);
        drawStateIcon(painter,
            QRectF(rect.left() + (stripe - icon) / 2, rect.center().y() - icon / 2, icon, icon), m_data.state,
            ViewPalette::textOn(stateColor));
    }

    // Critical path: a bold outline in the text colour; hover: the highlight colour.
    QPen border(lineColor(palette), 1);
    if (m_data.critical)
        border = QPen(palette.color(QPalette::Text), 2.5);
    if (m_data.state == StepState::Error)
        border = QPen(ViewPalette::stateColor(StepState::Error, palette), m_data.critical ? 3 : 2);
    // A root miss (compare mode): a thick border in the miss colour, beside its "ROOT MISS" badge.
    if (m_data.rootMiss)
        border = QPen(ViewPalette::changeColor(DagChange::Missed, palette), 3.5);
    if (m_hovered && !m_data.critical && !m_data.rootMiss)
        border = QPen(palette.color(QPalette::Highlight), 1.5);
    painter->setPen(border);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), Radius, Radius);

    const QColor textColor = ViewPalette::textOn(fill);
    qreal right = rect.right() - Padding;
    if (!m_texts.badge.isEmpty()) {
        const QFontMetricsF fm(m_fonts.smallBold);
        const qreal w = fm.horizontalAdvance(m_texts.badge) + 8;
        const QRectF badge(right - w, rect.center().y() - fm.height() / 2 - 1, w, fm.height() + 2);
        const QColor badgeColor = m_data.change != DagChange::None
            ? ViewPalette::changeColor(m_data.change, palette)
            : ViewPalette::verdictColor(m_data.verdict, palette);
        painter->setPen(Qt::NoPen);
        painter->setBrush(badgeColor);
        painter->drawRoundedRect(badge, 3, 3);
        painter->setFont(m_fonts.smallBold);
        painter->setPen(ViewPalette::textOn(badgeColor));
        painter->drawText(badge, Qt::AlignCenter, m_texts.badge);
        right = badge.left() - 8;
    }
    if (!m_texts.seconds.isEmpty()) {
        painter->setFont(m_fonts.small);
        painter->setPen(textColor);
        const qreal w = QFontMetricsF(m_fonts.small).horizontalAdvance(m_texts.seconds);
        painter->drawText(QRectF(right - w, rect.top(), w, rect.height()), Qt::AlignRight | Qt::AlignVCenter,
            m_texts.seconds);
        right -= w + 12;
    }
    painter->setFont(m_data.critical ? m_fonts.bold : m_fonts.text);
    painter->setPen(textColor);
    const QRectF textRect(
        rect.left() + stripe + Padding, rect.top(), right - rect.left() - stripe - Padding, rect.height());
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, m_texts.text);

    if (isSelected())
        drawSelection(painter, rect, palette);
}

void StepNodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsObject::hoverEnterEvent(event);
}

void StepNodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    update();
    QGraphicsObject::hoverLeaveEvent(event);
}

// ---- StageNodeItem

StageNodeItem::StageNodeItem(int stage, const QString &title, const QString &summary, StepState state,
    bool critical, const QSizeF &size, const DagFonts &fonts)
    : m_stage(stage)
    , m_title(title)
    , m_summary(summary)
    , m_state(state)
    , m_critical(critical)
    , m_size(size)
    , m_fonts(fonts)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
}

void StageNodeItem::setContent(const QString &summary, StepState state, bool critical)
{
    m_state = state;
    m_critical = critical;
    const QFontMetricsF small(m_fonts.small);
    const qreal room = m_size.width() - 2 * Padding - 6 - StepNodeItem::stripeWidth(m_state);
    m_summary = small.horizontalAdvance(summary) > room
        ? small.elidedText(summary, Qt::ElideRight, qMax<qreal>(room, 0))
        : summary;
    update();
}

QRectF StageNodeItem::boundingRect() const
{
    return QRectF(QPointF(), m_size).adjusted(-6, -6, 6, 6);
}

void StageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    const QRectF rect(QPointF(), m_size);
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor stageColor = ViewPalette::stageColor(m_stage, palette);
    const QColor fill = ViewPalette::mix(palette.color(QPalette::Base), stageColor, 0.12);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(rect, Radius, Radius);
    painter->setBrush(stageColor);
    painter->drawRect(QRectF(rect.left() + 1, rect.top() + 1, 5, rect.height() - 2));

    const qreal stripe = StepNodeItem::stripeWidth(m_state);
    if (stripe > 0) {
        const QColor stateColor = ViewPalette::stateColor(m_state, palette);
        const QRectF box(rect.right() - stripe, rect.top(), stripe, rect.height());
        painter->setBrush(stateColor);
        painter->drawRect(box.adjusted(0, 1, -1, -1));
        drawStateIcon(painter, QRectF(box.center() - QPointF(5.5, 5.5), QSizeF(11, 11)), m_state,
            ViewPalette::textOn(stateColor));
    }
    QPen border(m_critical ? palette.color(QPalette::Text) : stageColor, m_critical ? 2.5 : 1.5);
    if (m_hovered)
        border.setColor(palette.color(QPalette::Highlight));
    painter->setPen(border);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), Radius, Radius);

    const QColor text = ViewPalette::textOn(fill);
    const QFontMetricsF titleMetrics(m_fonts.title);
    const QRectF content = rect.adjusted(Padding + 6, 5, -Padding - stripe, -5);
    painter->setFont(m_fonts.title);
    painter->setPen(text);
    painter->drawText(QRectF(content.topLeft(), QSizeF(content.width(), titleMetrics.height())),
        Qt::AlignLeft | Qt::AlignVCenter, m_title);
    painter->setFont(m_fonts.small);
    painter->drawText(QRectF(content.left(), content.top() + titleMetrics.height(), content.width(),
                          content.height() - titleMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter, m_summary);
    if (isSelected())
        drawSelection(painter, rect, palette);
}

void StageNodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsObject::hoverEnterEvent(event);
}

void StageNodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    update();
    QGraphicsObject::hoverLeaveEvent(event);
}

// ---- StageClusterItem

StageClusterItem::StageClusterItem(int stage, const QRectF &rect, const QRectF &titleRect,
    const QString &title, const QString &subtitle, bool needed, const DagFonts &fonts)
    : m_stage(stage)
    , m_rect(rect)
    , m_titleRect(titleRect)
    , m_title(title)
    , m_subtitle(subtitle)
    , m_needed(needed)
    , m_fonts(fonts)
{ }

QRectF StageClusterItem::boundingRect() const
{
    return m_rect.adjusted(-2, -2, 2, 2);
}

namespace {

QColor clusterFill(int stage, const QPalette &palette)
{
    return ViewPalette::mix(palette.color(QPalette::Window), ViewPalette::stageColor(stage, palette),
        ViewPalette::isDark(palette) ? 0.14 : 0.10);
}

} // namespace

void StageClusterItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    painter->setRenderHint(QPainter::Antialiasing);
    // Unneeded stages: dashed outline and a "not built" title as well as the dimming (set by the scene).
    painter->setPen(
        QPen(ViewPalette::stageColor(m_stage, palette), 1.5, m_needed ? Qt::SolidLine : Qt::DashLine));
    painter->setBrush(clusterFill(m_stage, palette));
    painter->drawRoundedRect(m_rect.adjusted(0.75, 0.75, -0.75, -0.75), 6, 6);
}

// ---- StageTitleItem

StageTitleItem::StageTitleItem(int stage, const QRectF &rect, const QString &title, const QString &subtitle,
    bool needed, const DagFonts &fonts)
    : m_stage(stage)
    , m_rect(rect)
    , m_title(title)
    , m_subtitle(subtitle)
    , m_needed(needed)
    , m_fonts(fonts)
{ }

QRectF StageTitleItem::boundingRect() const
{
    return m_rect.adjusted(-3, -1, 3, 1);
}

void StageTitleItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    const QColor fill = clusterFill(m_stage, palette);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(boundingRect(), 3, 3);
    painter->setPen(palette.color(QPalette::WindowText));
    const QFontMetricsF titleMetrics(m_fonts.title);
    painter->setFont(m_fonts.title);
    painter->drawText(QRectF(m_rect.topLeft(), QSizeF(m_rect.width(), titleMetrics.height())),
        Qt::AlignLeft | Qt::AlignVCenter, m_title);
    if (!m_subtitle.isEmpty()) {
        painter->setFont(m_fonts.small);
        painter->setPen(ViewPalette::mix(fill, palette.color(QPalette::WindowText), m_needed ? 0.75 : 0.6));
        painter->drawText(QRectF(m_rect.left(), m_rect.top() + titleMetrics.height(), m_rect.width(),
                              m_rect.height() - titleMetrics.height()),
            Qt::AlignLeft | Qt::AlignVCenter, m_subtitle);
    }
}

// ---- ImageNodeItem

ImageNodeItem::ImageNodeItem(int image, const QString &text, const QSizeF &size, const DagFonts &fonts)
    : m_image(image)
    , m_text(text)
    , m_size(size)
    , m_fonts(fonts)
{ }

QRectF ImageNodeItem::boundingRect() const
{
    return QRectF(QPointF(), m_size).adjusted(-1, -1, 1, 1);
}

void ImageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    const QRectF rect(QPointF(), m_size);
    painter->setRenderHint(QPainter::Antialiasing);
    // A stadium with a double left edge reads as "from elsewhere", unlike the square step boxes.
    const QColor fill = palette.color(QPalette::AlternateBase);
    painter->setPen(QPen(lineColor(palette), 1.2));
    painter->setBrush(fill);
    painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), rect.height() / 2, rect.height() / 2);
    painter->setFont(m_fonts.small);
    painter->setPen(ViewPalette::textOn(fill));
    painter->drawText(rect, Qt::AlignCenter, m_text);
}

// ---- DependencyEdgeItem

DependencyEdgeItem::DependencyEdgeItem(Role role, DagEdgeKind kind, const QList<QPointF> &bezier,
    std::optional<QPointF> arrowHead, std::optional<QPointF> labelCenter, const QString &label, bool critical,
    const DagFonts &fonts)
    : m_role(role)
    , m_kind(kind)
    , m_arrowHead(arrowHead)
    , m_labelCenter(labelCenter)
    , m_label(label)
    , m_critical(critical)
    , m_fonts(fonts)
{
    QPainterPath path;
    if (!bezier.isEmpty()) {
        path.moveTo(bezier.first());
        // Graphviz splines are 3n+1 points: a start, then (control, control, end) per cubic segment.
        for (qsizetype i = 1; i + 2 < bezier.size(); i += 3)
            path.cubicTo(bezier[i], bezier[i + 1], bezier[i + 2]);
        m_arrowBase = bezier.last();
    }
    setPath(path);
    setAcceptHoverEvents(false);
}

void DependencyEdgeItem::setCritical(bool critical)
{
    if (m_critical == critical)
        return;
    m_critical = critical; // the bounding rect has room for the wider pen either way
    update();
}

QRectF DependencyEdgeItem::labelRect() const
{
    if (!m_labelCenter || m_label.isEmpty())
        return {};
    const QFontMetricsF fm(m_fonts.small);
    QRectF r(0, 0, fm.horizontalAdvance(m_label) + 8, fm.height() + 2);
    r.moveCenter(*m_labelCenter);
    return r;
}

QRectF DependencyEdgeItem::boundingRect() const
{
    QRectF r = path().boundingRect().adjusted(-4, -4, 4, 4);
    if (m_arrowHead)
        r |= QRectF(*m_arrowHead - QPointF(8, 8), QSizeF(16, 16));
    if (const QRectF l = labelRect(); !l.isNull())
        r |= l.adjusted(-1, -1, 1, 1);
    return r;
}

QPainterPath DependencyEdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(6);
    return stroker.createStroke(path());
}

void DependencyEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = paletteOf(this);
    painter->setRenderHint(QPainter::Antialiasing);
    QColor color = m_critical ? palette.color(QPalette::Text) : lineColor(palette);
    qreal width = m_critical ? 3.0 : 1.4;
    Qt::PenStyle style = Qt::SolidLine;
    if (m_role == Role::StepOrder) {
        width = m_critical ? 2.5 : 1.0;
    } else if (m_kind == DagEdgeKind::Copy) {
        style = Qt::DashLine;
    } else if (m_kind == DagEdgeKind::Mount) {
        style = Qt::DotLine;
    }
    QPen pen(color, width, style, Qt::FlatCap, Qt::RoundJoin);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());

    if (m_arrowHead && m_role == Role::Dependency) {
        // The spline stops at the arrow's base; the head spans from there to the tip Graphviz reports.
        QLineF axis(m_arrowBase, *m_arrowHead);
        if (axis.length() < 0.5)
            axis = QLineF(*m_arrowHead - QPointF(0, 8), *m_arrowHead);
        const qreal length = qMax<qreal>(axis.length(), 7);
        QLineF normal = axis.normalVector();
        normal.setLength(m_critical ? 5.5 : 4.5);
        const QPointF base = *m_arrowHead - (axis.p2() - axis.p1()) / axis.length() * length;
        QPolygonF head;
        head << *m_arrowHead << base + (normal.p2() - normal.p1()) << base - (normal.p2() - normal.p1());
        painter->setPen(QPen(color, 1));
        painter->setBrush(color);
        painter->drawPolygon(head);
    }

    if (const QRectF l = labelRect(); !l.isNull()) {
        const QColor window = palette.color(QPalette::Window);
        painter->setPen(QPen(lineColor(palette), 1));
        painter->setBrush(window);
        painter->drawRoundedRect(l, 3, 3);
        painter->setFont(m_fonts.small);
        painter->setPen(palette.color(QPalette::WindowText));
        painter->drawText(l, Qt::AlignCenter, m_label);
    }
}

} // namespace Stagelens
