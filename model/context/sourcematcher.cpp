#include "sourcematcher.h"

#include "contextindex.h"
#include "pathmatch.h"
#include "patternmatcher.h"

#include <algorithm>

namespace Stagelens {

namespace {

// BuildKit joins every context source onto "/" before cleaning, so "../x" cannot leave the context.
QString cleanSource(const QString &source)
{
    QString p = goCleanPath(QLatin1Char('/') + source);
    return p == QLatin1String("/") ? QString() : p.mid(1);
}

bool isInside(const QString &path, const QString &dir)
{
    return dir.isEmpty() || path == dir
        || (path.size() > dir.size() && path.startsWith(dir) && path.at(dir.size()) == QLatin1Char('/'));
}

QString relativeTo(const QString &path, const QString &dir)
{
    return dir.isEmpty() ? path : path.mid(dir.size() + 1);
}

} // namespace

SourceMatcher::SourceMatcher(const CopySpec &spec)
{
    QStringList parentPatterns;
    for (const QString &raw : spec.sources) {
        Source source;
        source.path = cleanSource(raw);
        const QStringList parts = source.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        qsizetype firstWild = -1;
        for (qsizetype i = 0; i < parts.size(); ++i) {
            if (hasGlobMeta(parts.at(i))) {
                firstWild = i;
                break;
            }
        }
        if (firstWild >= 0) {
            source.wildcard = true;
            source.base = parts.mid(0, firstWild).join(QLatin1Char('/'));
            source.rest = parts.mid(firstWild).join(QLatin1Char('/'));
            source.restDepth = int(parts.size() - firstWild);
            if (spec.parents)
                parentPatterns.append(source.path);
        }
        m_sources.append(source);
    }
    if (!spec.excludes.isEmpty())
        m_excludes = std::make_shared<const PatternMatcher>(spec.excludes);
    // With --parents BuildKit copies from the context root with include patterns, so `**` works there.
    if (!parentPatterns.isEmpty())
        m_parentPatterns = std::make_shared<const PatternMatcher>(parentPatterns);
}

bool SourceMatcher::readsWholeContext() const
{
    return std::any_of(m_sources.cbegin(), m_sources.cend(),
        [](const Source &s) { return !s.wildcard && s.path.isEmpty(); });
}

bool SourceMatcher::excluded(const Source &source, const QString &path) const
{
    if (!m_excludes || !m_excludes->isValid())
        return false;
    QString root = source.path;
    if (source.wildcard) {
        // The resolved source is the first base+restDepth components of the path.
        const QStringList parts = relativeTo(path, source.base).split(QLatin1Char('/'));
        const QString matched = parts.mid(0, source.restDepth).join(QLatin1Char('/'));
        root = source.base.isEmpty() ? matched : source.base + QLatin1Char('/') + matched;
    }
    if (path == root)
        return false; // fsutil matches excludes against paths below the copied root only
    return m_excludes->matchesOrParentMatches(relativeTo(path, root));
}

bool SourceMatcher::wildcardReads(const Source &source, const QString &path, bool isFile) const
{
    if (isInside(source.base, path) && source.base != path)
        return true; // `path` is a directory above the wildcard's base: it may hold matches
    if (!isInside(path, source.base) || path == source.base)
        return path == source.base; // the base directory itself changing (e.g. removed)
    const QString rel = relativeTo(path, source.base);
    if (m_parentPatterns) {
        if (m_parentPatterns->matchesOrParentMatches(path))
            return true;
        // A directory on the way to possible matches.
        return !isFile && !rel.isEmpty() && m_parentPatterns->isValid();
    }
    const QStringList relParts = rel.split(QLatin1Char('/'));
    const QStringList restParts = source.rest.split(QLatin1Char('/'));
    if (isFile && relParts.size() < restParts.size())
        return false;
    const qsizetype n = std::min(relParts.size(), restParts.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (goPathMatch(restParts.at(i), relParts.at(i)) != MatchStatus::Match)
            return false;
    }
    return true; // a match, something inside a match, or a directory on the way to one
}

bool SourceMatcher::reads(const QString &path, bool isFile) const
{
    for (const Source &source : m_sources) {
        bool hit = false;
        if (source.wildcard)
            hit = wildcardReads(source, path, isFile);
        else
            hit = isInside(path, source.path) || (!isFile && isInside(source.path, path))
                || path == QLatin1String(".");
        if (hit && !excluded(source, path))
            return true;
    }
    return false;
}

QStringList SourceMatcher::plainSources() const
{
    QStringList out;
    for (const Source &source : m_sources) {
        if (!source.wildcard)
            out.append(source.path);
    }
    return out;
}

QList<int> SourceMatcher::resolve(const ContextIndex &index, QList<int> *namedLinks) const
{
    const QList<ContextEntry> &entries = index.entries();
    QList<int> out;
    // `begin` is the entry the source names itself (unless the range is the whole context).
    auto addRange = [&](const Source &source, int begin, int end, bool named) {
        for (int i = begin; i < end; ++i) {
            const ContextEntry &e = entries.at(i);
            if (e.ignored || excluded(source, e.path))
                continue;
            if (named && i == begin && namedLinks && e.type == EntryType::Symlink)
                namedLinks->append(i);
            else
                out.append(i);
        }
    };
    // Entries are in depth-first order with each subtree contiguous, so a directory source is one range and a
    // wildcard source one filtered walk over its base directory's range.
    for (const Source &source : m_sources) {
        int begin = 0;
        int end = int(entries.size());
        const QString &root = source.wildcard ? source.base : source.path;
        if (!root.isEmpty()) {
            const int at = index.indexOf(root);
            if (at < 0)
                continue;
            if (!source.wildcard) {
                addRange(source, at, entries.at(at).subtreeEnd, true);
                continue;
            }
            begin = at + 1;
            end = entries.at(at).subtreeEnd;
        }
        if (!source.wildcard) {
            addRange(source, begin, end, false);
            continue;
        }
        const int baseDepth = root.isEmpty() ? 0 : entries.at(begin - 1).depth + 1;
        for (int i = begin; i < end;) {
            const ContextEntry &e = entries.at(i);
            bool match = false;
            if (m_parentPatterns)
                match = m_parentPatterns->matchesOrParentMatches(e.path);
            else if (e.depth - baseDepth + 1 == source.restDepth)
                match = goPathMatch(source.rest, relativeTo(e.path, source.base)) == MatchStatus::Match;
            if (match) {
                // A matched directory is copied whole; its subtree is contiguous in the index.
                addRange(source, i, std::max(i + 1, e.subtreeEnd), true);
                i = std::max(i + 1, e.subtreeEnd);
            } else if (!m_parentPatterns && e.depth - baseDepth + 1 >= source.restDepth) {
                i = std::max(i + 1, e.subtreeEnd); // deeper entries cannot match filepath.Match
            } else {
                ++i;
            }
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (namedLinks) {
        std::sort(namedLinks->begin(), namedLinks->end());
        namedLinks->erase(std::unique(namedLinks->begin(), namedLinks->end()), namedLinks->end());
    }
    return out;
}

} // namespace Stagelens
