#include "buildlogreader.h"

#include "buildrecordreader.h"
#include "cirevision.h"
#include "legacylogparser.h"
#include "linescanner.h"
#ifdef Q_OS_LINUX
#include "mappedlogscanner.h"
#endif
#include "lineunwrapper.h"
#include "plainlogparser.h"
#include "rawjsonlogparser.h"
#include "ttylogparser.h"

#include <QFile>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#ifdef Q_OS_LINUX
#include <unistd.h>
#endif

namespace Stagelens {

namespace {

// A vertex's output fetched back is capped so a pathological vertex cannot exhaust memory in a view.
constexpr qint64 MaxFetchedBytes = 64 << 20;
// A build record read from a device that is not a file is held in memory whole; larger ones are refused.
constexpr qint64 MaxRecordInMemory = 1 << 30;

class LineDispatcher
{
public:
    LineDispatcher(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
        : m_plain(builds, diagnostics)
        , m_tty(builds, diagnostics)
        , m_legacy(builds, diagnostics)
        , m_rawJson(builds, diagnostics)
    { }

    /// `clean`: isCleanLine(raw). `scanned`: what the scanning thread found out about it, when it saw it.
    void dispatch(QByteArrayView raw, qint64 offset, int number, qsizetype padding, bool clean,
        const ScannedLine *scanned = nullptr)
    {
        LogLine line;
        line.offset = offset;
        line.number = number;
        // Nearly every line of a plain log: "#N ..." with nothing to unwrap, N already read.
        if (scanned && scanned->vertex >= 0 && !(m_current == &m_tty && raw.startsWith("#0 "))) {
            line.length = raw.size();
            line.text = raw;
            if (m_revisions.wantsNextLine()) // it starts with '#': nothing else to look at
                m_revisions.feed(raw, number);
            switchTo(&m_plain);
            const std::optional<double> seconds = scanned->outputTime();
            m_plain.feedClaimed(line, scanned->vertex, scanned->restStart, &seconds);
            return;
        }
        // A rawjson line the scanner read: this thread never touches its bytes (each line's first touch here
        // was a cache miss, most of the time left on this thread once the scanners parsed the JSON).
        if (scanned && scanned->json && m_scannedJson) {
            if (m_scannedJson->lines[scanned->jsonLine].carriageReturn)
                raw.chop(1);
            line.length = raw.size();
            line.text = raw;
            switchTo(&m_rawJson);
            m_rawJson.feedFacts(line, *m_scannedJson, scanned->jsonLine);
            return;
        }
        if (raw.endsWith('\r'))
            raw.chop(1);
        line.length = raw.size();
        // Fast path for rawjson: no wrapper, and simdjson may read the file buffer in place. The scanners
        // (linescanner.h) make the same test.
        if (hasPrefix(raw, "{\"") && RawJsonLogParser::claims(raw)) {
            line.text = raw;
            switchTo(&m_rawJson);
            m_rawJson.feedJson(line, padding);
            return;
        }
        if (clean && !cleanLineMayHavePrefix(raw)) {
            line.text = raw; // nearly every line: nothing to unwrap
        } else {
            const UnwrappedView unwrapped = unwrapLogLineView(raw, &m_scratch, clean);
            if (unwrapped.timestampOnly || unwrapped.ciMarker)
                return;
            line.text = unwrapped.text;
            line.timestamp = unwrapped.timestamp;
            line.wrapper = unwrapped.wrapper;
        }
        const QByteArrayView text = line.text;
        m_revisions.feed(text, number); // the checkout step's commit, for compare (#19)

        int vertex = -1; // N of a plain "#N " line
        qsizetype restStart = 0;
        // Legacy step output is unprefixed and may contain " => ": only a tty header interrupts it.
        if (text.startsWith('{') && RawJsonLogParser::claims(text)) {
            switchTo(&m_rawJson);
            m_rawJson.feedJson(line, 0);
        } else if ((vertex = PlainLogParser::claimedNumber(text, &restStart)) >= 0
            && !(m_current == &m_tty && text.startsWith("#0 "))) {
            switchTo(&m_plain);
            m_plain.feedClaimed(line, vertex, restStart);
        } else if (TtyLogParser::claims(text) && (m_current != &m_legacy || text.contains("[+] Building"))) {
            switchTo(&m_tty);
            m_tty.feed(line);
        } else if (LegacyLogParser::claims(text)) {
            switchTo(&m_legacy);
            m_legacy.feed(line);
        } else if (m_current) {
            m_current->feedOther(line);
        } else {
            m_plain.feedOther(line);
        }
        if (line.wrapper == CiWrapper::GitLab)
            m_sawGitLab = true;
    }

    /// What the scanner read of the rawjson lines of the block being dispatched.
    void setScannedJson(const RawJsonFacts *facts) { m_scannedJson = facts; }

    /// `count` scanned lines from `lines`, an output run (ScannedLine::run) of the window at file offset
    /// `offset` holding `data`; the first is line `number` of the file.
    void dispatchRun(const ScannedLine *lines, qsizetype count, const char *data, qint64 offset, int number)
    {
        if (m_revisions.wantsNextLine()) {
            for (qsizetype i = 0; i < count; ++i)
                dispatch(QByteArrayView(data + lines[i].start, lines[i].length), offset + lines[i].start,
                    number + int(i), 0, true, &lines[i]);
            return;
        }
        switchTo(&m_plain);
        m_plain.feedOutputRun(lines, count, data, offset, number);
    }

    bool sawOrphanSummary() const { return m_plain.sawOrphanSummary(); }
    QString orphanSummaryWhere() const { return m_plain.orphanSummaryWhere(); }
    int orphanSummaryLine() const { return m_plain.orphanSummaryLine(); }
    /// Most vertices completed before their header: the lines came newest-first.
    bool looksNewestFirst() const
    {
        return m_plain.statusFirstCount() >= 2 && m_plain.statusFirstCount() > m_plain.headerFirstCount();
    }
    int statusFirstCount() const { return m_plain.statusFirstCount(); }
    bool sawGitLab() const { return m_sawGitLab; }
    const QList<CiRevision> &revisions() const { return m_revisions.revisions(); }

    void finish()
    {
        if (m_current)
            m_current->finish(true);
        m_current = nullptr;
    }

private:
    void switchTo(LogFormatParser *parser)
    {
        if (m_current && m_current != parser)
            m_current->finish(false);
        m_current = parser;
    }

    PlainLogParser m_plain;
    TtyLogParser m_tty;
    LegacyLogParser m_legacy;
    RawJsonLogParser m_rawJson;
    LogFormatParser *m_current = nullptr;
    bool m_sawGitLab = false;
    CiRevisionScanner m_revisions;
    QByteArray m_scratch; // the text of an unwrapped line that had to be copied
    const RawJsonFacts *m_scannedJson = nullptr;
};

// Cuts the bytes of a file into lines. The bytes come in blocks (chunks read into a buffer, or windows of
// the mapped file); lines inside a block are handed out in place, only a line cut by the end of a block
// is copied. Lines longer than the cap are cut to their first `maxLine` bytes.
// line(view, offset, padding, scanned) gets each line without its '\n', its file offset, the number of
// readable bytes after its end and what the scanner found out about it (or null); longLine() is told before
// a line is cut; run(lines, count, data, offset) gets a scanned output run (ScannedLine::run) at once.
// They are template parameters: the line function runs for every line of a 1 GB log.
template<typename LineFunction, typename LongLineFunction, typename RunFunction>
class LineSplitter
{
public:
    LineSplitter(qint64 maxLine, LineFunction line, LongLineFunction longLine, RunFunction run)
        : m_maxLine(maxLine)
        , m_line(std::move(line))
        , m_longLine(std::move(longLine))
        , m_run(std::move(run))
    { }

    /// One block at file offset `offset`. With a `between`, it runs after a line once `checkEvery` bytes
    /// were consumed since its last call; when it returns false the block is left (cancelled). `scanned`,
    /// when given, holds the block's lines up to its scannedEnd, as scanBlock() found them.
    bool consume(const char *data, qsizetype size, qint64 offset, qint64 checkEvery = 0,
        const std::function<bool(qint64)> *between = nullptr, const ScannedBlock *scanned = nullptr)
    {
        qsizetype start = 0;
        size_t next = 0; // the next scanned line to hand out
        const size_t scannedCount = scanned ? scanned->lines.size() : 0;
        if (m_skipping || !m_carry.isEmpty()) {
            const char *nl = nullptr;
            if (scannedCount > 0)
                nl = data + scanned->lines.front().length; // its first line ends the carried one
            else
                nl = static_cast<const char *>(std::memchr(data, '\n', size_t(size)));
            const qsizetype end = nl ? nl - data : size;
            if (!m_skipping) {
                const qsizetype room = qsizetype(m_maxLine) - m_carry.size();
                if (end > room) {
                    m_carry.append(data, room);
                    cut(QByteArrayView(m_carry), m_carryOffset);
                    m_carry.clear();
                    m_skipping = true;
                } else {
                    m_carry.append(data, end);
                    if (nl) {
                        m_line(QByteArrayView(m_carry), m_carryOffset, 0, nullptr);
                        m_carry.clear();
                    }
                }
            }
            if (!nl)
                return true;
            m_skipping = false;
            start = end + 1;
            next = 1;
        }
        qint64 nextCheck = between ? m_lastCheck + checkEvery : std::numeric_limits<qint64>::max();
        for (;;) {
            qsizetype end = 0;
            const ScannedLine *line = nullptr;
            if (next < scannedCount) {
                line = &scanned->lines[next];
                if (line->run > 1) {
                    // Bare lines, none longer than maxLine: the whole run at once.
                    m_run(line, qsizetype(line->run), data, offset);
                    next += line->run;
                    const ScannedLine &last = scanned->lines[next - 1];
                    start = qsizetype(last.start) + qsizetype(last.length) + 1;
                    if (offset + start >= nextCheck
                        && !check(offset + start, &nextCheck, checkEvery, between))
                        return false;
                    continue;
                }
                ++next;
                end = qsizetype(line->start) + qsizetype(line->length);
            } else {
                const char *nl =
                    static_cast<const char *>(std::memchr(data + start, '\n', size_t(size - start)));
                if (!nl)
                    break;
                end = nl - data;
            }
            if (end - start > m_maxLine)
                cut(QByteArrayView(data + start, end - start), offset + start);
            else
                m_line(QByteArrayView(data + start, end - start), offset + start, size - end, line);
            start = end + 1;
            if (offset + start >= nextCheck && !check(offset + start, &nextCheck, checkEvery, between))
                return false;
        }
        if (start < size) {
            m_carryOffset = offset + start;
            if (size - start > m_maxLine) {
                cut(QByteArrayView(data + start, size - start), m_carryOffset);
                m_skipping = true;
            } else {
                m_carry.append(data + start, size - start);
            }
        }
        return true;
    }

    /// The end of the file: the last line, when it has no newline.
    void finish()
    {
        if (!m_carry.isEmpty() && !m_skipping)
            m_line(QByteArrayView(m_carry), m_carryOffset, 0, nullptr);
        m_carry.clear();
    }

private:
    bool check(
        qint64 consumed, qint64 *nextCheck, qint64 checkEvery, const std::function<bool(qint64)> *between)
    {
        m_lastCheck = consumed;
        *nextCheck = m_lastCheck + checkEvery;
        return (*between)(m_lastCheck);
    }

    void cut(QByteArrayView line, qint64 offset)
    {
        m_longLine();
        m_line(line.first(qsizetype(m_maxLine)), offset, 0, nullptr);
    }

    qint64 m_maxLine;
    LineFunction m_line;
    LongLineFunction m_longLine;
    RunFunction m_run;
    QByteArray m_carry; // the start of a line cut by the end of the previous block
    qint64 m_carryOffset = 0;
    bool m_skipping = false; // inside the rest of an over-long line
    qint64 m_lastCheck = 0;
};

void splitAllByTarget(QList<BuildRun> *builds)
{
    QList<BuildRun> split;
    for (const BuildRun &run : std::as_const(*builds)) {
        for (BuildRun &part : splitByTarget(run)) {
            part.index = int(split.size());
            split.append(std::move(part));
        }
    }
    *builds = std::move(split);
}

/// A build record (an archive, told by its magic bytes) goes to the record reader: by its file name when the
/// device is a file, else read into memory.
BuildLogResult readRecordDevice(QIODevice &device, const std::function<bool(int)> &progress)
{
    auto *file = qobject_cast<QFile *>(&device);
    if (file && !file->fileName().isEmpty() && !file->isSequential())
        return readBuildRecordFile(file->fileName(), progress);
    // A megabyte at a time: QIODevice::read(n) allocates n bytes before it reads, so asking for the cap at
    // once took 1 GiB for every record read from a buffer or a pipe (found by fuzz_linescanner).
    QByteArray bytes;
    while (bytes.size() <= MaxRecordInMemory) {
        const QByteArray piece = device.read(std::min<qint64>(1 << 20, MaxRecordInMemory + 1 - bytes.size()));
        if (piece.isEmpty())
            break;
        bytes += piece;
    }
    if (bytes.size() > MaxRecordInMemory) {
        BuildLogResult result;
        result.diagnostics.append({Severity::Error, QString(), 0, 0,
            QStringLiteral("build record larger than %1 MiB: not read").arg(MaxRecordInMemory >> 20)});
        return result;
    }
    return readBuildRecordData(bytes, progress);
}

// Hands out the lines of a random-access device from the last to the first, as LineSplitter would cut
// them (same lines, same cut of over-long lines), reading blocks backwards: memory stays at one block plus
// one line. The head of an over-long line is read again from the device once its start is known.
class ReverseLineReader
{
public:
    using LineFunction = std::function<void(QByteArrayView, qint64)>;

    ReverseLineReader(QIODevice &device, qint64 blockSize, qint64 maxLine)
        : m_device(device)
        , m_blockSize(blockSize)
        , m_maxLine(maxLine)
    { }

    /// Calls `line(view, offset)` for every line, last first; `between` runs after each block and returns
    /// false to stop. Returns false when stopped or the device failed.
    bool run(const LineFunction &line, const std::function<bool()> &between)
    {
        const qint64 size = m_device.size();
        qint64 end = size; // the bytes before `end` are still to read
        QByteArray pending; // the end of the line whose start lies before `end` (empty when cut)
        qint64 pendingEnd = size; // file offset just past that line
        bool pendingLong = false; // longer than maxLine: only its head, read again, is handed out
        bool last = true; // the piece after the final newline counts only when not empty
        QByteArray block;
        while (end > 0) {
            const qint64 start = std::max<qint64>(0, end - m_blockSize);
            if (!m_device.seek(start))
                return false;
            block = m_device.read(end - start);
            if (block.size() != end - start)
                return false;
            qsizetype i = block.size();
            for (;;) {
                const size_t found = std::string_view(block.constData(), size_t(i)).rfind('\n');
                if (found == std::string_view::npos) {
                    // The whole rest of the block belongs to the pending line.
                    if (!pendingLong && pending.size() + i <= m_maxLine) {
                        pending.prepend(block.constData(), i);
                    } else {
                        pendingLong = true;
                        pending.clear();
                    }
                    break;
                }
                const qsizetype nl = qsizetype(found);
                const qint64 lineStart = start + nl + 1;
                if (!(last && lineStart == pendingEnd)) {
                    if (!pendingLong && pending.size() + (i - nl - 1) <= m_maxLine) {
                        pending.prepend(block.constData() + nl + 1, i - nl - 1);
                        line(QByteArrayView(pending), lineStart);
                    } else if (!emitHead(line, lineStart)) {
                        return false;
                    }
                }
                last = false;
                pending.clear();
                pendingLong = false;
                pendingEnd = start + nl;
                i = nl;
            }
            end = start;
            if (!between())
                return false;
        }
        if (size > 0 && !(last && pendingEnd == 0)) {
            if (!pendingLong)
                line(QByteArrayView(pending), 0);
            else if (!emitHead(line, 0))
                return false;
        }
        return true;
    }

    /// File offsets of the lines that were cut to maxLine bytes.
    const QList<qint64> &longLines() const { return m_longLines; }

private:
    bool emitHead(const LineFunction &line, qint64 offset)
    {
        if (!m_device.seek(offset))
            return false;
        const QByteArray head = m_device.read(m_maxLine);
        if (head.size() != m_maxLine)
            return false;
        m_longLines.append(offset);
        line(QByteArrayView(head), offset);
        return true;
    }

    QIODevice &m_device;
    qint64 m_blockSize;
    qint64 m_maxLine;
    QList<qint64> m_longLines;
};

struct NewestFirstReading
{
    BuildLogResult result;
    bool canceled = false;
    bool sawGitLab = false;
    bool sawOrphanSummary = false;
    /// Vertices still seen completing before their header (the most when it was not read at all).
    int statusFirst = std::numeric_limits<int>::max();
};

// The forward reading showed a log saved newest-first: reads it again from its last line to its first,
// which is the order BuildKit wrote. Line numbers and offsets stay those of the file.
NewestFirstReading readNewestFirst(QIODevice &device, const BuildLogReadOptions &options, int lineCount,
    const std::function<bool(int)> &progress)
{
    NewestFirstReading reading;
    BuildLogResult &result = reading.result;
    LineDispatcher dispatcher(&result.builds, &result.diagnostics);
    const qint64 maxLine = std::max<qint64>(options.maxLineBytes, 1024);
    ReverseLineReader reader(device, std::max<qint64>(options.chunkSize, 4096), maxLine);
    int lineNumber = lineCount + 1;
    int binaryLines = 0;
    const bool complete = reader.run(
        [&](QByteArrayView raw, qint64 offset) {
            --lineNumber;
            const bool clean = isCleanLine(raw);
            if (!clean && looksBinary(raw.data(), raw.size())) {
                ++binaryLines;
                return;
            }
            dispatcher.dispatch(raw, offset, lineNumber, 0, clean);
        },
        [&] {
            // The forward pass already reported 1000; the callback still decides cancellation.
            reading.canceled = progress && !progress(1000);
            return !reading.canceled;
        });
    dispatcher.finish();
    result.diagnostics.prepend({Severity::Warning, QString(), 0, 0,
        QStringLiteral("the log is saved newest-first (its lines in reverse order): read from the last line "
                       "up")});
    if (reading.canceled)
        result.diagnostics.append(
            {Severity::Warning, QString(), lineNumber, 0, QStringLiteral("reading was cancelled")});
    else if (!complete)
        result.diagnostics.append(
            {Severity::Warning, QString(), 0, 0, QStringLiteral("reading the log backwards failed")});
    if (binaryLines > 0)
        result.diagnostics.append({Severity::Warning, QString(), 0, 0,
            QStringLiteral("%1 lines of binary data skipped in all").arg(binaryLines)});
    const QList<qint64> &longLines = reader.longLines();
    for (qsizetype i = 0; i < longLines.size() && i < 5; ++i)
        result.diagnostics.append({Severity::Warning, QString(), 0, 0,
            QStringLiteral("line at byte %1 longer than %2 bytes: only its start was read")
                .arg(longLines.at(i))
                .arg(maxLine)});
    for (BuildRun &run : result.builds) {
        run.newestFirst = true;
        std::swap(run.firstLine, run.lastLine); // the build's lines, first to last in the file
    }
    reading.sawGitLab = dispatcher.sawGitLab();
    reading.sawOrphanSummary = dispatcher.sawOrphanSummary();
    reading.statusFirst = complete ? dispatcher.statusFirstCount() : std::numeric_limits<int>::max();
    return reading;
}

} // namespace

BuildLogResult readBuildLogDevice(
    QIODevice &device, const BuildLogReadOptions &options, const std::function<bool(int)> &progress)
{
    if (looksLikeBuildRecord(device.peek(512))) {
        BuildLogResult result = readRecordDevice(device, progress);
        if (options.splitTargets)
            splitAllByTarget(&result.builds);
        return result;
    }
    BuildLogResult result;
    LineDispatcher dispatcher(&result.builds, &result.diagnostics);
    const qint64 total = device.size();
    const qint64 chunkSize = std::max<qint64>(options.chunkSize, 4096);
    const qint64 maxLine = std::max<qint64>(options.maxLineBytes, 1024);

    int lineNumber = 0;
    int binaryLines = 0;
    int longLines = 0;
    bool canceled = false;
    qsizetype announced = 0; // builds already passed to onBuildsEnded

    LineSplitter splitter(
        maxLine,
        [&](QByteArrayView raw, qint64 offset, qsizetype padding, const ScannedLine *scanned) {
            ++lineNumber;
            // Then it is no binary data either.
            const bool clean = scanned ? scanned->clean : isCleanLine(raw);
            if (scanned ? scanned->binary : !clean && looksBinary(raw.data(), raw.size())) {
                if (++binaryLines <= 5)
                    result.diagnostics.append({Severity::Warning, QString(), lineNumber, 0,
                        QStringLiteral("binary data skipped (not a text log line)")});
                return;
            }
            dispatcher.dispatch(raw, offset, lineNumber, padding, clean, scanned);
        },
        [&] {
            // Only the head of an over-long line (enough for any header or JSON prefix we need) is read.
            if (++longLines <= 5)
                result.diagnostics.append({Severity::Warning, QString(), lineNumber + 1, 0,
                    QStringLiteral("line longer than %1 bytes: only its start was read").arg(maxLine)});
        },
        [&](const ScannedLine *lines, qsizetype count, const char *data, qint64 offset) {
            dispatcher.dispatchRun(lines, count, data, offset, lineNumber + 1);
            lineNumber += int(count);
        });

    // Between lines, every chunkSize bytes: hand out the builds that ended, report progress.
    const std::function<bool(qint64)> between = [&](qint64 consumed) {
        if (options.onBuildsEnded && result.builds.size() - 1 > announced) {
            options.onBuildsEnded(result.builds.mid(announced, result.builds.size() - 1 - announced));
            announced = result.builds.size() - 1;
        }
        if (progress && !progress(total > 0 ? int(std::min<qint64>(1000, consumed * 1000 / total)) : 0)) {
            canceled = true;
            return false;
        }
        return true;
    };

    qint64 position = 0; // file offset of the next block
#ifdef Q_OS_LINUX
    // A regular file is read through windows of a mapping, without copying it into a buffer; resident
    // memory grows by a few windows only. A helper thread maps windows ahead and cuts their blocks into lines
    // (scanBlock: the newlines, the clean-line test, N and the output time of "#N" lines, and output runs,
    // the larger half of the work); this thread applies the lines and scans the blocks the helper has not
    // reached instead of waiting for them (mappedlogscanner.h). Whatever the file gains meanwhile is read
    // below.
    auto *file = qobject_cast<QFile *>(&device);
    if (file && !file->isSequential() && file->pos() == 0 && total > 0 && file->handle() >= 0) {
        const qint64 page = std::max<qint64>(4096, ::sysconf(_SC_PAGESIZE));
        // At most 1 GiB: the scanner's line records hold 32-bit offsets into a block.
        const qint64 windowBytes =
            (std::clamp<qint64>(options.mapWindowBytes, 1, qint64(1) << 30) + page - 1) / page * page;
        MappedLogScanner scanner(file->handle(), total, windowBytes, maxLine);
        MappedLogScanner::Block block;
        while (!canceled && scanner.next(&block)) {
            dispatcher.setScannedJson(&block.scanned->json);
            canceled =
                !splitter.consume(block.data, block.size, block.offset, chunkSize, &between, block.scanned);
        }
        dispatcher.setScannedJson(nullptr);
        position = scanner.position();
        if (position > 0 && !file->seek(position))
            position = total; // cannot happen for a regular file; never read the mapped part twice
    }
#endif
    QByteArray block(qsizetype(chunkSize), Qt::Uninitialized);
    while (!canceled) {
        const qint64 got = device.read(block.data(), chunkSize);
        if (got <= 0)
            break;
        splitter.consume(block.constData(), qsizetype(got), position);
        position += got;
        canceled = !between(position);
    }
    if (!canceled)
        splitter.finish();
    dispatcher.finish();
    bool sawGitLab = dispatcher.sawGitLab();
    bool sawOrphanSummary = dispatcher.sawOrphanSummary();
    // Decided on the finished reading, so the forward pass pays nothing for it; only a log that shows the
    // signs is read a second time.
    NewestFirstReading reversed;
    if (!canceled && dispatcher.looksNewestFirst() && !device.isSequential()) {
        reversed = readNewestFirst(device, options, lineNumber, progress);
        canceled = reversed.canceled;
    }
    // The backward reading stands when it explains the log better: fewer vertices completing unnamed.
    if (!canceled && reversed.statusFirst < dispatcher.statusFirstCount()) {
        result = std::move(reversed.result);
        sawGitLab = reversed.sawGitLab;
        sawOrphanSummary = reversed.sawOrphanSummary;
    } else {
        if (canceled)
            result.diagnostics.append(
                {Severity::Warning, QString(), lineNumber, 0, QStringLiteral("reading was cancelled")});
        if (binaryLines > 5)
            result.diagnostics.append({Severity::Warning, QString(), 0, 0,
                QStringLiteral("%1 lines of binary data skipped in all").arg(binaryLines)});
    }
    if (options.splitTargets)
        splitAllByTarget(&result.builds);
    assignCiRevisions(&result.builds, dispatcher.revisions());
    // GitLab marks sections, not every line: builds inside a GitLab trace carry its name too.
    if (sawGitLab) {
        for (BuildRun &run : result.builds) {
            if (run.wrapper == CiWrapper::None)
                run.wrapper = CiWrapper::GitLab;
        }
    }
    if (result.builds.isEmpty() && !canceled) {
        if (sawOrphanSummary) {
            result.onlyFailureSummary = true;
            result.failureSummaryWhere = dispatcher.orphanSummaryWhere();
            const bool where = !result.failureSummaryWhere.isEmpty();
            result.diagnostics.append(
                {Severity::Warning, QString(), where ? dispatcher.orphanSummaryLine() : 0, 0,
                    QStringLiteral("only a build failure summary, no build steps, in the log")
                        + (where ? QStringLiteral(": the build failed at ") + result.failureSummaryWhere
                                 : QString()),
                    QStringLiteral("log-failure-summary-only")});
        } else {
            result.diagnostics.append(
                {Severity::Error, QString(), 0, 0, QStringLiteral("no build found in the log")});
        }
    }
    if (progress)
        progress(1000);
    return result;
}

BuildLogResult readBuildLogFile(const QString &path, const BuildLogReadOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        BuildLogResult result;
        result.path = path;
        result.diagnostics.append(
            {Severity::Error, path, 0, 0, QStringLiteral("cannot open: %1").arg(file.errorString())});
        return result;
    }
    BuildLogResult result = readBuildLogDevice(file, options);
    result.path = path;
    for (Diagnostic &d : result.diagnostics)
        d.file = path;
    return result;
}

void readBuildLog(QPromise<BuildLogResult> &promise, const QString &path, const BuildLogReadOptions &options)
{
    promise.setProgressRange(0, 1000);
    QFile file(path);
    BuildLogResult result;
    result.path = path;
    if (!file.open(QIODevice::ReadOnly)) {
        result.diagnostics.append(
            {Severity::Error, path, 0, 0, QStringLiteral("cannot open: %1").arg(file.errorString())});
        promise.addResult(std::move(result));
        return;
    }
    result = readBuildLogDevice(file, options, [&promise](int value) {
        promise.setProgressValue(value);
        return !promise.isCanceled();
    });
    if (promise.isCanceled())
        return; // the caller sees future.isCanceled()
    result.path = path;
    for (Diagnostic &d : result.diagnostics)
        d.file = path;
    promise.addResult(std::move(result));
}

QString readVertexOutput(const QString &path, const BuildRun &run, const BuildVertex &vertex)
{
    // A record's output is held with the vertex (it was compressed in the archive, not lines of a file).
    if (run.format == LogFormat::Record) {
        QByteArrayView out = vertex.output;
        if (out.endsWith('\n'))
            out.chop(1);
        return QString::fromUtf8(out);
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray out;
    const QByteArray prefix = vertex.id.toUtf8() + ' ';
    QList<QByteArray> spanLines; // newest-first logs: one span's lines, turned around at its end
    for (const LogSpan &span : vertex.spans) {
        if (out.size() > MaxFetchedBytes || !file.seek(span.offset))
            break;
        const QByteArray bytes = file.read(std::min<qint64>(span.length, MaxFetchedBytes));
        qsizetype start = 0;
        while (start <= bytes.size()) {
            qsizetype nl = bytes.indexOf('\n', start);
            if (nl < 0)
                nl = bytes.size();
            const QByteArrayView raw(bytes.constData() + start, nl - start);
            start = nl + 1;
            QByteArray text;
            if (run.format == LogFormat::RawJson) {
                text = RawJsonLogParser::extractLogs(raw, vertex.id);
            } else {
                const UnwrappedLine line = unwrapLogLine(raw);
                if (line.ciMarker || line.timestampOnly)
                    continue;
                if (run.format == LogFormat::Legacy) {
                    text = line.text + '\n';
                } else {
                    if (!line.text.startsWith(prefix))
                        continue;
                    // "#N 1.234 text": drop the id and the relative time.
                    const qsizetype space = line.text.indexOf(' ', prefix.size());
                    const QByteArrayView time = viewMid(QByteArrayView(line.text), prefix.size(),
                        (space < 0 ? line.text.size() : space) - prefix.size());
                    if (time.isEmpty() || !(time[0] >= '0' && time[0] <= '9') || !time.contains('.'))
                        continue;
                    text = (space < 0 ? QByteArray() : line.text.mid(space + 1)) + '\n';
                }
            }
            if (run.newestFirst)
                spanLines.append(std::move(text));
            else
                out += text;
        }
        // The spans of a newest-first log come newest first too: each one's lines turned around, in order.
        for (auto it = spanLines.crbegin(); it != spanLines.crend(); ++it)
            out += *it;
        spanLines.clear();
    }
    if (out.endsWith('\n'))
        out.chop(1);
    return QString::fromUtf8(out);
}

} // namespace Stagelens
