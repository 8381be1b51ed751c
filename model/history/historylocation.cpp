#include "historylocation.h"

#include <QDir>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace Stagelens {

namespace {

// libpq connection keywords we pass on from the URL query (the others are our own or unknown).
bool isLibpqOption(const QString &key)
{
    static const QStringList Keys {QStringLiteral("sslmode"), QStringLiteral("sslcert"),
        QStringLiteral("sslkey"), QStringLiteral("sslrootcert"), QStringLiteral("sslcrl"),
        QStringLiteral("connect_timeout"), QStringLiteral("application_name"),
        QStringLiteral("target_session_attrs"), QStringLiteral("gssencmode"), QStringLiteral("passfile"),
        QStringLiteral("service"), QStringLiteral("options")};
    return Keys.contains(key);
}

} // namespace

QString HistoryLocation::displayName() const
{
    if (engine == Engine::Sqlite)
        return QStringLiteral("sqlite:") + path;
    // Never the password: this text goes into messages and logs.
    const bool socket = host.startsWith(QLatin1Char('/'));
    return QStringLiteral("postgresql://%1%2%3/%4%5")
        .arg(user.isEmpty() ? QString() : user + QLatin1Char('@'), socket ? QString() : host,
            port > 0 ? QStringLiteral(":%1").arg(port) : QString(), database,
            socket ? QStringLiteral("?host=") + host : QString());
}

bool parseHistoryLocation(const QString &text, HistoryLocation *location, QString *error)
{
    *location = HistoryLocation();
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("empty database location");
        return false;
    }
    if (trimmed.startsWith(QLatin1String("postgresql://"))
        || trimmed.startsWith(QLatin1String("postgres://"))) {
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid()) {
            *error = QStringLiteral("malformed PostgreSQL URL: %1").arg(url.errorString());
            return false;
        }
        location->engine = HistoryLocation::Engine::Postgres;
        location->user = url.userName(QUrl::FullyDecoded);
        location->password = url.password(QUrl::FullyDecoded);
        location->host = url.host(QUrl::FullyDecoded);
        location->port = url.port(-1);
        location->database = url.path(QUrl::FullyDecoded).mid(1);
        if (location->database.isEmpty() || location->database.contains(QLatin1Char('/'))) {
            *error =
                QStringLiteral("a PostgreSQL URL names one database: postgresql://user@host:port/dbname");
            return false;
        }
        QStringList options;
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key == QLatin1String("host")) {
                location->host = value;
            } else if (key == QLatin1String("port")) {
                bool ok = false;
                location->port = value.toInt(&ok);
                if (!ok) {
                    *error = QStringLiteral("bad port in the PostgreSQL URL: %1").arg(value);
                    return false;
                }
            } else if (key == QLatin1String("user")) {
                location->user = value;
            } else if (isLibpqOption(key)) {
                // QPSQL joins connect options with ';' into libpq's "k=v k=v" string: no separators inside.
                if (value.contains(QLatin1Char(';')) || value.contains(QLatin1Char(' '))) {
                    *error = QStringLiteral("unsupported value for %1 in the PostgreSQL URL").arg(key);
                    return false;
                }
                options.append(key + QLatin1Char('=') + value);
            } else {
                *error = QStringLiteral("unknown parameter in the PostgreSQL URL: %1").arg(key);
                return false;
            }
        }
        // An unreachable server must not hang a CI job or a worker thread for minutes.
        if (!query.hasQueryItem(QStringLiteral("connect_timeout")))
            options.append(QStringLiteral("connect_timeout=10"));
        location->options = options.join(QLatin1Char(';'));
        return true;
    }
    QString path = trimmed;
    if (path.startsWith(QLatin1String("sqlite:")))
        path = path.mid(7);
    if (path.startsWith(QLatin1String("//")))
        path = path.mid(2); // "sqlite:///abs/path"
    if (path.isEmpty()) {
        *error = QStringLiteral("sqlite: needs a file path");
        return false;
    }
    if (path.contains(QLatin1String("://"))) {
        *error = QStringLiteral("unknown database URL (use a file path, sqlite:PATH or postgresql://...): %1")
                     .arg(path);
        return false;
    }
    location->engine = HistoryLocation::Engine::Sqlite;
    location->path = QDir::cleanPath(QDir::current().absoluteFilePath(path));
    return true;
}

QString defaultHistoryLocation()
{
    const QString fromEnvironment = qEnvironmentVariable("STAGELENS_DB");
    if (!fromEnvironment.trimmed().isEmpty())
        return fromEnvironment;
    // GenericDataLocation is $XDG_DATA_HOME, or ~/.local/share when it is unset.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/stagelens/history.sqlite");
}

} // namespace Stagelens
