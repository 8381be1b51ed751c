#include "buildlogreader.h"

#include "legacylogparser.h"
#include "lineunwrapper.h"
#include "plainlogparser.h"
#include "rawjsonlogparser.h"
#include "ttylogparser.h"

#include <QFile>

#include <algorithm>
#include <memory>

namespace Stagelens {

namespace {

// A vertex's output fetched back is capped so a pathological vertex cannot exhaust memory in a view.
constexpr qint64 MaxFetchedBytes = 64 << 20;

class LineDispatcher
{
public:
    LineDispatcher(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
        : m_plain(builds, diagnostics)
        , m_tty(builds, diagnostics)
        , m_legacy(builds, diagnostics)
        , m_rawJson(builds, diagnostics)
    { }

    void dispatch(QByteArrayView raw, qint64 offset, int number, qsizetype padding)
    {
        if (raw.endsWith('\r'))
            raw.chop(1);
        LogLine line;
        line.offset = offset;
        line.length = raw.size();
        line.number = number;
        // Fast path for rawjson: no wrapper, and simdjson may read the file buffer in place.
        if (raw.startsWith("{\"") && RawJsonLogParser::claims(raw)) {
            line.text = raw;
            switchTo(&m_rawJson);
            m_rawJson.feedJson(line, padding);
            return;
        }
        UnwrappedLine unwrapped = unwrapLogLine(raw);
        if (unwrapped.timestampOnly || unwrapped.ciMarker)
            return;
        line.text = unwrapped.text;
        line.timestamp = unwrapped.timestamp;
        line.wrapper = unwrapped.wrapper;
        const QByteArrayView text = line.text;

        // Legacy step output is unprefixed and may contain " => ": only a tty header interrupts it.
        if (RawJsonLogParser::claims(text)) {
            switchTo(&m_rawJson);
            m_rawJson.feedJson(line, 0);
        } else if (PlainLogParser::claims(text) && !(m_current == &m_tty && text.startsWith("#0 "))) {
            switchTo(&m_plain);
            m_plain.feed(line);
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

    bool sawOrphanSummary() const { return m_plain.sawOrphanSummary(); }
    bool sawGitLab() const { return m_sawGitLab; }

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
};

bool looksBinary(QByteArrayView line)
{
    const qsizetype n = std::min<qsizetype>(line.size(), 64);
    int control = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != 0x1b))
            ++control;
    }
    return control > 0 && control * 8 >= n;
}

} // namespace

BuildLogResult readBuildLogDevice(
    QIODevice &device, const BuildLogReadOptions &options, const std::function<bool(int)> &progress)
{
    BuildLogResult result;
    LineDispatcher dispatcher(&result.builds, &result.diagnostics);
    const qint64 total = device.size();
    const qint64 chunkSize = std::max<qint64>(options.chunkSize, 4096);
    const qint64 maxLine = std::max<qint64>(options.maxLineBytes, 1024);

    QByteArray buffer; // the carried-over start of a line, then the new chunk
    qint64 bufferOffset = 0; // file offset of buffer[0]
    qint64 readTotal = 0;
    int lineNumber = 0;
    bool skipping = false; // inside the rest of an over-long line
    int binaryLines = 0;
    int longLines = 0;
    bool canceled = false;
    qsizetype announced = 0; // builds already passed to onBuildsEnded

    auto processLine = [&](QByteArrayView raw, qint64 offset, qsizetype padding) {
        ++lineNumber;
        if (looksBinary(raw)) {
            if (++binaryLines <= 5)
                result.diagnostics.append({Severity::Warning, QString(), lineNumber, 0,
                    QStringLiteral("binary data skipped (not a text log line)")});
            return;
        }
        dispatcher.dispatch(raw, offset, lineNumber, padding);
    };

    for (;;) {
        const qsizetype carried = buffer.size();
        buffer.resize(carried + chunkSize);
        const qint64 got = device.read(buffer.data() + carried, chunkSize);
        buffer.resize(carried + std::max<qint64>(got, 0));
        const bool atEnd = got <= 0;
        if (got > 0)
            readTotal += got;

        qsizetype start = 0;
        for (;;) {
            const qsizetype nl = buffer.indexOf('\n', start);
            if (nl < 0)
                break;
            if (skipping) {
                skipping = false;
            } else {
                processLine(QByteArrayView(buffer.constData() + start, nl - start), bufferOffset + start,
                    buffer.size() - nl);
            }
            start = nl + 1;
        }
        if (atEnd) {
            if (start < buffer.size() && !skipping)
                processLine(QByteArrayView(buffer.constData() + start, buffer.size() - start),
                    bufferOffset + start, 0);
            break;
        }
        buffer.remove(0, start);
        bufferOffset += start;
        if (!skipping && buffer.size() > maxLine) {
            // Keep the head of an over-long line (enough for any header or JSON prefix we need), drop
            // the rest up to its newline.
            if (++longLines <= 5)
                result.diagnostics.append({Severity::Warning, QString(), lineNumber + 1, 0,
                    QStringLiteral("line longer than %1 bytes: only its start was read").arg(maxLine)});
            processLine(QByteArrayView(buffer.constData(), maxLine), bufferOffset, 0);
            skipping = true;
        }
        if (skipping) {
            bufferOffset += buffer.size();
            buffer.clear();
        }
        if (options.onBuildsEnded && result.builds.size() - 1 > announced) {
            options.onBuildsEnded(result.builds.mid(announced, result.builds.size() - 1 - announced));
            announced = result.builds.size() - 1;
        }
        if (progress && !progress(total > 0 ? int(std::min<qint64>(1000, readTotal * 1000 / total)) : 0)) {
            canceled = true;
            break;
        }
    }
    dispatcher.finish();
    if (canceled)
        result.diagnostics.append(
            {Severity::Warning, QString(), lineNumber, 0, QStringLiteral("reading was cancelled")});
    if (binaryLines > 5)
        result.diagnostics.append({Severity::Warning, QString(), 0, 0,
            QStringLiteral("%1 lines of binary data skipped in all").arg(binaryLines)});
    if (options.splitTargets) {
        QList<BuildRun> split;
        for (const BuildRun &run : std::as_const(result.builds)) {
            for (BuildRun &part : splitByTarget(run)) {
                part.index = int(split.size());
                split.append(std::move(part));
            }
        }
        result.builds = std::move(split);
    }
    // GitLab marks sections, not every line: builds inside a GitLab trace carry its name too.
    if (dispatcher.sawGitLab()) {
        for (BuildRun &run : result.builds) {
            if (run.wrapper == CiWrapper::None)
                run.wrapper = CiWrapper::GitLab;
        }
    }
    if (result.builds.isEmpty() && !canceled) {
        if (dispatcher.sawOrphanSummary())
            result.diagnostics.append({Severity::Warning, QString(), 0, 0,
                QStringLiteral("only a build failure summary, no build steps, in the log")});
        else
            result.diagnostics.append(
                {Severity::Error, QString(), 0, 0, QStringLiteral("no build found in the log")});
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
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray out;
    const QByteArray prefix = vertex.id.toUtf8() + ' ';
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
            if (run.format == LogFormat::RawJson) {
                out += RawJsonLogParser::extractLogs(raw, vertex.id);
                continue;
            }
            const UnwrappedLine line = unwrapLogLine(raw);
            if (line.ciMarker || line.timestampOnly)
                continue;
            if (run.format == LogFormat::Legacy) {
                out += line.text + '\n';
                continue;
            }
            if (!line.text.startsWith(prefix))
                continue;
            // "#N 1.234 text": drop the id and the relative time.
            const qsizetype space = line.text.indexOf(' ', prefix.size());
            const QByteArrayView time = viewMid(QByteArrayView(line.text), prefix.size(),
                (space < 0 ? line.text.size() : space) - prefix.size());
            if (time.isEmpty() || !(time[0] >= '0' && time[0] <= '9') || !time.contains('.'))
                continue;
            out += (space < 0 ? QByteArray() : line.text.mid(space + 1)) + '\n';
        }
    }
    if (out.endsWith('\n'))
        out.chop(1);
    return QString::fromUtf8(out);
}

} // namespace Stagelens
