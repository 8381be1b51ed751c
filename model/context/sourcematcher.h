#pragma once

// Which context files one COPY/ADD (or RUN bind mount) reads: BuildKit's source resolution with
// filepath.Match wildcards, whole directories, --exclude and --parents. Immutable: any thread.

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Stagelens {

class ContextIndex;
class PatternMatcher;

struct CopySpec
{
    QStringList sources; ///< as written after expansion ("src/", "./*.c", "/app.conf")
    QStringList excludes; ///< --exclude patterns
    bool parents = false; ///< --parents: sources are patternmatcher patterns (`**` allowed)
};

class SourceMatcher
{
public:
    SourceMatcher() = default;
    explicit SourceMatcher(const CopySpec &spec);

    /// True when a change at `path` (context-relative, cleaned; need not exist) can change what this step
    /// reads: the path is a source, lies inside one, matches a wildcard, or is a directory holding one.
    /// The ignore file is not consulted here. `isFile` says the path is known not to be a directory (then a
    /// path that could only lead to matches below it does not count); pass false when unknown.
    bool reads(const QString &path, bool isFile = false) const;
    /// The indices of the (not ignored) entries of `index` this step reads, ascending. With `namedLinks`, a
    /// symlink that a source names itself (the path, or a wildcard match) goes there instead: BuildKit
    /// follows such a link (the step reads its target), while a link met inside a copied directory is
    /// copied as a link. Ascending too.
    QList<int> resolve(const ContextIndex &index, QList<int> *namedLinks = nullptr) const;
    /// The sources without wildcards, cleaned ("" for the whole context), in spec order.
    QStringList plainSources() const;
    /// True for `COPY . ...`: every context file is read.
    bool readsWholeContext() const;

private:
    struct Source
    {
        QString path; ///< cleaned, context-relative, "" for the whole context
        bool wildcard = false;
        QString base; ///< leading components without wildcards ("" = context root)
        QString rest; ///< the wildcard part, matched with filepath.Match against paths below `base`
        int restDepth = 0;
    };

    bool excluded(const Source &source, const QString &path) const;
    bool wildcardReads(const Source &source, const QString &path, bool isFile) const;

    QList<Source> m_sources;
    std::shared_ptr<const PatternMatcher> m_excludes;
    std::shared_ptr<const PatternMatcher> m_parentPatterns; // --parents with wildcards
};

} // namespace Stagelens
