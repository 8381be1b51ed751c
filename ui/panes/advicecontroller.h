#pragma once

// Keeps the Advice pane in step with the project: whenever the graph, the context or the selected build's
// analysis changes, the advice engine runs again on a worker (the newest request wins) and the pane, the
// tab title and the Dockerfile gutter marks follow. GUI thread; the engine runs on QtConcurrent's pool.

#include "model/advice/advice.h"

#include <QFutureWatcher>
#include <QObject>

class QTabWidget;
class QTimer;

namespace Stagelens {

class AdvicePane;
class ProjectSession;

class AdviceController : public QObject
{
    Q_OBJECT
public:
    AdviceController(ProjectSession *session, AdvicePane *pane, QTabWidget *tabs, QObject *parent = nullptr);

    /// A request is queued or the engine is running.
    bool isBusy() const;
    const AdviceResult &result() const { return m_result; }

Q_SIGNALS:
    /// New advice landed: the Dockerfile lines it concerns (for gutter marks).
    void adviceChanged(const QSet<int> &lines);
    /// isBusy() became false.
    void settled();

private:
    void schedule();
    void start();

    ProjectSession *m_session;
    AdvicePane *m_pane;
    QTabWidget *m_tabs;
    QTimer *m_timer;
    QFutureWatcher<AdviceResult> m_watcher;
    AdviceResult m_result;
    bool m_again = false; ///< a change came while the engine ran
};

} // namespace Stagelens
