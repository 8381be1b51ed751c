#include "logloader.h"

#include "model/buildlog/buildlogreader.h"

#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent>

namespace Stagelens {

LogLoader::LogLoader(QObject *parent)
    : QObject(parent)
    , m_watcher(new QFutureWatcher<BuildLogResult>(this))
{
    connect(m_watcher, &QFutureWatcherBase::progressValueChanged, this, &LogLoader::progress);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &LogLoader::onFinished);
}

LogLoader::~LogLoader()
{
    if (m_watcher->isRunning()) {
        m_watcher->cancel();
        m_watcher->waitForFinished();
    }
}

void LogLoader::enqueue(const QString &path)
{
    m_queue.append(QFileInfo(path).absoluteFilePath());
    // Until its result is delivered, not only while the reader runs: a second log opened in between would
    // otherwise start at once and drop the first one's result.
    if (!m_loading)
        startNext();
}

void LogLoader::startNext()
{
    if (m_loading || m_queue.isEmpty())
        return;
    m_current = m_queue.takeFirst();
    const quint64 generation = ++m_generation;
    m_loadingGeneration = generation;
    BuildLogReadOptions options;
    options.splitTargets = m_splitTargets;
    // Called on the reading thread; the batch crosses to this thread queued, and a cancel or a newer read
    // drops it through the generation. The destructor waits for the reader, so `this` outlives every call.
    options.onBuildsEnded = [this, generation, path = m_current](QList<BuildRun> ended) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, path, ended = std::move(ended)]() {
                if (generation == m_generation && m_loading && !ended.isEmpty())
                    Q_EMIT provisionalBuilds(path, ended);
            },
            Qt::QueuedConnection);
    };
    m_loading = true;
    Q_EMIT started(m_current);
    Q_EMIT progress(0);
    m_watcher->setFuture(QtConcurrent::run(readBuildLog, m_current, options));
}

void LogLoader::cancel()
{
    m_queue.clear();
    if (!m_loading)
        return;
    ++m_generation;
    m_watcher->cancel();
}

// Through the watcher rather than a continuation: a continuation whose owner is gone asserts in Qt 6.4.
void LogLoader::onFinished()
{
    if (!m_loading)
        return;
    m_loading = false;
    const QString path = m_current;
    const QFuture<BuildLogResult> future = m_watcher->future();
    if (future.isCanceled() || future.resultCount() == 0 || m_loadingGeneration != m_generation)
        Q_EMIT canceled(path);
    else
        Q_EMIT finished(path, future.result());
    // The next file in the order they were asked for, on a fresh turn of the event loop.
    if (!m_queue.isEmpty())
        QTimer::singleShot(0, this, &LogLoader::startNext);
    else
        Q_EMIT idle();
}

} // namespace Stagelens
