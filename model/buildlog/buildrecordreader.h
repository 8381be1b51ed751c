#pragma once

// BuildKit build records (`docker buildx history export`, docker/build-push-action's artifact): a gzip'd tar
// in OCI image layout, bare or inside a ZIP. index.json names one record's manifest, or an index of them
// (one per record, annotated vnd.buildkit.history.reference); each manifest's config is the record JSON and
// its layers hold the progress stream (protobuf), the trace and the provenance. One BuildRun per record,
// LogFormat::Record, with exact times, digests and input edges, output in memory, warnings, the error and a
// BuildRecordInfo. Everything is read in memory, under a cap per blob; nothing is extracted to disk.
// readBuildLogFile() and readBuildLog() send records here by their magic bytes.

#include "buildrun.h"

#include <QByteArrayView>

#include <functional>

namespace Stagelens {

/// Whether the first bytes of a file (512 of them for a bare tar) announce a record: gzip, ZIP or tar.
bool looksLikeBuildRecord(QByteArrayView head);

/// Reads every record in the file. `progress` gets 0..1000 and returns false to cancel. Damaged or
/// truncated input gives an error diagnostic and whatever records could be read. Any thread.
BuildLogResult readBuildRecordFile(const QString &path, const std::function<bool(int)> &progress = {});

/// The same for bytes in memory (a record from another archive, a fuzzer's input). Any thread.
BuildLogResult readBuildRecordData(const QByteArray &bytes, const std::function<bool(int)> &progress = {});

} // namespace Stagelens
