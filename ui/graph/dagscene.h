#pragma once

// The stage DAG as a QGraphicsScene: a DagModel in, Graphviz layout off the GUI thread, items out.

#include "model/layout/graphlayouter.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagmodel.h"

#include <QGraphicsScene>
#include <QPair>

namespace Stagelens {

class DagScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit DagScene(QObject *parent = nullptr);
    ~DagScene() override;

    /// Replaces the model and lays it out in the background; the items change when layoutFinished() fires.
    /// A newer call drops the result of an older layout still running. GUI thread only.
    void setModel(const DagModel &model);
    const DagModel &model() const { return m_model; }
    /// Stage-only mode: one node per stage. Relayouts.
    void setCollapsed(bool collapsed);
    bool isCollapsed() const { return m_model.collapsed; }

    bool isLayoutPending() const { return m_pending; }
    QString layoutError() const { return m_error; }
    /// The laid-out graph (without margins); empty before the first layout.
    QRectF graphRect() const { return m_graphRect; }

    /// Selects a step without emitting stepSelected(); step -1 selects a stage node in collapsed mode.
    void selectStep(int stage, int step);
    /// (stage, step) of the selection, (-1, -1) when none.
    QPair<int, int> selectedStep() const;

    QList<StepNodeItem *> stepItems() const;
    QList<StageNodeItem *> stageNodeItems() const;
    QList<StageClusterItem *> clusterItems() const;
    QList<ImageNodeItem *> imageItems() const;
    /// Dependency edges only (not the links ordering steps inside a stage).
    QList<DependencyEdgeItem *> dependencyItems() const;
    QGraphicsItem *stepItem(int stage, int step) const;

    /// Text fonts, in pixel sizes, derived from the scene font.
    const DagFonts &fonts() const { return m_fonts; }

signals:
    void layoutStarted();
    void layoutFinished();
    void layoutFailed(const QString &error);
    /// The user clicked a step (step -1: a stage node in collapsed mode).
    void stepSelected(int stage, int step);

protected:
    bool event(QEvent *event) override;

private:
    struct Prepared;
    void relayout();
    Prepared prepare() const;
    void buildItems(const Prepared &prepared, const GraphLayout &layout);
    void updateFonts();
    void onSelectionChanged();

    DagModel m_model;
    DagFonts m_fonts;
    quint64 m_generation = 0;
    bool m_pending = false;
    bool m_selectingProgrammatically = false;
    QString m_error;
    QRectF m_graphRect;
    QPair<int, int> m_selection {-1, -1};
};

} // namespace Stagelens
