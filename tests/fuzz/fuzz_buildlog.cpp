// libFuzzer target: the streaming log reader on an in-memory device. It detects the CI wrapper and the
// progress format of each line, so this covers detection and every parser behind it. Small chunk and
// line limits make chunk boundaries and line cutting happen on short inputs.

#include "model/buildlog/buildlogreader.h"

#include <QBuffer>

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    QBuffer buffer(&bytes);
    if (!buffer.open(QIODevice::ReadOnly))
        return 0;
    BuildLogReadOptions options;
    options.chunkSize = 4096; // the reader's minimum
    options.maxLineBytes = 1024; // likewise
    int calls = 0;
    const BuildLogResult result = readBuildLogDevice(buffer, options, [&calls](int progress) {
        ++calls;
        return progress >= 0 && progress <= 1000;
    });
    for (const BuildRun &run : result.builds)
        (void)run.totals();
    return 0;
}
