#include "historycommand.h"

#include "clicommon.h"
#include "model/core/jsontext.h"
#include "model/history/historystore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include <cmath>
#include <cstdio>

namespace Stagelens::Cli {

namespace {

const QString Usage = QStringLiteral(
    "stagelens history add FILE ... [--db URL] [--repo NAME] [--branch NAME] [--commit SHA] [--url URL] "
    "[--json]\n"
    "       stagelens history list [--db URL] [--repo NAME] [--branch NAME] [--limit N] [--json]\n"
    "       stagelens history trend [--db URL] [--repo NAME] [--branch NAME] [--dockerfile PATH] [--step "
    "LABEL] "
    "[--json]\n"
    "       stagelens history show ID [--db URL] [--json]");

QJsonValue nullable(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonValue seconds(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value))
        return QJsonValue::Null;
    return std::round(*value * 1000.0) / 1000.0;
}

QJsonValue rate(const std::optional<double> &value)
{
    return value ? QJsonValue(std::round(*value * 1000.0) / 1000.0) : QJsonValue(QJsonValue::Null);
}

// "2026-12-01T10:00:00Z", as QDateTime::toString(Qt::ISODate) writes a UTC time, without its cost (a list
// or trend of 10,000 builds formats 20,000 of them).
QString isoTime(double epochSeconds)
{
    const qint64 seconds = qint64(std::floor(epochSeconds));
    const qint64 days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const qint64 rest = seconds - days * 86400;
    // Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", qlonglong(year),
        qlonglong(month), qlonglong(day), qlonglong(rest / 3600), qlonglong((rest / 60) % 60),
        qlonglong(rest % 60));
    return QString::fromLatin1(buffer);
}

QJsonValue isoTime(const std::optional<double> &epochSeconds)
{
    return epochSeconds ? QJsonValue(isoTime(*epochSeconds)) : QJsonValue(QJsonValue::Null);
}

// Arrays of flat objects written as QJsonDocument::Indented writes them (JsonText: the writer of `log
// --json`), without building the document: 10,000 builds are 10,000 objects.
using JsonFields = std::initializer_list<std::pair<const char *, QJsonValue>>;

// One object, as an array element at `level` (its members at level + 1); keys in the order given, sorted.
void appendJsonObject(JsonText &json, JsonFields fields, int level)
{
    json.indent(level);
    json.beginObject(level + 1);
    for (const auto &[key, value] : fields) {
        json.key(key);
        json.value(value, level + 1);
    }
    json.endObject();
}

void writeOut(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

QString text(const std::optional<double> &value)
{
    return value ? QStringLiteral("%1 s").arg(*value, 0, 'f', 1) : QStringLiteral("\u2014");
}

QJsonObject toJson(const HistoryBuild &b)
{
    return {
        {QStringLiteral("id"), b.id},
        {QStringLiteral("file"), b.file},
        {QStringLiteral("build_index"), b.buildIndex},
        {QStringLiteral("content_hash"), b.contentHash},
        {QStringLiteral("format"), b.format},
        {QStringLiteral("wrapper"), nullable(b.wrapper)},
        {QStringLiteral("repo"), nullable(b.repo)},
        {QStringLiteral("branch"), nullable(b.branch)},
        {QStringLiteral("commit"), nullable(b.commit)},
        {QStringLiteral("url"), nullable(b.url)},
        {QStringLiteral("dockerfile"), nullable(b.dockerfile)},
        {QStringLiteral("target"), nullable(b.target)},
        {QStringLiteral("started"), isoTime(b.startedAt)},
        {QStringLiteral("added"), isoTime(b.addedAt)},
        {QStringLiteral("wall_seconds"), seconds(b.wallSeconds)},
        {QStringLiteral("critical_path_seconds"), seconds(b.criticalPathSeconds)},
        {QStringLiteral("timing"), nullable(b.timing)},
        {QStringLiteral("steps"), b.steps},
        {QStringLiteral("cached"), b.cached},
        {QStringLiteral("ran"), b.ran},
        {QStringLiteral("errors"), b.errors},
        {QStringLiteral("internal"), b.internal},
        {QStringLiteral("cache_hit_rate"), rate(b.cacheHitRate())},
        {QStringLiteral("result"), b.failed ? QStringLiteral("failed") : QStringLiteral("ok")},
        {QStringLiteral("failed_step"), nullable(b.failedStep)},
        {QStringLiteral("error"), nullable(b.error)},
    };
}

void appendBuildJson(JsonText &json, const HistoryBuild &b, int level)
{
    // The keys of toJson(HistoryBuild), sorted.
    appendJsonObject(json,
        {{"added", isoTime(b.addedAt)}, {"branch", nullable(b.branch)}, {"build_index", b.buildIndex},
            {"cache_hit_rate", rate(b.cacheHitRate())}, {"cached", b.cached}, {"commit", nullable(b.commit)},
            {"content_hash", b.contentHash}, {"critical_path_seconds", seconds(b.criticalPathSeconds)},
            {"dockerfile", nullable(b.dockerfile)}, {"error", nullable(b.error)}, {"errors", b.errors},
            {"failed_step", nullable(b.failedStep)}, {"file", b.file}, {"format", b.format}, {"id", b.id},
            {"internal", b.internal}, {"ran", b.ran}, {"repo", nullable(b.repo)},
            {"result", b.failed ? QStringLiteral("failed") : QStringLiteral("ok")},
            {"started", isoTime(b.startedAt)}, {"steps", b.steps}, {"target", nullable(b.target)},
            {"timing", nullable(b.timing)}, {"url", nullable(b.url)},
            {"wall_seconds", seconds(b.wallSeconds)}, {"wrapper", nullable(b.wrapper)}},
        level);
}

// Provenance the CI system states in its environment, for what the options do not give: a CI step then
// needs no more than `stagelens history add build.log`.
HistoryProvenance provenanceFromEnvironment()
{
    HistoryProvenance p;
    auto env = [](const char *name) {
        return qEnvironmentVariable(name);
    };
    if (env("GITHUB_ACTIONS") == QLatin1String("true")) {
        p.repo = env("GITHUB_REPOSITORY");
        p.branch = env("GITHUB_HEAD_REF").isEmpty() ? env("GITHUB_REF_NAME") : env("GITHUB_HEAD_REF");
        p.commit = env("GITHUB_SHA");
        if (!env("GITHUB_RUN_ID").isEmpty())
            p.url = QStringLiteral("%1/%2/actions/runs/%3")
                        .arg(env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID"));
    } else if (env("GITLAB_CI") == QLatin1String("true")) {
        p.repo = env("CI_PROJECT_PATH");
        p.branch = env("CI_COMMIT_REF_NAME");
        p.commit = env("CI_COMMIT_SHA");
        p.url = env("CI_JOB_URL");
    } else if (env("BUILDKITE") == QLatin1String("true")) {
        p.repo = env("BUILDKITE_PIPELINE_SLUG");
        p.branch = env("BUILDKITE_BRANCH");
        p.commit = env("BUILDKITE_COMMIT");
        p.url = env("BUILDKITE_BUILD_URL");
    }
    return p;
}

struct Common
{
    QCommandLineOption db {QStringLiteral("db"),
        QStringLiteral("the history: a file, sqlite:PATH or postgresql://user@host:port/dbname (default: "
                       "$STAGELENS_DB, else $XDG_DATA_HOME/stagelens/history.sqlite)"),
        QStringLiteral("URL")};
    QCommandLineOption json {QStringLiteral("json"), QStringLiteral("print JSON (shared/CLI.md)")};
};

// Opens the store named by --db (or the default); prints the error and returns false when it cannot.
bool openStore(HistoryStore &store, const QCommandLineParser &parser, const Common &common, int *exitCode)
{
    const QString text = parser.isSet(common.db) ? parser.value(common.db) : defaultHistoryLocation();
    HistoryLocation location;
    QString error;
    if (!parseHistoryLocation(text, &location, &error)) {
        printError(QStringLiteral("stagelens history: --db: %1").arg(error));
        *exitCode = ExitUsage;
        return false;
    }
    if (!store.open(location)) {
        printError(QStringLiteral("stagelens history: %1").arg(store.errorString()));
        *exitCode = ExitInputErrors;
        return false;
    }
    return true;
}

int runAdd(const QStringList &args)
{
    QCommandLineParser parser;
    Common common;
    parser.setApplicationDescription(
        QStringLiteral("Adds the builds of logs or build records to the history."));
    parser.addPositionalArgument(
        QStringLiteral("FILE"), QStringLiteral("build logs or records"), QStringLiteral("FILE..."));
    const QCommandLineOption repo(
        QStringLiteral("repo"), QStringLiteral("the repository built"), QStringLiteral("NAME"));
    const QCommandLineOption branch(
        QStringLiteral("branch"), QStringLiteral("the branch built"), QStringLiteral("NAME"));
    const QCommandLineOption commit(
        QStringLiteral("commit"), QStringLiteral("the commit built"), QStringLiteral("SHA"));
    const QCommandLineOption url(
        QStringLiteral("url"), QStringLiteral("the CI job's URL"), QStringLiteral("URL"));
    parser.addOptions({common.db, repo, branch, commit, url, common.json});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        printError(QStringLiteral("stagelens history add: no FILE given"));
        printError(QStringLiteral("usage: %1").arg(Usage));
        return ExitUsage;
    }
    for (const QString &file : files) {
        if (!QFileInfo(file).isFile()) {
            printError(QStringLiteral("stagelens history add: no such file: %1").arg(file));
            return ExitUsage;
        }
    }
    HistoryProvenance provenance = provenanceFromEnvironment();
    auto take = [&parser](const QCommandLineOption &option, QString *field) {
        if (parser.isSet(option))
            *field = parser.value(option);
    };
    take(repo, &provenance.repo);
    take(branch, &provenance.branch);
    take(commit, &provenance.commit);
    take(url, &provenance.url);

    HistoryStore store;
    int exitCode = ExitOk;
    if (!openStore(store, parser, common, &exitCode))
        return exitCode;
    QJsonArray added;
    QJsonArray skipped;
    QJsonArray perFile;
    QString out;
    const bool json = parser.isSet(common.json);
    for (const QString &file : files) {
        const HistoryAddResult r = store.addFile(file, provenance);
        // What the file holds is added; its errors (no build in it, ...) still make the exit status 1.
        for (const Diagnostic &d : r.diagnostics) {
            if (d.severity == Severity::Error) {
                printError(QStringLiteral("%1: %2").arg(file, d.toString()));
                exitCode = ExitInputErrors;
            }
        }
        QJsonArray fileAdded;
        QJsonArray fileSkipped;
        for (const HistoryBuild &b : r.addedBuilds) {
            added.append(b.id);
            fileAdded.append(b.id);
            if (!json)
                out += QStringLiteral(
                    "added build %1: %2 #%3 (%4 Dockerfile steps, %5 cached, %6 ran, %7 errors; wall %8)%9\n")
                           .arg(b.id)
                           .arg(file)
                           .arg(b.buildIndex + 1)
                           .arg(b.steps)
                           .arg(b.cached)
                           .arg(b.ran)
                           .arg(b.errors)
                           .arg(text(b.wallSeconds), b.failed ? QStringLiteral(", FAILED") : QString());
        }
        for (const qint64 id : r.skipped) {
            skipped.append(id);
            fileSkipped.append(id);
            if (!json)
                out += QStringLiteral("skipped build %1 (already in the history): %2\n").arg(id).arg(file);
        }
        if (r.builds == 0 && r.error.isEmpty() && r.skipped.isEmpty() && !hasErrors(r.diagnostics))
            printError(QStringLiteral("stagelens history add: no build found in %1").arg(file));
        perFile.append(QJsonObject {{QStringLiteral("file"), file}, {QStringLiteral("builds"), r.builds},
            {QStringLiteral("added"), fileAdded}, {QStringLiteral("skipped"), fileSkipped}});
        if (!r.error.isEmpty()) {
            printError(QStringLiteral("stagelens history add: %1").arg(r.error));
            exitCode = ExitInputErrors;
            break;
        }
    }
    if (parser.isSet(common.json))
        printJson(QJsonObject {{QStringLiteral("added"), added}, {QStringLiteral("skipped"), skipped},
            {QStringLiteral("files"), perFile}});
    else
        printOut(out);
    return exitCode;
}

int runList(const QStringList &args)
{
    QCommandLineParser parser;
    Common common;
    parser.setApplicationDescription(QStringLiteral("Lists the builds in the history, newest first."));
    const QCommandLineOption repo(
        QStringLiteral("repo"), QStringLiteral("only this repository"), QStringLiteral("NAME"));
    const QCommandLineOption branch(
        QStringLiteral("branch"), QStringLiteral("only this branch"), QStringLiteral("NAME"));
    const QCommandLineOption limit(
        QStringLiteral("limit"), QStringLiteral("at most N builds"), QStringLiteral("N"));
    parser.addOptions({common.db, repo, branch, limit, common.json});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("stagelens history list: unexpected argument %1")
                       .arg(parser.positionalArguments().first()));
        return ExitUsage;
    }
    HistoryQuery query;
    query.repo = parser.value(repo);
    query.branch = parser.value(branch);
    if (parser.isSet(limit)) {
        bool ok = false;
        query.limit = parser.value(limit).toInt(&ok);
        if (!ok || query.limit <= 0) {
            printError(QStringLiteral("stagelens history list: --limit takes a positive number"));
            return ExitUsage;
        }
    }
    HistoryStore store;
    int exitCode = ExitOk;
    if (!openStore(store, parser, common, &exitCode))
        return exitCode;
    const QList<HistoryBuild> builds = store.builds(query);
    if (builds.isEmpty() && !store.errorString().isEmpty()) {
        printError(QStringLiteral("stagelens history list: %1").arg(store.errorString()));
        return ExitInputErrors;
    }
    if (parser.isSet(common.json)) {
        QByteArray out;
        {
            JsonText json(&out);
            json.raw("{\n    \"builds\": [\n");
            for (qsizetype i = 0; i < builds.size(); ++i) {
                appendBuildJson(json, builds.at(i), 2);
                json.raw(i + 1 < builds.size() ? ",\n" : "\n");
            }
            json.raw("    ]\n}\n");
        }
        writeOut(out);
        return ExitOk;
    }
    QString out;
    for (const HistoryBuild &b : builds) {
        const std::optional<double> hit = b.cacheHitRate();
        out += QStringLiteral("%1  %2  %3  %4 steps, %5 cached (%6)  wall %7  %8  %9 #%10\n")
                   .arg(b.id, 6)
                   .arg(b.startedAt ? isoTime(*b.startedAt) : isoTime(b.addedAt) + QLatin1Char('*'), -21)
                   .arg(b.failed ? QStringLiteral("FAILED") : QStringLiteral("ok    "))
                   .arg(b.steps, 3)
                   .arg(b.cached, 3)
                   .arg(hit ? QStringLiteral("%1%").arg(*hit * 100, 0, 'f', 0) : QStringLiteral("\u2014"))
                   .arg(text(b.wallSeconds), 9)
                   .arg(b.repo.isEmpty()
                           ? QStringLiteral("-")
                           : b.repo + (b.branch.isEmpty() ? QString() : QLatin1Char('@') + b.branch))
                   .arg(QFileInfo(b.file).fileName())
                   .arg(b.buildIndex + 1);
    }
    if (!builds.isEmpty())
        out += QStringLiteral("(* when the log has no clock: the time it was added)\n");
    printOut(out);
    return ExitOk;
}

int runTrend(const QStringList &args)
{
    QCommandLineParser parser;
    Common common;
    parser.setApplicationDescription(QStringLiteral(
        "Per build, oldest first: wall time, cache hit rate, and one step's seconds and status (--step)."));
    const QCommandLineOption repo(
        QStringLiteral("repo"), QStringLiteral("only this repository"), QStringLiteral("NAME"));
    const QCommandLineOption branch(
        QStringLiteral("branch"), QStringLiteral("only this branch"), QStringLiteral("NAME"));
    const QCommandLineOption dockerfile(QStringLiteral("dockerfile"),
        QStringLiteral("only builds of this Dockerfile (as the log names it)"), QStringLiteral("PATH"));
    const QCommandLineOption step(QStringLiteral("step"),
        QStringLiteral(
            "a step, by label (\"[builder 2/3] COPY src/ ./\" or \"[builder 2/3]\": matched by stage and "
            "position) or by instruction text"),
        QStringLiteral("LABEL"));
    parser.addOptions({common.db, repo, branch, dockerfile, step, common.json});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("stagelens history trend: unexpected argument %1")
                       .arg(parser.positionalArguments().first()));
        return ExitUsage;
    }
    HistoryQuery query;
    query.repo = parser.value(repo);
    query.branch = parser.value(branch);
    query.dockerfile = parser.value(dockerfile);
    query.step = parser.value(step);
    HistoryStore store;
    int exitCode = ExitOk;
    if (!openStore(store, parser, common, &exitCode))
        return exitCode;
    const QList<HistoryTrendPoint> points = store.trend(query);
    if (points.isEmpty() && !store.errorString().isEmpty()) {
        printError(QStringLiteral("stagelens history trend: %1").arg(store.errorString()));
        return ExitInputErrors;
    }
    if (parser.isSet(common.json)) {
        QByteArray out;
        {
            JsonText json(&out);
            json.raw("{\n    \"points\": [\n");
            for (qsizetype i = 0; i < points.size(); ++i) {
                const HistoryTrendPoint &p = points.at(i);
                appendJsonObject(json,
                    {{"added", isoTime(p.addedAt)}, {"branch", nullable(p.branch)}, {"build", p.build},
                        {"cache_hit_rate", rate(p.cacheHitRate)}, {"commit", nullable(p.commit)},
                        {"started", isoTime(p.startedAt)}, {"step_seconds", seconds(p.stepSeconds)},
                        {"step_status", nullable(p.stepStatus)}, {"wall_seconds", seconds(p.wallSeconds)}},
                    2);
                json.raw(i + 1 < points.size() ? ",\n" : "\n");
            }
            json.raw("    ],\n    \"step\": ");
            json.value(nullable(query.step), 1);
            json.raw("\n}\n");
        }
        writeOut(out);
        return ExitOk;
    }
    QString out;
    for (const HistoryTrendPoint &p : points) {
        out += QStringLiteral("%1  %2  wall %3  cache hits %4")
                   .arg(p.build, 6)
                   .arg(p.startedAt ? isoTime(*p.startedAt) : isoTime(p.addedAt) + QLatin1Char('*'), -21)
                   .arg(text(p.wallSeconds), 9)
                   .arg(p.cacheHitRate ? QStringLiteral("%1%").arg(*p.cacheHitRate * 100, 0, 'f', 0)
                                       : QStringLiteral("\u2014"),
                       4);
        if (!query.step.isEmpty())
            out += QStringLiteral("  step %1 %2")
                       .arg(p.stepStatus.isEmpty() ? QStringLiteral("absent") : p.stepStatus,
                           text(p.stepSeconds));
        out += QLatin1Char('\n');
    }
    printOut(out);
    return ExitOk;
}

int runShow(const QStringList &args)
{
    QCommandLineParser parser;
    Common common;
    parser.setApplicationDescription(QStringLiteral("Shows one build of the history with its steps."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("the build's id (history list)"));
    parser.addOptions({common.db, common.json});
    if (const int rc = parseCommandLine(parser, args, Usage); rc >= 0)
        return rc;
    bool ok = false;
    const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (parser.positionalArguments().size() != 1 || !ok) {
        printError(QStringLiteral("stagelens history show: expected one build ID"));
        printError(QStringLiteral("usage: %1").arg(Usage));
        return ExitUsage;
    }
    HistoryStore store;
    int exitCode = ExitOk;
    if (!openStore(store, parser, common, &exitCode))
        return exitCode;
    const std::optional<HistoryBuild> build = store.build(id);
    if (!build) {
        printError(
            QStringLiteral("stagelens history show: %1")
                .arg(store.errorString().isEmpty()
                        ? QStringLiteral("no build %1 in %2").arg(id).arg(store.location().displayName())
                        : store.errorString()));
        return ExitInputErrors;
    }
    const QList<HistoryStep> steps = store.steps(id);
    QJsonArray vertices;
    QList<QPair<int, QString>> path;
    for (const HistoryStep &s : steps) {
        vertices.append(QJsonObject {{QStringLiteral("index"), s.vertex}, {QStringLiteral("id"), s.id},
            {QStringLiteral("name"), s.name},
            {QStringLiteral("stage"), s.step > 0 ? QJsonValue(s.stage) : QJsonValue()},
            {QStringLiteral("step"), s.step > 0 ? QJsonValue(s.step) : QJsonValue()},
            {QStringLiteral("steps"), s.stepCount > 0 ? QJsonValue(s.stepCount) : QJsonValue()},
            {QStringLiteral("platform"), nullable(s.platform)},
            {QStringLiteral("target"), nullable(s.target)},
            {QStringLiteral("instruction"), nullable(s.instruction)}, {QStringLiteral("status"), s.status},
            {QStringLiteral("seconds"), seconds(s.seconds)}, {QStringLiteral("start"), seconds(s.start)},
            {QStringLiteral("end"), seconds(s.end)}});
        if (s.criticalPosition > 0)
            path.append({s.criticalPosition, s.name});
    }
    std::sort(path.begin(), path.end());
    QJsonArray pathNames;
    for (const auto &[position, name] : std::as_const(path))
        pathNames.append(name);
    const HistoryBuild &b = *build;
    const QJsonObject summary {{QStringLiteral("steps"), b.steps}, {QStringLiteral("cached"), b.cached},
        {QStringLiteral("ran"), b.ran}, {QStringLiteral("errors"), b.errors},
        {QStringLiteral("internal"), b.internal}, {QStringLiteral("wall_seconds"), seconds(b.wallSeconds)},
        {QStringLiteral("critical_path_seconds"), seconds(b.criticalPathSeconds)},
        {QStringLiteral("critical_path"), pathNames}, {QStringLiteral("timing"), nullable(b.timing)},
        {QStringLiteral("failed_step"), nullable(b.failedStep)}, {QStringLiteral("error"), nullable(b.error)},
        {QStringLiteral("cache_hit_rate"), rate(b.cacheHitRate())},
        // The history keeps no log text (logs can hold secrets), so BuildKit's Dockerfile excerpt is unknown.
        {QStringLiteral("error_context"), QJsonValue()}};
    if (parser.isSet(common.json)) {
        QJsonObject o = toJson(b);
        o.insert(QStringLiteral("summary"), summary);
        o.insert(QStringLiteral("vertices"), vertices);
        printJson(o);
        return ExitOk;
    }
    QString out = QStringLiteral("build %1: %2 #%3 (%4, wrapper %5)\n")
                      .arg(b.id)
                      .arg(b.file)
                      .arg(b.buildIndex + 1)
                      .arg(b.format, b.wrapper);
    out += QStringLiteral(
        "  %1 Dockerfile steps, %2 cached, %3 ran, %4 errors, %5 internal; wall %6; critical path %7\n")
               .arg(b.steps)
               .arg(b.cached)
               .arg(b.ran)
               .arg(b.errors)
               .arg(b.internal)
               .arg(text(b.wallSeconds), text(b.criticalPathSeconds));
    if (b.failed)
        out += QStringLiteral("  FAILED%1%2\n")
                   .arg(b.failedStep.isEmpty() ? QString() : QStringLiteral(" at ") + b.failedStep,
                       b.error.isEmpty() ? QString() : QStringLiteral(": ") + b.error);
    for (const HistoryStep &s : steps)
        out += QStringLiteral("  %1 %2 %3 %4\n")
                   .arg(s.id, -6)
                   .arg(s.status, -8)
                   .arg(text(s.seconds), 9)
                   .arg(s.name);
    printOut(out);
    return ExitOk;
}

} // namespace

int runHistoryCommand(const QStringList &args)
{
    // args: program, "history", SUBCOMMAND, ...; the sub-parsers see "program SUBCOMMAND ..." and drop it.
    const QString sub = args.value(2);
    QStringList rest = args;
    if (rest.size() > 1)
        rest.removeAt(1);
    if (sub == QLatin1String("add"))
        return runAdd(rest);
    if (sub == QLatin1String("list"))
        return runList(rest);
    if (sub == QLatin1String("trend"))
        return runTrend(rest);
    if (sub == QLatin1String("show"))
        return runShow(rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        printOut(
            QStringLiteral("usage: %1\n\nKeeps the builds of logs and build records in a database (SQLite by "
                           "default, PostgreSQL for a team) and shows trends over them.\n")
                .arg(Usage));
        return ExitOk;
    }
    printError(sub.isEmpty() ? QStringLiteral("stagelens history: expected add, list, trend or show")
                             : QStringLiteral("stagelens history: unknown subcommand %1").arg(sub));
    printError(QStringLiteral("usage: %1").arg(Usage));
    return ExitUsage;
}

} // namespace Stagelens::Cli
