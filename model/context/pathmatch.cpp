#include "pathmatch.h"

#include <QList>
#include <QStringList>

namespace Stagelens {

namespace {

// Match works on code points so that `?` and ranges treat a surrogate pair as one character, like Go's runes.
using Runes = QList<char32_t>;

Runes toRunes(const QString &text)
{
    Runes runes;
    runes.reserve(text.size());
    for (char32_t c : text.toUcs4())
        runes.append(c);
    return runes;
}

struct Chunk
{
    bool star = false;
    qsizetype begin = 0;
    qsizetype end = 0;
};

// Splits off the next run of '*' and the literal/class part up to the following unbracketed '*'.
Chunk scanChunk(const Runes &pattern, qsizetype pos)
{
    Chunk chunk;
    while (pos < pattern.size() && pattern[pos] == U'*') {
        ++pos;
        chunk.star = true;
    }
    chunk.begin = pos;
    bool inRange = false;
    qsizetype i = pos;
    for (; i < pattern.size(); ++i) {
        const char32_t c = pattern[i];
        if (c == U'\\') {
            if (i + 1 < pattern.size())
                ++i;
        } else if (c == U'[') {
            inRange = true;
        } else if (c == U']') {
            inRange = false;
        } else if (c == U'*' && !inRange) {
            break;
        }
    }
    chunk.end = i;
    return chunk;
}

// Reads one (possibly escaped) character of a class; returns false on a syntax error.
bool getEscaped(const Runes &p, qsizetype &pos, qsizetype end, char32_t &out)
{
    if (pos >= end || p[pos] == U'-' || p[pos] == U']')
        return false;
    if (p[pos] == U'\\') {
        ++pos;
        if (pos >= end)
            return false;
    }
    out = p[pos++];
    return pos <= end;
}

enum class ChunkResult
{
    Ok,
    Fail,
    Bad
};

// Matches the chunk [begin, end) against a prefix of name starting at `at`; sets `rest` past it.
ChunkResult matchChunk(
    const Runes &p, qsizetype begin, qsizetype end, const Runes &name, qsizetype at, qsizetype &rest)
{
    qsizetype pos = begin;
    qsizetype s = at;
    bool failed = false; // keep scanning after a mismatch so syntax errors are still reported
    while (pos < end) {
        const char32_t c = p[pos];
        if (c == U'[') {
            char32_t r = 0;
            if (!failed) {
                if (s >= name.size())
                    failed = true;
                else
                    r = name[s++];
            }
            ++pos;
            bool negated = false;
            if (pos < end && p[pos] == U'^') {
                negated = true;
                ++pos;
            }
            bool matched = false;
            int ranges = 0;
            for (;;) {
                if (pos < end && p[pos] == U']' && ranges > 0) {
                    ++pos;
                    break;
                }
                char32_t lo = 0;
                if (!getEscaped(p, pos, end, lo))
                    return ChunkResult::Bad;
                char32_t hi = lo;
                if (pos < end && p[pos] == U'-') {
                    ++pos;
                    if (!getEscaped(p, pos, end, hi))
                        return ChunkResult::Bad;
                }
                if (lo <= r && r <= hi)
                    matched = true;
                ++ranges;
            }
            if (matched == negated)
                failed = true;
        } else if (c == U'?') {
            if (!failed) {
                if (s >= name.size() || name[s] == U'/')
                    failed = true;
                else
                    ++s;
            }
            ++pos;
        } else {
            if (c == U'\\') {
                ++pos;
                if (pos >= end)
                    return ChunkResult::Bad;
            }
            if (!failed) {
                if (s >= name.size() || name[s] != p[pos])
                    failed = true;
                else
                    ++s;
            }
            ++pos;
        }
    }
    if (failed)
        return ChunkResult::Fail;
    rest = s;
    return ChunkResult::Ok;
}

// Checks the remaining pattern for syntax errors after a mismatch, as Go does since 1.16.
bool restIsValid(const Runes &p, qsizetype pos)
{
    static const Runes empty;
    while (pos < p.size()) {
        const Chunk chunk = scanChunk(p, pos);
        qsizetype rest = 0;
        if (matchChunk(p, chunk.begin, chunk.end, empty, 0, rest) == ChunkResult::Bad)
            return false;
        pos = chunk.end;
    }
    return true;
}

} // namespace

QString goCleanPath(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral(".");
    const bool rooted = path.startsWith(QLatin1Char('/'));
    QStringList out;
    int leadingDotDots = 0;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (out.size() > leadingDotDots)
                out.removeLast();
            else if (!rooted) {
                out.append(part);
                ++leadingDotDots;
            }
            continue;
        }
        out.append(part);
    }
    const QString joined = out.join(QLatin1Char('/'));
    if (rooted)
        return QLatin1Char('/') + joined;
    return joined.isEmpty() ? QStringLiteral(".") : joined;
}

MatchStatus goPathMatch(const QString &patternText, const QString &nameText)
{
    const Runes p = toRunes(patternText);
    const Runes name = toRunes(nameText);
    qsizetype pos = 0;
    qsizetype n = 0;
    while (pos < p.size()) {
        const Chunk chunk = scanChunk(p, pos);
        pos = chunk.end;
        if (chunk.star && chunk.begin == chunk.end) {
            // A trailing star matches the rest of the name unless it crosses a separator.
            return name.indexOf(U'/', n) >= 0 ? MatchStatus::NoMatch : MatchStatus::Match;
        }
        qsizetype rest = 0;
        const ChunkResult first = matchChunk(p, chunk.begin, chunk.end, name, n, rest);
        if (first == ChunkResult::Ok && (rest == name.size() || pos < p.size())) {
            n = rest;
            continue;
        }
        if (first == ChunkResult::Bad)
            return MatchStatus::BadPattern;
        bool advanced = false;
        if (chunk.star) {
            // Let the star swallow 0..k characters (never a '/') and retry the chunk after them.
            for (qsizetype i = n; i < name.size() && name[i] != U'/'; ++i) {
                const ChunkResult r = matchChunk(p, chunk.begin, chunk.end, name, i + 1, rest);
                if (r == ChunkResult::Ok) {
                    if (pos == p.size() && rest < name.size())
                        continue;
                    n = rest;
                    advanced = true;
                    break;
                }
                if (r == ChunkResult::Bad)
                    return MatchStatus::BadPattern;
            }
        }
        if (advanced)
            continue;
        return restIsValid(p, pos) ? MatchStatus::NoMatch : MatchStatus::BadPattern;
    }
    return n == name.size() ? MatchStatus::Match : MatchStatus::NoMatch;
}

bool hasGlobMeta(const QString &pattern)
{
    for (const QChar c : pattern) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') || c == QLatin1Char('\\'))
            return true;
    }
    return false;
}

} // namespace Stagelens
