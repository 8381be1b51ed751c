#pragma once

// A private PostgreSQL 15 cluster for tests: initdb into a temporary folder, started with pg_ctl on a unix
// socket only (no TCP port), as an unprivileged user when the test runs as root (PostgreSQL refuses to
// run as root), stopped when the object goes.

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace Stagelens::Test {

class PgCluster
{
public:
    /// The server binaries: STAGELENS_PG_BIN, else Debian's PostgreSQL 15.
    static QString binDir()
    {
        const QString fromEnvironment = qEnvironmentVariable("STAGELENS_PG_BIN");
        return fromEnvironment.isEmpty() ? QStringLiteral("/usr/lib/postgresql/15/bin") : fromEnvironment;
    }

    ~PgCluster() { stop(); }

    bool start(QString *error)
    {
        if (!QFileInfo(binDir() + QStringLiteral("/initdb")).isExecutable()) {
            *error =
                QStringLiteral("PostgreSQL 15 is not installed (%1/initdb): apt-get install postgresql-15, "
                               "or packaging/dev.sh deps")
                    .arg(binDir());
            return false;
        }
        if (!m_dir.isValid()) {
            *error = QStringLiteral("cannot create a temporary folder");
            return false;
        }
        if (::geteuid() == 0) {
            // PostgreSQL will not run as root: hand the folder to "nobody" and run the server as it.
            const passwd *pw = ::getpwnam("nobody");
            if (!pw || ::chown(QFile::encodeName(m_dir.path()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
                *error = QStringLiteral("cannot give %1 to the user nobody").arg(m_dir.path());
                return false;
            }
            m_runuser = QStandardPaths::findExecutable(QStringLiteral("runuser"),
                {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/bin")});
            if (m_runuser.isEmpty()) {
                *error = QStringLiteral("runuser not found (util-linux)");
                return false;
            }
        }
        const QString data = m_dir.path() + QStringLiteral("/data");
        socketDir = m_dir.path();
        QString output;
        if (!run(QStringLiteral("initdb"),
                {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("stagelens"),
                    QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                    QStringLiteral("--no-locale"), QStringLiteral("-N")},
                &output)) {
            *error = QStringLiteral("initdb failed: ") + output;
            return false;
        }
        if (!run(QStringLiteral("pg_ctl"),
                {QStringLiteral("-D"), data, QStringLiteral("-l"),
                    m_dir.path() + QStringLiteral("/server.log"), QStringLiteral("-o"),
                    QStringLiteral("-k %1 -c listen_addresses= -c max_connections=50").arg(socketDir),
                    QStringLiteral("-w"), QStringLiteral("start")},
                &output)) {
            *error = QStringLiteral("pg_ctl start failed: ") + output;
            return false;
        }
        m_running = true;
        return true;
    }

    void stop()
    {
        if (!m_running)
            return;
        QString output;
        run(QStringLiteral("pg_ctl"),
            {QStringLiteral("-D"), m_dir.path() + QStringLiteral("/data"), QStringLiteral("-m"),
                QStringLiteral("fast"), QStringLiteral("-w"), QStringLiteral("stop")},
            &output);
        m_running = false;
    }

    bool isRunning() const { return m_running; }

    /// A URL for `database` as the superuser "stagelens" (or `user`).
    QString url(const QString &database, const QString &user = QStringLiteral("stagelens")) const
    {
        return QStringLiteral("postgresql://%1@/%2?host=%3").arg(user, database, socketDir);
    }

    QString socketDir;

private:
    bool run(const QString &tool, const QStringList &args, QString *output)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        const QString program = binDir() + QLatin1Char('/') + tool;
        if (m_runuser.isEmpty())
            p.start(program, args);
        else
            p.start(m_runuser,
                QStringList {QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"), program}
                    + args);
        const bool finished = p.waitForFinished(120000);
        *output = QString::fromLocal8Bit(p.readAll());
        return finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QTemporaryDir m_dir {QDir::tempPath() + QStringLiteral("/stagelens-pg-XXXXXX")};
    QString m_runuser;
    bool m_running = false;
};

} // namespace Stagelens::Test
