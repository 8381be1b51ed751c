#pragma once

// Reading a build log file: detects the CI wrapper and the progress format line by line, splits the file
// into builds and returns one BuildRun per build. Streams: the file is read once in chunks, memory stays
// bounded (output text is kept as file spans, each line is capped), progress runs 0..1000 and the work can
// be cancelled.

#include "buildrun.h"

#include <QPromise>
#include <QString>

#include <functional>

class QIODevice;

namespace Stagelens {

struct BuildLogReadOptions
{
    qint64 chunkSize = 1 << 20; ///< bytes read per step
    qint64 maxLineBytes = 16 << 20; ///< longer lines are cut (with a warning) so one line cannot eat memory
    /// A regular file is read through mapped windows of this many bytes (rounded up to whole pages, at most
    /// 1 GiB); what is read never depends on it (tests use one page to cut lines and runs at window ends).
    qint64 mapWindowBytes = 8 << 20;
    bool splitTargets = false; ///< one BuildRun per bake/compose target and platform (see splitByTarget)
    /// Called on the reading thread, between chunks, with the builds that ended since the last call (a build
    /// has ended once the next one has begun), so a view can show the first builds of a long log before the
    /// whole file is read. They are provisional: the final result (after splitTargets and the CI wrapper
    /// fix-up) replaces them. Not called for the last build, which only the final result carries.
    std::function<void(QList<BuildRun> ended)> onBuildsEnded;
};

/// Parses `path` on the calling thread, reporting progress (0..1000) through the promise and stopping
/// when it is cancelled (no result is added then). Meant for QtConcurrent::run; callable from any thread.
void readBuildLog(
    QPromise<BuildLogResult> &promise, const QString &path, const BuildLogReadOptions &options = {});

/// Synchronous form for the CLI and tests. Any thread.
BuildLogResult readBuildLogFile(const QString &path, const BuildLogReadOptions &options = {});

/// Parses an open device. `progress` gets 0..1000 and returns false to cancel (the partial result is
/// returned then, with a warning). Any thread.
BuildLogResult readBuildLogDevice(QIODevice &device, const BuildLogReadOptions &options = {},
    const std::function<bool(int)> &progress = {});

/// Reads the output lines of one vertex back from the log file (the record keeps only file spans).
/// Returns the text with the "#N 1.234 " prefixes removed, lines joined with '\n'. Any thread.
QString readVertexOutput(const QString &path, const BuildRun &run, const BuildVertex &vertex);

} // namespace Stagelens
