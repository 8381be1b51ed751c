#pragma once

// Strips what CI systems and terminals wrap around each line of a build log: per-line timestamps
// (GitHub Actions, gh run view, GitLab FF_TIMESTAMPS, Render, ...), GitLab section markers, Buildkite
// timestamp escapes, GitHub web-UI line links and ANSI escape sequences. Stateless per line, so the same
// function serves the streaming reader and the on-demand fetch of a vertex's output. Any thread.

#include "buildrun.h"

#include <QByteArray>
#include <QByteArrayView>

#include <cstring>
#include <optional>

namespace Stagelens {

struct UnwrappedLine
{
    QByteArray text; ///< the line as the build tool printed it, without ANSI sequences and trailing CR
    CiWrapper wrapper = CiWrapper::None; ///< the decoration recognised on this line
    std::optional<double> timestamp; ///< wall clock, seconds since the epoch, when the wrapper carries one
    bool ciMarker = false; ///< a CI control line (##[group], ##[endgroup], section header): not build output
    bool timestampOnly = false; ///< a line holding nothing but a timestamp (Coolify pastes)
};

/// unwrapLogLine without copying: `text` points into `raw` when only a prefix or a trailing CR had to go
/// (the common case), else into the caller's `scratch`, which it must keep alive while it uses `text`.
struct UnwrappedView
{
    QByteArrayView text;
    CiWrapper wrapper = CiWrapper::None;
    std::optional<double> timestamp;
    bool ciMarker = false;
    bool timestampOnly = false;
};

/// QByteArrayView::startsWith for a literal, inlined: Qt 6.4 calls out to a generic compare for each
/// check, which costs more than the check itself on the per-line paths.
template<qsizetype N>
inline bool hasPrefix(QByteArrayView text, const char (&prefix)[N])
{
    return text.size() >= N - 1 && std::memcmp(text.data(), prefix, size_t(N - 1)) == 0;
}

/// Qt 6.4's QByteArrayView has no mid()/left(): clamped equivalents.
inline QByteArrayView viewMid(QByteArrayView v, qsizetype pos, qsizetype n = -1)
{
    if (pos < 0)
        pos = 0;
    if (pos >= v.size())
        return QByteArrayView(v.data() + v.size(), 0);
    const qsizetype avail = v.size() - pos;
    return v.sliced(pos, (n < 0 || n > avail) ? avail : n);
}
inline QByteArrayView viewLeft(QByteArrayView v, qsizetype n)
{
    return viewMid(v, 0, n);
}

/// True when `text` holds no byte below 0x20, no "section_" and no "](": then it has none of what CI wrappers
/// put inside a line (ESC, tabs, CR, "section_", "](https://github.com/") and is no binary data. One vector
/// pass; nearly every line of a plain log is clean.
bool isCleanLine(QByteArrayView text);

/// Whether a clean line (isCleanLine) can carry a wrapper prefix at all: a leading timestamp, a GitHub
/// command ("##[") or a bare Buildkite marker. When not, unwrapping gives the line back unchanged.
inline bool cleanLineMayHavePrefix(QByteArrayView raw)
{
    if (raw.isEmpty())
        return false;
    const char c = raw[0];
    return (c >= '0' && c <= '9') || c == '_'
        || (c == '#' && raw.size() >= 3 && raw[1] == '#' && raw[2] == '[');
}

/// Unwraps one physical line (without its '\n').
UnwrappedLine unwrapLogLine(QByteArrayView raw);

/// The same as unwrapLogLine, allocating only when something inside the line has to be removed (ANSI
/// sequences, GitLab section markers, GitHub line links). Any thread; `scratch` is per caller.
/// `clean`: the caller knows isCleanLine(raw), which skips the searches for markers inside the line.
UnwrappedView unwrapLogLineView(QByteArrayView raw, QByteArray *scratch, bool clean = false);

/// Removes ANSI/VT escape sequences (CSI, OSC, APC, two-byte escapes) from `text`.
QByteArray stripAnsi(QByteArrayView text);

/// Parses "2024-01-02T03:04:05.1234567Z" (any fraction length, 'Z' or a +hh:mm offset) at the start of
/// `text`. Returns the number of bytes it took (0 when it is not a timestamp) and the time in `epoch`.
qsizetype parseIsoTimestamp(QByteArrayView text, double *epoch, int *fractionDigits = nullptr);

} // namespace Stagelens
