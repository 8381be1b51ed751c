#pragma once

// BuildKit's .dockerignore / --exclude pattern semantics (moby/patternmatcher), reimplemented: patterns are
// cleaned paths with `*`, `?`, `[...]`, `**` and `\\` escapes; a later `!pattern` re-includes; a pattern that
// matches a parent directory matches everything below it. Immutable after construction: any thread.

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <vector>

namespace Stagelens {

class PatternMatcher
{
public:
    /// Per-pattern "this directory matched pattern i" flags, handed from a directory to its children.
    using MatchInfo = std::vector<bool>;

    PatternMatcher() = default;
    /// Compiles patterns as patternmatcher.New does; a bad pattern makes the matcher invalid.
    explicit PatternMatcher(const QStringList &patterns);

    bool isValid() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    bool isEmpty() const { return m_patterns.isEmpty(); }
    /// True when some pattern is a `!` exception.
    bool hasExclusions() const { return m_exclusions; }
    qsizetype patternCount() const { return m_patterns.size(); }
    /// The cleaned pattern text, with a leading '!' for exceptions.
    QStringList patterns() const;

    /// MatchesOrParentMatches: `path` or one of its parent directories is matched and not re-included.
    bool matchesOrParentMatches(const QString &path) const;
    /// MatchesUsingParentResults: the walker's incremental form. An empty `parent` means "no information".
    bool matchesUsingParentResults(const QString &path, const MatchInfo &parent, MatchInfo *info) const;
    /// Whether BuildKit's context walker (fsutil) excludes `path`: walks its parents top-down with
    /// matchesUsingParentResults and honours the walker's shortcut of not descending into excluded dirs.
    bool excludedAsWalked(const QString &path) const;
    /// Whether the walker may skip descending into excluded directory `dir` (no exception can re-include
    /// anything below it).
    bool canSkipExcludedDir(const QString &dir) const;

private:
    enum class Type
    {
        Exact,
        Prefix,
        Suffix,
        Regexp
    };
    struct Pattern
    {
        QString cleaned;
        qsizetype dirCount = 0;
        bool exclusion = false;
        Type type = Type::Exact;
        QRegularExpression regexp;
        /// Literal text every match of the regexp starts / ends with: a cheap test before the regexp.
        QString literalPrefix;
        QString literalSuffix;
    };

    static bool compile(Pattern &pattern);
    static bool matchOne(const Pattern &pattern, const QString &path);
    static bool matchOneOrParents(const Pattern &pattern, const QString &path);

    QList<Pattern> m_patterns;
    bool m_exclusions = false;
    bool m_onlyPrefixExceptions = true;
    QString m_error;
};

} // namespace Stagelens
