// libFuzzer target: each progress-format parser fed directly (plain, tty, legacy, rawjson), without the
// reader's format detection deciding which lines reach it. The first byte picks the parser; every other
// line goes through the CI unwrapper first, as the reader does.

#include "model/buildlog/legacylogparser.h"
#include "model/buildlog/lineunwrapper.h"
#include "model/buildlog/plainlogparser.h"
#include "model/buildlog/rawjsonlogparser.h"
#include "model/buildlog/ttylogparser.h"

#include <cstddef>
#include <cstdint>
#include <memory>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    QList<BuildRun> builds;
    QList<Diagnostic> diagnostics;
    std::unique_ptr<LogFormatParser> parser;
    bool (*claims)(QByteArrayView) = nullptr;
    switch (data[0] % 4) {
    case 0:
        parser = std::make_unique<PlainLogParser>(&builds, &diagnostics);
        claims = &PlainLogParser::claims;
        break;
    case 1:
        parser = std::make_unique<TtyLogParser>(&builds, &diagnostics);
        claims = &TtyLogParser::claims;
        break;
    case 2:
        parser = std::make_unique<LegacyLogParser>(&builds, &diagnostics);
        claims = &LegacyLogParser::claims;
        break;
    default:
        parser = std::make_unique<RawJsonLogParser>(&builds, &diagnostics);
        claims = &RawJsonLogParser::claims;
        break;
    }

    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    qsizetype pos = 0;
    int number = 0;
    while (pos < input.size()) {
        qsizetype end = input.indexOf('\n', pos);
        if (end < 0)
            end = input.size();
        // Each line is its own allocation so that ASan sees reads past its end.
        const QByteArray raw = input.sliced(pos, end - pos).toByteArray();
        const UnwrappedLine unwrapped = unwrapLogLine(raw);
        LogLine line;
        line.text = unwrapped.text;
        line.offset = pos;
        line.length = end - pos;
        line.number = ++number;
        line.timestamp = unwrapped.timestamp;
        line.wrapper = unwrapped.wrapper;
        if (claims(line.text))
            parser->feed(line);
        else
            parser->feedOther(line);
        pos = end + 1;
    }
    parser->finish(true);
    for (const BuildRun &run : builds)
        (void)run.totals();
    return 0;
}
