#pragma once

// The part of reading a log that needs no parser state: cutting a block of the file into lines, the
// clean-line test, N and the output time of bare "#N" lines, and the JSON of rawjson lines.
// MappedLogScanner runs it on the blocks of the mapped windows, on a helper thread and on the reading
// thread, while the parsers take the lines of the blocks before.

#include "rawjsonlines.h"

#include <QtGlobal>

#include <optional>
#include <vector>

namespace Stagelens {

// 24 bytes: a block holds up to tens of thousands of them, often written by one core and read by the other.
struct ScannedLine
{
    quint32 start = 0; ///< in the block
    quint32 length = 0; ///< without the '\n'
    qint32 vertex =
        -1; ///< N of a bare "#N " line (clean, nothing a CI wrapper could have put first), else -1
    /// For a bare "#N " line that starts an output run: how many lines the run holds (this one included),
    /// all bare output lines ("#N 1.234 text") of the same N > 0, one after the other. 0 elsewhere.
    quint16 run = 0;
    quint8 restStart : 4 = 0; ///< where the text after "#N " starts (at most 11: N has at most 9 digits)
    bool clean : 1 = false; ///< isCleanLine()
    bool binary : 1 = false; ///< not clean and looksBinary(): skipped with a warning
    bool timed : 1 = false; ///< a bare "#N " line whose rest has an output time
    bool json : 1 = false; ///< a rawjson line already read: line `jsonLine` of ScannedBlock::json
    union {
        double seconds = 0; ///< timed: that time (PlainLogParser::outputTime of the rest)
        quint32 jsonLine;
    };

    std::optional<double> outputTime() const { return timed ? std::optional<double>(seconds) : std::nullopt; }
};
static_assert(sizeof(ScannedLine) == 24);
constexpr quint16 MaxRunLines = 0xffff;

/// The lines of one block as far as the scanner went:
/// every line that ends before `scannedEnd`, the first one starting at 0 (the end of a line cut by the block
/// before, when there was one). The rest of the block is split by the reader as before.
struct ScannedBlock
{
    std::vector<ScannedLine> lines;
    qsizetype scannedEnd = 0; ///< just past the newline of the last line in `lines`
    RawJsonFacts json; ///< of its rawjson lines, when scanned with a RawJsonReader
};

/// What a block keeps of its rawjson lines at most; the lines past it are read by the reading thread.
constexpr size_t MaxScannedJsonBytes = 1 << 20;
/// Longer rawjson lines are left to the reading thread too: a line's facts can take several times its
/// bytes (an event per tiny log entry), and this bounds what one line adds past MaxScannedJsonBytes.
constexpr qsizetype MaxScannedJsonLine = 128 << 10;

/// Bounded whatever the block holds: a block of empty lines would otherwise take 24 bytes per byte.
constexpr size_t MaxScannedLines = 1 << 16;

/// Lines longer than `maxLine` are left as the reader cuts them: never bare, never in a run. With `json`,
/// rawjson lines (those the reader hands to RawJsonLogParser) are read too.
void scanBlock(
    const char *data, qsizetype size, qint64 maxLine, ScannedBlock *block, RawJsonReader *json = nullptr);

/// Mostly control characters in its first 64 bytes.
bool looksBinary(const char *data, qsizetype size);

} // namespace Stagelens
