// libFuzzer target: the log reader's scanning thread. scanBlock's facts must be those the reader would
// find line by line, and reading the input through mapped windows of one page (scanned on the helper
// thread, output runs applied at once) must give the same builds as reading it from a buffer (never
// scanned). A mismatch aborts, which libFuzzer reports as a crash.

#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/linescanner.h"
#include "model/buildlog/lineunwrapper.h"
#include "model/buildlog/plainlogparser.h"
#include "model/buildlog/rawjsonlogparser.h"
#include "tests/logresulttext.h"

#include <QBuffer>
#include <QFile>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

using namespace Stagelens;

namespace {

constexpr qint64 MaxLine = 1024; // as fuzz_buildlog: line cutting on short inputs

void check(bool ok)
{
    if (!ok)
        std::abort();
}

void checkFacts(const QByteArray &bytes)
{
    ScannedBlock window;
    RawJsonReader json;
    scanBlock(bytes.constData(), bytes.size(), MaxLine, &window, &json);
    RawJsonReader direct;
    RawJsonFacts facts;
    qsizetype at = 0;
    quint32 runLeft = 0;
    for (const ScannedLine &s : window.lines) {
        check(qsizetype(s.start) == at);
        const qsizetype nl = bytes.indexOf('\n', at);
        check(nl >= 0 && qsizetype(s.length) == nl - at);
        const QByteArrayView raw(bytes.constData() + at, s.length);
        check(s.clean == isCleanLine(raw));
        qsizetype restStart = 0;
        const int vertex = s.clean && raw.size() <= MaxLine && !cleanLineMayHavePrefix(raw)
            ? PlainLogParser::claimedNumber(raw, &restStart)
            : -1;
        check(s.vertex == vertex);
        if (vertex >= 0)
            check(s.outputTime() == PlainLogParser::outputTime(raw.sliced(restStart)));
        // rawjson lines are read as the reader's dispatcher would send them to RawJsonLogParser, and the
        // scanner's reading of one is the reading on its own (up to what a block keeps).
        QByteArrayView text = raw;
        if (text.endsWith('\r'))
            text.chop(1);
        const bool isJson = !s.binary && raw.size() <= std::min<qint64>(MaxLine, MaxScannedJsonLine)
            && RawJsonLogParser::claims(text);
        check(s.json ? isJson : (!isJson || window.json.footprint() > MaxScannedJsonBytes));
        if (s.json) {
            facts.clear();
            const QByteArray copy = text.toByteArray();
            direct.read(copy.constData(), size_t(copy.size()), 0, &facts);
            const RawJsonFacts::Line &mine = window.json.lines.at(s.jsonLine);
            const RawJsonFacts::Line &theirs = facts.lines.front();
            check(mine.failed == theirs.failed && mine.eventCount == theirs.eventCount
                && mine.carriageReturn == (text.size() < raw.size()));
            for (quint32 e = 0; e < mine.eventCount; ++e) {
                const RawJsonFacts::Event &a = window.json.events.at(mine.firstEvent + e);
                const RawJsonFacts::Event &b = facts.events.at(e);
                check(a.kind == b.kind && window.json.view(a.digest) == facts.view(b.digest)
                    && window.json.view(a.name) == facts.view(b.name) && a.lines == b.lines
                    && a.inputCount == b.inputCount && a.started == b.started && a.completed == b.completed);
            }
        }
        if (runLeft > 0) {
            check(s.run == 0 && s.vertex > 0 && s.timed);
            --runLeft;
        } else if (s.run > 0) {
            check(s.vertex > 0 && s.timed);
            runLeft = s.run - 1u;
        }
        at = nl + 1;
    }
    check(runLeft == 0 && window.scannedEnd == at);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    checkFacts(bytes);

    BuildLogReadOptions options;
    options.chunkSize = 4096;
    options.maxLineBytes = MaxLine;
    options.mapWindowBytes = 4096;
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    if (!buffer.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray buffered = Test::logResultText(readBuildLogDevice(buffer, options));

    // The same bytes as a regular file the reader maps (an anonymous memory file: nothing on disk).
    const int fd = memfd_create("fuzz_linescanner", 0);
    if (fd < 0)
        return 0;
    if (::write(fd, data, size) == ssize_t(size) && ::lseek(fd, 0, SEEK_SET) == 0) {
        QFile file;
        if (file.open(fd, QIODevice::ReadOnly)) {
            check(Test::logResultText(readBuildLogDevice(file, options)) == buffered);
            file.close();
        }
    }
    ::close(fd);
    return 0;
}
