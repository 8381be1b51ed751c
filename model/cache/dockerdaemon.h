#pragma once

// A read-only client of the local Docker daemon, for one question: what image does a reference name here
// (`GET /images/{name}/json`: its layer chain and run config). A small HTTP/1.1 client over the daemon's
// unix socket (blocking calls with a timeout): no Docker library, nothing written, no other
// endpoint. Only unix sockets: a tcp:// or ssh:// DOCKER_HOST is refused (another machine's images would
// answer a question about this one's builds, and tcp may carry credentials we must not touch).
// One object per thread; every call is synchronous and bounded by the timeout.

#include <QString>
#include <QStringList>

namespace Stagelens {

/// Where the daemon listens: DOCKER_HOST's unix:// path, else /var/run/docker.sock.
struct DaemonEndpoint
{
    QString socketPath;
    QString error; ///< set for a DOCKER_HOST that is not unix:// ("tcp://...: only unix sockets are read")

    bool isValid() const { return error.isEmpty(); }
};

/// Reads `dockerHost` (the DOCKER_HOST value; empty for the default).
DaemonEndpoint daemonEndpoint(const QString &dockerHost);

/// What the daemon says about one image.
struct ImageFacts
{
    bool found = false;
    QString reference; ///< as asked
    QString id; ///< "sha256:..." (the config digest)
    QStringList layers; ///< RootFS.Layers: the diff ids BuildKit keys a base by
    QStringList env; ///< Config.Env, in order
    QString user;
    QString workingDir;
    QStringList shell;
    QStringList repoDigests;
    QString error; ///< why not found: "no such image", "cannot connect ...", "malformed answer ..."

    /// Env, User, WorkingDir and Shell: what a RUN step's cache key takes from its base.
    bool sameRunConfig(const ImageFacts &other) const;
};

class DockerDaemonClient
{
public:
    explicit DockerDaemonClient(QString socketPath, int timeoutMs = 5000);

    /// `GET /images/{reference}/json`. A 404 gives found = false with "not in the local image store".
    ImageFacts inspect(const QString &reference) const;

    /// The raw exchange, for tests and messages: status code (0 when no answer) and body.
    struct Response
    {
        int status = 0;
        QByteArray body;
        QString error;
    };
    Response get(const QByteArray &path) const;

    /// Parses an inspect body (the daemon's JSON); public so it can be tested on canned answers.
    static ImageFacts parseInspect(const QByteArray &body, const QString &reference);

private:
    QString m_socketPath;
    int m_timeoutMs;
};

} // namespace Stagelens
