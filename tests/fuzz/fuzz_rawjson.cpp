// libFuzzer target: the rawjson (SolveStatus NDJSON) reader: the parser proper, the on-demand log
// extraction and the base64 helpers. Every line is copied into its own allocation without padding, so a
// read past the end of a line (simdjson reads ahead) is caught by ASan.

#include "model/buildlog/rawjsonlogparser.h"

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QList<BuildRun> builds;
    QList<Diagnostic> diagnostics;
    RawJsonLogParser parser(&builds, &diagnostics);
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype pos = 0;
    int number = 0;
    while (pos < input.size()) {
        qsizetype end = input.indexOf('\n', pos);
        if (end < 0)
            end = input.size();
        const QByteArray raw = input.sliced(pos, end - pos).toByteArray();
        LogLine line;
        line.text = raw;
        line.offset = pos;
        line.length = raw.size();
        line.number = ++number;
        if (RawJsonLogParser::claims(line.text))
            parser.feedJson(line, 0);
        else
            parser.feedOther(line);
        (void)RawJsonLogParser::extractLogs(raw, QStringLiteral("sha256:0"));
        bool endsWithNewline = false;
        (void)countBase64Newlines(raw, &endsWithNewline);
        (void)decodeBase64(raw);
        pos = end + 1;
    }
    parser.finish(true);
    for (const BuildRun &run : builds) {
        (void)run.totals();
        for (const BuildVertex &vertex : run.vertices)
            (void)run.indexOfVertex(vertex.id);
    }
    return 0;
}
