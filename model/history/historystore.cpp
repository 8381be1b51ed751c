#include "historystore.h"

#include "historyschema.h"
#include "model/analysis/buildsummary.h"
#include "model/buildlog/buildlogreader.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <cmath>

Q_LOGGING_CATEGORY(lcHistory, "stagelens.history", QtWarningMsg)

namespace Stagelens {

namespace {

using Engine = HistoryLocation::Engine;

// Rows per multi-row INSERT of steps: one round trip per 64 vertices keeps PostgreSQL's per-statement
// latency out of the way, and 64 x 15 parameters stays far below both engines' limits.
constexpr int StepRowsPerInsert = 64;
constexpr int StepColumns = 15;
// SQLite: how long one statement waits for another writer's lock, and how often a whole transaction is
// tried again when the wait was not enough (many CI jobs adding at once).
constexpr int BusyTimeoutMs = 5000;
constexpr int BusyRetries = 40;
// Names and texts longer than this are cut: a hostile or broken log must not bloat the database.
constexpr qsizetype MaxTextChars = 8192;
// PostgreSQL: one migration at a time, whatever the client (pg_advisory_xact_lock key, "Stagelens").
constexpr qint64 MigrationLockKey = 0x53746167656c656e;

QAtomicInteger<quint64> s_connectionCounter;

QVariant nullableText(const QString &text)
{
    if (text.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    return text.size() > MaxTextChars ? QVariant(text.left(MaxTextChars - 1) + QChar(0x2026))
                                      : QVariant(text);
}

QVariant nullableNumber(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value))
        return QVariant(QMetaType::fromType<double>());
    return *value;
}

QVariant nullableInt(int value)
{
    return value > 0 ? QVariant(value) : QVariant(QMetaType::fromType<int>());
}

std::optional<double> optionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

QString dockerfileOf(const BuildRun &run)
{
    static const QLatin1StringView Prefix("load build definition from ");
    for (const BuildVertex &v : run.vertices) {
        if (v.label.internal && v.label.text.startsWith(Prefix))
            return v.label.text.mid(Prefix.size()).trimmed();
    }
    return {};
}

// The step identity's text: the instruction as printed, whitespace runs collapsed.
QString normalizedInstruction(const VertexLabel &label)
{
    return label.step > 0 && !label.internal ? label.text.simplified() : QString();
}

bool isBusy(const QSqlError &error, Engine engine)
{
    const QString code = error.nativeErrorCode();
    if (engine == Engine::Sqlite)
        return code == QLatin1String("5") || code == QLatin1String("6")
            || error.databaseText().contains(QLatin1String("locked"));
    // Serialization failure, deadlock: the transaction can be tried again.
    return code == QLatin1String("40001") || code == QLatin1String("40P01");
}

// The columns builds() and build() read, in this order.
const char BuildColumns[] =
    "id, source_file, content_hash, build_index, format, wrapper, repo, branch, commit_sha,"
    " ci_url, dockerfile, target, started_at, added_at, steps, cached, ran, errors, internal,"
    " wall_seconds, critical_path_seconds, timing, result, failed_step, error";

HistoryBuild readBuild(const QSqlQuery &q)
{
    HistoryBuild b;
    b.id = q.value(0).toLongLong();
    b.file = q.value(1).toString();
    b.contentHash = q.value(2).toString();
    b.buildIndex = q.value(3).toInt();
    b.format = q.value(4).toString();
    b.wrapper = q.value(5).toString();
    b.repo = q.value(6).toString();
    b.branch = q.value(7).toString();
    b.commit = q.value(8).toString();
    b.url = q.value(9).toString();
    b.dockerfile = q.value(10).toString();
    b.target = q.value(11).toString();
    b.startedAt = optionalDouble(q.value(12));
    b.addedAt = q.value(13).toDouble();
    b.steps = q.value(14).toInt();
    b.cached = q.value(15).toInt();
    b.ran = q.value(16).toInt();
    b.errors = q.value(17).toInt();
    b.internal = q.value(18).toInt();
    b.wallSeconds = optionalDouble(q.value(19));
    b.criticalPathSeconds = optionalDouble(q.value(20));
    b.timing = q.value(21).toString();
    b.failed = q.value(22).toString() == QLatin1String("failed");
    b.failedStep = q.value(23).toString();
    b.error = q.value(24).toString();
    return b;
}

struct StepMatch
{
    bool byPosition = false;
    QString stage;
    int step = 0;
    QString platform;
    QString target;
    QString instruction;
};

StepMatch stepMatch(const QString &text)
{
    StepMatch m;
    const VertexLabel label = parseVertexLabel(text);
    if (label.step > 0 && !label.internal) {
        // Steps are matched across builds by stage and position: the text changes with build args.
        m.byPosition = true;
        m.stage = label.stage;
        m.step = label.step;
        m.platform = label.platform;
        m.target = label.target;
    } else {
        m.instruction = text.simplified();
    }
    return m;
}

} // namespace

std::optional<double> HistoryBuild::cacheHitRate() const
{
    if (cached + ran == 0)
        return std::nullopt;
    return double(cached) / double(cached + ran);
}

struct HistoryStore::Private
{
    HistoryLocation location;
    QString connectionName;
    QString error;
    int openedVersion = 0;
    bool open = false;
    std::unique_ptr<QSqlQuery> insertBuild;
    std::unique_ptr<QSqlQuery> findBuild;
    std::unique_ptr<QSqlQuery> findSource;
    std::unique_ptr<QSqlQuery> insertSource;
    QHash<int, QSqlQuery *> insertSteps; // by row count

    ~Private() { qDeleteAll(insertSteps); }

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }
    Engine engine() const { return location.engine; }

    bool fail(const QString &what, const QSqlError &sqlError)
    {
        lastSqlError = sqlError;
        error = QStringLiteral("%1: %2: %3").arg(location.displayName(), what, sqlError.text().trimmed());
        return false;
    }

    // Runs one statement without values (DDL, transaction control: PostgreSQL cannot PREPARE those).
    // Every statement that carries a value is prepared and bound.
    bool exec(const QString &sql)
    {
        QSqlQuery q(db());
        if (!q.exec(sql))
            return fail(sql.section(QLatin1Char(' '), 0, 2), q.lastError());
        return true;
    }

    bool begin()
    {
        // SQLite: take the write lock at once, so a transaction never has to upgrade a read lock, which
        // fails with SQLITE_BUSY at once instead of waiting (the busy timeout cannot help there).
        return exec(engine() == Engine::Sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN"));
    }
    bool commit() { return exec(QStringLiteral("COMMIT")); }
    void rollback()
    {
        QSqlQuery q(db());
        q.exec(QStringLiteral("ROLLBACK"));
    }

    bool connect();
    int schemaVersion(bool *ok);
    bool hasForeignTables(bool *ok);
    bool migrate();
    bool migrateData(int version);
    bool prepareStatements();
    QSqlQuery *stepsStatement(int rows);
    bool insertRun(const QString &path, const QString &hash, int index, const BuildRun &run,
        const HistoryProvenance &provenance, HistoryBuild *build, bool *inserted);

    QSqlError lastSqlError;
};

bool HistoryStore::Private::connect()
{
    const QString driver = engine() == Engine::Sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
    if (!QSqlDatabase::isDriverAvailable(driver)) {
        error = engine() == Engine::Sqlite
            ? QStringLiteral("the SQLite driver for Qt is not installed (Debian: libqt6sql6-sqlite)")
            : QStringLiteral("the PostgreSQL driver for Qt is not installed (Debian: libqt6sql6-psql)");
        return false;
    }
    connectionName = QStringLiteral("stagelens-history-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, connectionName);
    if (engine() == Engine::Sqlite) {
        const QFileInfo file(location.path);
        if (!QDir().mkpath(file.absolutePath())) {
            error = QStringLiteral("cannot create the folder of %1").arg(location.path);
            return false;
        }
        db.setDatabaseName(location.path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
    } else {
        db.setDatabaseName(location.database);
        if (!location.host.isEmpty())
            db.setHostName(location.host);
        if (location.port > 0)
            db.setPort(location.port);
        if (!location.user.isEmpty())
            db.setUserName(location.user);
        if (!location.password.isEmpty())
            db.setPassword(location.password);
        db.setConnectOptions(location.options);
    }
    if (!db.open())
        return fail(QStringLiteral("cannot open the database"), db.lastError());
    if (engine() == Engine::Sqlite) {
        // WAL: readers (the GUI's History view) never block the writer (a CI add), and commits do not
        // rewrite the database file. NORMAL is durable in WAL mode except for the last commits on power
        // loss, never corrupting.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")))
            return fail(QStringLiteral("not a usable SQLite database"), q.lastError());
        if (!exec(QStringLiteral("PRAGMA synchronous=NORMAL"))
            || !exec(QStringLiteral("PRAGMA foreign_keys=ON")))
            return false;
    }
    return true;
}

int HistoryStore::Private::schemaVersion(bool *ok)
{
    *ok = false;
    QSqlQuery q(db());
    const QString exists = engine() == Engine::Sqlite
        ? QStringLiteral(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        : QStringLiteral("SELECT COUNT(*) FROM information_schema.tables"
                         " WHERE table_schema = current_schema() AND table_name = 'schema_version'");
    if (!q.prepare(exists) || !q.exec() || !q.next()) {
        fail(QStringLiteral("cannot read the schema"), q.lastError());
        return -1;
    }
    if (q.value(0).toInt() == 0) {
        *ok = true;
        return 0;
    }
    if (!q.prepare(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !q.exec() || !q.next()) {
        fail(QStringLiteral("cannot read the schema version"), q.lastError());
        return -1;
    }
    *ok = true;
    return q.value(0).toInt();
}

bool HistoryStore::Private::hasForeignTables(bool *ok)
{
    QSqlQuery q(db());
    const QString sql = engine() == Engine::Sqlite
        ? QStringLiteral(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        : QStringLiteral(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()");
    *ok = q.prepare(sql) && q.exec() && q.next();
    if (!*ok) {
        fail(QStringLiteral("cannot read the schema"), q.lastError());
        return false;
    }
    return q.value(0).toInt() > 0;
}

bool HistoryStore::Private::migrateData(int version)
{
    if (version != 2)
        return true;
    // The step identity of version 2, from the names version 1 kept (the same parse as when adding).
    QSqlQuery select(db());
    select.setForwardOnly(true);
    if (!select.prepare(QStringLiteral("SELECT build_id, vertex, name FROM steps")) || !select.exec())
        return fail(QStringLiteral("migration to schema 2"), select.lastError());
    QList<std::tuple<qint64, int, QString>> rows;
    while (select.next())
        rows.append({select.value(0).toLongLong(), select.value(1).toInt(), select.value(2).toString()});
    select.finish();
    QSqlQuery update(db());
    if (!update.prepare(
            QStringLiteral("UPDATE steps SET step_count = ?, platform = ?, target = ?, instruction = ?"
                           " WHERE build_id = ? AND vertex = ?")))
        return fail(QStringLiteral("migration to schema 2"), update.lastError());
    for (const auto &[buildId, vertex, name] : std::as_const(rows)) {
        const VertexLabel label = parseVertexLabel(name);
        update.bindValue(0, nullableInt(label.steps));
        update.bindValue(1, nullableText(label.platform));
        update.bindValue(2, nullableText(label.target));
        update.bindValue(3, nullableText(normalizedInstruction(label)));
        update.bindValue(4, buildId);
        update.bindValue(5, vertex);
        if (!update.exec())
            return fail(QStringLiteral("migration to schema 2"), update.lastError());
    }
    return true;
}

bool HistoryStore::Private::migrate()
{
    bool ok = false;
    openedVersion = schemaVersion(&ok);
    if (!ok)
        return false;
    auto tooNew = [this](int version) {
        error =
            QStringLiteral("%1 was written by a newer Stagelens (history schema version %2; this one reads "
                           "up to %3): upgrade Stagelens or choose another database with --db")
                .arg(location.displayName())
                .arg(version)
                .arg(HistorySchemaVersion);
        return false;
    };
    if (openedVersion > HistorySchemaVersion)
        return tooNew(openedVersion);
    if (openedVersion == HistorySchemaVersion)
        return true;
    // Create or migrate in one transaction, with the version read again under the lock: another process
    // may have done it meanwhile.
    for (int attempt = 0;; ++attempt) {
        if (!begin()) {
            if (!isBusy(lastSqlError, engine()) || attempt >= BusyRetries)
                return false;
            QThread::msleep(10 + QRandomGenerator::global()->bounded(40));
            continue;
        }
        bool done = false;
        [&] {
            if (engine() == Engine::Postgres) {
                QSqlQuery lock(db());
                if (!lock.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(?)")))
                    return;
                lock.bindValue(0, MigrationLockKey);
                if (!lock.exec()) {
                    fail(QStringLiteral("cannot lock the schema"), lock.lastError());
                    return;
                }
            }
            bool readOk = false;
            const int version = schemaVersion(&readOk);
            if (!readOk)
                return;
            if (version > HistorySchemaVersion) {
                tooNew(version);
                return;
            }
            if (version == 0) {
                bool foreignOk = false;
                if (hasForeignTables(&foreignOk) || !foreignOk) {
                    if (foreignOk)
                        error = QStringLiteral(
                            "%1 holds tables but no Stagelens history: choose another database "
                            "with --db")
                                    .arg(location.displayName());
                    return;
                }
            }
            for (int next = version + 1; next <= HistorySchemaVersion; ++next) {
                for (const QString &sql : historySchemaStatements(next, engine())) {
                    if (!exec(sql)) {
                        error += QStringLiteral(" (migrating to schema version %1)").arg(next);
                        return;
                    }
                }
                if (!migrateData(next))
                    return;
            }
            done = true;
        }();
        if (done && commit())
            return true;
        rollback();
        if (!isBusy(lastSqlError, engine()) || attempt >= BusyRetries)
            return false;
        QThread::msleep(10 + QRandomGenerator::global()->bounded(40));
    }
}

bool HistoryStore::Private::prepareStatements()
{
    // Prepared once per connection (PostgreSQL keeps them server-side), outside any transaction.
    insertBuild = std::make_unique<QSqlQuery>(db());
    findBuild = std::make_unique<QSqlQuery>(db());
    findSource = std::make_unique<QSqlQuery>(db());
    insertSource = std::make_unique<QSqlQuery>(db());
    if (!insertBuild->prepare(
            QStringLiteral("INSERT INTO builds (content_hash, build_index, source_file, format, wrapper, "
                           "repo, branch, commit_sha,"
                           " ci_url, dockerfile, target, started_at, added_at, steps, cached, ran, errors, "
                           "internal, wall_seconds,"
                           " critical_path_seconds, timing, result, failed_step, error)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (content_hash, build_index) DO NOTHING RETURNING id")))
        return fail(QStringLiteral("cannot prepare"), insertBuild->lastError());
    if (!findBuild->prepare(
            QStringLiteral("SELECT id FROM builds WHERE content_hash = ? AND build_index = ?")))
        return fail(QStringLiteral("cannot prepare"), findBuild->lastError());
    if (!findSource->prepare(QStringLiteral("SELECT builds FROM sources WHERE content_hash = ?")))
        return fail(QStringLiteral("cannot prepare"), findSource->lastError());
    if (!insertSource->prepare(QStringLiteral("INSERT INTO sources (content_hash, path, builds, added_at)"
                                              " VALUES (?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING")))
        return fail(QStringLiteral("cannot prepare"), insertSource->lastError());
    return true;
}

QSqlQuery *HistoryStore::Private::stepsStatement(int rows)
{
    if (QSqlQuery *q = insertSteps.value(rows))
        return q;
    QString sql =
        QStringLiteral("INSERT INTO steps (build_id, vertex, vertex_id, name, stage, step, step_count,"
                       " platform, target, instruction, status, seconds, start_seconds, end_seconds,"
                       " critical_position) VALUES ");
    const QString row = QStringLiteral("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (int i = 0; i < rows; ++i)
        sql += (i > 0 ? QStringLiteral(", ") : QString()) + row;
    auto q = std::make_unique<QSqlQuery>(db());
    if (!q->prepare(sql)) {
        fail(QStringLiteral("cannot prepare"), q->lastError());
        return nullptr;
    }
    return insertSteps.insert(rows, q.release()).value();
}

bool HistoryStore::Private::insertRun(const QString &path, const QString &hash, int index,
    const BuildRun &run, const HistoryProvenance &provenance, HistoryBuild *b, bool *inserted)
{
    const BuildSummary s = summarizeBuild(run);
    *inserted = false;
    // The row as list() reads it back, so that callers need no query to show what was added.
    *b = HistoryBuild();
    b->file = path;
    b->contentHash = hash;
    b->buildIndex = index;
    b->format = logFormatName(run.format);
    b->wrapper = ciWrapperName(run.wrapper);
    b->repo = provenance.repo;
    b->branch = provenance.branch;
    b->commit = provenance.commit;
    b->url = provenance.url;
    b->dockerfile = dockerfileOf(run);
    b->startedAt = run.startEpoch;
    b->addedAt = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    b->steps = s.steps;
    b->cached = s.cached;
    b->ran = s.ran;
    b->errors = s.errors;
    b->internal = s.internal;
    b->wallSeconds = s.wallSeconds;
    b->criticalPathSeconds = s.criticalPathSeconds;
    b->timing = s.exactTiming ? QStringLiteral("exact") : QStringLiteral("estimated");
    b->failed = s.failed();
    b->failedStep = s.failedStep;
    b->error = s.error;
    QSqlQuery &q = *insertBuild;
    int c = 0;
    q.bindValue(c++, hash);
    q.bindValue(c++, index);
    q.bindValue(c++, path);
    q.bindValue(c++, b->format);
    q.bindValue(c++, b->wrapper);
    q.bindValue(c++, nullableText(b->repo));
    q.bindValue(c++, nullableText(b->branch));
    q.bindValue(c++, nullableText(b->commit));
    q.bindValue(c++, nullableText(b->url));
    q.bindValue(c++, nullableText(b->dockerfile));
    q.bindValue(c++, nullableText(b->target)); // build records will say
    q.bindValue(c++, nullableNumber(b->startedAt));
    q.bindValue(c++, b->addedAt);
    q.bindValue(c++, b->steps);
    q.bindValue(c++, b->cached);
    q.bindValue(c++, b->ran);
    q.bindValue(c++, b->errors);
    q.bindValue(c++, b->internal);
    q.bindValue(c++, nullableNumber(b->wallSeconds));
    q.bindValue(c++, nullableNumber(b->criticalPathSeconds));
    q.bindValue(c++, b->timing);
    q.bindValue(c++, b->failed ? QStringLiteral("failed") : QStringLiteral("ok"));
    q.bindValue(c++, nullableText(b->failedStep));
    q.bindValue(c++, nullableText(b->error));
    if (!q.exec())
        return fail(QStringLiteral("cannot add build %1 of %2").arg(index + 1).arg(path), q.lastError());
    if (!q.next()) {
        q.finish();
        return true; // already present (ON CONFLICT DO NOTHING)
    }
    b->id = q.value(0).toLongLong();
    const qint64 buildId = b->id;
    q.finish();
    *inserted = true;

    QList<int> pathPosition(run.vertices.size(), 0);
    for (int i = 0; i < s.criticalPath.size(); ++i)
        pathPosition[s.criticalPath.at(i)] = i + 1;
    const int total = int(run.vertices.size());
    for (int first = 0; first < total; first += StepRowsPerInsert) {
        const int rows = std::min(StepRowsPerInsert, total - first);
        QSqlQuery *steps = stepsStatement(rows);
        if (!steps)
            return false;
        for (int r = 0; r < rows; ++r) {
            const int i = first + r;
            const BuildVertex &v = run.vertices.at(i);
            const bool step = v.label.step > 0 && !v.label.internal;
            int p = r * StepColumns;
            steps->bindValue(p++, buildId);
            steps->bindValue(p++, i);
            steps->bindValue(p++, v.id.left(MaxTextChars));
            // Qt SQL binds a null QString as NULL: a vertex whose header the log lost has a name of ''.
            steps->bindValue(p++, v.name.isEmpty() ? QVariant(QStringLiteral("")) : nullableText(v.name));
            // An unnamed stage is '' (not NULL) so that steps match by equality.
            steps->bindValue(p++,
                step ? QVariant(v.label.stage.isEmpty() ? QStringLiteral("") : v.label.stage)
                     : QVariant(QMetaType::fromType<QString>()));
            steps->bindValue(p++, step ? QVariant(v.label.step) : QVariant(QMetaType::fromType<int>()));
            steps->bindValue(p++, step ? QVariant(v.label.steps) : QVariant(QMetaType::fromType<int>()));
            steps->bindValue(p++, nullableText(v.label.platform));
            steps->bindValue(p++, nullableText(v.label.target));
            steps->bindValue(p++, nullableText(normalizedInstruction(v.label)));
            steps->bindValue(p++, vertexStatusName(v.status));
            steps->bindValue(p++, nullableNumber(v.seconds));
            steps->bindValue(p++, nullableNumber(v.start));
            steps->bindValue(p++, nullableNumber(v.end));
            steps->bindValue(p++,
                pathPosition.at(i) > 0 ? QVariant(pathPosition.at(i)) : QVariant(QMetaType::fromType<int>()));
        }
        if (!steps->exec()) {
            return fail(QStringLiteral("cannot add the steps of build %1 of %2").arg(index + 1).arg(path),
                steps->lastError());
        }
        steps->finish();
    }
    return true;
}

HistoryStore::HistoryStore()
    : d(std::make_unique<Private>())
{ }

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::open(const HistoryLocation &location)
{
    close();
    d->location = location;
    d->error.clear();
    if (!d->connect() || !d->migrate() || !d->prepareStatements()) {
        close();
        return false;
    }
    d->open = true;
    return true;
}

bool HistoryStore::isOpen() const
{
    return d->open;
}

void HistoryStore::close()
{
    d->insertBuild.reset();
    d->findBuild.reset();
    d->findSource.reset();
    d->insertSource.reset();
    qDeleteAll(d->insertSteps);
    d->insertSteps.clear();
    if (!d->connectionName.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(d->connectionName, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(d->connectionName);
        d->connectionName.clear();
    }
    d->open = false;
}

QString HistoryStore::errorString() const
{
    return d->error;
}

const HistoryLocation &HistoryStore::location() const
{
    return d->location;
}

int HistoryStore::openedSchemaVersion() const
{
    return d->openedVersion;
}

QString HistoryStore::fileHash(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    return QString::fromLatin1(hash.result().toHex());
}

HistoryAddResult HistoryStore::addFile(const QString &path, const HistoryProvenance &provenance)
{
    HistoryAddResult result;
    if (!d->open) {
        result.error = QStringLiteral("the history database is not open");
        return result;
    }
    const QString hash = fileHash(path, &result.error);
    if (hash.isEmpty())
        return result;
    // The same content was added before: its builds are all there, no need to read it again.
    d->findSource->bindValue(0, hash);
    if (!d->findSource->exec()) {
        d->fail(QStringLiteral("cannot look up %1").arg(path), d->findSource->lastError());
        result.error = d->error;
        return result;
    }
    if (d->findSource->next()) {
        result.builds = d->findSource->value(0).toInt();
        d->findSource->finish();
        for (int i = 0; i < result.builds; ++i) {
            d->findBuild->bindValue(0, hash);
            d->findBuild->bindValue(1, i);
            if (d->findBuild->exec() && d->findBuild->next())
                result.skipped.append(d->findBuild->value(0).toLongLong());
            d->findBuild->finish();
        }
        return result;
    }
    d->findSource->finish();
    const BuildLogResult log = readBuildLogFile(path);
    HistoryAddResult added = addBuilds(path, hash, log.builds, provenance);
    added.diagnostics = log.diagnostics;
    return added;
}

HistoryAddResult HistoryStore::addBuilds(const QString &path, const QString &contentHash,
    const QList<BuildRun> &builds, const HistoryProvenance &provenance)
{
    HistoryAddResult result;
    result.builds = int(builds.size());
    if (!d->open) {
        result.error = QStringLiteral("the history database is not open");
        return result;
    }
    const QString file = QFileInfo(path).absoluteFilePath();
    // Test hook (tests/history): pause inside the first build's transaction, after its rows are written,
    // so that a test can kill the process there and check that nothing of the build stays.
    const QString pauseMarker = qEnvironmentVariable("STAGELENS_HISTORY_TEST_PAUSE");
    for (int i = 0; i < builds.size(); ++i) {
        for (int attempt = 0;; ++attempt) {
            HistoryBuild added;
            bool inserted = false;
            bool ok =
                d->begin() && d->insertRun(file, contentHash, i, builds.at(i), provenance, &added, &inserted);
            if (ok && inserted && !pauseMarker.isEmpty()) {
                QFile marker(pauseMarker);
                if (marker.open(QIODevice::WriteOnly))
                    marker.close();
                QThread::sleep(60);
            }
            ok = ok && (inserted ? d->commit() : (d->rollback(), true));
            if (ok) {
                if (inserted) {
                    result.added.append(added.id);
                    result.addedBuilds.append(added);
                } else {
                    d->findBuild->bindValue(0, contentHash);
                    d->findBuild->bindValue(1, i);
                    if (d->findBuild->exec() && d->findBuild->next())
                        result.skipped.append(d->findBuild->value(0).toLongLong());
                    d->findBuild->finish();
                }
                break;
            }
            d->rollback();
            if (!isBusy(d->lastSqlError, d->engine()) || attempt >= BusyRetries) {
                result.error = d->error;
                return result;
            }
            QThread::msleep(10 + QRandomGenerator::global()->bounded(90));
        }
    }
    d->insertSource->bindValue(0, contentHash);
    d->insertSource->bindValue(1, file);
    d->insertSource->bindValue(2, int(builds.size()));
    d->insertSource->bindValue(3, double(QDateTime::currentMSecsSinceEpoch()) / 1000.0);
    for (int attempt = 0; !d->insertSource->exec(); ++attempt) {
        // Only a shortcut for the next add of the same file: the builds are in, whatever happens here.
        if (!isBusy(d->insertSource->lastError(), d->engine()) || attempt >= BusyRetries) {
            qCWarning(lcHistory) << "cannot record" << file << d->insertSource->lastError().text();
            break;
        }
        QThread::msleep(10 + QRandomGenerator::global()->bounded(90));
    }
    return result;
}

QList<HistoryBuild> HistoryStore::builds(const HistoryQuery &query)
{
    QList<HistoryBuild> list;
    if (!d->open)
        return list;
    QString sql = QStringLiteral("SELECT %1 FROM builds WHERE 1 = 1").arg(QLatin1StringView(BuildColumns));
    QVariantList values;
    if (!query.repo.isEmpty()) {
        sql += QStringLiteral(" AND repo = ?");
        values.append(query.repo);
    }
    if (!query.branch.isEmpty()) {
        sql += QStringLiteral(" AND branch = ?");
        values.append(query.branch);
    }
    if (!query.dockerfile.isEmpty()) {
        sql += QStringLiteral(" AND dockerfile = ?");
        values.append(query.dockerfile);
    }
    sql += QStringLiteral(" ORDER BY COALESCE(started_at, added_at) DESC, id DESC");
    if (query.limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        values.append(query.limit);
    }
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        d->fail(QStringLiteral("cannot list builds"), q.lastError());
        return list;
    }
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values.at(i));
    if (!q.exec()) {
        d->fail(QStringLiteral("cannot list builds"), q.lastError());
        return list;
    }
    while (q.next())
        list.append(readBuild(q));
    return list;
}

std::optional<HistoryBuild> HistoryStore::build(qint64 id)
{
    if (!d->open)
        return std::nullopt;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!q.prepare(
            QStringLiteral("SELECT %1 FROM builds WHERE id = ?").arg(QLatin1StringView(BuildColumns)))) {
        d->fail(QStringLiteral("cannot read build %1").arg(id), q.lastError());
        return std::nullopt;
    }
    q.bindValue(0, id);
    if (!q.exec()) {
        d->fail(QStringLiteral("cannot read build %1").arg(id), q.lastError());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return readBuild(q);
}

QList<HistoryStep> HistoryStore::steps(qint64 buildId)
{
    QList<HistoryStep> list;
    if (!d->open)
        return list;
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!q.prepare(
            QStringLiteral("SELECT vertex, vertex_id, name, stage, step, step_count, platform, target,"
                           " instruction, status, seconds, start_seconds, end_seconds, critical_position"
                           " FROM steps WHERE build_id = ? ORDER BY vertex"))) {
        d->fail(QStringLiteral("cannot read steps"), q.lastError());
        return list;
    }
    q.bindValue(0, buildId);
    if (!q.exec()) {
        d->fail(QStringLiteral("cannot read steps"), q.lastError());
        return list;
    }
    while (q.next()) {
        HistoryStep s;
        s.vertex = q.value(0).toInt();
        s.id = q.value(1).toString();
        s.name = q.value(2).toString();
        s.stage = q.value(3).toString();
        s.step = q.value(4).toInt();
        s.stepCount = q.value(5).toInt();
        s.platform = q.value(6).toString();
        s.target = q.value(7).toString();
        s.instruction = q.value(8).toString();
        s.status = q.value(9).toString();
        s.seconds = optionalDouble(q.value(10));
        s.start = optionalDouble(q.value(11));
        s.end = optionalDouble(q.value(12));
        s.criticalPosition = q.value(13).toInt();
        list.append(s);
    }
    return list;
}

QString HistoryStore::trendQueryText(const HistoryQuery &query)
{
    QString sql =
        QStringLiteral("SELECT b.id, b.started_at, b.added_at, b.branch, b.commit_sha, b.wall_seconds,"
                       " b.cached, b.ran, ");
    if (query.step.isEmpty()) {
        sql += QStringLiteral("NULL, NULL FROM builds b");
    } else {
        const StepMatch m = stepMatch(query.step);
        sql += QStringLiteral("s.seconds, s.status FROM builds b LEFT JOIN steps s ON s.build_id = b.id");
        if (m.byPosition) {
            sql += QStringLiteral(" AND s.stage = ? AND s.step = ?");
            if (!m.platform.isEmpty())
                sql += QStringLiteral(" AND s.platform = ?");
            if (!m.target.isEmpty())
                sql += QStringLiteral(" AND s.target = ?");
        } else {
            sql += QStringLiteral(" AND s.instruction = ?");
        }
    }
    sql += QStringLiteral(" WHERE 1 = 1");
    if (!query.repo.isEmpty())
        sql += QStringLiteral(" AND b.repo = ?");
    if (!query.branch.isEmpty())
        sql += QStringLiteral(" AND b.branch = ?");
    if (!query.dockerfile.isEmpty())
        sql += QStringLiteral(" AND b.dockerfile = ?");
    return sql + QStringLiteral(" ORDER BY COALESCE(b.started_at, b.added_at), b.id");
}

QList<HistoryTrendPoint> HistoryStore::trend(const HistoryQuery &query)
{
    QList<HistoryTrendPoint> points;
    if (!d->open)
        return points;
    QVariantList values;
    if (!query.step.isEmpty()) {
        const StepMatch m = stepMatch(query.step);
        if (m.byPosition) {
            values << m.stage << m.step;
            if (!m.platform.isEmpty())
                values << m.platform;
            if (!m.target.isEmpty())
                values << m.target;
        } else {
            values << m.instruction;
        }
    }
    for (const QString &filter : {query.repo, query.branch, query.dockerfile}) {
        if (!filter.isEmpty())
            values << filter;
    }
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    if (!q.prepare(trendQueryText(query))) {
        d->fail(QStringLiteral("cannot read the trend"), q.lastError());
        return points;
    }
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values.at(i));
    if (!q.exec()) {
        d->fail(QStringLiteral("cannot read the trend"), q.lastError());
        return points;
    }
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        const std::optional<double> seconds = optionalDouble(q.value(8));
        const QString status = q.value(9).toString();
        // A step label without platform matches every platform of a multi-platform build: one point per
        // build, with the slowest of them.
        if (!points.isEmpty() && points.last().build == id) {
            HistoryTrendPoint &p = points.last();
            if (seconds && (!p.stepSeconds || *seconds > *p.stepSeconds)) {
                p.stepSeconds = seconds;
                p.stepStatus = status;
            }
            continue;
        }
        HistoryTrendPoint p;
        p.build = id;
        p.startedAt = optionalDouble(q.value(1));
        p.addedAt = q.value(2).toDouble();
        p.branch = q.value(3).toString();
        p.commit = q.value(4).toString();
        p.wallSeconds = optionalDouble(q.value(5));
        const int cached = q.value(6).toInt();
        const int ran = q.value(7).toInt();
        if (cached + ran > 0)
            p.cacheHitRate = double(cached) / double(cached + ran);
        p.stepSeconds = seconds;
        p.stepStatus = status;
        points.append(p);
    }
    return points;
}

QList<HistoryStepSeries> HistoryStore::slowestSteps(const HistoryQuery &query, int count)
{
    QList<HistoryStepSeries> list;
    if (!d->open || count <= 0)
        return list;
    // A step is the same across builds when repository, Dockerfile, stage and k/n agree: the text alone
    // changes with build args, and "[builder 2/3]" of two projects is not one step. NULLs compare as ''.
    QString filters;
    QVariantList filterValues;
    for (const auto &[column, value] : {std::pair {QStringLiteral("b.repo"), query.repo},
             std::pair {QStringLiteral("b.branch"), query.branch},
             std::pair {QStringLiteral("b.dockerfile"), query.dockerfile}}) {
        if (!value.isEmpty()) {
            filters += QStringLiteral(" AND %1 = ?").arg(column);
            filterValues.append(value);
        }
    }
    const QString identity = QStringLiteral("COALESCE(b.repo, ''), COALESCE(b.dockerfile, ''),"
                                            " COALESCE(s.stage, ''), s.step, COALESCE(s.step_count, 0)");
    QSqlQuery rank(d->db());
    rank.setForwardOnly(true);
    if (!rank.prepare(QStringLiteral("SELECT %1, MIN(s.name), SUM(s.seconds) AS total"
                                     " FROM steps s JOIN builds b ON b.id = s.build_id"
                                     " WHERE s.step > 0 AND s.seconds IS NOT NULL%2"
                                     " GROUP BY %1 ORDER BY total DESC LIMIT ?")
                          .arg(identity, filters))) {
        d->fail(QStringLiteral("cannot rank the steps"), rank.lastError());
        return list;
    }
    int bound = 0;
    for (const QVariant &value : std::as_const(filterValues))
        rank.bindValue(bound++, value);
    rank.bindValue(bound, count);
    if (!rank.exec()) {
        d->fail(QStringLiteral("cannot rank the steps"), rank.lastError());
        return list;
    }
    struct Key
    {
        QString repo;
        QString dockerfile;
    };
    QList<Key> keys;
    while (rank.next()) {
        keys.append({rank.value(0).toString(), rank.value(1).toString()});
        HistoryStepSeries series;
        series.stage = rank.value(2).toString();
        series.step = rank.value(3).toInt();
        series.stepCount = rank.value(4).toInt();
        series.label = rank.value(5).toString();
        series.totalSeconds = rank.value(6).toDouble();
        list.append(series);
    }
    rank.finish();
    QSqlQuery q(d->db());
    q.setForwardOnly(true);
    // The slowest platform of a multi-platform build stands for the build, as in trend().
    if (!q.prepare(
            QStringLiteral("SELECT s.build_id, MAX(s.seconds) FROM steps s JOIN builds b ON b.id = s.build_id"
                           " WHERE s.step = ? AND COALESCE(s.stage, '') = ? AND COALESCE(s.step_count, 0) = ?"
                           " AND COALESCE(b.repo, '') = ? AND COALESCE(b.dockerfile, '') = ?"
                           " AND s.seconds IS NOT NULL%1 GROUP BY s.build_id")
                .arg(filters))) {
        d->fail(QStringLiteral("cannot read the step trend"), q.lastError());
        return {};
    }
    for (qsizetype i = 0; i < list.size(); ++i) {
        HistoryStepSeries &series = list[i];
        q.bindValue(0, series.step);
        q.bindValue(1, series.stage);
        q.bindValue(2, series.stepCount);
        q.bindValue(3, keys.at(i).repo);
        q.bindValue(4, keys.at(i).dockerfile);
        for (qsizetype f = 0; f < filterValues.size(); ++f)
            q.bindValue(int(5 + f), filterValues.at(f));
        if (!q.exec()) {
            d->fail(QStringLiteral("cannot read the step trend"), q.lastError());
            return {};
        }
        while (q.next())
            series.secondsByBuild.insert(q.value(0).toLongLong(), q.value(1).toDouble());
    }
    return list;
}

} // namespace Stagelens
