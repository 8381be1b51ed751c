#include "dockerdaemon.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Stagelens {

namespace {

constexpr qsizetype MaxAnswer = 16 * 1024 * 1024; // an inspect answer is a few KB; never buffer a stream
const QString DefaultSocket = QStringLiteral("/var/run/docker.sock");

QStringList stringList(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

// A chunked body ("1a\r\n...\r\n0\r\n\r\n"): false when it is cut or malformed.
bool unchunk(const QByteArray &raw, QByteArray *body)
{
    qsizetype at = 0;
    for (;;) {
        const qsizetype eol = raw.indexOf("\r\n", at);
        if (eol < 0)
            return false;
        bool ok = false;
        const qsizetype size = raw.mid(at, eol - at).split(';').first().trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0 || size > MaxAnswer)
            return false;
        if (size == 0)
            return true;
        if (eol + 2 + size > raw.size())
            return false;
        body->append(raw.mid(eol + 2, size));
        at = eol + 2 + size + 2;
    }
}

// The daemon's unix socket, through the system calls themselves: QtNetwork's QLocalSocket did the same, but
// linking QtNetwork loaded it and Kerberos, libproxy and five more libraries at every start of the program
// (the start-up budget, #22) for this one optional request. Blocking with poll() and a deadline.
class UnixSocket
{
public:
    ~UnixSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    /// Connects to `path`; false with errorString() when it cannot.
    bool connectTo(const QString &path)
    {
        const QByteArray native = QFile::encodeName(path);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        if (native.size() >= qsizetype(sizeof(address.sun_path))) {
            m_error =
                QStringLiteral("the socket path is longer than %1 bytes").arg(sizeof(address.sun_path) - 1);
            return false;
        }
        std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        // A local connect does not wait for the peer to accept: it succeeds or fails at once.
        if (m_fd < 0 || ::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0) {
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        return true;
    }

    /// Writes all of `bytes` before the deadline.
    bool writeAll(const QByteArray &bytes, const QDeadlineTimer &deadline)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n =
                ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n > 0) {
                done += n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                m_error = QString::fromLocal8Bit(std::strerror(errno));
                return false;
            } else if (!wait(POLLOUT, deadline)) {
                return false;
            }
        }
        return true;
    }

    enum class Read
    {
        Data, ///< bytes were appended
        Closed, ///< the peer closed the connection
        TimedOut,
        Failed
    };
    /// Appends what arrives before the deadline to `out`.
    Read readSome(QByteArray *out, const QDeadlineTimer &deadline)
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof(buffer), 0);
            if (n > 0) {
                out->append(buffer, n);
                return Read::Data;
            }
            if (n == 0)
                return Read::Closed;
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                m_error = QString::fromLocal8Bit(std::strerror(errno));
                return Read::Failed;
            }
            if (!wait(POLLIN, deadline))
                return m_error.isEmpty() ? Read::TimedOut : Read::Failed;
        }
    }

    QString errorString() const { return m_error; }

private:
    // False when the deadline passed first (or poll failed: then m_error says why).
    bool wait(short events, const QDeadlineTimer &deadline)
    {
        for (;;) {
            const qint64 left = deadline.remainingTime();
            if (left == 0)
                return false;
            pollfd p {m_fd, events, 0};
            const int rc = ::poll(&p, 1, int(std::min<qint64>(left, 60000)));
            if (rc > 0)
                return true;
            if (rc < 0 && errno != EINTR) {
                m_error = QString::fromLocal8Bit(std::strerror(errno));
                return false;
            }
        }
    }

    int m_fd = -1;
    QString m_error;
};

} // namespace

DaemonEndpoint daemonEndpoint(const QString &dockerHost)
{
    DaemonEndpoint out;
    const QString host = dockerHost.trimmed();
    if (host.isEmpty()) {
        out.socketPath = DefaultSocket;
    } else if (host.startsWith(QLatin1String("unix://"))) {
        out.socketPath = host.mid(7);
        if (out.socketPath.isEmpty())
            out.error = QStringLiteral("DOCKER_HOST=%1 names no socket path").arg(host);
    } else {
        out.error = QStringLiteral("DOCKER_HOST=%1: only a local unix:// socket is read "
                                   "(tcp://, ssh:// and other transports are refused)")
                        .arg(host);
    }
    return out;
}

bool ImageFacts::sameRunConfig(const ImageFacts &other) const
{
    return env == other.env && user == other.user && workingDir == other.workingDir && shell == other.shell;
}

DockerDaemonClient::DockerDaemonClient(QString socketPath, int timeoutMs)
    : m_socketPath(std::move(socketPath))
    , m_timeoutMs(timeoutMs)
{ }

DockerDaemonClient::Response DockerDaemonClient::get(const QByteArray &path) const
{
    Response out;
    UnixSocket socket;
    const QDeadlineTimer deadline(m_timeoutMs);
    if (!socket.connectTo(m_socketPath)) {
        out.error = QStringLiteral("cannot connect to the Docker daemon at %1: %2")
                        .arg(m_socketPath, socket.errorString());
        return out;
    }
    // One request per connection, closed by the daemon after the answer: no keep-alive bookkeeping.
    const QByteArray request = "GET " + path
        + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: stagelens\r\nAccept: application/json\r\n"
          "Connection: close\r\n\r\n";
    if (!socket.writeAll(request, deadline)) {
        out.error = socket.errorString().isEmpty()
            ? QStringLiteral("the Docker daemon at %1 did not answer within %2 ms")
                  .arg(m_socketPath)
                  .arg(m_timeoutMs)
            : QStringLiteral("cannot write to the Docker daemon at %1: %2")
                  .arg(m_socketPath, socket.errorString());
        return out;
    }
    QByteArray raw;
    qsizetype headerEnd = -1;
    qint64 contentLength = -1;
    bool chunked = false;
    for (;;) {
        const UnixSocket::Read read = socket.readSome(&raw, deadline);
        if (raw.size() > MaxAnswer) {
            out.error = QStringLiteral("the Docker daemon's answer is larger than %1 bytes").arg(MaxAnswer);
            return out;
        }
        if (headerEnd < 0 && (headerEnd = raw.indexOf("\r\n\r\n")) >= 0) {
            const QList<QByteArray> lines = raw.left(headerEnd).split('\n');
            const QList<QByteArray> status = lines.first().trimmed().split(' ');
            out.status =
                status.size() >= 2 && status.first().startsWith("HTTP/1.") ? status.at(1).toInt() : 0;
            if (out.status == 0) {
                out.error = QStringLiteral("%1 did not answer in HTTP/1.1").arg(m_socketPath);
                return out;
            }
            for (const QByteArray &line : lines.mid(1)) {
                const qsizetype colon = line.indexOf(':');
                if (colon < 0)
                    continue;
                const QByteArray key = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (key == "content-length")
                    contentLength = value.toLongLong();
                else if (key == "transfer-encoding" && value.toLower().contains("chunked"))
                    chunked = true;
            }
        }
        if (headerEnd >= 0) {
            const QByteArray rest = raw.mid(headerEnd + 4);
            if (contentLength >= 0 && rest.size() >= contentLength) {
                out.body = rest.left(contentLength);
                return out;
            }
            if (chunked && rest.endsWith("0\r\n\r\n") && unchunk(rest, &out.body))
                return out;
        }
        if (read == UnixSocket::Read::Closed)
            break;
        if (read == UnixSocket::Read::TimedOut) {
            out.error = QStringLiteral("the Docker daemon at %1 did not answer within %2 ms")
                            .arg(m_socketPath)
                            .arg(m_timeoutMs);
            return out;
        }
        if (read == UnixSocket::Read::Failed) {
            out.error = QStringLiteral("cannot read from the Docker daemon at %1: %2")
                            .arg(m_socketPath, socket.errorString());
            return out;
        }
    }
    // Closed by the peer: a body delimited by the close, unless a length said otherwise.
    if (headerEnd < 0) {
        out.status = 0;
        out.error = QStringLiteral("the Docker daemon at %1 closed the connection without an answer")
                        .arg(m_socketPath);
        return out;
    }
    const QByteArray rest = raw.mid(headerEnd + 4);
    if (chunked) {
        if (!unchunk(rest, &out.body))
            out.error = QStringLiteral("the Docker daemon's answer was cut off");
    } else if (contentLength >= 0 && rest.size() < contentLength) {
        out.error = QStringLiteral("the Docker daemon's answer was cut off");
    } else {
        out.body = rest;
    }
    return out;
}

ImageFacts DockerDaemonClient::parseInspect(const QByteArray &body, const QString &reference)
{
    ImageFacts facts;
    facts.reference = reference;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject()) {
        facts.error = QStringLiteral("malformed answer for %1: %2").arg(reference, error.errorString());
        return facts;
    }
    const QJsonObject o = doc.object();
    facts.id = o.value(QStringLiteral("Id")).toString();
    facts.layers = stringList(o.value(QStringLiteral("RootFS")).toObject().value(QStringLiteral("Layers")));
    const QJsonObject config = o.value(QStringLiteral("Config")).toObject();
    facts.env = stringList(config.value(QStringLiteral("Env")));
    facts.user = config.value(QStringLiteral("User")).toString();
    facts.workingDir = config.value(QStringLiteral("WorkingDir")).toString();
    facts.shell = stringList(config.value(QStringLiteral("Shell")));
    facts.repoDigests = stringList(o.value(QStringLiteral("RepoDigests")));
    if (facts.id.isEmpty()) {
        facts.error = QStringLiteral("malformed answer for %1: no image Id").arg(reference);
        return facts;
    }
    facts.found = true;
    return facts;
}

ImageFacts DockerDaemonClient::inspect(const QString &reference) const
{
    // The name is one path segment for the router only after escaping ('/' stays: the daemon's route takes
    // the rest of the path as the name, as `docker image inspect` sends it).
    const QByteArray path = "/images/" + QUrl::toPercentEncoding(reference, "/:@") + "/json";
    const Response r = get(path);
    ImageFacts facts;
    facts.reference = reference;
    if (!r.error.isEmpty()) {
        facts.error = r.error;
        return facts;
    }
    if (r.status == 404) {
        facts.error = QStringLiteral("%1 is not in the local image store").arg(reference);
        return facts;
    }
    if (r.status != 200) {
        const QString message =
            QJsonDocument::fromJson(r.body).object().value(QStringLiteral("message")).toString();
        facts.error = QStringLiteral("the Docker daemon answered %1 for %2%3")
                          .arg(r.status)
                          .arg(reference, message.isEmpty() ? QString() : QStringLiteral(": ") + message);
        return facts;
    }
    return parseInspect(r.body, reference);
}

} // namespace Stagelens
