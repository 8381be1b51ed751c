#include "rawjsonlogparser.h"

#include "lineunwrapper.h"

#include <QHash>

#include <array>
#include <simdjson.h>
#include <string_view>

namespace Stagelens {

namespace {

constexpr std::array<signed char, 256> makeBase64Table()
{
    std::array<signed char, 256> t {};
    for (auto &v : t)
        v = -1;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return t;
}
constexpr std::array<signed char, 256> Base64Table = makeBase64Table();

// Walks the decoded bytes of `base64` and calls `sink` for each one.
template<typename Sink>
void forEachDecodedByte(QByteArrayView base64, Sink sink)
{
    quint32 buffer = 0;
    int bits = 0;
    for (const char c : base64) {
        const int v = Base64Table[static_cast<unsigned char>(c)];
        if (v < 0)
            continue;
        buffer = (buffer << 6) | quint32(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            sink(char((buffer >> bits) & 0xff));
        }
    }
}

std::optional<double> timeOf(simdjson::ondemand::value value)
{
    std::string_view text;
    if (value.get_string().get(text))
        return std::nullopt;
    double epoch = 0;
    if (parseIsoTimestamp(QByteArrayView(text.data(), qsizetype(text.size())), &epoch) == 0)
        return std::nullopt;
    // Go's zero time ("0001-01-01T00:00:00Z") means "not set".
    if (epoch < 0)
        return std::nullopt;
    return epoch;
}

QString toQString(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

// For each base64 character, which halves of a '\n' (0x0a) byte it can carry, by position in a 4-character
// block: bit 0 "c0 == 'C'" and bit 1 "c1 >> 4 == 2" (newline in byte 0); bit 2 "c1 & 15 == 0" and bit 3
// "c2 >> 2 == 10" (byte 1); bit 4 "c2 & 3 == 0" and bit 5 "c3 == 'K'" (byte 2). Counting then needs no
// decoding and no branches.
constexpr std::array<unsigned char, 256> makeNewlineTable()
{
    std::array<unsigned char, 256> t {};
    for (int c = 0; c < 256; ++c) {
        const int v = Base64Table[c];
        if (v < 0)
            continue;
        unsigned char bits = 0;
        bits |= v == 2 ? 1 : 0;
        bits |= (v >> 4) == 2 ? 2 : 0;
        bits |= (v & 15) == 0 ? 4 : 0;
        bits |= (v >> 2) == 10 ? 8 : 0;
        bits |= (v & 3) == 0 ? 16 : 0;
        bits |= v == 10 ? 32 : 0;
        t[c] = bits;
    }
    return t;
}
constexpr std::array<unsigned char, 256> NewlineTable = makeNewlineTable();

int countBase64Newlines(QByteArrayView base64, bool *endsWithNewline)
{
    // Hot loop of rawjson reading (BuildKit's log data is base64). Assumes 4-character alignment, which
    // holds for the unbroken base64 of JSON; the tail and anything odd go through the byte-wise decoder.
    int count = 0;
    const qsizetype n = base64.size();
    const auto *p = reinterpret_cast<const unsigned char *>(base64.data());
    qsizetype blocks = n / 4;
    if (blocks > 0 && p[n - 1] == '=')
        --blocks; // the padded last block is decoded below
    for (qsizetype b = 0; b < blocks; ++b) {
        const unsigned x0 = NewlineTable[p[4 * b]];
        const unsigned x1 = NewlineTable[p[4 * b + 1]];
        const unsigned x2 = NewlineTable[p[4 * b + 2]];
        const unsigned x3 = NewlineTable[p[4 * b + 3]];
        count += int((x0 & (x1 >> 1) & 1) + ((x1 >> 2) & (x2 >> 3) & 1) + ((x2 >> 4) & (x3 >> 5) & 1));
    }
    char last = 0;
    if (blocks > 0)
        last = char(((Base64Table[p[4 * blocks - 2]] & 3) << 6) | (Base64Table[p[4 * blocks - 1]] & 63));
    forEachDecodedByte(base64.sliced(4 * blocks), [&](char ch) {
        count += ch == '\n' ? 1 : 0;
        last = ch;
    });
    *endsWithNewline = last == '\n';
    return count;
}

QByteArray decodeBase64(QByteArrayView base64)
{
    QByteArray out;
    out.reserve(base64.size() * 3 / 4);
    forEachDecodedByte(base64, [&](char c) { out.append(c); });
    return out;
}

struct RawJsonLogParser::Private
{
    struct Extra
    {
        std::optional<double> started;
        std::optional<double> completed;
        bool partialLine = false;
    };
    simdjson::ondemand::parser parser;
    QHash<QByteArray, int> index; ///< digest (UTF-8) -> vertex index
    QList<Extra> extra; ///< parallel to the build's vertices
    int badLines = 0;
};

RawJsonLogParser::RawJsonLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
    : LogFormatParser(LogFormat::RawJson, builds, diagnostics)
    , d(std::make_unique<Private>())
{ }

RawJsonLogParser::~RawJsonLogParser() = default;

bool RawJsonLogParser::claims(QByteArrayView text)
{
    return text.startsWith("{\"vertexes\"") || text.startsWith("{\"statuses\"")
        || text.startsWith("{\"logs\"") || text.startsWith("{\"warnings\"");
}

void RawJsonLogParser::feedJson(const LogLine &line, qsizetype paddingAvailable)
{
    if (!hasBuild())
        beginBuild(line);
    noteWrapper(line);
    BuildRun &run = *m_build;

    simdjson::padded_string copy;
    simdjson::padded_string_view view;
    if (paddingAvailable >= qsizetype(simdjson::SIMDJSON_PADDING)) {
        view = simdjson::padded_string_view(
            line.text.data(), size_t(line.text.size()), size_t(line.text.size() + paddingAvailable));
    } else {
        copy = simdjson::padded_string(line.text.data(), size_t(line.text.size()));
        view = copy;
    }

    // Looked up without allocating: logs name their vertex on every chunk.
    auto vertexIndex = [&](std::string_view digest) {
        auto it = d->index.constFind(QByteArray::fromRawData(digest.data(), qsizetype(digest.size())));
        if (it != d->index.constEnd())
            return *it;
        if (run.vertices.size() >= MaxVerticesPerBuild)
            return -1;
        BuildVertex v;
        v.id = toQString(digest);
        v.firstLine = line.number;
        d->index.insert(QByteArray(digest.data(), qsizetype(digest.size())), int(run.vertices.size()));
        run.vertices.append(v);
        d->extra.append(Private::Extra());
        return int(run.vertices.size()) - 1;
    };

    simdjson::ondemand::document doc;
    simdjson::ondemand::object root;
    bool failed = d->parser.iterate(view).get(doc) != simdjson::SUCCESS
        || doc.get_object().get(root) != simdjson::SUCCESS;
    if (!failed) {
        for (auto field : root) {
            std::string_view key;
            if (field.unescaped_key().get(key)) {
                failed = true;
                break;
            }
            simdjson::ondemand::array array;
            if (field.value().get_array().get(array))
                continue; // null or an unexpected shape: nothing to take from it
            if (key == "vertexes") {
                for (auto element : array) {
                    simdjson::ondemand::object o;
                    if (element.get_object().get(o)) {
                        failed = true;
                        break;
                    }
                    int vi = -1;
                    // Field order is Go's struct order (digest first), but do not rely on it.
                    QString digest, name, error;
                    QStringList inputs;
                    std::optional<double> started, completed;
                    bool cached = false;
                    for (auto f : o) {
                        std::string_view k;
                        if (f.unescaped_key().get(k))
                            break;
                        auto value = f.value();
                        std::string_view s;
                        if (k == "digest" && !value.get_string().get(s))
                            digest = toQString(s);
                        else if (k == "name" && !value.get_string().get(s))
                            name = toQString(s);
                        else if (k == "error" && !value.get_string().get(s))
                            error = toQString(s);
                        else if (k == "started")
                            started = timeOf(value.value());
                        else if (k == "completed")
                            completed = timeOf(value.value());
                        else if (k == "cached") {
                            bool b = false;
                            if (!value.get_bool().get(b))
                                cached = b;
                        } else if (k == "inputs") {
                            simdjson::ondemand::array in;
                            if (!value.get_array().get(in)) {
                                for (auto item : in) {
                                    std::string_view id;
                                    if (!item.get_string().get(id))
                                        inputs.append(toQString(id));
                                }
                            }
                        }
                    }
                    if (digest.isEmpty())
                        continue;
                    const QByteArray digestBytes = digest.toUtf8();
                    vi = vertexIndex(std::string_view(digestBytes.constData(), size_t(digestBytes.size())));
                    if (vi < 0)
                        continue;
                    BuildVertex &v = run.vertices[vi];
                    Private::Extra &x = d->extra[vi];
                    if (!name.isEmpty() && v.name != name) {
                        v.name = name;
                        v.label = parseVertexLabel(name);
                        v.category = categorizeVertex(name, v.label);
                    }
                    if (!inputs.isEmpty())
                        v.inputs = inputs;
                    if (started && (!x.started || *started < *x.started))
                        x.started = started;
                    if (completed)
                        x.completed = completed;
                    if (cached)
                        v.status = VertexStatus::Cached;
                    if (!error.isEmpty()) {
                        v.error = error;
                        v.status = error.contains(QLatin1String("context canceled")) ? VertexStatus::Canceled
                                                                                     : VertexStatus::Error;
                    } else if (completed && v.status == VertexStatus::Running) {
                        v.status = VertexStatus::Done;
                    }
                }
            } else if (key == "logs") {
                for (auto element : array) {
                    simdjson::ondemand::object o;
                    if (element.get_object().get(o))
                        break;
                    std::string_view digest;
                    std::string_view data;
                    for (auto f : o) {
                        std::string_view k;
                        if (f.unescaped_key().get(k))
                            break;
                        std::string_view s;
                        if (k == "vertex" && !f.value().get_string().get(s))
                            digest = s;
                        else if (k == "data" && !f.value().get_string().get(s))
                            data = s;
                    }
                    if (digest.empty())
                        continue;
                    const int vi = vertexIndex(digest);
                    if (vi < 0)
                        continue;
                    bool endsWithNewline = false;
                    const int lines = countBase64Newlines(
                        QByteArrayView(data.data(), qsizetype(data.size())), &endsWithNewline);
                    BuildVertex &v = run.vertices[vi];
                    // A line can arrive in several chunks: count newlines now and a pending partial line
                    // once, when the build closes.
                    Private::Extra &x = d->extra[vi];
                    const int before = v.logLines;
                    addOutputLine(v, line);
                    v.logLines = before + lines;
                    if (!data.empty())
                        x.partialLine = !endsWithNewline;
                }
            } else if (key == "warnings") {
                for (auto element : array) {
                    simdjson::ondemand::object o;
                    if (element.get_object().get(o))
                        break;
                    for (auto f : o) {
                        std::string_view k;
                        if (f.unescaped_key().get(k))
                            break;
                        std::string_view s;
                        if (k == "short" && !f.value().get_string().get(s)) {
                            const QString w = QString::fromUtf8(
                                QByteArray::fromBase64(QByteArray(s.data(), qsizetype(s.size()))));
                            if (run.warnings.size() < 1000)
                                run.warnings.append(w);
                        }
                    }
                }
            }
        }
    }
    if (failed && ++d->badLines <= 20)
        warn(line.number, QStringLiteral("unreadable rawjson line (truncated or not JSON)"));
}

void RawJsonLogParser::feedOther(const LogLine &line)
{
    if (!hasBuild())
        return;
    const QByteArray trimmed = line.text.trimmed().toByteArray();
    if ((trimmed.startsWith("ERROR: failed to") || trimmed.startsWith("error: failed to"))
        && m_build->error.isEmpty())
        m_build->error = QString::fromUtf8(trimmed.mid(7));
}

void RawJsonLogParser::finish(bool endOfFile)
{
    closeBuild(endOfFile);
}

QByteArray RawJsonLogParser::extractLogs(QByteArrayView jsonLine, const QString &digest)
{
    QByteArray out;
    simdjson::ondemand::parser parser;
    simdjson::padded_string copy(jsonLine.data(), size_t(jsonLine.size()));
    simdjson::ondemand::document doc;
    if (parser.iterate(copy).get(doc))
        return out;
    simdjson::ondemand::array logs;
    if (doc["logs"].get_array().get(logs))
        return out;
    for (auto element : logs) {
        simdjson::ondemand::object o;
        if (element.get_object().get(o))
            break;
        std::string_view vertex, data;
        for (auto f : o) {
            std::string_view k;
            if (f.unescaped_key().get(k))
                break;
            std::string_view s;
            if (k == "vertex" && !f.value().get_string().get(s))
                vertex = s;
            else if (k == "data" && !f.value().get_string().get(s))
                data = s;
        }
        if (toQString(vertex) == digest)
            out += decodeBase64(QByteArrayView(data.data(), qsizetype(data.size())));
    }
    return out;
}

void RawJsonLogParser::closeBuild(bool endOfFile)
{
    if (m_build) {
        BuildRun &run = *m_build;
        std::optional<double> first;
        std::optional<double> last;
        for (const Private::Extra &x : std::as_const(d->extra)) {
            if (x.started && (!first || *x.started < *first))
                first = x.started;
            if (x.completed && (!last || *x.completed > *last))
                last = x.completed;
            // A completed time before every start (clock skew, hostile input) still dates the build, so
            // no vertex gets a negative time.
            if (x.completed && (!first || *x.completed < *first))
                first = x.completed;
        }
        run.startEpoch = first;
        for (int i = 0; i < run.vertices.size(); ++i) {
            BuildVertex &v = run.vertices[i];
            const Private::Extra &x = d->extra.at(i);
            if (first && x.started)
                v.start = *x.started - *first;
            if (first && x.completed)
                v.end = *x.completed - *first;
            if (x.started && x.completed && v.status != VertexStatus::Cached)
                v.seconds = std::max(0.0, *x.completed - *x.started);
            if (v.start && v.end && *v.end < *v.start)
                v.end = v.start;
            v.timing = TimingKind::Exact;
            if (x.partialLine)
                ++v.logLines;
            if (v.status == VertexStatus::Error && run.failedVertex < 0)
                run.failedVertex = i;
        }
        if (first && last)
            run.duration = *last - *first;
        if (run.failedVertex >= 0 && run.error.isEmpty())
            run.error = run.vertices.at(run.failedVertex).error;
        int running = 0;
        for (const BuildVertex &v : std::as_const(run.vertices))
            running += v.status == VertexStatus::Running ? 1 : 0;
        if (running > 0 && endOfFile && run.error.isEmpty()) {
            run.truncated = true;
            warn(
                run.lastLine, QStringLiteral("rawjson log ends with %1 vertices still running").arg(running));
        }
    }
    d->index.clear();
    d->extra.clear();
    commitBuild();
}

} // namespace Stagelens
