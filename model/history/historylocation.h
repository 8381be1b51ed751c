#pragma once

// Where the build history lives: an SQLite file (the default, nothing to set up) or a PostgreSQL database
// shared by a team. Parsed from the --db / STAGELENS_DB forms of shared/CLI.md. Plain values, any thread.

#include <QString>

namespace Stagelens {

struct HistoryLocation
{
    enum class Engine
    {
        Sqlite,
        Postgres
    };
    Engine engine = Engine::Sqlite;
    QString path; ///< SQLite file
    // PostgreSQL: what libpq is given; an empty field is left to libpq's defaults (PGHOST, PGUSER, ...),
    // and a password only ever comes from the URL itself or libpq's own places (PGPASSFILE, ~/.pgpass).
    QString host; ///< a name, an address, or a unix socket directory ("?host=/run/postgresql")
    int port = -1;
    QString user;
    QString password;
    QString database;
    QString options; ///< other URL parameters as libpq keywords, "k=v;k=v" (sslmode, connect_timeout, ...)

    /// The location as people should see it: a URL without the password.
    QString displayName() const;
};

/// Reads a --db value: a file path, "sqlite:PATH", or "postgresql://[user[:password]@][host][:port]/dbname
/// [?host=/socket/dir&sslmode=...]" ("postgres://" too). Returns false with `error` set on a malformed one.
bool parseHistoryLocation(const QString &text, HistoryLocation *location, QString *error);

/// The --db value to use when none is given: STAGELENS_DB, else $XDG_DATA_HOME/stagelens/history.sqlite
/// (~/.local/share/stagelens/history.sqlite).
QString defaultHistoryLocation();

} // namespace Stagelens
