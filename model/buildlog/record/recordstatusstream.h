#pragma once

// The progress stream of a build record (layer application/vnd.buildkit.status.v0): repeated
// [uint32 little-endian length][protobuf StatusResponse] of BuildKit's control API, the same events
// `--progress=rawjson` prints as JSON. Decoded with libprotobuf-lite and our own record/buildkitstatus.proto.

#include "model/buildlog/buildrun.h"

#include <QByteArrayView>

namespace Stagelens {

struct StatusStreamOptions
{
    /// The record's CreatedAt: time zero of the vertices' start/end, unless a vertex started earlier.
    std::optional<double> buildStart;
    /// The build has ended (the record has CompletedAt or an error): a vertex that never completed will not.
    bool buildOver = false;
};

struct StatusStreamResult
{
    QString error; ///< why decoding stopped early (truncated or damaged stream); empty when it was whole
    int messages = 0; ///< StatusResponse messages decoded
    std::optional<double> zero; ///< the epoch the vertex times count from
    std::optional<double> lastEpoch; ///< the last completion in the stream
    bool outputCut = false; ///< some output was dropped to stay within the memory caps
};

/// Decodes `stream` into `run` (vertices with names, labels, status, exact times, inputs, output and
/// warnings) and `warnings` (structured, with their source lines). Any thread.
StatusStreamResult decodeStatusStream(
    QByteArrayView stream, const StatusStreamOptions &options, BuildRun *run, QList<RecordWarning> *warnings);

} // namespace Stagelens
