// libFuzzer target: the build-record reader. The first byte picks what the rest is:
//   0  a whole record file as it comes (gzip'd tar or ZIP): detection, libarchive, OCI layout walk, all of
//   it; 1  an uncompressed tar: mutations reach the tar headers, index.json and manifests, not only gzip's
//   CRC; 2  the progress stream of a record ([uint32 LE length][StatusResponse]...): the protobuf decoding;
//   3  a record JSON and a provenance document (split at the first NUL byte).
// Modes 2 and 3 call the decoders directly, since a compressed archive hides their input from mutation.

#include "model/buildlog/buildrecordreader.h"
#include "model/buildlog/record/recordmetadata.h"
#include "model/buildlog/record/recordstatusstream.h"

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
    case 1: {
        int calls = 0;
        const BuildLogResult result = readBuildRecordData(bytes, [&calls](int progress) {
            ++calls;
            return progress >= 0 && progress <= 1000;
        });
        for (const BuildRun &run : result.builds) {
            (void)run.totals();
            (void)toJson(run);
        }
        break;
    }
    case 2: {
        BuildRun run;
        QList<RecordWarning> warnings;
        StatusStreamOptions options;
        options.buildStart = 1.7e9;
        options.buildOver = size % 2 == 0;
        (void)decodeStatusStream(bytes, options, &run, &warnings);
        (void)run.totals();
        break;
    }
    default: {
        const qsizetype split = bytes.indexOf('\0');
        BuildRecordInfo info;
        QString error;
        parseRecordConfig(split < 0 ? bytes : bytes.left(split), &info, &error);
        if (split >= 0) {
            error.clear();
            parseProvenance(bytes.mid(split + 1), &info, &error);
        }
        (void)toJson(info);
        break;
    }
    }
    return 0;
}
