#pragma once

// The stage DAG as a QGraphicsScene: a DagModel in, Graphviz layout off the GUI thread, items out.

#include "model/layout/graphlayouter.h"
#include "ui/graph/dagitems.h"
#include "ui/graph/dagmodel.h"

#include <QGraphicsScene>
#include <QPair>

#include <memory>

namespace Stagelens {

class DagScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit DagScene(QObject *parent = nullptr);
    ~DagScene() override;

    /// Replaces the model. When the graph's structure changed (nodes, edges, clusters, collapsed mode, or
    /// whether a build is loaded), it is laid out again in the background and the items change when
    /// layoutFinished() fires; a newer call drops the result of an older layout still running. Otherwise
    /// (only states, timings, verdicts or the critical path changed) the existing items are restyled at once
    /// and restyled() fires: no layout, nothing moves. GUI thread only.
    void setModel(const DagModel &model);
    /// Replaces the model and lays it out on the calling thread (layout is synchronous and thread-safe), for
    /// reports: no event loop runs. Returns false (see layoutError()) when the layout fails.
    bool setModelAndLayOut(const DagModel &model);
    const DagModel &model() const { return m_model; }
    /// Stage-only mode: one node per stage. Relayouts.
    void setCollapsed(bool collapsed);
    bool isCollapsed() const { return m_model.collapsed; }

    bool isLayoutPending() const { return m_pending; }
    /// How many Graphviz layouts this scene has asked for (restyles do not count).
    int layoutCount() const { return m_layoutCount; }
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
    /// setModel() changed only how the items look; they kept their places.
    void restyled();
    void layoutFailed(const QString &error);
    /// The user clicked a step (step -1: a stage node in collapsed mode).
    void stepSelected(int stage, int step);

protected:
    bool event(QEvent *event) override;

private:
    struct Prepared;
    void relayout();
    void relayout(std::shared_ptr<Prepared> prepared);
    Prepared prepare() const;
    void buildItems(const Prepared &prepared, const GraphLayout &layout);
    void restyle(const Prepared &prepared);
    void updateFonts();
    void onSelectionChanged();

    DagModel m_model;
    DagFonts m_fonts;
    quint64 m_generation = 0;
    bool m_pending = false;
    int m_layoutCount = 0;
    QByteArray m_shownKey; ///< structure of the items on show; empty: none
    QByteArray m_pendingKey; ///< structure of the layout running
    std::shared_ptr<Prepared> m_pendingPrepared; ///< the newest texts and styles for the layout running
    QList<QGraphicsItem *> m_nodeItems; ///< parallel to Prepared::nodes of the items on show
    QList<DependencyEdgeItem *> m_edgeItems; ///< parallel to Prepared::edges; null: not drawn
    bool m_selectingProgrammatically = false;
    QString m_error;
    QRectF m_graphRect;
    QPair<int, int> m_selection {-1, -1};
};

} // namespace Stagelens
