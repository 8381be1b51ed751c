#include "recordarchive.h"

#include "model/core/lazylibrary.h"

#include <QFile>

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cstring>

namespace Stagelens {

namespace {

// A bare tar is told by its first header: "ustar" at 257 and a checksum (the byte sum of the header with its
// checksum field read as spaces) that matches the octal number in that field. A text log never passes both.
bool isTarHeader(QByteArrayView head)
{
    if (head.size() < 512 || head.sliced(257, 5) != QByteArrayView("ustar"))
        return false;
    quint32 sum = 0;
    for (int i = 0; i < 512; ++i)
        sum += (i >= 148 && i < 156) ? quint32(' ') : quint32(uchar(head[i]));
    quint32 recorded = 0;
    int digits = 0;
    for (int i = 148; i < 156; ++i) {
        const char c = head[i];
        if (c >= '0' && c <= '7') {
            recorded = recorded * 8 + quint32(c - '0');
            ++digits;
        } else if (c != ' ' && c != '\0') {
            return false;
        }
    }
    return digits > 0 && recorded == sum;
}

// libarchive is opened on first use (model/core/lazylibrary.h): only build records are archives.
struct Api
{
    LazyLibrary library {STAGELENS_LIBARCHIVE_SONAME};
    STAGELENS_LAZY_FUNCTION(archive_error_string);
    STAGELENS_LAZY_FUNCTION(archive_read_new);
    STAGELENS_LAZY_FUNCTION(archive_read_free);
    STAGELENS_LAZY_FUNCTION(archive_read_support_format_zip);
    STAGELENS_LAZY_FUNCTION(archive_read_support_filter_gzip);
    STAGELENS_LAZY_FUNCTION(archive_read_support_format_tar);
    STAGELENS_LAZY_FUNCTION(archive_read_open_filename);
    STAGELENS_LAZY_FUNCTION(archive_read_open_memory);
    STAGELENS_LAZY_FUNCTION(archive_read_next_header);
    STAGELENS_LAZY_FUNCTION(archive_read_data);
    STAGELENS_LAZY_FUNCTION(archive_filter_bytes);
    STAGELENS_LAZY_FUNCTION(archive_entry_filetype);
    STAGELENS_LAZY_FUNCTION(archive_entry_size_is_set);
    STAGELENS_LAZY_FUNCTION(archive_entry_size);
    STAGELENS_LAZY_FUNCTION(archive_entry_pathname);
};

const Api &api()
{
    static const Api loaded;
    return loaded;
}

// libarchive's message for the last failure, or `fallback` when it left none.
QString archiveError(archive *a, const char *fallback)
{
    const char *message = api().archive_error_string(a);
    return QString::fromUtf8(message && *message ? message : fallback);
}

} // namespace

ArchiveFormat detectArchiveFormat(QByteArrayView head)
{
    if (head.size() >= 2 && uchar(head[0]) == 0x1f && uchar(head[1]) == 0x8b)
        return ArchiveFormat::Tar; // gzip: a tar inside is checked when it is read
    if (head.startsWith("PK\x03\x04") || head.startsWith("PK\x05\x06"))
        return ArchiveFormat::Zip;
    if (isTarHeader(head))
        return ArchiveFormat::Tar;
    return ArchiveFormat::Unknown;
}

qint64 ArchiveSource::size() const
{
    return path.isEmpty() ? bytes.size() : QFile(path).size();
}

struct ArchiveReader::Private
{
    ArchiveFormat format = ArchiveFormat::Unknown;
    qint64 maxTraversed = 0;
    archive *a = nullptr;
    QByteArray pathBytes; // the file name libarchive reads, alive while open
    QByteArray bytes; // a shared copy of in-memory input, alive while open
    bool entryOpen = false;
};

ArchiveReader::ArchiveReader(ArchiveFormat format, qint64 maxTraversed)
    : d(std::make_unique<Private>())
{
    d->format = format;
    d->maxTraversed = maxTraversed;
}

ArchiveReader::~ArchiveReader()
{
    if (d->a)
        api().archive_read_free(d->a);
}

bool ArchiveReader::open(const ArchiveSource &source)
{
    if (!api().library.error().isEmpty()) {
        m_error = api().library.error();
        return false;
    }
    d->a = api().archive_read_new();
    if (!d->a) {
        m_error = QStringLiteral("out of memory");
        return false;
    }
    // Only the formats a record comes in: no other decompressor or archive format is ever run on input.
    if (d->format == ArchiveFormat::Zip) {
        api().archive_read_support_format_zip(d->a);
    } else {
        api().archive_read_support_filter_gzip(d->a);
        api().archive_read_support_format_tar(d->a);
    }
    int rc = ARCHIVE_FATAL;
    if (!source.path.isEmpty()) {
        d->pathBytes = QFile::encodeName(source.path);
        rc = api().archive_read_open_filename(d->a, d->pathBytes.constData(), 1 << 16);
    } else {
        d->bytes = source.bytes;
        rc = api().archive_read_open_memory(d->a, d->bytes.constData(), size_t(d->bytes.size()));
    }
    if (rc != ARCHIVE_OK) {
        m_error = archiveError(d->a, "not a readable archive");
        return false;
    }
    return true;
}

bool ArchiveReader::next(ArchiveEntry *entry)
{
    if (!d->a || !m_error.isEmpty())
        return false;
    for (;;) {
        archive_entry *e = nullptr;
        const int rc = api().archive_read_next_header(d->a, &e);
        if (rc == ARCHIVE_EOF)
            return false;
        if (rc < ARCHIVE_WARN) {
            m_error = archiveError(d->a, "damaged archive");
            return false;
        }
        if (api().archive_entry_filetype(e) != AE_IFREG)
            continue;
        const qint64 size = api().archive_entry_size_is_set(e) ? qint64(api().archive_entry_size(e)) : -1;
        // Going past an entry of a compressed tar decompresses it: refuse before that would exceed the cap.
        if (d->format == ArchiveFormat::Tar && size > 0
            && api().archive_filter_bytes(d->a, 0) + size > d->maxTraversed) {
            m_error = QStringLiteral("archive holds more than %1 MiB of data").arg(d->maxTraversed >> 20);
            return false;
        }
        const char *name = api().archive_entry_pathname(e);
        QString n = name ? QString::fromUtf8(name) : QString();
        while (n.startsWith(QLatin1String("./")))
            n.remove(0, 2);
        entry->name = n;
        entry->size = size;
        return true;
    }
}

QByteArray ArchiveReader::read(qint64 maxBytes, bool *complete, qint64 sizeHint)
{
    *complete = false;
    QByteArray out;
    if (!d->a || !m_error.isEmpty())
        return out;
    char buffer[1 << 16];
    int retries = 0;
    // With the entry's size known, the bytes are inflated straight into one block of that size: appending
    // 64 KiB pieces to a growing array copied a 100 MB progress stream over and over.
    if (sizeHint > 0)
        out.reserve(qsizetype(std::min(sizeHint + 1, maxBytes)));
    // Never asks for more than maxBytes in all, so a later call goes on where this one stopped.
    while (out.size() < maxBytes) {
        const qsizetype at = out.size();
        const qint64 room = qint64(out.capacity()) - at;
        la_ssize_t got = 0;
        if (room >= qint64(sizeof buffer)) {
            const qsizetype want = qsizetype(std::min(room, maxBytes - at));
            out.resize(at + want);
            got = api().archive_read_data(d->a, out.data() + at, size_t(want));
            out.resize(at + std::max<qsizetype>(0, qsizetype(got)));
        } else {
            got = api().archive_read_data(
                d->a, buffer, size_t(std::min<qint64>(qint64(sizeof buffer), maxBytes - at)));
            if (got > 0)
                out.append(buffer, qsizetype(got));
        }
        if (got > 0)
            continue;
        if (got == 0) {
            *complete = true;
            return out;
        }
        if ((got == ARCHIVE_WARN || got == ARCHIVE_RETRY) && ++retries < 8)
            continue;
        m_error = archiveError(d->a, "damaged archive");
        return out;
    }
    return out;
}

qint64 ArchiveReader::consumed() const
{
    return d->a ? qint64(api().archive_filter_bytes(d->a, -1)) : 0;
}

} // namespace Stagelens
