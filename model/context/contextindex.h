#pragma once

// The build context as BuildKit sees it: every path under the context folder with its type, .dockerignore
// applied with BuildKit's walker semantics. Names and types only (from the directory listing, no per-file
// stat): a file's mode, size and readability are asked of the file system on demand (fileStatus()). File
// contents are never read, the scan never follows a symlink (symlinkresolver.h does, inside the index, where
// BuildKit does), nothing is ever written. Plain value, any thread once built.

#include "model/context/patternmatcher.h"
#include "model/core/diagnostic.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

template<typename T>
class QPromise;

namespace Stagelens {

enum class EntryType
{
    File,
    Directory,
    Symlink,
    Other ///< fifo, socket, device
};

struct ContextEntry
{
    QString path; ///< context-relative, '/'-separated, no leading "./" ("src/main.c")
    EntryType type = EntryType::File;
    int parent = -1; ///< index of the parent directory entry, -1 at the top level
    int subtreeEnd = 0; ///< one past the last descendant: entries [index + 1, subtreeEnd) are below it
    int depth = 0; ///< 0 for top-level entries
    bool ignored = false; ///< excluded by the ignore file: BuildKit never receives it
    bool subtreeSkipped = false; ///< an ignored directory the walker does not enter: its children are absent
    bool unreadable = false; ///< a directory that cannot be listed (files: see ContextIndex::fileStatus)
    bool lossyName = false; ///< the on-disk name is not valid UTF-8; `path` shows it with U+FFFD
};

/// What the file system says about one entry now (ContextIndex::fileStatus).
struct ContextFileStatus
{
    bool exists = false; ///< false when the entry is gone (or a parent was replaced, e.g. by a symlink)
    quint32 mode = 0; ///< permission bits (st_mode & 07777)
    qint64 size = 0;
    bool readable = false; ///< the process may read it (a file: open it; a directory: list it)
};

struct ContextScanOptions
{
    QString contextDir;
    /// Used to find `<Dockerfile>.dockerignore`; may be empty.
    QString dockerfilePath;
    /// When set, used instead of reading an ignore file.
    bool overrideIgnorePatterns = false;
    QStringList ignorePatterns;
    int maxDepth = 256; ///< deeper directories are recorded but not entered
    int maxEntries = 5000000; ///< the scan stops (with an error diagnostic) beyond this
};

class ContextIndex
{
public:
    /// Scans synchronously. Callable from any thread.
    static ContextIndex scan(const ContextScanOptions &options);

    QString rootPath() const { return m_root; }
    /// The ignore file that was applied (absolute path), empty when none.
    QString ignoreFile() const { return m_ignoreFile; }
    const PatternMatcher &ignoreMatcher() const { return m_ignore; }
    const QList<ContextEntry> &entries() const { return m_entries; }
    const QList<Diagnostic> &diagnostics() const { return m_diagnostics; }
    bool isCanceled() const { return m_canceled; }
    bool isComplete() const { return m_complete; }

    /// Index of the entry at a context-relative path, or -1.
    int indexOf(QStringView path) const;
    /// Asks the file system (two or three syscalls, never following a symlink) for the mode, size and
    /// readability of entry `entry`. The scan itself does not stat files: BuildKit only opens the files a
    /// step copies, so only those need asking.
    ContextFileStatus fileStatus(int entry) const;
    /// The target string of symlink entry `entry` as stored on disk (readlink, asked now, never followed);
    /// nullopt for another type or when it cannot be read. Empty targets exist only on odd file systems.
    std::optional<QByteArray> linkTarget(int entry) const;
    /// Whether BuildKit would leave `path` out of the context (the path need not exist).
    bool isIgnored(const QString &path) const;
    /// Number of entries BuildKit would receive (not ignored).
    qsizetype includedCount() const { return m_includedCount; }
    /// The same index with `patterns` appended to the ignore file, as if a user had added them at its end
    /// (the last matching pattern wins, so they exclude what they match). Reads nothing from disk: the
    /// advice engine measures a proposed `.dockerignore` on it without touching the project.
    ContextIndex withExtraIgnores(const QStringList &patterns) const;

    /// Makes a user-given path context-relative: "./src//a.c" -> "src/a.c", an absolute path inside the
    /// context loses the context prefix. Returns an empty string (and sets *inside false) for a path outside
    /// the context; "." for the context itself.
    static QString relativePath(const QString &path, const QString &contextDir, bool *inside = nullptr);

private:
    friend class ContextScanner;
    /// Opens (O_PATH, no symlink followed) the directory holding `entry`; its on-disk name goes to *name.
    int openParentOf(int entry, QByteArray *name) const;
    QString m_root;
    QString m_ignoreFile;
    PatternMatcher m_ignore;
    QList<ContextEntry> m_entries;
    QList<int> m_slots; ///< open-addressing table of entry indices by path hash; -1 = empty
    QHash<int, QByteArray> m_rawNames; ///< on-disk names of the lossyName entries
    QList<Diagnostic> m_diagnostics;
    qsizetype m_includedCount = 0;
    bool m_canceled = false;
    bool m_complete = false;
};

/// The scan as a QtConcurrent job: progress 0..1000 by top-level entries done, cancellation checked often.
/// The result is added even when canceled (then isCanceled() is true and the index is partial).
void scanContext(QPromise<ContextIndex> &promise, const ContextScanOptions &options);

QString entryTypeName(EntryType type);

} // namespace Stagelens

Q_DECLARE_TYPEINFO(Stagelens::ContextEntry, Q_RELOCATABLE_TYPE);
Q_DECLARE_METATYPE(Stagelens::ContextEntry)
Q_DECLARE_METATYPE(Stagelens::ContextIndex)
