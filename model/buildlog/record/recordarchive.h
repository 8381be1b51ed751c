#pragma once

// libarchive behind a small interface for the build-record reader: walks the entries of a tar (gzip'd or not)
// or a ZIP, from a file or from memory, and reads chosen entries into memory with a byte cap. Nothing is
// extracted to disk. Not thread-safe; one reader per thread.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

namespace Stagelens {

enum class ArchiveFormat
{
    Unknown,
    Tar, ///< a tar, gzip-compressed or not: the `.dockerbuild` form
    Zip ///< the artifact ZIP older docker/build-push-action versions upload around it
};

/// The format the first 512 bytes announce (gzip magic, "PK\3\4", a tar header), never the file name.
ArchiveFormat detectArchiveFormat(QByteArrayView head);

/// Where the archive is: a file path, or bytes held in memory (a record taken out of a ZIP, a fuzzer input).
struct ArchiveSource
{
    QString path;
    QByteArray bytes; ///< used when `path` is empty
    qint64 size() const;
};

struct ArchiveEntry
{
    QString name; ///< path inside the archive, "./" prefixes removed
    qint64 size = -1; ///< as the header declares it; -1 when unknown (streamed ZIP entries)
};

class ArchiveReader
{
public:
    /// `maxTraversed` caps the uncompressed bytes walked through (skipped entries included), so a small
    /// compressed bomb cannot keep the reader busy for long.
    ArchiveReader(ArchiveFormat format, qint64 maxTraversed);
    ~ArchiveReader();
    ArchiveReader(const ArchiveReader &) = delete;
    ArchiveReader &operator=(const ArchiveReader &) = delete;

    bool open(const ArchiveSource &source);
    /// Moves to the next regular file. False at the end or on an error (then error() is set).
    bool next(ArchiveEntry *entry);
    /// Reads on in the current entry, at most `maxBytes`; a later call goes on from there. `complete` is set
    /// once the end of the entry was reached (ask for one byte more than a cap to tell "too large").
    QByteArray read(qint64 maxBytes, bool *complete, qint64 sizeHint = -1);

    QString error() const { return m_error; }
    /// Bytes consumed from the source so far (compressed), for progress.
    qint64 consumed() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
    QString m_error;
};

} // namespace Stagelens
