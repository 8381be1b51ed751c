#include "buildrun.h"

#include "model/core/jsontext.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <future>

namespace Stagelens {

namespace {

bool isStepCounter(const QString &token, int *k, int *n)
{
    const qsizetype slash = token.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == token.size() - 1)
        return false;
    bool okK = false;
    bool okN = false;
    const int kk = token.left(slash).toInt(&okK);
    const int nn = token.mid(slash + 1).toInt(&okN);
    if (!okK || !okN)
        return false;
    *k = kk;
    *n = nn;
    return true;
}

bool isInstructionKeyword(QStringView word)
{
    // A switch on the length first: this runs for every vertex of a log (100k in a 1 GB one).
    static constexpr QLatin1StringView Keywords[] {QLatin1StringView("FROM"), QLatin1StringView("RUN"),
        QLatin1StringView("COPY"), QLatin1StringView("ADD"), QLatin1StringView("WORKDIR"),
        QLatin1StringView("ENV"), QLatin1StringView("ARG"), QLatin1StringView("USER"),
        QLatin1StringView("LABEL"), QLatin1StringView("EXPOSE"), QLatin1StringView("VOLUME"),
        QLatin1StringView("CMD"), QLatin1StringView("ENTRYPOINT"), QLatin1StringView("SHELL"),
        QLatin1StringView("ONBUILD"), QLatin1StringView("HEALTHCHECK"), QLatin1StringView("STOPSIGNAL"),
        QLatin1StringView("MAINTAINER")};
    if (word.size() < 3 || word.size() > 11)
        return false;
    for (const QLatin1StringView keyword : Keywords) {
        if (keyword.size() == word.size() && word == keyword)
            return true;
    }
    return false;
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    if (!value)
        return QJsonValue::Null;
    // Three decimals: log times are millisecond figures; more digits would only be float noise.
    return std::round(*value * 1000.0) / 1000.0;
}

QJsonValue optionalString(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

} // namespace

QString vertexStatusName(VertexStatus status)
{
    switch (status) {
    case VertexStatus::Running:
        return QStringLiteral("running");
    case VertexStatus::Done:
        return QStringLiteral("done");
    case VertexStatus::Cached:
        return QStringLiteral("cached");
    case VertexStatus::Error:
        return QStringLiteral("error");
    case VertexStatus::Canceled:
        return QStringLiteral("canceled");
    }
    return QStringLiteral("running");
}

QString logFormatName(LogFormat format)
{
    switch (format) {
    case LogFormat::Plain:
        return QStringLiteral("plain");
    case LogFormat::Tty:
        return QStringLiteral("tty");
    case LogFormat::RawJson:
        return QStringLiteral("rawjson");
    case LogFormat::Legacy:
        return QStringLiteral("legacy");
    case LogFormat::Record:
        return QStringLiteral("record");
    }
    return QStringLiteral("plain");
}

QString ciWrapperName(CiWrapper wrapper)
{
    switch (wrapper) {
    case CiWrapper::None:
        return QStringLiteral("none");
    case CiWrapper::GitHub:
        return QStringLiteral("github");
    case CiWrapper::GhCli:
        return QStringLiteral("gh-cli");
    case CiWrapper::GitLab:
        return QStringLiteral("gitlab");
    case CiWrapper::Buildkite:
        return QStringLiteral("buildkite");
    case CiWrapper::Timestamped:
        return QStringLiteral("timestamped");
    }
    return QStringLiteral("none");
}

QString vertexCategoryName(VertexCategory category)
{
    switch (category) {
    case VertexCategory::Context:
        return QStringLiteral("context");
    case VertexCategory::Metadata:
        return QStringLiteral("metadata");
    case VertexCategory::Run:
        return QStringLiteral("run");
    case VertexCategory::Copy:
        return QStringLiteral("copy");
    case VertexCategory::Export:
        return QStringLiteral("export");
    case VertexCategory::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

VertexLabel parseVertexLabel(const QString &name)
{
    VertexLabel label;
    QString rest = name.trimmed();
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close > 0) {
            QStringList tokens = rest.mid(1, close - 1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            rest = rest.mid(close + 1).trimmed();
            int k = 0;
            int n = 0;
            if (!tokens.isEmpty() && isStepCounter(tokens.last(), &k, &n)) {
                label.step = k;
                label.steps = n;
                tokens.removeLast();
            }
            // A platform is os/arch[/variant], possibly "linux/amd64->arm64" for cross builds.
            if (!tokens.isEmpty() && tokens.first().contains(QLatin1Char('/')))
                label.platform = tokens.takeFirst();
            if (!tokens.isEmpty()
                && (tokens.last() == QLatin1String("internal") || tokens.last() == QLatin1String("auth"))) {
                label.internal = true;
                tokens.removeLast();
            }
            if (tokens.size() >= 2) {
                label.target = tokens.first();
                label.stage = tokens.last();
            } else if (tokens.size() == 1) {
                // "[app internal]", and compose's "[app] exporting to image": a target, not a stage.
                if (label.internal || label.step == 0)
                    label.target = tokens.first();
                else
                    label.stage = tokens.first();
            }
        }
    }
    label.text = rest;
    if (label.step > 0) {
        const qsizetype space = rest.indexOf(QLatin1Char(' '));
        const QStringView word = space < 0 ? QStringView(rest) : QStringView(rest).left(space);
        if (isInstructionKeyword(word))
            label.instruction = word.toString();
        // Flagged here, while the text is in the cache: the dependency pass then reads the text of only
        // these few steps (100k vertex texts are 100k cache misses).
        if ((word == QLatin1String("COPY") || word == QLatin1String("ADD") || word == QLatin1String("RUN"))
            && rest.contains(QLatin1String("from=")))
            label.fromOption = true;
    }
    return label;
}

VertexCategory categorizeVertex(const QString &name, const VertexLabel &label)
{
    const QString &text = label.text;
    if (label.instruction == QLatin1String("RUN"))
        return VertexCategory::Run;
    if (label.instruction == QLatin1String("COPY") || label.instruction == QLatin1String("ADD"))
        return VertexCategory::Copy;
    if (label.instruction == QLatin1String("FROM"))
        return VertexCategory::Metadata;
    if (text.startsWith(QLatin1String("load build definition"))
        || text.startsWith(QLatin1String("load .dockerignore"))
        || text.startsWith(QLatin1String("load build context"))
        || text.startsWith(QLatin1String("load local bake"))
        || text.startsWith(QLatin1String("load remote build context")))
        return VertexCategory::Context;
    if (text.startsWith(QLatin1String("load metadata")) || name.startsWith(QLatin1String("[auth]"))
        || text.startsWith(QLatin1String("resolve image config"))
        || text.startsWith(QLatin1String("docker-image://"))
        || text.startsWith(QLatin1String("importing cache manifest")))
        return VertexCategory::Metadata;
    if (text.startsWith(QLatin1String("exporting")) || text.startsWith(QLatin1String("writing image"))
        || text.startsWith(QLatin1String("naming to")) || text.startsWith(QLatin1String("pushing"))
        || text.startsWith(QLatin1String("preparing layers for inline cache"))
        || text.startsWith(QLatin1String("resolving provenance")))
        return VertexCategory::Export;
    return VertexCategory::Other;
}

BuildTotals BuildRun::totals() const
{
    BuildTotals t;
    t.vertices = int(vertices.size());
    std::optional<double> first;
    std::optional<double> last;
    for (const BuildVertex &v : vertices) {
        switch (v.status) {
        case VertexStatus::Done:
            ++t.done;
            break;
        case VertexStatus::Cached:
            ++t.cached;
            break;
        case VertexStatus::Error:
            ++t.errors;
            break;
        case VertexStatus::Canceled:
            ++t.canceled;
            break;
        case VertexStatus::Running:
            ++t.running;
            break;
        }
        if (v.seconds)
            t.categorySeconds[int(v.category)] += *v.seconds;
        else if (v.status != VertexStatus::Cached)
            ++t.categoryUntimed[int(v.category)];
        if (v.start && (!first || *v.start < *first))
            first = v.start;
        if (v.end && (!last || *v.end > *last))
            last = v.end;
    }
    if (duration)
        t.wallSeconds = *duration;
    else if (first && last)
        t.wallSeconds = *last - *first;
    return t;
}

int BuildRun::indexOfVertex(const QString &id) const
{
    for (int i = 0; i < vertices.size(); ++i) {
        if (vertices.at(i).id == id)
            return i;
    }
    return -1;
}

QList<BuildRun> splitByTarget(const BuildRun &run)
{
    // The (target, platform) part each name of a vertex belongs to; an empty key is shared by all parts.
    const auto keyOf = [](const VertexLabel &label) {
        return label.target.isEmpty() && label.platform.isEmpty()
            ? QString()
            : label.target + QLatin1Char('\n') + label.platform;
    };
    QStringList keys;
    QList<QList<VertexLabel>> aliasLabels(run.vertices.size());
    for (int i = 0; i < run.vertices.size(); ++i) {
        const BuildVertex &v = run.vertices.at(i);
        QStringList vertexKeys {keyOf(v.label)};
        for (const QString &alias : v.aliases) {
            aliasLabels[i].append(parseVertexLabel(alias));
            vertexKeys.append(keyOf(aliasLabels[i].last()));
        }
        for (const QString &key : std::as_const(vertexKeys)) {
            if (!key.isEmpty() && !keys.contains(key))
                keys.append(key);
        }
    }
    if (keys.size() <= 1)
        return {run};
    QList<BuildRun> parts;
    for (const QString &key : std::as_const(keys)) {
        BuildRun part = run;
        part.vertices.clear();
        part.failedVertex = -1;
        for (int i = 0; i < run.vertices.size(); ++i) {
            const BuildVertex &v = run.vertices.at(i);
            const QString own = keyOf(v.label);
            int alias = -1; // the alias this part's target printed, when not the first name
            if (!own.isEmpty() && own != key) {
                for (int a = 0; a < aliasLabels.at(i).size() && alias < 0; ++a) {
                    if (keyOf(aliasLabels.at(i).at(a)) == key)
                        alias = a;
                }
                if (alias < 0)
                    continue;
            }
            if (i == run.failedVertex)
                part.failedVertex = int(part.vertices.size());
            part.vertices.append(v);
            if (alias >= 0) {
                // Named here as this target printed it; the other names stay aliases.
                BuildVertex &copy = part.vertices.last();
                copy.aliases[alias] = v.name;
                copy.aliases.move(alias, 0);
                copy.name = v.aliases.at(alias);
                copy.label = aliasLabels.at(i).at(alias);
                copy.category = categorizeVertex(copy.name, copy.label);
            }
        }
        // The build's error belongs to the part whose step failed (or to all when no step is known).
        if (run.failedVertex >= 0 && part.failedVertex < 0)
            part.error.clear();
        part.duration.reset();
        part.index = int(parts.size());
        parts.append(std::move(part));
    }
    return parts;
}

QJsonObject toJson(const BuildVertex &vertex)
{
    QJsonObject o;
    o.insert(QStringLiteral("id"), vertex.id);
    o.insert(QStringLiteral("name"), vertex.name);
    if (!vertex.aliases.isEmpty())
        o.insert(
            QStringLiteral("names"), QJsonArray::fromStringList(QStringList {vertex.name} + vertex.aliases));
    o.insert(QStringLiteral("stage"), optionalString(vertex.label.stage));
    o.insert(QStringLiteral("step"), vertex.label.step > 0 ? QJsonValue(vertex.label.step) : QJsonValue());
    o.insert(QStringLiteral("steps"), vertex.label.steps > 0 ? QJsonValue(vertex.label.steps) : QJsonValue());
    o.insert(QStringLiteral("platform"), optionalString(vertex.label.platform));
    o.insert(QStringLiteral("target"), optionalString(vertex.label.target));
    o.insert(QStringLiteral("instruction"), optionalString(vertex.label.instruction));
    o.insert(QStringLiteral("category"), vertexCategoryName(vertex.category));
    o.insert(QStringLiteral("status"), vertexStatusName(vertex.status));
    o.insert(QStringLiteral("seconds"), optionalNumber(vertex.seconds));
    o.insert(QStringLiteral("start"), optionalNumber(vertex.start));
    o.insert(QStringLiteral("end"), optionalNumber(vertex.end));
    o.insert(QStringLiteral("timing"),
        vertex.timing == TimingKind::Exact ? QStringLiteral("exact") : QStringLiteral("estimated"));
    o.insert(QStringLiteral("log_lines"), vertex.logLines);
    o.insert(QStringLiteral("line"), vertex.firstLine);
    if (!vertex.error.isEmpty())
        o.insert(QStringLiteral("error"), vertex.error);
    if (!vertex.warnings.isEmpty())
        o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(vertex.warnings));
    if (!vertex.inputs.isEmpty())
        o.insert(QStringLiteral("inputs"), QJsonArray::fromStringList(vertex.inputs));
    return o;
}

QJsonObject toJson(const BuildRun &run)
{
    QJsonObject o;
    o.insert(QStringLiteral("index"), run.index);
    o.insert(QStringLiteral("format"), logFormatName(run.format));
    o.insert(QStringLiteral("wrapper"), ciWrapperName(run.wrapper));
    const BuildTotals t = run.totals();
    o.insert(QStringLiteral("duration"),
        optionalNumber(run.duration ? run.duration : std::optional(t.wallSeconds)));
    o.insert(QStringLiteral("error"), optionalString(run.error));
    o.insert(QStringLiteral("failed_vertex"),
        run.failedVertex >= 0 ? QJsonValue(run.vertices.at(run.failedVertex).id) : QJsonValue());
    o.insert(QStringLiteral("first_line"), run.firstLine);
    o.insert(QStringLiteral("last_line"), run.lastLine);
    o.insert(QStringLiteral("truncated"), run.truncated);
    if (!run.builder.isEmpty())
        o.insert(QStringLiteral("builder"), run.builder);
    QJsonObject totals;
    totals.insert(QStringLiteral("vertices"), t.vertices);
    totals.insert(QStringLiteral("done"), t.done);
    totals.insert(QStringLiteral("cached"), t.cached);
    totals.insert(QStringLiteral("error"), t.errors);
    totals.insert(QStringLiteral("canceled"), t.canceled);
    totals.insert(QStringLiteral("running"), t.running);
    QJsonObject categories;
    for (int c = 0; c <= int(VertexCategory::Other); ++c)
        categories.insert(
            vertexCategoryName(VertexCategory(c)), std::round(t.categorySeconds[c] * 1000.0) / 1000.0);
    totals.insert(QStringLiteral("seconds_by_category"), categories);
    o.insert(QStringLiteral("totals"), totals);
    QStringList targets;
    QStringList platforms;
    for (const BuildVertex &v : run.vertices) {
        if (!v.label.target.isEmpty() && !targets.contains(v.label.target))
            targets.append(v.label.target);
        if (!v.label.platform.isEmpty() && !platforms.contains(v.label.platform))
            platforms.append(v.label.platform);
    }
    o.insert(QStringLiteral("targets"), QJsonArray::fromStringList(targets));
    o.insert(QStringLiteral("platforms"), QJsonArray::fromStringList(platforms));
    if (run.record)
        o.insert(QStringLiteral("record"), toJson(*run.record));
    o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(run.warnings));
    QJsonArray vertices;
    for (const BuildVertex &v : run.vertices)
        vertices.append(toJson(v));
    o.insert(QStringLiteral("vertices"), vertices);
    return o;
}

QJsonObject toJson(const BuildLogResult &result)
{
    QJsonObject o;
    QJsonArray builds;
    for (const BuildRun &run : result.builds)
        builds.append(toJson(run));
    o.insert(QStringLiteral("builds"), builds);
    QJsonArray diagnostics;
    for (const Diagnostic &d : result.diagnostics)
        diagnostics.append(d.toJson());
    o.insert(QStringLiteral("diagnostics"), diagnostics);
    return o;
}

namespace {

void appendVertex(JsonText &json, const BuildVertex &vertex, int level)
{
    json.beginObject(level + 1);
    json.key("category");
    json.string(vertexCategoryName(vertex.category));
    json.key("end");
    json.optionalSeconds(vertex.end);
    if (!vertex.error.isEmpty()) {
        json.key("error");
        json.string(vertex.error);
    }
    json.key("id");
    json.string(vertex.id);
    if (!vertex.inputs.isEmpty()) {
        json.key("inputs");
        json.stringList(vertex.inputs);
    }
    json.key("instruction");
    json.optionalString(vertex.label.instruction);
    json.key("line");
    json.integer(vertex.firstLine);
    json.key("log_lines");
    json.integer(vertex.logLines);
    json.key("name");
    json.string(vertex.name);
    if (!vertex.aliases.isEmpty()) {
        json.key("names");
        json.stringList(QStringList {vertex.name} + vertex.aliases);
    }
    json.key("platform");
    json.optionalString(vertex.label.platform);
    json.key("seconds");
    json.optionalSeconds(vertex.seconds);
    json.key("stage");
    json.optionalString(vertex.label.stage);
    json.key("start");
    json.optionalSeconds(vertex.start);
    json.key("status");
    json.string(vertexStatusName(vertex.status));
    json.key("step");
    json.positiveOrNull(vertex.label.step);
    json.key("steps");
    json.positiveOrNull(vertex.label.steps);
    json.key("target");
    json.optionalString(vertex.label.target);
    json.key("timing");
    json.latin1(vertex.timing == TimingKind::Exact ? "exact" : "estimated");
    if (!vertex.warnings.isEmpty()) {
        json.key("warnings");
        json.stringList(vertex.warnings);
    }
    json.endObject();
}

} // namespace

void appendJsonText(QByteArray *out, const BuildRun &run, int level,
    const std::function<void(QByteArray *)> &drain, const QJsonObject &extra)
{
    JsonText json(out, drain ? &drain : nullptr);
    // Merged members go where QJsonObject's key order puts them: before the first fixed key after them.
    auto nextExtra = extra.constBegin();
    const auto member = [&](const char *key) {
        for (; nextExtra != extra.constEnd() && nextExtra.key() < QLatin1StringView(key); ++nextExtra) {
            json.key(nextExtra.key());
            json.value(nextExtra.value(), level + 1);
        }
        Q_ASSERT(nextExtra == extra.constEnd() || nextExtra.key() != QLatin1StringView(key));
        json.key(key);
    };
    const BuildTotals t = run.totals();
    QStringList targets;
    QStringList platforms;
    for (const BuildVertex &v : run.vertices) {
        if (!v.label.target.isEmpty() && !targets.contains(v.label.target))
            targets.append(v.label.target);
        if (!v.label.platform.isEmpty() && !platforms.contains(v.label.platform))
            platforms.append(v.label.platform);
    }
    json.beginObject(level + 1);
    if (!run.builder.isEmpty()) {
        member("builder");
        json.string(run.builder);
    }
    member("duration");
    json.seconds(run.duration ? *run.duration : t.wallSeconds);
    member("error");
    json.optionalString(run.error);
    member("failed_vertex");
    if (run.failedVertex >= 0)
        json.string(run.vertices.at(run.failedVertex).id);
    else
        json.null();
    member("first_line");
    json.integer(run.firstLine);
    member("format");
    json.string(logFormatName(run.format));
    member("index");
    json.integer(run.index);
    member("last_line");
    json.integer(run.lastLine);
    member("platforms");
    json.stringList(platforms);
    if (run.record) {
        // A few dozen values: written through the generic writer, which follows the same rules.
        json.key("record");
        json.value(toJson(*run.record), level + 1);
    }
    member("targets");
    json.stringList(targets);
    member("totals");
    json.beginObject(level + 2);
    json.key("cached");
    json.integer(t.cached);
    json.key("canceled");
    json.integer(t.canceled);
    json.key("done");
    json.integer(t.done);
    json.key("error");
    json.integer(t.errors);
    json.key("running");
    json.integer(t.running);
    json.key("seconds_by_category");
    json.beginObject(level + 3);
    for (const VertexCategory c : {VertexCategory::Context, VertexCategory::Copy, VertexCategory::Export,
             VertexCategory::Metadata, VertexCategory::Other, VertexCategory::Run}) {
        json.key(vertexCategoryName(c).toLatin1().constData());
        json.seconds(t.categorySeconds[int(c)]);
    }
    json.endObject();
    json.key("vertices");
    json.integer(t.vertices);
    json.endObject();
    member("truncated");
    json.boolean(run.truncated);
    member("vertices");
    json.raw("[\n");
    const qsizetype count = run.vertices.size();
    const auto appendVertices = [&run, level, count](JsonText &to, qsizetype from, qsizetype end) {
        for (qsizetype i = from; i < end; ++i) {
            to.indent(level + 2);
            appendVertex(to, run.vertices.at(i), level + 2);
            to.raw(i + 1 < count ? ",\n" : "\n");
            to.maybeDrain();
        }
    };
    // A large build (one rawjson build holds 100,000 vertices) is formatted two chunks at a time: this
    // thread writes one while a helper formats the next into its own buffer, which follows it out. Its text
    // is most of the work of `log --json`, and the second core was idle; memory stays at two chunks.
    constexpr qsizetype Chunk = 4096;
    for (qsizetype from = 0; from < count; from += 2 * Chunk) {
        const qsizetype middle = std::min(from + Chunk, count);
        const qsizetype end = std::min(from + 2 * Chunk, count);
        std::future<QByteArray> ahead;
        if (middle < end) {
            ahead = std::async(std::launch::async, [&appendVertices, middle, end]() {
                QByteArray text;
                {
                    JsonText chunk(&text);
                    appendVertices(chunk, middle, end);
                }
                return text;
            });
        }
        appendVertices(json, from, middle);
        if (ahead.valid())
            json.splice(ahead.get());
    }
    json.indent(level + 1);
    json.raw("]");
    member("warnings");
    json.stringList(run.warnings);
    member("wrapper");
    json.string(ciWrapperName(run.wrapper));
    for (; nextExtra != extra.constEnd(); ++nextExtra) {
        json.key(nextExtra.key());
        json.value(nextExtra.value(), level + 1);
    }
    json.endObject();
}

void appendJsonText(QByteArray *out, const QJsonValue &value, int level)
{
    JsonText(out).value(value, level);
}

} // namespace Stagelens
