#pragma once

// Reads build logs one after another on a worker thread, in the order they were asked for, with progress,
// cancel and the builds of a long log handed out early (provisional until the file is read). QtCore only,
// so it is tested without widgets; ProjectSession drives it in its asynchronous mode.

#include "model/buildlog/buildrun.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

namespace Stagelens {

class LogLoader : public QObject
{
    Q_OBJECT
public:
    explicit LogLoader(QObject *parent = nullptr);
    /// Cancels the read in progress and waits for the worker: nothing is delivered afterwards.
    ~LogLoader() override;

    /// Queues `path`; reading starts at once when nothing else is being read.
    void enqueue(const QString &path);
    /// One build per bake/compose target and platform, for the reads that start from now on.
    void setSplitTargets(bool split) { m_splitTargets = split; }
    /// Drops the queue and stops the read in progress; whatever it still delivers is dropped.
    void cancel();
    /// A file is being read, or its result not yet delivered, or more are queued.
    bool isBusy() const { return m_loading || !m_queue.isEmpty(); }

Q_SIGNALS:
    void started(const QString &path);
    void progress(int permille);
    /// Builds of `path` that ended while it is still being read (see BuildLogReadOptions::onBuildsEnded).
    void provisionalBuilds(const QString &path, const QList<BuildRun> &builds);
    /// The final result of `path`; it replaces any provisional builds of it.
    void finished(const QString &path, const BuildLogResult &result);
    /// The read of `path` was cancelled: its provisional builds are void.
    void canceled(const QString &path);
    /// Nothing is being read and nothing is queued.
    void idle();

private:
    void startNext();
    void onFinished();

    QFutureWatcher<BuildLogResult> *m_watcher = nullptr;
    QStringList m_queue;
    QString m_current;
    quint64 m_generation = 0; ///< a cancel moves it on: late batches and results of the old read are dropped
    quint64 m_loadingGeneration = 0; ///< the generation the read in progress started with
    bool m_loading = false;
    bool m_splitTargets = false;
};

} // namespace Stagelens
