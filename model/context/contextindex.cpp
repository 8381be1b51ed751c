#include "contextindex.h"

#include "dockerignore.h"
#include "pathmatch.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPromise>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcContext, "stagelens.context", QtWarningMsg)

namespace Stagelens {

namespace {

// Closes a DIR stream (and so its descriptor) on every exit path.
struct DirCloser
{
    DIR *dir = nullptr;
    ~DirCloser()
    {
        if (dir)
            closedir(dir);
    }
};

constexpr int CancelCheckInterval = 512;

} // namespace

class ContextScanner
{
public:
    ContextScanner(ContextIndex &index, const ContextScanOptions &options, QPromise<ContextIndex> *promise)
        : m_index(index)
        , m_options(options)
        , m_promise(promise)
    { }

    void run()
    {
        m_index.m_root = QDir::cleanPath(QFileInfo(m_options.contextDir).absoluteFilePath());
        loadIgnore();
        const QByteArray rootBytes = QFile::encodeName(m_index.m_root);
        const int rootFd = ::open(rootBytes.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootFd < 0) {
            addDiagnostic(Severity::Error,
                QStringLiteral("cannot open build context %1: %2")
                    .arg(m_index.m_root, QString::fromLocal8Bit(std::strerror(errno))));
            return;
        }
        DIR *root = fdopendir(rootFd);
        if (!root) {
            ::close(rootFd);
            return;
        }
        DirCloser closer {root};
        struct stat st = {};
        if (fstat(rootFd, &st) == 0)
            m_stack.insert(qMakePair(quint64(st.st_dev), quint64(st.st_ino)));
        scanDirectory(root, QString(), -1, 0, PatternMatcher::MatchInfo());
        m_index.m_complete = !m_index.m_canceled && !m_truncated;
    }

private:
    void loadIgnore()
    {
        QStringList patterns;
        if (m_options.overrideIgnorePatterns) {
            patterns = m_options.ignorePatterns;
        } else {
            m_index.m_ignoreFile = findDockerignore(m_index.m_root, m_options.dockerfilePath);
            if (!m_index.m_ignoreFile.isEmpty()) {
                QFile file(m_index.m_ignoreFile);
                if (file.open(QIODevice::ReadOnly))
                    patterns = parseDockerignore(file.read(16 * 1024 * 1024)); // bounded: hostile input
                else
                    addDiagnostic(Severity::Warning,
                        QStringLiteral("cannot read %1: %2").arg(m_index.m_ignoreFile, file.errorString()));
            }
        }
        m_index.m_ignore = PatternMatcher(patterns);
        if (!m_index.m_ignore.isValid()) {
            // BuildKit refuses the build; we go on without ignore rules and say so.
            addDiagnostic(Severity::Error,
                QStringLiteral("invalid ignore pattern: %1").arg(m_index.m_ignore.errorString()));
            m_index.m_ignore = PatternMatcher();
        }
    }

    void addDiagnostic(Severity severity, const QString &message)
    {
        Diagnostic d;
        d.severity = severity;
        d.file = m_index.m_ignoreFile.isEmpty() ? m_index.m_root : m_index.m_ignoreFile;
        d.message = message;
        // Thousands of unreadable entries must not give thousands of messages.
        if (m_index.m_diagnostics.size() < 100)
            m_index.m_diagnostics.append(d);
    }

    bool checkCancel()
    {
        if (m_index.m_canceled)
            return true;
        if (m_promise && (++m_sinceCheck % CancelCheckInterval) == 0 && m_promise->isCanceled())
            m_index.m_canceled = true;
        return m_index.m_canceled;
    }

    // Reads one directory level (names only), sorted by bytes so the order is stable and subtrees are
    // contiguous in the entry list.
    static QList<QByteArray> readNames(DIR *dir)
    {
        QList<QByteArray> names;
        errno = 0;
        while (dirent *e = readdir(dir)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
                continue;
            names.append(QByteArray(e->d_name));
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    void scanDirectory(DIR *dir, const QString &prefix, int parentIndex, int depth,
        const PatternMatcher::MatchInfo &parentInfo)
    {
        const int dirFd = dirfd(dir);
        const QList<QByteArray> names = readNames(dir);
        for (qsizetype i = 0; i < names.size(); ++i) {
            if (checkCancel() || m_truncated)
                return;
            if (depth == 0 && m_promise) {
                m_promise->setProgressValue(int(1000 * i / names.size()));
            }
            scanEntry(dirFd, names.at(i), prefix, parentIndex, depth, parentInfo);
        }
        if (depth == 0 && m_promise)
            m_promise->setProgressValue(1000);
    }

    void scanEntry(int dirFd, const QByteArray &name, const QString &prefix, int parentIndex, int depth,
        const PatternMatcher::MatchInfo &parentInfo)
    {
        if (m_index.m_entries.size() >= m_options.maxEntries) {
            m_truncated = true;
            addDiagnostic(Severity::Error,
                QStringLiteral("the context has more than %1 entries; scan stopped")
                    .arg(m_options.maxEntries));
            return;
        }
        // AT_SYMLINK_NOFOLLOW: a symlink is recorded as itself; its target (maybe outside) is never looked
        // at.
        struct stat st = {};
        if (fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return; // removed while we scan: nothing to record

        ContextEntry entry;
        const QString decoded = QString::fromUtf8(name);
        entry.lossyName = decoded.toUtf8() != name;
        entry.path = prefix.isEmpty() ? decoded : prefix + QLatin1Char('/') + decoded;
        entry.mode = quint32(st.st_mode & 07777);
        entry.size = qint64(st.st_size);
        entry.parent = parentIndex;
        entry.depth = depth;
        if (S_ISDIR(st.st_mode))
            entry.type = EntryType::Directory;
        else if (S_ISLNK(st.st_mode))
            entry.type = EntryType::Symlink;
        else if (S_ISREG(st.st_mode))
            entry.type = EntryType::File;
        else
            entry.type = EntryType::Other;

        // The parent's per-pattern results make the ignore check incremental, exactly as fsutil's walker
        // does.
        PatternMatcher::MatchInfo info;
        if (!m_index.m_ignore.isEmpty()) {
            entry.ignored = m_index.m_ignore.matchesUsingParentResults(entry.path, parentInfo, &info);
        }
        // Only ask the kernel when the mode bits say the file might be unreadable: one syscall saved per
        // file.
        if (entry.type == EntryType::File && (st.st_mode & 0444) != 0444
            && faccessat(dirFd, name.constData(), R_OK, AT_EACCESS) != 0) {
            entry.unreadable = true;
            if (!entry.ignored)
                addDiagnostic(Severity::Warning,
                    QStringLiteral("%1 is not readable: BuildKit cannot send it").arg(entry.path));
        }

        const int index = int(m_index.m_entries.size());
        m_index.m_entries.append(entry);
        m_index.m_byPath.insert(entry.path, index); // first wins when two lossy names collide
        if (!entry.ignored)
            ++m_index.m_includedCount;

        if (entry.type == EntryType::Directory)
            enterDirectory(dirFd, name, index, depth, info);
        m_index.m_entries[index].subtreeEnd = int(m_index.m_entries.size());
    }

    void enterDirectory(
        int dirFd, const QByteArray &name, int index, int depth, const PatternMatcher::MatchInfo &info)
    {
        ContextEntry &entry = m_index.m_entries[index];
        if (entry.ignored && m_index.m_ignore.canSkipExcludedDir(entry.path)) {
            entry.subtreeSkipped = true; // BuildKit's walker does not enter it either
            return;
        }
        if (depth + 1 >= m_options.maxDepth) {
            addDiagnostic(Severity::Warning,
                QStringLiteral("%1: deeper than %2 levels, not scanned")
                    .arg(entry.path)
                    .arg(m_options.maxDepth));
            entry.subtreeSkipped = true;
            return;
        }
        // O_NOFOLLOW: a symlink swapped in after fstatat must not lead us outside the context.
        const int fd = openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            entry.unreadable = true;
            if (!entry.ignored)
                addDiagnostic(Severity::Warning,
                    QStringLiteral("cannot read directory %1: %2")
                        .arg(entry.path, QString::fromLocal8Bit(std::strerror(error))));
            return;
        }
        struct stat st = {};
        if (fstat(fd, &st) != 0) {
            ::close(fd);
            return;
        }
        // A bind mount can make a directory its own descendant: never enter a directory twice on one path.
        const auto key = qMakePair(quint64(st.st_dev), quint64(st.st_ino));
        if (m_stack.contains(key)) {
            ::close(fd);
            addDiagnostic(
                Severity::Warning, QStringLiteral("%1: directory loop, not entered").arg(entry.path));
            return;
        }
        DIR *dir = fdopendir(fd);
        if (!dir) {
            ::close(fd);
            return;
        }
        DirCloser closer {dir};
        m_stack.insert(key);
        const QString path = entry.path; // `entry` dangles once children are appended
        scanDirectory(dir, path, index, depth + 1, info);
        m_stack.remove(key);
    }

    ContextIndex &m_index;
    const ContextScanOptions &m_options;
    QPromise<ContextIndex> *m_promise = nullptr;
    QSet<QPair<quint64, quint64>> m_stack;
    quint64 m_sinceCheck = 0;
    bool m_truncated = false;
};

ContextIndex ContextIndex::scan(const ContextScanOptions &options)
{
    ContextIndex index;
    ContextScanner(index, options, nullptr).run();
    return index;
}

void scanContext(QPromise<ContextIndex> &promise, const ContextScanOptions &options)
{
    promise.setProgressRange(0, 1000);
    ContextIndex index;
    ContextScanner(index, options, &promise).run();
    promise.addResult(std::move(index));
}

bool ContextIndex::isIgnored(const QString &path) const
{
    return m_ignore.excludedAsWalked(path);
}

QString ContextIndex::relativePath(const QString &path, const QString &contextDir, bool *inside)
{
    if (inside)
        *inside = true;
    QString p = path;
    if (QDir::isAbsolutePath(p)) {
        const QString root = QDir::cleanPath(QFileInfo(contextDir).absoluteFilePath());
        const QString clean = goCleanPath(p);
        if (clean == root)
            return QStringLiteral(".");
        if (!clean.startsWith(root + QLatin1Char('/'))) {
            if (inside)
                *inside = false;
            return QString();
        }
        p = clean.mid(root.size() + 1);
    }
    p = goCleanPath(p);
    if (p == QLatin1String("..") || p.startsWith(QLatin1String("../"))) {
        if (inside)
            *inside = false;
        return QString();
    }
    return p;
}

QString entryTypeName(EntryType type)
{
    switch (type) {
    case EntryType::File:
        return QStringLiteral("file");
    case EntryType::Directory:
        return QStringLiteral("directory");
    case EntryType::Symlink:
        return QStringLiteral("symlink");
    case EntryType::Other:
        return QStringLiteral("other");
    }
    return QString();
}

} // namespace Stagelens
