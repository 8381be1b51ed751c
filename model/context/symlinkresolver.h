#pragma once

// Following symlinks inside the build context the way BuildKit does for a COPY/ADD source or a bind mount's
// source (continuity's fs.RootPath / FollowSymlinkInScope): a relative target is taken from the link's
// folder, an absolute one from the context root, and ".." never leaves the root. Works on the index and the
// link strings on disk; never opens a target. Pure, any thread.

#include <QList>
#include <QString>
#include <QStringList>

namespace Stagelens {

class ContextIndex;

struct LinkResolution
{
    int entry = -1; ///< the entry the path ends at; -1 when it is absent, ignored or unresolvable
    QString path; ///< the resolved context-relative path ("." for the root)
    QList<int> links; ///< the symlink entries followed on the way, in order
    QString error; ///< why there is no entry: a loop, an unreadable link, an ignored target; empty if found
};

/// Resolves context-relative `path`, following every symlink on the way, and the last component too when
/// `followFinal`. A loop (or more than 255 links, BuildKit's limit) gives an error naming the chain, in
/// bounded time.
LinkResolution resolveSymlinks(const ContextIndex &index, const QString &path, bool followFinal = true);

} // namespace Stagelens
