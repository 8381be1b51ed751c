#pragma once

// A stand-in for the Docker daemon's unix socket in tests: a QLocalServer on its own thread answering
// `GET /images/{name}/json` with canned inspect JSON, so the --resolve-images path runs in CI without
// Docker. Answers can be sent with Content-Length, chunked, or delimited by the close, or not at all (to
// test the client's timeout).

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMutex>
#include <QSemaphore>
#include <QStringList>
#include <QThread>
#include <QUrl>

namespace Stagelens::Test {

class FakeDockerDaemon
{
public:
    enum class Framing
    {
        Length,
        Chunked,
        Close,
        Silent ///< reads the request and never answers
    };

    explicit FakeDockerDaemon(const QString &socketPath)
        : m_path(socketPath)
    {
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
        QSemaphore ready;
        QMetaObject::invokeMethod(
            &m_anchor,
            [this, &ready] {
                m_server = new QLocalServer;
                QLocalServer::removeServer(m_path);
                m_listening = m_server->listen(m_path);
                QObject::connect(m_server, &QLocalServer::newConnection, m_server, [this] { serve(); });
                ready.release();
            },
            Qt::QueuedConnection);
        ready.acquire();
    }
    ~FakeDockerDaemon()
    {
        QMetaObject::invokeMethod(
            &m_anchor, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    bool isListening() const { return m_listening; }
    QString path() const { return m_path; }

    /// An image as `docker image inspect` shows it (the fields the client reads).
    static QByteArray image(const QString &id, const QStringList &layers, const QStringList &env,
        const QString &user = {}, const QString &workdir = {})
    {
        QJsonObject config;
        config.insert(QStringLiteral("Env"), QJsonArray::fromStringList(env));
        config.insert(QStringLiteral("User"), user);
        config.insert(QStringLiteral("WorkingDir"), workdir);
        config.insert(QStringLiteral("Shell"), QJsonValue());
        QJsonObject rootfs;
        rootfs.insert(QStringLiteral("Type"), QStringLiteral("layers"));
        rootfs.insert(QStringLiteral("Layers"), QJsonArray::fromStringList(layers));
        QJsonObject o;
        o.insert(QStringLiteral("Id"), id);
        o.insert(QStringLiteral("Config"), config);
        o.insert(QStringLiteral("RootFS"), rootfs);
        o.insert(QStringLiteral("RepoDigests"), QJsonArray());
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

    /// The answer for image `reference` (as the client percent-encodes it in the path).
    void addImage(const QString &reference, const QByteArray &body)
    {
        QMutexLocker lock(&m_mutex);
        m_images.insert(reference, body);
    }
    void setFraming(Framing framing)
    {
        QMutexLocker lock(&m_mutex);
        m_framing = framing;
    }
    QStringList requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }

private:
    void serve()
    {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            QObject::connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            QObject::connect(socket, &QLocalSocket::readyRead, socket, [this, socket] { answer(socket); });
        }
    }

    void answer(QLocalSocket *socket)
    {
        QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        if (!request.contains("\r\n\r\n"))
            return;
        const QByteArray target = request.left(request.indexOf('\n')).split(' ').value(1);
        QMutexLocker lock(&m_mutex);
        m_requests.append(QString::fromUtf8(target));
        if (m_framing == Framing::Silent)
            return;
        QByteArray status = "200 OK";
        QByteArray body;
        const QByteArray prefix = "/images/";
        const QByteArray suffix = "/json";
        if (target.startsWith(prefix) && target.endsWith(suffix)) {
            const QString name = QUrl::fromPercentEncoding(
                target.mid(prefix.size(), target.size() - prefix.size() - suffix.size()));
            if (m_images.contains(name)) {
                body = m_images.value(name);
            } else {
                status = "404 Not Found";
                body = "{\"message\":\"No such image: " + name.toUtf8() + "\"}";
            }
        } else {
            status = "400 Bad Request";
            body = "{\"message\":\"unexpected\"}";
        }
        QByteArray out = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n";
        switch (m_framing) {
        case Framing::Length:
            out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
            break;
        case Framing::Chunked: {
            out += "Transfer-Encoding: chunked\r\n\r\n";
            // Two chunks, split mid-document, as Go's server does for a large answer.
            const qsizetype half = body.size() / 2;
            for (const QByteArray &chunk : {body.left(half), body.mid(half)})
                out += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
            out += "0\r\n\r\n";
            break;
        }
        case Framing::Close:
        case Framing::Silent:
            out += "\r\n" + body;
            break;
        }
        socket->write(out);
        socket->flush();
        if (m_framing == Framing::Close)
            socket->disconnectFromServer();
    }

    QString m_path;
    QThread m_thread;
    QObject m_anchor; // lives on m_thread: the server and its sockets are created there
    QLocalServer *m_server = nullptr;
    bool m_listening = false;
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_images;
    Framing m_framing = Framing::Length;
    QStringList m_requests;
};

} // namespace Stagelens::Test
