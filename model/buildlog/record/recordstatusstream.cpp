#include "recordstatusstream.h"

#include "model/buildlog/logformatparser.h"
#include "record/buildkitstatus.pb.h"

#include <QHash>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace Stagelens {

namespace {

namespace pb = ::stagelens::record; // the messages of record/buildkitstatus.proto

// BuildKit writes one StatusResponse per batch of events: kilobytes, rarely a few MB. A larger length
// prefix is damage, not data.
constexpr quint32 MaxMessageBytes = 64 << 20;
// Output kept in memory per vertex and per build. BuildKit clips a vertex's log at 2 MiB itself by default.
constexpr qsizetype MaxOutputPerVertex = 4 << 20;
constexpr qint64 MaxOutputPerBuild = 64 << 20;
constexpr qsizetype MaxWarnings = 1000;
constexpr qsizetype MaxWarningsPerVertex = 100;

std::optional<double> epochOf(bool present, const pb::Timestamp &t)
{
    if (!present)
        return std::nullopt;
    // Seconds outside 1970..5138 are damage (and the zero Timestamp means "not set").
    if (t.seconds() <= 0 || t.seconds() > 100'000'000'000LL || t.nanos() < 0 || t.nanos() >= 1'000'000'000)
        return std::nullopt;
    return double(t.seconds()) + double(t.nanos()) / 1e9;
}

QString text(const std::string &bytes)
{
    return QString::fromUtf8(bytes.data(), qsizetype(bytes.size()));
}

QByteArray key(const std::string &bytes)
{
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

/// What the stream says of a vertex beyond what BuildVertex holds, until the stream ends.
struct VertexState
{
    std::optional<double> started;
    std::optional<double> completed;
    bool cached = false;
    bool partialLine = false; ///< its output so far ends without a newline
    bool outputCut = false;
};

class StreamDecoder
{
public:
    StreamDecoder(BuildRun *run, QList<RecordWarning> *warnings, StatusStreamResult *result)
        : m_run(run)
        , m_warnings(warnings)
        , m_result(result)
    { }

    void apply(const pb::StatusResponse &status)
    {
        for (const pb::Vertex &v : status.vertexes())
            applyVertex(v);
        for (const pb::VertexLog &log : status.logs())
            applyLog(log);
        for (const pb::VertexWarning &w : status.warnings())
            applyWarning(w);
        // `statuses` (sub-progress such as "transferring context: 47B") add nothing a step view shows.
    }

    void finish(const StatusStreamOptions &options)
    {
        // Output that came before its vertex (never seen in BuildKit's streams, but nothing forbids it).
        for (auto it = m_orphanOutput.constBegin(); it != m_orphanOutput.constEnd(); ++it) {
            const int index = m_index.value(it.key(), -1);
            if (index >= 0)
                appendOutput(index, it.value());
        }
        m_orphanOutput.clear();

        std::optional<double> first;
        std::optional<double> last;
        for (const VertexState &s : m_state) {
            for (const std::optional<double> &t : {s.started, s.completed}) {
                if (t && (!first || *t < *first))
                    first = t;
            }
            if (s.completed && (!last || *s.completed > *last))
                last = s.completed;
        }
        // Time zero is when the record says the build began, unless a vertex claims to be earlier.
        std::optional<double> zero = first;
        if (options.buildStart && (!first || *options.buildStart <= *first))
            zero = options.buildStart;
        m_result->zero = zero;
        m_result->lastEpoch = last;
        sortByTime();

        std::optional<double> firstFailure;
        for (int i = 0; i < m_run->vertices.size(); ++i) {
            BuildVertex &v = m_run->vertices[i];
            const VertexState &s = m_state[size_t(i)];
            if (zero && s.started)
                v.start = *s.started - *zero;
            if (zero && s.completed)
                v.end = *s.completed - *zero;
            if (v.start && v.end && *v.end < *v.start)
                v.end = v.start;
            if (!v.error.isEmpty())
                v.status = v.error.contains(QLatin1String("context canceled")) ? VertexStatus::Canceled
                                                                               : VertexStatus::Error;
            else if (s.cached)
                v.status = VertexStatus::Cached;
            else if (s.completed)
                v.status = VertexStatus::Done;
            else
                v.status = options.buildOver ? VertexStatus::Canceled : VertexStatus::Running;
            if (s.started && s.completed && !s.cached)
                v.seconds = std::max(0.0, *s.completed - *s.started);
            v.timing = TimingKind::Exact;
            if (s.partialLine)
                ++v.logLines;
            if (s.outputCut) {
                v.output += QByteArrayLiteral("\n[output cut by Stagelens: more than ")
                    + QByteArray::number(MaxOutputPerVertex >> 20) + QByteArrayLiteral(" MiB]");
                m_result->outputCut = true;
            }
            // The failure is the error that happened first: later ones are often its consequences.
            if (v.status == VertexStatus::Error
                && (m_run->failedVertex < 0
                    || (s.completed && (!firstFailure || *s.completed < *firstFailure)))) {
                m_run->failedVertex = i;
                firstFailure = s.completed;
            }
        }
        if (m_totalOutput > MaxOutputPerBuild)
            m_result->outputCut = true;
    }

private:
    /// BuildKit writes a record's stream as a few snapshots in no useful order: list the vertices by when
    /// they started (or ended, for those with no start), as a log shows them; vertices with neither last.
    void sortByTime()
    {
        const auto when = [](const VertexState &s) {
            return s.started  ? *s.started
                : s.completed ? *s.completed
                              : std::numeric_limits<double>::infinity();
        };
        std::vector<int> order(m_state.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = int(i);
        std::stable_sort(order.begin(), order.end(),
            [&](int a, int b) { return when(m_state[size_t(a)]) < when(m_state[size_t(b)]); });
        QList<BuildVertex> vertices;
        vertices.reserve(m_run->vertices.size());
        std::vector<VertexState> state;
        state.reserve(m_state.size());
        for (const int i : order) {
            vertices.append(std::move(m_run->vertices[i]));
            state.push_back(m_state[size_t(i)]);
        }
        m_run->vertices = std::move(vertices);
        m_state = std::move(state);
        m_index.clear(); // no longer valid; not needed after the stream ends
    }

    int vertexIndex(const std::string &digest)
    {
        const QByteArray k = key(digest);
        const auto it = m_index.constFind(k);
        if (it != m_index.constEnd())
            return *it;
        if (m_run->vertices.size() >= MaxVerticesPerBuild)
            return -1;
        const int index = int(m_run->vertices.size());
        m_index.insert(k, index);
        BuildVertex &v = m_run->vertices.emplaceBack();
        v.id = QString::fromUtf8(k);
        m_state.emplace_back();
        return index;
    }

    void applyVertex(const pb::Vertex &update)
    {
        if (update.digest().empty())
            return;
        const int index = vertexIndex(update.digest());
        if (index < 0)
            return;
        BuildVertex &v = m_run->vertices[index];
        VertexState &s = m_state[size_t(index)];
        if (!update.name().empty()) {
            const QString name = text(update.name());
            if (name != v.name) {
                v.name = name;
                v.label = parseVertexLabel(name);
                v.category = categorizeVertex(name, v.label);
            }
        }
        if (update.inputs_size() > 0) {
            QStringList inputs;
            inputs.reserve(update.inputs_size());
            for (const std::string &input : update.inputs())
                inputs.append(text(input));
            v.inputs = std::move(inputs);
        }
        // A vertex can start more than once (BuildKit re-sends it): it ran from its first start to its
        // last completion, as the rawjson reader counts it.
        const std::optional<double> started = epochOf(update.has_started(), update.started());
        if (started && (!s.started || *started < *s.started))
            s.started = started;
        const std::optional<double> completed = epochOf(update.has_completed(), update.completed());
        if (completed && (!s.completed || *completed > *s.completed))
            s.completed = completed;
        s.cached = s.cached || update.cached();
        if (!update.error().empty())
            v.error = text(update.error());
    }

    void appendOutput(int index, QByteArrayView msg)
    {
        BuildVertex &v = m_run->vertices[index];
        VertexState &s = m_state[size_t(index)];
        v.logLines += int(std::count(msg.begin(), msg.end(), '\n'));
        if (!msg.isEmpty())
            s.partialLine = !msg.endsWith('\n');
        const qint64 room =
            std::min<qint64>(MaxOutputPerVertex - v.output.size(), MaxOutputPerBuild - m_totalOutput);
        if (room < msg.size()) {
            s.outputCut = true;
            msg = msg.first(qsizetype(std::max<qint64>(0, room)));
        }
        v.output.append(msg);
        m_totalOutput += msg.size();
    }

    void applyLog(const pb::VertexLog &log)
    {
        const QByteArrayView msg(log.msg().data(), qsizetype(log.msg().size()));
        const auto it = m_index.constFind(key(log.vertex()));
        if (it != m_index.constEnd()) {
            appendOutput(*it, msg);
        } else if (m_totalOutput + msg.size() <= MaxOutputPerBuild) {
            m_orphanOutput[key(log.vertex())].append(msg);
            m_totalOutput += msg.size();
        }
    }

    void applyWarning(const pb::VertexWarning &warning)
    {
        if (m_warnings->size() >= MaxWarnings)
            return;
        RecordWarning w;
        w.vertex = text(warning.vertex());
        w.level = int(std::clamp<qint64>(warning.level(), 0, 100));
        w.text = text(warning.short_()).trimmed();
        for (const std::string &detail : warning.detail()) {
            if (w.detail.size() < 100)
                w.detail.append(text(detail));
        }
        w.url = text(warning.url());
        if (warning.has_info())
            w.file = text(warning.info().filename());
        if (warning.ranges_size() > 0) {
            const pb::Range &range = warning.ranges(0);
            w.line = std::max(0, range.start().line());
            w.endLine = std::max(w.line, range.end().line());
        }
        const auto it = m_index.constFind(key(warning.vertex()));
        if (it != m_index.constEnd()) {
            QStringList &vertexWarnings = m_run->vertices[*it].warnings;
            if (vertexWarnings.size() < MaxWarningsPerVertex)
                vertexWarnings.append(w.text);
        }
        m_run->warnings.append(w.text);
        m_warnings->append(std::move(w));
    }

    BuildRun *m_run;
    QList<RecordWarning> *m_warnings;
    StatusStreamResult *m_result;
    QHash<QByteArray, int> m_index; ///< digest -> vertex index
    std::vector<VertexState> m_state; ///< parallel to m_run->vertices
    QHash<QByteArray, QByteArray> m_orphanOutput; ///< output of digests not seen as vertices (yet)
    qint64 m_totalOutput = 0;
};

} // namespace

StatusStreamResult decodeStatusStream(
    QByteArrayView stream, const StatusStreamOptions &options, BuildRun *run, QList<RecordWarning> *warnings)
{
    StatusStreamResult result;
    StreamDecoder decoder(run, warnings, &result);
    pb::StatusResponse message;
    qsizetype at = 0;
    while (at < stream.size()) {
        if (stream.size() - at < 4) {
            result.error = QStringLiteral("the stream ends inside a length prefix (after %1 messages)")
                               .arg(result.messages);
            break;
        }
        const auto *p = reinterpret_cast<const uchar *>(stream.data() + at);
        const quint32 length =
            quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
        at += 4;
        if (length > MaxMessageBytes) {
            result.error = QStringLiteral("message %1 claims %2 bytes: damaged stream")
                               .arg(result.messages + 1)
                               .arg(length);
            break;
        }
        if (qint64(length) > stream.size() - at) {
            result.error = QStringLiteral("message %1 is cut off: %2 bytes announced, %3 left")
                               .arg(result.messages + 1)
                               .arg(length)
                               .arg(stream.size() - at);
            break;
        }
        if (!message.ParseFromArray(stream.data() + at, int(length))) {
            result.error = QStringLiteral("message %1 is not a BuildKit StatusResponse: damaged stream")
                               .arg(result.messages + 1);
            break;
        }
        at += length;
        ++result.messages;
        decoder.apply(message);
    }
    decoder.finish(options);
    return result;
}

} // namespace Stagelens
