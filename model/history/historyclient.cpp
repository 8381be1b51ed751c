#include "historyclient.h"

#include <QThread>

namespace Stagelens {

// Lives on the client's thread; its store is opened there, on the first request, and opened again after a
// failure, so a database that comes back is used without restarting.
class HistoryWorker : public QObject
{
    Q_OBJECT
public:
    explicit HistoryWorker(const HistoryLocation &location)
        : m_location(location)
    { }

    void builds(quint64 generation, const HistoryQuery &query)
    {
        if (!ensureOpen()) {
            Q_EMIT buildsDone(generation, {}, m_store->errorString());
            return;
        }
        QList<HistoryBuild> list = m_store->builds(query);
        Q_EMIT buildsDone(generation, list, takeError());
    }

    void trends(quint64 generation, const HistoryQuery &query, int slowestSteps)
    {
        HistoryTrends result;
        if (!ensureOpen()) {
            result.error = m_store->errorString();
            Q_EMIT trendsDone(generation, result);
            return;
        }
        const QList<HistoryBuild> builds = m_store->builds(query);
        QString error = takeError();
        const QList<HistoryStepSeries> steps =
            error.isEmpty() ? m_store->slowestSteps(query, slowestSteps) : QList<HistoryStepSeries>();
        if (error.isEmpty())
            error = takeError();
        result = makeHistoryTrends(builds, steps);
        result.error = error;
        Q_EMIT trendsDone(generation, result);
    }

    void add(const QString &path, const HistoryProvenance &provenance)
    {
        HistoryAddResult result;
        if (!ensureOpen())
            result.error = m_store->errorString();
        else
            result = m_store->addFile(path, provenance);
        Q_EMIT addDone(path, result);
    }

Q_SIGNALS:
    void buildsDone(quint64 generation, const QList<Stagelens::HistoryBuild> &builds, const QString &error);
    void trendsDone(quint64 generation, const Stagelens::HistoryTrends &trends);
    void addDone(const QString &path, const Stagelens::HistoryAddResult &result);

private:
    bool ensureOpen()
    {
        if (m_store && m_store->isOpen())
            return true;
        m_store = std::make_unique<HistoryStore>();
        m_lastError.clear();
        return m_store->open(m_location);
    }

    // The store keeps its last error; a query that failed leaves a new one behind.
    QString takeError()
    {
        const QString error = m_store->errorString();
        if (error == m_lastError)
            return {};
        m_lastError = error;
        return error;
    }

    HistoryLocation m_location;
    std::unique_ptr<HistoryStore> m_store;
    QString m_lastError;
};

HistoryClient::HistoryClient(const HistoryLocation &location, QObject *parent)
    : QObject(parent)
    , m_location(location)
    , m_thread(new QThread)
    , m_worker(new HistoryWorker(location))
{
    m_thread->setObjectName(QStringLiteral("stagelens-history"));
    m_worker->moveToThread(m_thread);
    // The worker (and with it the store and its connection) is destroyed on its own thread.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &HistoryWorker::buildsDone, this,
        [this](quint64 generation, const QList<HistoryBuild> &builds, const QString &error) {
            if (generation == m_buildsGeneration) {
                if (error.isEmpty())
                    Q_EMIT buildsLoaded(builds);
                else
                    Q_EMIT failed(error);
            }
            finishOne();
        });
    connect(
        m_worker, &HistoryWorker::trendsDone, this, [this](quint64 generation, const HistoryTrends &trends) {
            if (generation == m_trendsGeneration)
                Q_EMIT trendsLoaded(trends);
            finishOne();
        });
    connect(
        m_worker, &HistoryWorker::addDone, this, [this](const QString &path, const HistoryAddResult &result) {
            Q_EMIT fileAdded(path, result);
            finishOne();
        });
    m_thread->start();
}

HistoryClient::~HistoryClient()
{
    disconnect(m_worker, nullptr, this, nullptr);
    m_thread->quit();
    // A query blocked on an unreachable server (up to libpq's connect_timeout) must not hang the window's
    // close: the thread is then left to end by itself and delete itself.
    if (m_thread->wait(500)) {
        delete m_thread;
        return;
    }
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_thread->setParent(nullptr);
}

void HistoryClient::requestBuilds(const HistoryQuery &query)
{
    const quint64 generation = ++m_buildsGeneration;
    ++m_pending;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, generation, query]() { worker->builds(generation, query); });
}

void HistoryClient::requestTrends(const HistoryQuery &query, int slowestSteps)
{
    const quint64 generation = ++m_trendsGeneration;
    ++m_pending;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, generation, query, slowestSteps]() {
        worker->trends(generation, query, slowestSteps);
    });
}

void HistoryClient::addFile(const QString &path, const HistoryProvenance &provenance)
{
    ++m_pending;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, path, provenance]() { worker->add(path, provenance); });
}

void HistoryClient::finishOne()
{
    if (--m_pending == 0)
        Q_EMIT idle();
}

} // namespace Stagelens

#include "historyclient.moc"
