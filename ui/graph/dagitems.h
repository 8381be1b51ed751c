#pragma once

// The QGraphicsItems of the stage DAG. They hold what they draw as plain values and take their colours from
// the scene's palette at paint time, so a palette change needs no rebuild. GUI thread only.

#include "ui/graph/dagmodel.h"

#include <QFont>
#include <QGraphicsObject>
#include <QGraphicsPathItem>
#include <QList>
#include <QPointF>
#include <QRectF>

#include <optional>

namespace Stagelens {

/// Fonts of the DAG, in pixel sizes: the scene's unit is the point Graphviz lays out in, so text measured
/// with these fonts fits the boxes on any paint device.
struct DagFonts
{
    QFont text;
    QFont bold;
    QFont small;
    QFont smallBold;
    QFont title;
};

enum DagItemType
{
    StepNodeType = QGraphicsItem::UserType + 101,
    StageNodeType,
    StageClusterType,
    ImageNodeType,
    DependencyEdgeType
};

/// Data key under which every item keeps its plain-text tooltip (see PlainToolTip).
constexpr int ToolTipDataKey = 0;

/// Draws the state glyph used by nodes and the legend (triangle, check, cross, slash, dash).
void drawStateIcon(QPainter *painter, const QRectF &box, StepState state, const QColor &color);

/// One Dockerfile step. Selectable; hover highlights it.
class StepNodeItem : public QGraphicsObject
{
    Q_OBJECT
public:
    struct Texts
    {
        QString text; ///< already elided to fit
        QString seconds;
        QString badge; ///< what-if verdict, upper case
    };
    StepNodeItem(int stage, int step, const DagStep &data, const QSizeF &size, const Texts &texts,
        const DagFonts &fonts, bool showHeat);

    int type() const override { return StepNodeType; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    int stage() const { return m_stage; }
    int step() const { return m_step; }
    const DagStep &data() const { return m_data; }
    const Texts &texts() const { return m_texts; }
    const DagFonts &fonts() const { return m_fonts; }
    /// New state, timing and verdict for the same node (same place and size): the text is elided again when
    /// the seconds or the badge leave it less room. For a restyle without a new layout.
    void setContent(const DagStep &data, const Texts &texts, bool showHeat);
    /// Width of the state stripe on the left, 0 when no build is loaded.
    static qreal stripeWidth(StepState state);
    QColor fillColor(const QPalette &palette) const;

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    int m_stage;
    int m_step;
    DagStep m_data;
    QSizeF m_size;
    Texts m_texts;
    DagFonts m_fonts;
    bool m_showHeat;
    bool m_hovered = false;
};

/// A whole stage as one node (collapsed mode).
class StageNodeItem : public QGraphicsObject
{
    Q_OBJECT
public:
    StageNodeItem(int stage, const QString &title, const QString &summary, StepState state, bool critical,
        const QSizeF &size, const DagFonts &fonts);

    int type() const override { return StageNodeType; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int stage() const { return m_stage; }
    QString summary() const { return m_summary; }
    /// New summary, state and critical flag for the same node (a restyle without a new layout).
    void setContent(const QString &summary, StepState state, bool critical);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    int m_stage;
    QString m_title;
    QString m_summary;
    StepState m_state;
    bool m_critical;
    QSizeF m_size;
    DagFonts m_fonts;
    bool m_hovered = false;
};

/// The box around a stage's steps; StageTitleItem draws its title.
class StageClusterItem : public QGraphicsItem
{
public:
    StageClusterItem(int stage, const QRectF &rect, const QRectF &titleRect, const QString &title,
        const QString &subtitle, bool needed, const DagFonts &fonts);

    int type() const override { return StageClusterType; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int stage() const { return m_stage; }
    QString title() const { return m_title; }
    QRectF titleRect() const { return m_titleRect; }

private:
    int m_stage;
    QRectF m_rect;
    QRectF m_titleRect;
    QString m_title;
    QString m_subtitle;
    bool m_needed;
    DagFonts m_fonts;
};

/// A stage's title, drawn above the edges so that an edge crossing into the box never runs through the text.
class StageTitleItem : public QGraphicsItem
{
public:
    StageTitleItem(int stage, const QRectF &rect, const QString &title, const QString &subtitle, bool needed,
        const DagFonts &fonts);

    int stage() const { return m_stage; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    int m_stage;
    QRectF m_rect;
    QString m_title;
    QString m_subtitle;
    bool m_needed;
    DagFonts m_fonts;
};

/// An image from a registry (a FROM base, a COPY --from=<image> source).
class ImageNodeItem : public QGraphicsItem
{
public:
    ImageNodeItem(int image, const QString &text, const QSizeF &size, const DagFonts &fonts);

    int type() const override { return ImageNodeType; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int image() const { return m_image; }

private:
    int m_image;
    QString m_text;
    QSizeF m_size;
    DagFonts m_fonts;
};

/// A dependency between stages (from / copy / mount, drawn solid / dashed / dotted and labelled), or the
/// thin link that orders the steps inside a stage.
class DependencyEdgeItem : public QGraphicsPathItem
{
public:
    enum class Role
    {
        Dependency,
        StepOrder
    };
    DependencyEdgeItem(Role role, DagEdgeKind kind, const QList<QPointF> &bezier,
        std::optional<QPointF> arrowHead, std::optional<QPointF> labelCenter, const QString &label,
        bool critical, const DagFonts &fonts);

    int type() const override { return DependencyEdgeType; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    Role role() const { return m_role; }
    DagEdgeKind kind() const { return m_kind; }
    bool isCritical() const { return m_critical; }
    void setCritical(bool critical);
    QString label() const { return m_label; }
    /// Dependency index in DagModel::edges (-1 for step-order links).
    int modelEdge = -1;

private:
    QRectF labelRect() const;

    Role m_role;
    DagEdgeKind m_kind;
    std::optional<QPointF> m_arrowHead;
    QPointF m_arrowBase;
    std::optional<QPointF> m_labelCenter;
    QString m_label;
    bool m_critical;
    DagFonts m_fonts;
};

} // namespace Stagelens
