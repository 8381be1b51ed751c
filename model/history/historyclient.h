#pragma once

// The GUI's way to the history store: every query runs on one worker thread that owns its own store and
// database connection (Qt SQL connections belong to the thread that opened them), and the results come
// back as signals on the thread that owns the client. Nothing here waits for the database, so a slow,
// locked or unreachable database never blocks the GUI thread. QtCore only.

#include "historystore.h"
#include "historytrends.h"

#include <QObject>

class QThread;

namespace Stagelens {

class HistoryWorker;

/// GUI thread (the thread that created it) only; the store lives on the client's worker thread.
class HistoryClient : public QObject
{
    Q_OBJECT
public:
    explicit HistoryClient(const HistoryLocation &location, QObject *parent = nullptr);
    /// Waits briefly for the query in progress; one still stuck on the network is left to finish on its
    /// own and is then cleaned up, so closing never hangs the GUI.
    ~HistoryClient() override;

    const HistoryLocation &location() const { return m_location; }
    /// True while a request has not answered yet.
    bool isBusy() const { return m_pending > 0; }

    /// The builds matching `query`, newest first: buildsLoaded, or failed.
    void requestBuilds(const HistoryQuery &query);
    /// Trends of the builds matching `query` with the `slowestSteps` slowest steps: trendsLoaded (its
    /// error set on failure). A newer request of the same kind supersedes an older one's result.
    void requestTrends(const HistoryQuery &query, int slowestSteps);
    /// Adds a log or build record: fileAdded (its error set on failure).
    void addFile(const QString &path, const HistoryProvenance &provenance);

Q_SIGNALS:
    void buildsLoaded(const QList<Stagelens::HistoryBuild> &builds);
    void trendsLoaded(const Stagelens::HistoryTrends &trends);
    void fileAdded(const QString &path, const Stagelens::HistoryAddResult &result);
    /// The database could not be opened or a query failed; the text names the database, never a password.
    void failed(const QString &error);
    /// No request is pending any more.
    void idle();

private:
    void finishOne();

    HistoryLocation m_location;
    QThread *m_thread = nullptr;
    HistoryWorker *m_worker = nullptr;
    int m_pending = 0;
    quint64 m_buildsGeneration = 0;
    quint64 m_trendsGeneration = 0;
};

} // namespace Stagelens
