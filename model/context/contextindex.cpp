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
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

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

struct FdCloser
{
    int fd = -1;
    ~FdCloser()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

constexpr int CancelCheckInterval = 512;

// One directory level: names packed in one buffer, with the type the listing gave (DT_UNKNOWN when the file
// system does not say).
struct Listing
{
    struct Name
    {
        quint32 offset = 0;
        quint32 length = 0;
        unsigned char type = DT_UNKNOWN;
    };
    QByteArray bytes;
    std::vector<Name> names;

    QByteArrayView at(const Name &n) const { return QByteArrayView(bytes.constData() + n.offset, n.length); }
};

bool isAscii(QByteArrayView bytes)
{
    for (const char c : bytes) {
        if (uchar(c) >= 0x80)
            return false;
    }
    return true;
}

size_t pathHash(QStringView path)
{
    return qHash(path, 0);
}

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
        buildPathTable();
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

    // Reads one directory level (names and d_type only), sorted by bytes so the order is stable and subtrees
    // are contiguous in the entry list.
    static void readNames(DIR *dir, Listing &listing)
    {
        listing.bytes.clear();
        listing.names.clear();
        while (dirent *e = readdir(dir)) {
            const char *n = e->d_name;
            if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)))
                continue;
            const size_t length = std::strlen(n);
            listing.names.push_back(
                {quint32(listing.bytes.size()), quint32(length), static_cast<unsigned char>(e->d_type)});
            listing.bytes.append(n, qsizetype(length));
        }
        std::sort(listing.names.begin(), listing.names.end(),
            [&listing](const Listing::Name &a, const Listing::Name &b) {
                const int c = std::memcmp(listing.bytes.constData() + a.offset,
                    listing.bytes.constData() + b.offset, std::min(a.length, b.length));
                return c != 0 ? c < 0 : a.length < b.length;
            });
    }

    void scanDirectory(DIR *dir, const QString &prefix, int parentIndex, int depth,
        const PatternMatcher::MatchInfo &parentInfo)
    {
        const int dirFd = dirfd(dir);
        Listing listing;
        readNames(dir, listing);
        const qsizetype count = qsizetype(listing.names.size());
        for (qsizetype i = 0; i < count; ++i) {
            if (checkCancel() || m_truncated)
                return;
            if (depth == 0 && m_promise) {
                m_promise->setProgressValue(int(1000 * i / count));
            }
            const Listing::Name &name = listing.names[size_t(i)];
            scanEntry(dirFd, listing.at(name), name.type, prefix, parentIndex, depth, parentInfo);
        }
        if (depth == 0 && m_promise)
            m_promise->setProgressValue(1000);
    }

    static EntryType typeOf(mode_t mode)
    {
        if (S_ISDIR(mode))
            return EntryType::Directory;
        if (S_ISLNK(mode))
            return EntryType::Symlink;
        if (S_ISREG(mode))
            return EntryType::File;
        return EntryType::Other;
    }

    void scanEntry(int dirFd, QByteArrayView name, unsigned char dtype, const QString &prefix,
        int parentIndex, int depth, const PatternMatcher::MatchInfo &parentInfo)
    {
        if (m_index.m_entries.size() >= m_options.maxEntries) {
            m_truncated = true;
            addDiagnostic(Severity::Error,
                QStringLiteral("the context has more than %1 entries; scan stopped")
                    .arg(m_options.maxEntries));
            return;
        }
        ContextEntry entry;
        switch (dtype) {
        case DT_REG:
            entry.type = EntryType::File;
            break;
        case DT_DIR:
            entry.type = EntryType::Directory;
            break;
        case DT_LNK:
            entry.type = EntryType::Symlink;
            break;
        case DT_FIFO:
        case DT_SOCK:
        case DT_CHR:
        case DT_BLK:
            entry.type = EntryType::Other;
            break;
        default: {
            // The file system did not say: ask, without following a symlink (its target, maybe outside the
            // context, is never looked at).
            const QByteArray zeroTerminated = name.toByteArray();
            struct stat st = {};
            if (fstatat(dirFd, zeroTerminated.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                return; // removed while we scan: nothing to record
            entry.type = typeOf(st.st_mode);
            break;
        }
        }

        QString decoded;
        if (isAscii(name)) {
            decoded = QString::fromLatin1(name);
        } else {
            decoded = QString::fromUtf8(name);
            entry.lossyName = QByteArrayView(decoded.toUtf8()) != name;
        }
        if (prefix.isEmpty()) {
            entry.path = std::move(decoded);
        } else {
            entry.path.reserve(prefix.size() + 1 + decoded.size());
            entry.path.append(prefix).append(QLatin1Char('/')).append(decoded);
        }
        entry.parent = parentIndex;
        entry.depth = depth;

        // The parent's per-pattern results make the ignore check incremental, exactly as fsutil's walker
        // does.
        PatternMatcher::MatchInfo info;
        if (!m_index.m_ignore.isEmpty())
            entry.ignored = m_index.m_ignore.matchesUsingParentResults(entry.path, parentInfo, &info);

        const int index = int(m_index.m_entries.size());
        if (entry.lossyName)
            m_index.m_rawNames.insert(index, name.toByteArray());
        if (!entry.ignored)
            ++m_index.m_includedCount;
        const bool isDirectory = entry.type == EntryType::Directory;
        m_index.m_entries.append(std::move(entry));

        if (isDirectory)
            enterDirectory(dirFd, name.toByteArray(), index, depth, info);
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
        // O_NOFOLLOW: a symlink swapped in after the listing must not lead us outside the context.
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

    // The path -> index table, built once with its final size: open addressing over the entry list itself
    // (no per-entry node or key copy). The first entry wins when two lossy names decode alike.
    void buildPathTable()
    {
        const QList<ContextEntry> &entries = m_index.m_entries;
        qsizetype capacity = 16;
        while (capacity < entries.size() * 2)
            capacity *= 2;
        QList<int> table(capacity, -1);
        const size_t mask = size_t(capacity - 1);
        for (int i = 0; i < entries.size(); ++i) {
            const QString &path = entries.at(i).path;
            for (size_t s = pathHash(path) & mask;; s = (s + 1) & mask) {
                const int at = table.at(qsizetype(s));
                if (at < 0) {
                    table[qsizetype(s)] = i;
                    break;
                }
                if (entries.at(at).path == path)
                    break;
            }
        }
        m_index.m_slots = std::move(table);
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

int ContextIndex::indexOf(QStringView path) const
{
    if (m_slots.isEmpty())
        return -1;
    const size_t mask = size_t(m_slots.size() - 1);
    for (size_t s = pathHash(path) & mask;; s = (s + 1) & mask) {
        const int at = m_slots.at(qsizetype(s));
        if (at < 0 || QStringView(m_entries.at(at).path) == path)
            return at;
    }
}

int ContextIndex::openParentOf(int entry, QByteArray *name) const
{
    // The on-disk names from the top down; every directory on the way is opened with O_NOFOLLOW, so a
    // directory replaced by a symlink since the scan is not followed.
    QList<QByteArray> names;
    for (int i = entry; i >= 0; i = m_entries.at(i).parent) {
        const ContextEntry &e = m_entries.at(i);
        const auto raw = m_rawNames.constFind(i);
        if (raw != m_rawNames.cend()) {
            names.prepend(*raw);
        } else {
            const qsizetype skip = e.parent < 0 ? 0 : m_entries.at(e.parent).path.size() + 1;
            names.prepend(QStringView(e.path).mid(skip).toUtf8());
        }
    }
    int fd = ::open(QFile::encodeName(m_root).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (qsizetype i = 0; i + 1 < names.size() && fd >= 0; ++i) {
        const int next = openat(fd, names.at(i).constData(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ::close(fd);
        fd = next;
    }
    *name = names.last();
    return fd;
}

ContextFileStatus ContextIndex::fileStatus(int entry) const
{
    ContextFileStatus status;
    if (entry < 0 || entry >= m_entries.size())
        return status;
    QByteArray name;
    const FdCloser dir {openParentOf(entry, &name)};
    if (dir.fd < 0)
        return status;
    struct stat st = {};
    if (fstatat(dir.fd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return status;
    status.exists = true;
    status.mode = quint32(st.st_mode & 07777);
    status.size = qint64(st.st_size);
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        status.readable = faccessat(dir.fd, name.constData(), R_OK, AT_EACCESS) == 0;
    return status;
}

std::optional<QByteArray> ContextIndex::linkTarget(int entry) const
{
    if (entry < 0 || entry >= m_entries.size() || m_entries.at(entry).type != EntryType::Symlink)
        return std::nullopt;
    QByteArray name;
    const FdCloser dir {openParentOf(entry, &name)};
    if (dir.fd < 0)
        return std::nullopt;
    // PATH_MAX bounds what the kernel stores for a link.
    QByteArray target(PATH_MAX, Qt::Uninitialized);
    const ssize_t n = readlinkat(dir.fd, name.constData(), target.data(), size_t(target.size()));
    if (n < 0)
        return std::nullopt;
    target.truncate(qsizetype(n));
    return target;
}

ContextIndex ContextIndex::withExtraIgnores(const QStringList &patterns) const
{
    ContextIndex copy = *this;
    const PatternMatcher extra(patterns);
    if (patterns.isEmpty() || !extra.isValid())
        return copy;
    copy.m_ignore = PatternMatcher(m_ignore.patterns() + patterns);
    copy.m_includedCount = 0;
    for (ContextEntry &entry : copy.m_entries) {
        // matchesOrParentMatches: a directory the new patterns exclude takes its children with it.
        if (!entry.ignored && extra.matchesOrParentMatches(entry.path))
            entry.ignored = true;
        if (!entry.ignored)
            ++copy.m_includedCount;
    }
    return copy;
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
