#include "rawjsonlines.h"

#include "lineunwrapper.h"
#include "rawjsonlogentry.h"
#include "rawjsonlogparser.h"

#include <QHash>

#include <cstring>
#include <simdjson.h>

namespace Stagelens {

namespace {

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

// The strings of a line are copied into one buffer; views into simdjson's own end with the next line.
RawJsonFacts::Text keep(RawJsonFacts *facts, std::string_view s)
{
    const RawJsonFacts::Text t {quint32(facts->text.size()), quint32(s.size())};
    facts->text.append(s);
    return t;
}

// One entry of "vertexes": an event when it names its digest. Field order is Go's struct order (digest
// first), but this does not rely on it.
void readVertex(simdjson::ondemand::object &o, RawJsonFacts *facts)
{
    RawJsonFacts::Event u;
    u.kind = RawJsonFacts::Kind::Vertex;
    u.firstInput = quint32(facts->inputs.size());
    bool hasDigest = false;
    for (auto f : o) {
        std::string_view k;
        if (f.unescaped_key().get(k))
            break;
        auto value = f.value();
        std::string_view s;
        if (k == "digest" && !value.get_string().get(s)) {
            u.digest = keep(facts, s);
            u.digestHash = rawJsonDigestHash(s);
            hasDigest = !s.empty();
        } else if (k == "name" && !value.get_string().get(s)) {
            u.name = keep(facts, s);
        } else if (k == "error" && !value.get_string().get(s)) {
            u.error = keep(facts, s);
        } else if (k == "started") {
            u.started = timeOf(value.value());
        } else if (k == "completed") {
            u.completed = timeOf(value.value());
        } else if (k == "cached") {
            bool b = false;
            if (!value.get_bool().get(b))
                u.cached = b;
        } else if (k == "inputs") {
            simdjson::ondemand::array in;
            if (value.get_array().get(in))
                continue;
            for (auto item : in) {
                std::string_view id;
                if (!item.get_string().get(id))
                    facts->inputs.push_back(keep(facts, id));
            }
        }
    }
    u.inputCount = quint32(facts->inputs.size() - u.firstInput);
    if (hasDigest)
        facts->events.push_back(u);
    else
        facts->inputs.resize(u.firstInput);
}

// One entry of "logs": its vertex and how many lines its data holds (the data itself is decoded only when a
// step's output is shown: RawJsonLogParser::extractLogs).
void readLog(simdjson::ondemand::object &o, RawJsonFacts *facts)
{
    std::string_view digest;
    std::string_view bytes;
    readRawJsonLogEntry(o, &digest, &bytes);
    if (digest.empty())
        return;
    RawJsonFacts::Event e;
    e.kind = RawJsonFacts::Kind::Log;
    e.digest = keep(facts, digest);
    e.digestHash = rawJsonDigestHash(digest);
    e.lines = countBase64Newlines(QByteArrayView(bytes.data(), qsizetype(bytes.size())), &e.endsWithNewline);
    e.hasData = !bytes.empty();
    facts->events.push_back(e);
}

// One entry of "warnings": its short text (base64), an event per "short" field.
void readWarning(simdjson::ondemand::object &o, RawJsonFacts *facts)
{
    for (auto f : o) {
        std::string_view k;
        if (f.unescaped_key().get(k))
            break;
        std::string_view s;
        if (k == "short" && !f.value().get_string().get(s)) {
            RawJsonFacts::Event e;
            e.kind = RawJsonFacts::Kind::Warning;
            e.text = keep(facts, s);
            facts->events.push_back(e);
        }
    }
}

// Calls `read` with each object of `array`; false when an element is no object (the rest is left).
template<typename Read>
bool forEachObject(simdjson::ondemand::array &array, Read read)
{
    for (auto element : array) {
        simdjson::ondemand::object o;
        if (element.get_object().get(o))
            return false;
        read(o);
    }
    return true;
}

} // namespace

void RawJsonFacts::clear()
{
    text.clear();
    inputs.clear();
    events.clear();
    lines.clear();
}

size_t rawJsonDigestHash(std::string_view digest)
{
    return qHash(QByteArrayView(digest.data(), qsizetype(digest.size())), QHashSeed::globalSeed());
}

struct RawJsonReader::Private
{
    simdjson::ondemand::parser parser;
    std::vector<char> lineCopy; ///< padded copy of a line that comes without readable padding
};

RawJsonReader::RawJsonReader()
    : d(std::make_unique<Private>())
{ }

RawJsonReader::~RawJsonReader() = default;

void RawJsonReader::read(const char *data, size_t length, size_t padding, RawJsonFacts *facts)
{
    std::vector<char> *scratch = &d->lineCopy;
    simdjson::ondemand::parser &parser = d->parser;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse in place when the caller's buffer has
    // them, else from a reused copy (no allocation per line).
    simdjson::padded_string_view view;
    if (padding >= simdjson::SIMDJSON_PADDING) {
        view = simdjson::padded_string_view(data, length, length + padding);
    } else {
        if (scratch->size() < length + simdjson::SIMDJSON_PADDING)
            scratch->resize(length + simdjson::SIMDJSON_PADDING);
        if (length > 0)
            std::memcpy(scratch->data(), data, length);
        std::memset(scratch->data() + length, 0, simdjson::SIMDJSON_PADDING);
        view = simdjson::padded_string_view(scratch->data(), length, scratch->size());
    }

    RawJsonFacts::Line &line = facts->lines.emplace_back();
    line.firstEvent = quint32(facts->events.size());
    simdjson::ondemand::document doc;
    simdjson::ondemand::object root;
    bool failed =
        parser.iterate(view).get(doc) != simdjson::SUCCESS || doc.get_object().get(root) != simdjson::SUCCESS;
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
            // A "vertexes" entry that is no object makes the line unreadable; in the others it ends the list.
            if (key == "vertexes") {
                if (!forEachObject(array, [facts](simdjson::ondemand::object &o) { readVertex(o, facts); }))
                    failed = true;
            } else if (key == "logs") {
                forEachObject(array, [facts](simdjson::ondemand::object &o) { readLog(o, facts); });
            } else if (key == "warnings") {
                forEachObject(array, [facts](simdjson::ondemand::object &o) { readWarning(o, facts); });
            }
        }
    }
    line.failed = failed;
    line.eventCount = quint32(facts->events.size() - line.firstEvent);
}

} // namespace Stagelens
