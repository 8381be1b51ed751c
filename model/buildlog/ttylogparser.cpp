#include "ttylogparser.h"

#include "lineunwrapper.h"

#include <cmath>

namespace Stagelens {

namespace {

// The trailing "   1.4s" column of a tty line; returns the text before it in `name`.
std::optional<double> trailingSeconds(QByteArrayView text, QByteArrayView *name)
{
    QByteArrayView t = text.trimmed();
    *name = t;
    if (!t.endsWith('s'))
        return std::nullopt;
    qsizetype i = t.size() - 1;
    const qsizetype end = i;
    while (i > 0 && ((t[i - 1] >= '0' && t[i - 1] <= '9') || t[i - 1] == '.'))
        --i;
    if (i == end || (i > 0 && t[i - 1] != ' '))
        return std::nullopt;
    bool ok = false;
    const double value = viewMid(t, i, end - i).toByteArray().toDouble(&ok);
    if (!ok)
        return std::nullopt;
    *name = viewLeft(t, i).trimmed();
    return value;
}

} // namespace

TtyLogParser::TtyLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
    : LogFormatParser(LogFormat::Tty, builds, diagnostics)
{ }

bool TtyLogParser::claims(QByteArrayView text)
{
    return text.contains("[+] Building") || text.trimmed().startsWith("=> ");
}

void TtyLogParser::feed(const LogLine &line)
{
    if (!hasBuild())
        beginBuild(line);
    noteWrapper(line);
    // A redraw can put several frame lines on one physical line (CR, cursor moves): cut it at every
    // "[+] Building" and "=> " and take the pieces in order.
    const QByteArrayView text = line.text;
    // Next occurrences are cached and searched again only once passed, so a hostile line with many
    // pieces is still read in linear time.
    qsizetype nextHeader = text.indexOf("[+] Building");
    qsizetype nextEntry = text.indexOf("=> ");
    auto refresh = [&](qsizetype pos) {
        if (nextHeader >= 0 && nextHeader < pos)
            nextHeader = text.indexOf("[+] Building", pos);
        if (nextEntry >= 0 && nextEntry < pos)
            nextEntry = text.indexOf("=> ", pos);
    };
    qsizetype pos = 0;
    bool subEntry = false;
    int pieces = 0;
    while (pos < text.size() && (nextHeader >= 0 || nextEntry >= 0) && pieces++ < 100000) {
        if (nextHeader >= 0 && (nextEntry < 0 || nextHeader < nextEntry)) {
            const qsizetype start = nextHeader;
            refresh(start + 1);
            qsizetype next = text.size();
            if (nextEntry >= 0)
                next = nextEntry;
            if (nextHeader >= 0 && nextHeader < next)
                next = nextHeader;
            header(viewMid(text, start, next - start), line);
            pos = next;
            subEntry = false;
            continue;
        }
        const qsizetype start = nextEntry + 3;
        refresh(start);
        qsizetype next = text.size();
        if (nextEntry >= 0)
            next = nextEntry;
        if (nextHeader >= 0 && nextHeader < next)
            next = nextHeader;
        const QByteArrayView piece = viewMid(text, start, next - start);
        if (piece.trimmed().isEmpty() && next == nextEntry) {
            subEntry = true; // "=> => transferring context": a status of the vertex above
        } else {
            if (!subEntry)
                entry(piece, line);
            subEntry = false;
        }
        pos = next;
    }
}

void TtyLogParser::header(QByteArrayView text, const LogLine &line)
{
    // "[+] Building 12.3s (16/16) FINISHED   docker:default"
    QByteArrayView rest = viewMid(text, 12).trimmed();
    const qsizetype space = rest.indexOf(' ');
    QByteArrayView timeText = space > 0 ? viewLeft(rest, space) : rest;
    if (timeText.endsWith('s'))
        timeText.chop(1);
    bool ok = false;
    const double elapsed = timeText.toByteArray().toDouble(&ok);
    if (!ok || !std::isfinite(elapsed) || elapsed < 0)
        return;
    // A clock that goes back, or a header after a finished frame, starts the next build.
    if (m_sawHeader && (elapsed + 0.05 < m_frameTime || m_frameFinished)) {
        closeBuild(false);
        beginBuild(line);
        noteWrapper(line);
    }
    if (!m_frame.isEmpty())
        m_lastComplete = m_frame;
    m_frame.clear();
    m_sawHeader = true;
    m_frameTime = elapsed;
    m_frameFinished = rest.contains("FINISHED");
    m_build->duration = elapsed;
}

void TtyLogParser::entry(QByteArrayView text, const LogLine &line)
{
    Q_UNUSED(line);
    QByteArrayView name;
    const std::optional<double> seconds = trailingSeconds(text, &name);
    Entry e;
    e.seconds = seconds;
    if (name.startsWith("CACHED ")) {
        e.status = VertexStatus::Cached;
        name = viewMid(name, 7);
    } else if (name.startsWith("ERROR ")) {
        e.status = VertexStatus::Error;
        name = viewMid(name, 6);
    } else if (name.startsWith("CANCELED ")) {
        e.status = VertexStatus::Canceled;
        name = viewMid(name, 9);
    } else if (seconds) {
        e.status = VertexStatus::Done;
    }
    e.name = QString::fromUtf8(name.trimmed());
    if (e.name.isEmpty())
        return;
    if (m_sawHeader && !m_firstSeen.contains(e.name) && m_firstSeen.size() < MaxVerticesPerBuild)
        m_firstSeen.insert(e.name, std::max(0.0, m_frameTime - seconds.value_or(0)));
    // Pastes without headers repeat entries from several frames: keep one entry per name.
    for (Entry &existing : m_frame) {
        if (existing.name == e.name) {
            existing = e;
            return;
        }
    }
    if (m_frame.size() < MaxVerticesPerBuild)
        m_frame.append(e);
}

void TtyLogParser::feedOther(const LogLine &line)
{
    if (!hasBuild())
        return;
    const QByteArray trimmed = line.text.trimmed().toByteArray();
    if (trimmed == "------") {
        m_summaryState = m_summaryState == 1 ? 2 : 1;
        return;
    }
    if (m_summaryState == 1 && trimmed.startsWith("> ") && trimmed.endsWith(':')
        && m_summaryLabel.isEmpty()) {
        m_summaryLabel = QString::fromUtf8(trimmed.mid(2, trimmed.size() - 3));
        return;
    }
    if (m_summaryState == 1 && !m_summaryLabel.isEmpty()) {
        // The failing step's last output, "#0 0.252 text" or "0.252 text": keep the text.
        QByteArray detail = trimmed;
        if (detail.startsWith('#'))
            detail = detail.mid(detail.indexOf(' ') + 1);
        const qsizetype space = detail.indexOf(' ');
        bool isTime = false;
        if (space > 0)
            detail.left(space).toDouble(&isTime);
        m_summaryDetail = QString::fromUtf8(isTime ? detail.mid(space + 1) : detail);
        return;
    }
    if (m_summaryState == 2 && takeErrorExcerpt(line, trimmed))
        return;
    if (trimmed.startsWith("ERROR: failed to") || trimmed.startsWith("error: failed to")
        || trimmed.startsWith("failed to solve")) {
        if (m_build->error.isEmpty())
            m_build->error = QString::fromUtf8(trimmed.startsWith("failed") ? trimmed : trimmed.mid(7));
        m_build->lastLine = line.number;
    }
}

void TtyLogParser::finish(bool endOfFile)
{
    closeBuild(endOfFile);
}

void TtyLogParser::closeBuild(bool endOfFile)
{
    if (m_build) {
        BuildRun &run = *m_build;
        // The last frame can be cut short by the end of a capture: prefer the longer of the last two.
        const QList<Entry> &frame = m_frame.size() >= m_lastComplete.size() ? m_frame : m_lastComplete;
        for (const Entry &e : frame) {
            BuildVertex v;
            v.id = QLatin1Char('#') + QString::number(run.vertices.size() + 1);
            m_labels.apply(v, e.name);
            v.status = e.status;
            if (e.status == VertexStatus::Running && m_frameFinished && e.seconds)
                v.status = VertexStatus::Done;
            if (e.status != VertexStatus::Cached)
                v.seconds = e.seconds;
            v.firstLine = run.firstLine;
            // Start: the first frame showing the vertex, minus the time it showed; error bound is the
            // redraw interval (about 0.1 s) plus the 0.05 s rounding of the times.
            const auto seen = m_firstSeen.constFind(e.name);
            if (seen != m_firstSeen.constEnd()) {
                v.start = *seen;
                v.end = *seen + (e.status == VertexStatus::Cached ? 0.0 : e.seconds.value_or(0));
            }
            if (v.status == VertexStatus::Error && run.failedVertex < 0)
                run.failedVertex = int(run.vertices.size());
            run.vertices.append(v);
        }
        for (int i = 0; i < run.vertices.size() && !m_summaryLabel.isEmpty(); ++i) {
            if (m_summaryLabel.startsWith(run.vertices.at(i).name.chopped(
                    run.vertices.at(i).name.endsWith(QLatin1String("...")) ? 3 : 0))) {
                run.failedVertex = i;
                break;
            }
        }
        if (run.error.isEmpty() && run.failedVertex >= 0)
            run.error = m_summaryDetail;
        if (!m_frameFinished && run.error.isEmpty() && endOfFile && m_sawHeader) {
            run.truncated = true;
            warn(run.lastLine, QStringLiteral("tty capture ends before the FINISHED frame"));
        }
    }
    commitBuild();
    m_frame.clear();
    m_lastComplete.clear();
    m_firstSeen.clear();
    m_frameTime = 0;
    m_frameFinished = false;
    m_sawHeader = false;
    m_summaryLabel.clear();
    m_summaryDetail.clear();
    m_summaryState = 0;
}

} // namespace Stagelens
