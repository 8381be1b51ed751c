#pragma once

// The left pane: which Dockerfile, target and build args the project is built with, and the what-if
// question (ticked context files, the kind of change) with its answer. It drives the session directly and
// shows what the session says; it computes nothing.

#include <QWidget>

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTreeView;

namespace Stagelens {

class ContextTreeModel;
class ProjectSession;

class ProjectPane : public QWidget
{
    Q_OBJECT
public:
    explicit ProjectPane(ProjectSession *session, QWidget *parent = nullptr);

    ContextTreeModel *contextModel() const { return m_contextModel; }
    /// Ticks context paths (relative to the project, or absolute inside it) and opens the folders above them.
    /// Returns how many were found in the context.
    int checkPaths(const QStringList &paths);

private:
    void refreshProject();
    void refreshGraph();
    void refreshContext();
    void refreshAnswer();
    void applyTicks();

    ProjectSession *m_session;
    QComboBox *m_dockerfileCombo = nullptr;
    QComboBox *m_targetCombo = nullptr;
    QTableView *m_argsView = nullptr;
    ContextTreeModel *m_contextModel = nullptr;
    QSortFilterProxyModel *m_contextFilter = nullptr;
    QTreeView *m_contextTree = nullptr;
    QComboBox *m_changeKind = nullptr;
    QLabel *m_answer = nullptr;
    bool m_mirroring = false; ///< the ticks are being set from the session: do not send them back
};

} // namespace Stagelens
