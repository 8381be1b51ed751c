#pragma once

// The files that differ between two revisions of a git repository, read with libgit2 (no `git` process):
// what a compare names as the edit behind a cache miss. Callable from any thread (one repository handle per
// call).

#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

/// Paths (relative to the repository root, '/'-separated) added, deleted, modified, renamed (both names) or
/// changed in mode between `from` and `to` (any revspec: sha, tag, "HEAD~1"). Empty optional and `error`
/// set when the folder is no repository or a revision is unknown.
std::optional<QStringList> changedPaths(
    const QString &repository, const QString &from, const QString &to, QString *error);

/// The repository root containing `folder`, or empty.
QString repositoryRoot(const QString &folder);

} // namespace Stagelens
