#include "rawjsonlogparser.h"

#include "lineunwrapper.h"
#include "rawjsonlines.h"
#include "rawjsonlogentry.h"
#include "vertexlabelcache.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <cstring>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <vector>

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

namespace {

// Digest -> vertex index without a heap node per key: open addressing over (hash, index) slots, the key
// bytes kept once in one arena. A lookup costs one hash and, on a hit, one compare with the arena; the old
// QHash<QByteArray, int> chased a pointer per probe and allocated a QByteArray per vertex.
class DigestIndex
{
public:
    int find(std::string_view key, size_t hash) const
    {
        if (m_slots.empty())
            return -1;
        const size_t mask = m_slots.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            const Slot &slot = m_slots[i];
            if (slot.index < 0)
                return -1;
            if (slot.tag == tagOf(hash) && keyOf(slot.index) == key)
                return slot.index;
        }
    }

    /// Adds `key` (not present yet) as entry number size(); returns that number.
    int insert(std::string_view key, size_t hash)
    {
        if ((m_keys.size() + 1) * 2 > m_slots.size())
            grow();
        const int index = int(m_keys.size());
        m_keys.push_back({m_arena.size(), key.size(), hash});
        m_arena.append(key);
        place(hash, index);
        return index;
    }

    void clear()
    {
        m_slots.clear();
        m_keys.clear();
        m_arena.clear();
    }

private:
    /// 8 bytes, so more of a large table stays in the cache: the high half of the hash (the low half
    /// picks the slot) and the entry number.
    struct Slot
    {
        quint32 tag = 0;
        qint32 index = -1;
    };
    static quint32 tagOf(size_t hash) { return quint32(quint64(hash) >> 32); }

    std::string_view keyOf(int index) const
    {
        const Key &k = m_keys[size_t(index)];
        return std::string_view(m_arena).substr(k.offset, k.length);
    }

    void place(size_t hash, int index)
    {
        const size_t mask = m_slots.size() - 1;
        size_t i = hash & mask;
        while (m_slots[i].index >= 0)
            i = (i + 1) & mask;
        m_slots[i] = Slot {tagOf(hash), index};
    }

    void grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(std::max<size_t>(64, old.size() * 2), Slot());
        for (const Slot &slot : old) {
            if (slot.index >= 0)
                place(m_keys[size_t(slot.index)].hash, slot.index);
        }
    }

    std::vector<Slot> m_slots; ///< power-of-two size, at most half full
    struct Key
    {
        size_t offset; ///< in m_arena
        size_t length;
        size_t hash; ///< for rehashing when the table grows
    };
    std::vector<Key> m_keys; ///< by entry number
    std::string m_arena;
};

// Vertices of the build in progress. A growing QList moves every BuildVertex (some 300 bytes) on each
// reallocation and touches twice the memory, so a build that outgrows its first 1024 vertices reserves
// MaxVerticesPerBuild at once: a block that large is mapped on demand by the allocator (mmap), so only the
// pages the vertices really use are ever touched, and nothing moves while the build grows. When the build
// closes, the list is handed over without a copy, and squeezed first if most of the reservation went unused.
class VertexStore
{
    static constexpr int SmallBuildVertices = 1024;

public:
    size_t size() const { return size_t(m_list.size()); }
    BuildVertex &operator[](size_t i) { return m_list[qsizetype(i)]; }

    BuildVertex &append()
    {
        // Small builds (nearly all) never ask for the big block: mapping and unmapping it per build made the
        // fuzzer, and logs of many small builds, several times slower. A build that outgrows the first
        // block moves once, into the big one.
        if (m_list.size() == m_list.capacity())
            m_list.reserve(
                m_list.capacity() == 0 ? qsizetype(SmallBuildVertices) : qsizetype(MaxVerticesPerBuild));
        return m_list.emplaceBack();
    }

    void moveInto(QList<BuildVertex> *out)
    {
        if (m_list.capacity() - m_list.size() > m_list.size() / 4 + 64)
            m_list.squeeze();
        if (out->isEmpty()) {
            *out = std::move(m_list);
        } else {
            for (BuildVertex &v : m_list)
                out->append(std::move(v));
        }
        clear();
    }

    void clear() { m_list = QList<BuildVertex>(); }

private:
    QList<BuildVertex> m_list;
};

QUtf8StringView utf8View(std::string_view s)
{
    return QUtf8StringView(s.data(), qsizetype(s.size()));
}

} // namespace

struct RawJsonLogParser::Private
{
    struct Extra
    {
        std::optional<double> started;
        std::optional<double> completed;
        bool partialLine = false;
    };
    RawJsonReader reader;
    DigestIndex index; ///< digest -> vertex index (entry numbers are vertex indexes)
    VertexStore vertices; ///< the build's vertices until it closes
    std::vector<Extra> extra; ///< parallel to vertices
    VertexLabelCache labels;
    RawJsonFacts facts; ///< of the line read here (one not read by a scanner)
    int badLines = 0;

    /// The vertex with `digest`, created (seen first at `line`) if new; -1 past MaxVerticesPerBuild.
    int vertexIndex(std::string_view digest, size_t hash, int line)
    {
        const int found = index.find(digest, hash);
        if (found >= 0)
            return found;
        if (vertices.size() >= size_t(MaxVerticesPerBuild))
            return -1;
        const int vi = index.insert(digest, hash);
        BuildVertex &v = vertices.append();
        v.id = QString::fromUtf8(digest.data(), qsizetype(digest.size()));
        v.firstLine = line;
        extra.emplace_back();
        return vi;
    }

    void setName(BuildVertex &v, std::string_view name)
    {
        labels.apply(v, QByteArrayView(name.data(), qsizetype(name.size())));
    }

    // bake/Compose send a vertex that several targets share under each target's name: the first name
    // stays, the others become aliases. False when `name` is no alias (then it renames the vertex).
    static bool isAlias(BuildVertex &v, std::string_view name)
    {
        for (const QString &alias : std::as_const(v.aliases)) {
            if (QtPrivate::equalStrings(utf8View(name), QStringView(alias)))
                return true;
        }
        if (v.name.isEmpty() || v.aliases.size() >= LogFormatParser::MaxAliases)
            return false;
        const QString text = QString::fromUtf8(name.data(), qsizetype(name.size()));
        if (!text.startsWith(QLatin1Char('[')) || !v.name.startsWith(QLatin1Char('['))
            || !LogFormatParser::isAliasLabel(parseVertexLabel(text), v.label))
            return false;
        v.aliases.append(text);
        return true;
    }

    void apply(const RawJsonFacts &facts, const RawJsonFacts::Event &u, int line)
    {
        const int vi = vertexIndex(facts.view(u.digest), u.digestHash, line);
        if (vi < 0)
            return;
        BuildVertex &v = vertices[size_t(vi)];
        Extra &x = extra[size_t(vi)];
        // Updates repeat the name and inputs: compare them in UTF-8 and build QStrings only on a change.
        const std::string_view name = facts.view(u.name);
        if (!name.empty() && !QtPrivate::equalStrings(utf8View(name), QStringView(v.name))
            && !isAlias(v, name))
            setName(v, name);
        if (u.inputCount > 0) {
            const RawJsonFacts::Text *in = facts.inputs.data() + u.firstInput;
            bool same = v.inputs.size() == qsizetype(u.inputCount);
            for (quint32 i = 0; same && i < u.inputCount; ++i)
                same = QtPrivate::equalStrings(
                    utf8View(facts.view(in[i])), QStringView(v.inputs.at(qsizetype(i))));
            if (!same) {
                QStringList inputs;
                inputs.reserve(qsizetype(u.inputCount));
                for (quint32 i = 0; i < u.inputCount; ++i) {
                    const std::string_view id = facts.view(in[i]);
                    inputs.append(QString::fromUtf8(id.data(), qsizetype(id.size())));
                }
                v.inputs = std::move(inputs);
            }
        }
        if (u.started && (!x.started || *u.started < *x.started))
            x.started = u.started;
        if (u.completed)
            x.completed = u.completed;
        if (u.cached)
            v.status = VertexStatus::Cached;
        if (u.error.length > 0) {
            const std::string_view error = facts.view(u.error);
            v.error = QString::fromUtf8(error.data(), qsizetype(error.size()));
            v.status = v.error.contains(QLatin1String("context canceled")) ? VertexStatus::Canceled
                                                                           : VertexStatus::Error;
        } else if (u.completed && v.status == VertexStatus::Running) {
            v.status = VertexStatus::Done;
        }
    }
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
    d->facts.clear();
    d->reader.read(line.text.data(), size_t(line.text.size()),
        size_t(std::max<qsizetype>(paddingAvailable, 0)), &d->facts);
    feedFacts(line, d->facts, 0);
}

void RawJsonLogParser::feedFacts(const LogLine &line, const RawJsonFacts &facts, size_t index)
{
    if (!hasBuild())
        beginBuild(line);
    noteWrapper(line);
    BuildRun &run = *m_build;
    const RawJsonFacts::Line &lineFacts = facts.lines[index];
    for (quint32 e = 0; e < lineFacts.eventCount; ++e) {
        const RawJsonFacts::Event &event = facts.events[lineFacts.firstEvent + e];
        switch (event.kind) {
        case RawJsonFacts::Kind::Vertex:
            d->apply(facts, event, line.number);
            break;
        case RawJsonFacts::Kind::Log: {
            const int vi = d->vertexIndex(facts.view(event.digest), event.digestHash, line.number);
            if (vi < 0)
                break;
            BuildVertex &v = d->vertices[size_t(vi)];
            // A line can arrive in several chunks: count newlines now and a pending partial line once, when
            // the build closes.
            Private::Extra &x = d->extra[size_t(vi)];
            const int before = v.logLines;
            addOutputLine(v, line);
            v.logLines = before + event.lines;
            if (event.hasData)
                x.partialLine = !event.endsWithNewline;
            break;
        }
        case RawJsonFacts::Kind::Warning: {
            const std::string_view text = facts.view(event.text);
            const QString w =
                QString::fromUtf8(QByteArray::fromBase64(QByteArray(text.data(), qsizetype(text.size()))));
            if (run.warnings.size() < 1000)
                run.warnings.append(w);
            break;
        }
        }
    }
    if (lineFacts.failed && ++d->badLines <= 20)
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
        readRawJsonLogEntry(o, &vertex, &data);
        if (QtPrivate::equalStrings(utf8View(vertex), QStringView(digest)))
            out += decodeBase64(QByteArrayView(data.data(), qsizetype(data.size())));
    }
    return out;
}

void RawJsonLogParser::closeBuild(bool endOfFile)
{
    if (m_build) {
        BuildRun &run = *m_build;
        d->vertices.moveInto(&run.vertices);
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
    d->vertices.clear();
    d->extra.clear();
    commitBuild();
}

} // namespace Stagelens
