#pragma once

// Go's path/filepath semantics on slash-separated paths, as BuildKit applies them: Clean() and Match().
// Both are pure functions, callable from any thread.

#include <QString>

namespace Stagelens {

/// Go's filepath.Clean on a slash path: "./a//b/../c/" -> "a/c", "" -> ".", "/.." -> "/".
QString goCleanPath(const QString &path);

enum class MatchStatus
{
    NoMatch,
    Match,
    BadPattern ///< syntax error (unclosed '[', trailing '\\', empty range): never matches
};

/// Go's filepath.Match: `*` and `?` never match '/', `[...]` with `^` negation and ranges, `\\` escapes.
MatchStatus goPathMatch(const QString &pattern, const QString &name);

/// True when `pattern` contains a character filepath.Match treats specially (`*?[\\`).
bool hasGlobMeta(const QString &pattern);

} // namespace Stagelens
