#include "logformatparser.h"

#include "vertexorder.h"

namespace Stagelens {

namespace {
// Output lines of one vertex that are at most this far apart share one span; the fetch skips the other
// vertices' lines in between. This bounds the span count of heavily interleaved logs.
constexpr qint64 MaxSpanGap = 16 * 1024;
// Never let one build's warnings list grow without bound on hostile input.
constexpr int MaxDiagnostics = 500;
} // namespace

BuildRun &LogFormatParser::beginBuild(const LogLine &line)
{
    commitBuild();
    m_build.emplace();
    m_build->format = m_format;
    m_build->wrapper = line.wrapper;
    m_build->firstLine = line.number;
    m_build->lastLine = line.number;
    return *m_build;
}

void LogFormatParser::commitBuild()
{
    if (!m_build)
        return;
    if (m_builds->size() >= MaxBuildsPerFile) {
        if (m_builds->size() == MaxBuildsPerFile)
            warn(m_build->firstLine,
                QStringLiteral("more than %1 builds in one file: the rest are skipped")
                    .arg(MaxBuildsPerFile));
    } else if (!m_build->vertices.isEmpty() || !m_build->error.isEmpty()) {
        // Estimates from print order or tty frames can start a step before the one it waits for ends.
        enforceDependencyOrder(*m_build);
        m_build->index = int(m_builds->size());
        m_builds->append(std::move(*m_build));
    }
    m_build.reset();
}

void LogFormatParser::warn(int line, const QString &message)
{
    if (m_diagnostics->size() >= MaxDiagnostics)
        return;
    m_diagnostics->append(Diagnostic {Severity::Warning, QString(), line, 0, message});
}

void LogFormatParser::addOutputLine(BuildVertex &vertex, const LogLine &line)
{
    ++vertex.logLines;
    if (!vertex.spans.isEmpty()) {
        LogSpan &last = vertex.spans.last();
        const qint64 lastEnd = last.offset + last.length;
        if (line.offset >= lastEnd && line.offset - lastEnd <= MaxSpanGap) {
            last.length = line.offset + line.length - last.offset;
            return;
        }
        // A log read newest-first hands the lines out backwards: grow the span towards the file start.
        const qint64 end = line.offset + line.length;
        if (end <= last.offset && last.offset - end <= MaxSpanGap) {
            last.length += last.offset - line.offset;
            last.offset = line.offset;
            last.firstLine = line.number;
            return;
        }
    }
    vertex.spans.append(LogSpan {line.offset, line.length, line.number});
}

void LogFormatParser::noteWrapper(const LogLine &line)
{
    if (!m_build)
        return;
    m_build->lastLine = line.number;
    // A stamped line with a fraction length other than GitHub's 7 digits shows it is a generic stamp.
    if (line.wrapper != CiWrapper::None
        && (m_build->wrapper == CiWrapper::None
            || (m_build->wrapper == CiWrapper::GitHub && line.wrapper == CiWrapper::Timestamped)))
        m_build->wrapper = line.wrapper;
}

bool LogFormatParser::takeErrorExcerpt(const LogLine &line, QByteArrayView trimmed)
{
    // "Dockerfile:52", "Dockerfile.multistage:39", "Containerfile:3"; then "  52 | >>> RUN ..." lines.
    qsizetype digits = 0;
    while (digits < trimmed.size() && trimmed[digits] >= '0' && trimmed[digits] <= '9')
        ++digits;
    const bool excerpt = digits > 0 && QByteArrayView(trimmed).sliced(digits).trimmed().startsWith('|');
    const bool where = !excerpt && (trimmed.startsWith("Dockerfile") || trimmed.startsWith("Containerfile"));
    if ((!excerpt && !where) || !m_build)
        return false;
    // A whole RUN with its heredoc, yet bounded whatever the log holds.
    constexpr qsizetype MaxErrorContext = 8000;
    QString &context = m_build->errorContext;
    if (context.size() >= MaxErrorContext)
        return true;
    if (!context.isEmpty())
        context += QLatin1Char('\n');
    // The excerpt's own indentation lines up its "|" column: only the line end is trimmed.
    QByteArrayView text = where ? trimmed : line.text;
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.chop(1);
    context += QString::fromUtf8(text.first(std::min(text.size(), MaxErrorContext)));
    return true;
}

} // namespace Stagelens
