#include "linescanner.h"

#include "lineunwrapper.h"
#include "plainlogparser.h"
#include "rawjsonlogparser.h"

#include <algorithm>
#include <cstring>

namespace Stagelens {

bool looksBinary(const char *data, qsizetype size)
{
    const qsizetype n = std::min<qsizetype>(size, 64);
    const auto *bytes = reinterpret_cast<const unsigned char *>(data);
    int control = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char c = bytes[i];
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != 0x1b))
            ++control;
    }
    return control > 0 && control * 8 >= n;
}

namespace {

// What scanBlock learns of a line once its end and its clean flag are known.
struct LineSink
{
    const char *data;
    qint64 maxLine;
    std::vector<ScannedLine> &lines;
    qsizetype size; // of the block: what simdjson may read past a line
    RawJsonReader *json;
    RawJsonFacts *facts;
    static constexpr size_t NoRun = size_t(-1);
    size_t runStart = NoRun; // the first line of the output run the last line belongs to
    qsizetype start = 0; // where the next line starts

    void add(qsizetype end, bool clean)
    {
        ScannedLine &line = lines.emplace_back();
        line.start = quint32(start);
        line.length = quint32(end - start);
        const QByteArrayView raw(data + start, end - start);
        line.clean = clean;
        line.binary = !clean && looksBinary(raw.data(), raw.size());
        qsizetype restStart = 0;
        if (clean && raw.size() <= maxLine && !cleanLineMayHavePrefix(raw)
            && (line.vertex = PlainLogParser::claimedNumber(raw, &restStart)) >= 0) {
            line.restStart = quint8(restStart);
            if (const std::optional<double> seconds = PlainLogParser::outputTime(viewMid(raw, restStart))) {
                line.timed = true;
                line.seconds = *seconds;
            }
        }
        if (json && !line.binary)
            readJson(line, raw);
        // Runs of output lines of one vertex: the reader applies them at once.
        const size_t i = lines.size() - 1;
        if (line.vertex > 0 && line.timed) {
            if (runStart != NoRun && lines[runStart].vertex == line.vertex
                && lines[runStart].run < MaxRunLines) {
                ++lines[runStart].run;
            } else {
                runStart = i;
                line.run = 1;
            }
        } else {
            runStart = NoRun;
        }
        start = end + 1;
    }

    // The reader's test (buildlogreader.cpp, LineDispatcher::dispatch): without a trailing CR, a line
    // RawJsonLogParser claims.
    void readJson(ScannedLine &line, QByteArrayView raw)
    {
        if (raw.size() > std::min<qint64>(maxLine, MaxScannedJsonLine)
            || facts->footprint() > MaxScannedJsonBytes)
            return;
        const bool carriageReturn = raw.endsWith('\r');
        if (carriageReturn)
            raw.chop(1);
        if (!RawJsonLogParser::claims(raw))
            return;
        line.json = true;
        line.jsonLine = quint32(facts->lines.size());
        const qsizetype end = qsizetype(raw.data() - data) + raw.size();
        json->read(raw.data(), size_t(raw.size()), size_t(size - end), facts);
        facts->lines.back().carriageReturn = carriageReturn;
    }
};

} // namespace

void scanBlock(const char *data, qsizetype size, qint64 maxLine, ScannedBlock *block, RawJsonReader *json)
{
    block->lines.clear();
    block->json.clear();
    LineSink sink {data, maxLine, block->lines, size, json, &block->json};
    while (block->lines.size() < MaxScannedLines) {
        const char *nl =
            static_cast<const char *>(std::memchr(data + sink.start, '\n', size_t(size - sink.start)));
        if (!nl)
            break;
        const qsizetype end = nl - data;
        sink.add(end, isCleanLine(QByteArrayView(data + sink.start, end - sink.start)));
    }
    block->scannedEnd = sink.start;
}

} // namespace Stagelens
