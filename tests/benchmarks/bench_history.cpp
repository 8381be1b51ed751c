// Helpers for the history benchmarks of run.sh (the timing itself is done by run.sh, CLI against CLI):
//   bench_history dump URL OUTDIR   the rows of a history as SQL files that sqlite3 and psql load: the same
//                                   schema (historySchemaStatements) and one transaction per build, as
//                                   `stagelens history add` writes them (rows-sqlite.sql,
//                                   rows-postgresql.sql)
//   bench_history trendsql STEP     the SQL text `history trend --step STEP` runs, with its values inlined
//   bench_history count URL         builds=N steps=M, to check both sides hold the same rows
#include "model/history/historyschema.h"
#include "model/history/historystore.h"

#include <QCoreApplication>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTextStream>

#include <cstdio>

using namespace Stagelens;

namespace {

QString literal(const QVariant &value)
{
    if (value.isNull())
        return QStringLiteral("NULL");
    switch (value.metaType().id()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return QString::number(value.toLongLong());
    case QMetaType::Double:
        return QString::number(value.toDouble(), 'g', 17);
    default: {
        QString text = value.toString();
        text.replace(QLatin1Char('\''), QLatin1String("''"));
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    }
    }
}

bool openSql(const QString &url, QSqlDatabase *db, HistoryLocation *location)
{
    QString error;
    if (!parseHistoryLocation(url, location, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    const bool sqlite = location->engine == HistoryLocation::Engine::Sqlite;
    *db = QSqlDatabase::addDatabase(sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL"));
    if (sqlite) {
        db->setDatabaseName(location->path);
    } else {
        db->setDatabaseName(location->database);
        db->setHostName(location->host);
        db->setUserName(location->user);
    }
    if (!db->open()) {
        std::fprintf(stderr, "%s\n", qPrintable(db->lastError().text()));
        return false;
    }
    return true;
}

int dump(const QString &url, const QString &outDir)
{
    QSqlDatabase db;
    HistoryLocation location;
    if (!openSql(url, &db, &location))
        return 1;
    // Both columns lists from the database itself, so the files hold exactly what the store wrote.
    QSqlQuery builds(db);
    builds.setForwardOnly(true);
    builds.exec(QStringLiteral("SELECT * FROM builds ORDER BY id"));
    QSqlQuery steps(db);
    steps.setForwardOnly(true);
    steps.exec(QStringLiteral("SELECT * FROM steps ORDER BY build_id, vertex"));
    QString buildColumns;
    QString stepColumns;
    QStringList transactions;
    bool haveStep = steps.next();
    while (builds.next()) {
        const QSqlRecord r = builds.record();
        if (buildColumns.isEmpty()) {
            QStringList names;
            for (int i = 0; i < r.count(); ++i)
                names.append(r.fieldName(i));
            buildColumns = names.join(QStringLiteral(", "));
        }
        QStringList values;
        for (int i = 0; i < r.count(); ++i)
            values.append(literal(r.value(i)));
        QString sql = QStringLiteral("BEGIN;\nINSERT INTO builds (%1) VALUES (%2);\n")
                          .arg(buildColumns, values.join(QStringLiteral(", ")));
        const qint64 id = r.value(0).toLongLong();
        QStringList rows;
        while (haveStep && steps.value(0).toLongLong() == id) {
            const QSqlRecord s = steps.record();
            if (stepColumns.isEmpty()) {
                QStringList names;
                for (int i = 0; i < s.count(); ++i)
                    names.append(s.fieldName(i));
                stepColumns = names.join(QStringLiteral(", "));
            }
            QStringList v;
            for (int i = 0; i < s.count(); ++i)
                v.append(literal(s.value(i)));
            rows.append(QLatin1Char('(') + v.join(QStringLiteral(", ")) + QLatin1Char(')'));
            haveStep = steps.next();
        }
        // One multi-row INSERT per 64 steps, as the store sends them.
        for (qsizetype i = 0; i < rows.size(); i += 64)
            sql += QStringLiteral("INSERT INTO steps (%1) VALUES %2;\n")
                       .arg(stepColumns, rows.mid(i, 64).join(QStringLiteral(",\n")));
        transactions.append(sql + QStringLiteral("COMMIT;\n"));
    }
    QSqlQuery sources(db);
    sources.exec(QStringLiteral("SELECT content_hash, path, builds, added_at FROM sources"));
    QString tail;
    while (sources.next())
        tail += QStringLiteral(
            "INSERT INTO sources (content_hash, path, builds, added_at) VALUES (%1, %2, %3, %4);\n")
                    .arg(literal(sources.value(0)), literal(sources.value(1)), literal(sources.value(2)),
                        literal(sources.value(3)));
    for (const auto &[engine, name] : {std::pair {HistoryLocation::Engine::Sqlite, QStringLiteral("sqlite")},
             std::pair {HistoryLocation::Engine::Postgres, QStringLiteral("postgresql")}}) {
        QFile out(outDir + QStringLiteral("/rows-%1.sql").arg(name));
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 1;
        QTextStream stream(&out);
        if (engine == HistoryLocation::Engine::Sqlite)
            stream << "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA foreign_keys=ON;\n";
        else
            stream << "SET client_min_messages = warning;\n";
        stream << "BEGIN;\n";
        for (int v = 1; v <= HistorySchemaVersion; ++v) {
            for (const QString &sql : historySchemaStatements(v, engine))
                stream << sql << ";\n";
        }
        stream << "COMMIT;\n";
        for (const QString &t : std::as_const(transactions))
            stream << t;
        stream << tail;
        if (engine == HistoryLocation::Engine::Postgres)
            stream
                << "SELECT setval(pg_get_serial_sequence('builds', 'id'), (SELECT MAX(id) FROM builds));\n";
    }
    std::printf("builds=%lld\n", qlonglong(transactions.size()));
    return 0;
}

int trendSql(const QString &step)
{
    HistoryQuery query;
    query.step = step;
    QString sql = HistoryStore::trendQueryText(query);
    // The values trend() binds for a "[stage k/n]" step: the stage and the position.
    const VertexLabel label = parseVertexLabel(step);
    const QStringList values {literal(label.stage), QString::number(label.step)};
    for (const QString &value : values)
        sql.replace(sql.indexOf(QLatin1Char('?')), 1, value);
    std::printf("%s\n", qPrintable(sql));
    return 0;
}

int count(const QString &url)
{
    QSqlDatabase db;
    HistoryLocation location;
    if (!openSql(url, &db, &location))
        return 1;
    QSqlQuery q(db);
    q.exec(QStringLiteral("SELECT (SELECT COUNT(*) FROM builds), (SELECT COUNT(*) FROM steps)"));
    q.next();
    std::printf("builds=%lld steps=%lld\n", q.value(0).toLongLong(), q.value(1).toLongLong());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 4 && args.at(1) == QLatin1String("dump"))
        return dump(args.at(2), args.at(3));
    if (args.size() == 3 && args.at(1) == QLatin1String("trendsql"))
        return trendSql(args.at(2));
    if (args.size() == 3 && args.at(1) == QLatin1String("count"))
        return count(args.at(2));
    std::fprintf(stderr, "usage: bench_history dump URL OUTDIR | trendsql STEP | count URL\n");
    return 2;
}
