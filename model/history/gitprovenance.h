#pragma once

// Where a build opened in the GUI came from, when its project is a git repository: branch and commit read
// from the repository's own files (.git/HEAD, the ref, packed-refs) and the repository's name from its
// origin remote. libgit2 is not linked, and these few files are all we need. Reads only, any thread.

#include "historystore.h"

namespace Stagelens {

/// The provenance of `folder` (or the repository it lies in); empty fields when it is not in a git
/// repository or a file cannot be read. A detached HEAD gives a commit and no branch.
HistoryProvenance readGitProvenance(const QString &folder);

} // namespace Stagelens
