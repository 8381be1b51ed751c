#include "advicecontroller.h"

#include "model/session/projectsession.h"
#include "ui/panes/advicepane.h"

#include <QTabWidget>
#include <QTimer>
#include <QtConcurrent>

namespace Stagelens {

AdviceController::AdviceController(
    ProjectSession *session, AdvicePane *pane, QTabWidget *tabs, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_pane(pane)
    , m_tabs(tabs)
    , m_timer(new QTimer(this))
{
    // Several session signals arrive together (a new graph, then its analysis): one run for all of them.
    m_timer->setSingleShot(true);
    m_timer->setInterval(0);
    connect(m_timer, &QTimer::timeout, this, &AdviceController::start);
    connect(session, &ProjectSession::graphChanged, this, &AdviceController::schedule);
    connect(session, &ProjectSession::contextChanged, this, &AdviceController::schedule);
    connect(session, &ProjectSession::analysisChanged, this, &AdviceController::schedule);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this]() {
        if (m_watcher.future().resultCount() > 0)
            m_result = m_watcher.result();
        if (m_again) {
            m_again = false;
            start();
            return;
        }
        m_pane->setResult(m_result);
        const int index = m_tabs->indexOf(m_pane);
        if (index >= 0)
            m_tabs->setTabText(index,
                m_result.advice.isEmpty() ? tr("Advice") : tr("Advice (%1)").arg(m_result.advice.size()));
        QSet<int> lines;
        for (const Advice &a : std::as_const(m_result.advice))
            lines.unite(QSet<int>(a.lines.cbegin(), a.lines.cend()));
        Q_EMIT adviceChanged(lines);
        Q_EMIT settled();
    });
}

bool AdviceController::isBusy() const
{
    return m_timer->isActive() || m_watcher.isRunning();
}

void AdviceController::schedule()
{
    m_timer->start();
}

void AdviceController::start()
{
    if (m_watcher.isRunning()) {
        m_again = true;
        return;
    }
    // Nothing to advise on without a Dockerfile (a log opened alone).
    if (!m_session->hasDockerfileText() || m_session->dockerfilePath().isEmpty()) {
        m_watcher.setFuture(QtConcurrent::run([]() { return AdviceResult(); }));
        return;
    }
    m_watcher.setFuture(QtConcurrent::run(adviseOn, m_session->adviceInput()));
}

} // namespace Stagelens
