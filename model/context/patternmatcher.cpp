#include "patternmatcher.h"

#include "pathmatch.h"

namespace Stagelens {

namespace {

// Regexp metacharacters that filepath.Match treats as plain characters.
bool needsRegexpEscape(QChar c)
{
    switch (c.unicode()) {
    case '.':
    case '+':
    case '(':
    case ')':
    case '|':
    case '{':
    case '}':
    case '$':
        return true;
    default:
        return false;
    }
}

// The pattern text without a trailing "/**" or "/*", as fsutil uses it to decide whether an exception can
// reach inside an excluded directory.
QString withoutTrailingGlob(const QString &pattern)
{
    QString p = pattern;
    if (p.endsWith(QLatin1String("/**")))
        p.chop(3);
    else if (p.endsWith(QLatin1String("/*")))
        p.chop(2);
    return p;
}

} // namespace

PatternMatcher::PatternMatcher(const QStringList &patterns)
{
    for (QString p : patterns) {
        p = p.trimmed();
        if (p.isEmpty())
            continue;
        p = goCleanPath(p);
        Pattern pattern;
        if (p.startsWith(QLatin1Char('!'))) {
            if (p.size() == 1) {
                m_error = QStringLiteral("illegal exclusion pattern: \"!\"");
                return;
            }
            pattern.exclusion = true;
            m_exclusions = true;
            p.remove(0, 1);
        }
        // patternmatcher validates with filepath.Match(p, ".") and rejects what Match rejects.
        if (goPathMatch(p, QStringLiteral(".")) == MatchStatus::BadPattern) {
            m_error = QStringLiteral("syntax error in pattern: %1").arg(p);
            return;
        }
        pattern.cleaned = p;
        pattern.dirCount = p.count(QLatin1Char('/')) + 1;
        if (!compile(pattern)) {
            m_error = QStringLiteral("syntax error in pattern: %1").arg(p);
            return;
        }
        if (pattern.exclusion && hasGlobMeta(withoutTrailingGlob(p)))
            m_onlyPrefixExceptions = false;
        m_patterns.append(pattern);
    }
}

QStringList PatternMatcher::patterns() const
{
    QStringList out;
    for (const Pattern &p : m_patterns)
        out.append(p.exclusion ? QLatin1Char('!') + p.cleaned : p.cleaned);
    return out;
}

bool PatternMatcher::compile(Pattern &pattern)
{
    // Translate to a regexp the way patternmatcher does, and remember the cheaper exact/prefix/suffix forms
    // it picks, because those forms are not always equivalent to the regexp ("**" at the start is a suffix
    // test on the raw string).
    QString re = QStringLiteral("^");
    Type type = Type::Exact;
    const QString &p = pattern.cleaned;
    for (qsizetype i = 0; i < p.size(); ++i) {
        const QChar c = p.at(i);
        const bool first = i == 0;
        if (c == QLatin1Char('*')) {
            if (i + 1 < p.size() && p.at(i + 1) == QLatin1Char('*')) {
                ++i;
                if (i + 1 < p.size() && p.at(i + 1) == QLatin1Char('/'))
                    ++i;
                if (i + 1 >= p.size()) {
                    if (type == Type::Exact) {
                        type = Type::Prefix;
                    } else {
                        re += QStringLiteral(".*");
                        type = Type::Regexp;
                    }
                } else {
                    re += QStringLiteral("(.*/)?");
                    type = Type::Regexp;
                }
                if (first)
                    type = Type::Suffix;
            } else {
                re += QStringLiteral("[^/]*");
                type = Type::Regexp;
            }
        } else if (c == QLatin1Char('?')) {
            re += QStringLiteral("[^/]");
            type = Type::Regexp;
        } else if (needsRegexpEscape(c)) {
            re += QLatin1Char('\\') + c;
        } else if (c == QLatin1Char('\\')) {
            if (i + 1 < p.size()) {
                ++i;
                re += QLatin1Char('\\') + p.at(i);
                type = Type::Regexp;
            } else {
                re += QStringLiteral("\\\\");
            }
        } else if (c == QLatin1Char('[') || c == QLatin1Char(']')) {
            re += c;
            type = Type::Regexp;
        } else {
            re += c;
        }
    }
    pattern.type = type;
    if (type == Type::Regexp) {
        // The literal ends of the pattern: everything before the first and after the last glob character.
        // An escaped character is not taken (the escape may turn it into something else), so the ends are
        // always text every match must start or end with.
        auto isMeta = [](QChar c) {
            return c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[')
                || c == QLatin1Char(']') || c == QLatin1Char('\\');
        };
        qsizetype head = 0;
        while (head < p.size() && !isMeta(p.at(head)))
            ++head;
        qsizetype tail = p.size();
        while (tail > head && !isMeta(p.at(tail - 1)) && !(tail >= 2 && p.at(tail - 2) == QLatin1Char('\\')))
            --tail;
        pattern.literalPrefix = p.left(head);
        pattern.literalSuffix = tail < p.size() && tail >= head ? p.mid(tail) : QString();
        // \z, not $: PCRE's $ would also match before a trailing newline, Go's does not.
        pattern.regexp = QRegularExpression(re + QStringLiteral("\\z"));
        if (!pattern.regexp.isValid())
            return false;
        pattern.regexp.optimize();
    }
    return true;
}

bool PatternMatcher::matchOne(const Pattern &pattern, const QString &path)
{
    switch (pattern.type) {
    case Type::Exact:
        return path == pattern.cleaned;
    case Type::Prefix:
        return path.startsWith(QStringView(pattern.cleaned).chopped(2));
    case Type::Suffix: {
        const QStringView suffix = QStringView(pattern.cleaned).mid(2);
        if (path.endsWith(suffix))
            return true;
        return suffix.startsWith(QLatin1Char('/')) && QStringView(path) == suffix.mid(1);
    }
    case Type::Regexp:
        if (!path.startsWith(pattern.literalPrefix) || !path.endsWith(pattern.literalSuffix))
            return false;
        return pattern.regexp.match(path).hasMatch();
    }
    return false;
}

bool PatternMatcher::matchOneOrParents(const Pattern &pattern, const QString &path)
{
    if (matchOne(pattern, path))
        return true;
    // Try every parent directory prefix, shortest first.
    qsizetype slash = path.indexOf(QLatin1Char('/'));
    const qsizetype last = path.lastIndexOf(QLatin1Char('/'));
    while (slash >= 0 && slash <= last) {
        if (matchOne(pattern, path.left(slash)))
            return true;
        slash = path.indexOf(QLatin1Char('/'), slash + 1);
    }
    return false;
}

bool PatternMatcher::matchesOrParentMatches(const QString &path) const
{
    bool matched = false;
    for (const Pattern &pattern : m_patterns) {
        if (pattern.exclusion != matched)
            continue;
        if (matchOneOrParents(pattern, path))
            matched = !pattern.exclusion;
    }
    return matched;
}

bool PatternMatcher::matchesUsingParentResults(
    const QString &path, const MatchInfo &parent, MatchInfo *info) const
{
    const bool haveParent = qsizetype(parent.size()) == m_patterns.size() && !parent.empty();
    MatchInfo local(size_t(m_patterns.size()), false);
    bool matched = false;
    for (qsizetype i = 0; i < m_patterns.size(); ++i) {
        const Pattern &pattern = m_patterns.at(i);
        bool match = haveParent && parent[size_t(i)];
        if (!match) {
            if (pattern.exclusion != matched)
                continue;
            match = haveParent ? matchOne(pattern, path) : matchOneOrParents(pattern, path);
        }
        local[size_t(i)] = match;
        if (match)
            matched = !pattern.exclusion;
    }
    if (info)
        *info = std::move(local);
    return matched;
}

bool PatternMatcher::canSkipExcludedDir(const QString &dir) const
{
    if (!m_exclusions)
        return true;
    if (!m_onlyPrefixExceptions)
        return false;
    const QString dirSlash = dir + QLatin1Char('/');
    for (const Pattern &pattern : m_patterns) {
        if (pattern.exclusion
            && QString(withoutTrailingGlob(pattern.cleaned) + QLatin1Char('/')).startsWith(dirSlash))
            return false;
    }
    return true;
}

bool PatternMatcher::excludedAsWalked(const QString &path) const
{
    if (m_patterns.isEmpty())
        return false;
    MatchInfo info;
    qsizetype slash = path.indexOf(QLatin1Char('/'));
    while (slash >= 0) {
        const QString dir = path.left(slash);
        MatchInfo next;
        if (matchesUsingParentResults(dir, info, &next) && canSkipExcludedDir(dir))
            return true; // the walker never enters this directory
        info = std::move(next);
        slash = path.indexOf(QLatin1Char('/'), slash + 1);
    }
    return matchesUsingParentResults(path, info, nullptr);
}

} // namespace Stagelens
