#include "plainlogparser.h"

#include "linescanner.h"
#include "lineunwrapper.h"

#include <algorithm>
#include <cmath>

// Timing of plain logs without wall-clock stamps (the estimation method)
// ----------------------------------------------------------------------
// BuildKit's plain printer writes events in the order it learns of them, so the file order is a time
// order, but a vertex's header can be printed late: the printer stays with the vertex whose output it is
// showing ("#N ..." marks a switch). We keep one clock T (seconds since the build started) that only the
// completions move:
//  - a vertex's first header sets its provisional start s = T (the last completion printed before it;
//    a vertex usually starts when the step it waits for completes);
//  - "DONE d" is printed once the vertex completed, at or after every completion printed before it, so
//    its end is e = max(T, s + d) and its start e - d (never before 0); then T = e;
//  - CACHED takes no time (start = end = T); ERROR/CANCELED end at max(T, s + its last output time).
// Output lines ("#N 1.234 text") move T only when s + r exceeds it by more than OutputClockSlack (1.5 s):
// they come in batches after a printer delay and their times are relative to a start we only estimate,
// but a long step with no completion printed (or none at all, in a cut log) must still push time on.
// A vertex that never completes ends at s + its last output time.
// Error bound: the 0.1 s rounding of "DONE" (up to 0.05 s per vertex, accumulating along a chain of
// sequential steps) plus the printer's delay between a vertex's real start and the completion printed
// before its header (under a second in the Docker 20.10 logs of the corpus; a vertex printed only after a
// long parallel sibling finished can be late by that sibling's duration). Parallel vertices keep their
// overlap because each start comes from the vertex's own header and DONE. When the CI wrapper stamps lines
// (GitHub, gh, GitLab, Buildkite, Render), start and end come from the stamps of the first header and of
// the final status line instead, marked exact (error: the CI's line latency, milliseconds).

#include <QStringList>

namespace Stagelens {

namespace {

constexpr double OutputClockSlack = 1.5;

// "#123" followed by a space or the end: returns the number, or -1.
int vertexNumber(QByteArrayView text, qsizetype *restStart)
{
    if (text.size() < 2 || text[0] != '#')
        return -1;
    qsizetype i = 1;
    int n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i < 10)
        n = n * 10 + (text[i++] - '0');
    if (i == 1 || (i < text.size() && text[i] != ' '))
        return -1;
    *restStart = i < text.size() ? i + 1 : i;
    return n;
}

// "1.234 text" / "12.34 text" / "0.350 " (empty output line): the relative time of an output line.
bool parseOutputTime(QByteArrayView rest, double *seconds)
{
    static constexpr double Scale[] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
    qsizetype i = 0;
    qint64 whole = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i < 9)
        whole = whole * 10 + (rest[i++] - '0');
    if (i == 0 || i >= rest.size() || rest[i] != '.')
        return false;
    ++i;
    const qsizetype fracStart = i;
    qint64 fraction = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i - fracStart < 6)
        fraction = fraction * 10 + (rest[i++] - '0');
    if (i == fracStart || (i < rest.size() && rest[i] != ' '))
        return false;
    *seconds = double(whole) + double(fraction) * Scale[i - fracStart];
    return true;
}

// "1.6s" -> 1.6; also accepts "1m2.3s" forms defensively.
std::optional<double> parseDuration(QByteArrayView text)
{
    QByteArray s = text.trimmed().toByteArray();
    if (s.endsWith('s'))
        s.chop(1);
    double minutes = 0;
    const qsizetype m = s.indexOf('m');
    if (m > 0) {
        bool ok = false;
        minutes = s.left(m).toDouble(&ok);
        if (!ok || !std::isfinite(minutes) || minutes < 0)
            return std::nullopt;
        s = s.mid(m + 1);
    }
    bool ok = false;
    const double value = s.toDouble(&ok);
    // "nan"/"inf" parse as doubles but are no duration: they would poison every sum and the timeline.
    if (!ok || !std::isfinite(value) || value < 0)
        return std::nullopt;
    return minutes * 60 + value;
}

// A status line of a vertex ("extracting sha256:... 0.1s done", "transferring context: 2B done",
// "exporting layers", "sha256:... 2.1MB / 55MB 0.2s"), which never names it: only its header does. Seen as
// the first line of a vertex in excerpts that start mid-vertex and in logs saved newest-first.
bool looksLikeStatus(QByteArrayView rest)
{
    if (rest.startsWith('['))
        return false;
    if (rest.endsWith(" done") || rest.contains(" / "))
        return true;
    for (const char *prefix : {"extracting ", "transferring ", "exporting layers", "exporting manifest ",
             "exporting config ", "exporting attestation ", "writing image ", "naming to ", "unpacking to ",
             "pushing layers", "pushing manifest", "preparing layers", "sending tarball"}) {
        if (rest.startsWith(prefix))
            return true;
    }
    // Ends with a duration word: "extracting sha256:... 0.1s", "transferring context: 1.06GB 25.4s".
    const qsizetype space = rest.lastIndexOf(' ');
    const QByteArrayView last = viewMid(rest, space + 1);
    if (space < 0 || last.size() < 2 || !last.endsWith('s'))
        return false;
    bool dot = false;
    for (qsizetype i = 0; i + 1 < last.size(); ++i) {
        if (last[i] == '.' && !dot && i > 0)
            dot = true;
        else if (last[i] < '0' || last[i] > '9')
            return false;
    }
    return true;
}

QString errorText(const QByteArray &trimmed)
{
    QByteArray s = trimmed;
    if (s.startsWith("ERROR: ") || s.startsWith("error: "))
        s = s.mid(7);
    return QString::fromUtf8(s);
}

} // namespace

PlainLogParser::PlainLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
    : LogFormatParser(LogFormat::Plain, builds, diagnostics)
{ }

bool PlainLogParser::claims(QByteArrayView text)
{
    qsizetype rest = 0;
    return vertexNumber(text, &rest) >= 0;
}

int PlainLogParser::findVertex(int number) const
{
    if (number < qsizetype(m_smallIndex.size()))
        return m_smallIndex[size_t(number)] - 1;
    const auto it = m_vertexIndex.constFind(number);
    return it == m_vertexIndex.constEnd() ? -1 : *it;
}

int PlainLogParser::vertexFor(int number, const LogLine &line)
{
    const int existing = findVertex(number);
    if (existing >= 0)
        return existing;
    const int index = int(m_build->vertices.size());
    BuildVertex v;
    v.id = QLatin1Char('#') + QString::number(number);
    v.firstLine = line.number;
    m_build->vertices.append(std::move(v));
    if (number < SmallNumbers) {
        if (number >= qsizetype(m_smallIndex.size()))
            m_smallIndex.resize(std::max<size_t>(size_t(number) + 1, m_smallIndex.size() * 2), 0);
        m_smallIndex[size_t(number)] = index + 1;
    } else {
        m_vertexIndex.insert(number, index);
    }
    VertexClock clock;
    clock.number = number;
    clock.headerTime = m_clock;
    clock.headerStamp = line.timestamp;
    m_clocks.append(clock);
    m_maxNumber = std::max(m_maxNumber, number);
    return index;
}

bool PlainLogParser::startsNewBuild(int number, QByteArrayView rest) const
{
    if (m_finished && number > 0 && findVertex(number) < 0)
        return true;
    if (number != 1 || !rest.startsWith('[') || findVertex(1) < 0)
        return false;
    // "#1" is always the first vertex of a build: a #1 header naming something else, or coming back after
    // the build went on to later vertices or ended, belongs to the next build (retries, matrix, CI steps).
    const BuildVertex &first = m_build->vertices.at(findVertex(1));
    if (first.name.isEmpty())
        return false;
    if (first.name != QString::fromUtf8(rest))
        return true;
    return m_finished || (m_maxNumber >= 3 && first.status != VertexStatus::Running);
}

void PlainLogParser::applyHeader(int vertex, QByteArrayView name)
{
    BuildVertex &v = m_build->vertices[vertex];
    if (!m_clocks[vertex].completed)
        ++m_headerFirst;
    m_labels.apply(v, name);
}

void PlainLogParser::finishVertex(
    int index, VertexStatus status, const LogLine &line, std::optional<double> seconds)
{
    BuildVertex &v = m_build->vertices[index];
    VertexClock &clock = m_clocks[index];
    if (!clock.completed && v.name.isEmpty())
        ++m_statusFirst;
    clock.completed = true;
    switch (status) {
    case VertexStatus::Cached:
        v.status = VertexStatus::Cached;
        break;
    case VertexStatus::Done:
        // Lines arrive in BuildKit's order (line numbers run backwards in a log read newest-first).
        if (m_errorLine > 0)
            m_doneAfterError = true;
        // One #N can print DONE and, after a repeated header, CACHED (or the reverse): CACHED wins.
        if (v.status != VertexStatus::Cached)
            v.status = VertexStatus::Done;
        v.seconds = seconds;
        break;
    case VertexStatus::Error:
        v.status = VertexStatus::Error;
        if (m_errorLine == 0)
            m_errorLine = line.number;
        break;
    case VertexStatus::Canceled:
        if (v.status != VertexStatus::Error)
            v.status = VertexStatus::Canceled;
        break;
    case VertexStatus::Running:
        break;
    }

    if (line.timestamp && clock.headerStamp && m_build->startEpoch) {
        v.start = std::max(0.0, *clock.headerStamp - *m_build->startEpoch);
        v.end = std::max(*v.start, *line.timestamp - *m_build->startEpoch);
        v.timing = TimingKind::Exact;
        return;
    }
    double d = 0;
    if (status == VertexStatus::Done && seconds)
        d = *seconds;
    else if (status == VertexStatus::Error || status == VertexStatus::Canceled)
        d = clock.lastOutput;
    const double end = std::max(m_clock, clock.headerTime + d);
    v.start = std::max(0.0, end - d);
    v.end = end;
    v.timing = TimingKind::Estimated;
    m_clock = end;
}

void PlainLogParser::feed(const LogLine &line)
{
    qsizetype restStart = 0;
    const int number = vertexNumber(line.text, &restStart);
    if (number >= 0)
        feedClaimed(line, number, restStart);
}

int PlainLogParser::claimedNumber(QByteArrayView text, qsizetype *restStart)
{
    return vertexNumber(text, restStart);
}

void PlainLogParser::feedOutputRun(
    const ScannedLine *lines, qsizetype count, const char *data, qint64 offset, int number)
{
    const auto lineAt = [&](qsizetype i) {
        LogLine line;
        line.text = QByteArrayView(data + lines[i].start, lines[i].length);
        line.offset = offset + lines[i].start;
        line.length = lines[i].length;
        line.number = number + int(i);
        return line;
    };
    // The first line as any other: it may end a build, start one, or name a new vertex.
    const auto feedOne = [&](qsizetype i) {
        const std::optional<double> seconds = lines[i].outputTime();
        feedClaimed(lineAt(i), lines[i].vertex, qsizetype(lines[i].restStart), &seconds);
    };
    feedOne(0);
    const int index = hasBuild() ? findVertex(lines[0].vertex) : -1;
    if (index < 0) { // past the limit of vertices: each line says so on its own
        for (qsizetype i = 1; i < count; ++i)
            feedOne(i);
        return;
    }
    // What feedClaimed does for an output line of a known vertex, with nothing that could change in
    // between: the same build (only a header or a new vertex starts one), no wrapper, no timestamp.
    BuildVertex &v = m_build->vertices[index];
    VertexClock &clock = m_clocks[index];
    for (qsizetype i = 1; i < count; ++i)
        applyOutput(v, clock, lineAt(i), lines[i].seconds);
    m_build->lastLine = number + int(count) - 1;
}

std::optional<double> PlainLogParser::outputTime(QByteArrayView rest)
{
    double seconds = 0;
    return parseOutputTime(rest, &seconds) ? std::optional<double>(seconds) : std::nullopt;
}

void PlainLogParser::applyOutput(BuildVertex &vertex, VertexClock &clock, const LogLine &line, double seconds)
{
    addOutputLine(vertex, line);
    clock.lastOutput = std::max(clock.lastOutput, seconds);
    // Output far beyond the clock means real time passed with no completion printed (a long step,
    // possibly one whose DONE never comes): move the clock. Small excesses are printer lag.
    if (clock.headerTime + seconds > m_clock + OutputClockSlack)
        m_clock = clock.headerTime + seconds;
}

void PlainLogParser::feedClaimed(
    const LogLine &line, int number, qsizetype restStart, const std::optional<double> *scannedTime)
{
    const QByteArrayView rest = viewMid(line.text, restStart);

    if (number == 0) {
        // "#0 building with "default" instance using docker driver" opens a build; other #0 lines are
        // the client's own output (e.g. in tty error summaries) and carry no vertex.
        if (hasPrefix(rest, "building with")) {
            if (hasBuild())
                closeBuild(false);
            BuildRun &run = beginBuild(line);
            run.builder = QString::fromUtf8(rest);
            if (line.timestamp)
                run.startEpoch = line.timestamp;
        }
        return;
    }

    if (hasBuild() && startsNewBuild(number, rest))
        closeBuild(false);
    if (!hasBuild()) {
        beginBuild(line);
        m_build->startEpoch = line.timestamp;
    }
    noteWrapper(line);
    if (!m_build->startEpoch && line.timestamp)
        m_build->startEpoch = line.timestamp;

    if (rest.isEmpty() || (rest.size() == 3 && hasPrefix(rest, "...")))
        return;
    int index = findVertex(number);
    if (index < 0 && m_build->vertices.size() >= MaxVerticesPerBuild) {
        if (!m_tooManyVertices)
            warn(line.number,
                QStringLiteral("more than %1 steps in one build: the rest are skipped")
                    .arg(MaxVerticesPerBuild));
        m_tooManyVertices = true;
        return;
    }

    // Output lines ("#N 1.234 text") are most of a log: they only count and extend a file span. Every
    // other kind of line starts with a letter, so a leading digit decides.
    // A scanned line's bytes are not read here at all: the scanning thread read them on the other core,
    // and loading them again costs a cache miss per line.
    double rel = 0;
    const bool timed = scannedTime ? scannedTime->has_value() : parseOutputTime(rest, &rel);
    if (scannedTime && timed)
        rel = **scannedTime;
    if (timed && index >= 0) {
        applyOutput(m_build->vertices[index], m_clocks[index], line, rel);
        return;
    }

    // Old BuildKit prints the digest on the line after each header; layer pulls print digests with
    // byte progress. Neither names a vertex.
    if (hasPrefix(rest, "sha256:")) {
        if (index < 0)
            vertexFor(number, line);
        return;
    }

    if (index < 0)
        index = vertexFor(number, line);
    BuildVertex &v = m_build->vertices[index];
    VertexClock &clock = m_clocks[index];

    if (rest[0] >= '0' && rest[0] <= '9') {
        if (timed) {
            applyOutput(v, clock, line, rel);
        } else if (v.name.isEmpty() && !looksLikeStatus(rest)) {
            applyHeader(index, rest);
            if (!clock.headerStamp)
                clock.headerStamp = line.timestamp;
        }
    } else if (rest.size() == 6 && hasPrefix(rest, "CACHED")) {
        finishVertex(index, VertexStatus::Cached, line, std::nullopt);
    } else if (hasPrefix(rest, "DONE ")) {
        const std::optional<double> d = parseDuration(viewMid(rest, 5));
        if (!d)
            warn(line.number, QStringLiteral("unreadable duration: %1").arg(QString::fromUtf8(rest)));
        finishVertex(index, VertexStatus::Done, line, d);
    } else if (hasPrefix(rest, "ERROR")) {
        QByteArrayView message = viewMid(rest, 5);
        if (message.startsWith(':'))
            message = viewMid(message, 1);
        v.error = QString::fromUtf8(message.trimmed());
        finishVertex(index, VertexStatus::Error, line, std::nullopt);
    } else if (hasPrefix(rest, "CANCELED")) {
        finishVertex(index, VertexStatus::Canceled, line, std::nullopt);
    } else if (hasPrefix(rest, "WARN:")) {
        const QString warning = QString::fromUtf8(viewMid(rest, 5).trimmed());
        if (v.warnings.size() < 100)
            v.warnings.append(warning);
    } else if (v.name.isEmpty()) {
        if (!looksLikeStatus(rest)) {
            applyHeader(index, rest);
            if (!clock.headerStamp)
                clock.headerStamp = line.timestamp;
        }
    } else if (rest[0] == '[') {
        noteAlias(index, rest);
    }
    // Anything else is a status line ("transferring context: 2B done", "exporting layers"): it does not
    // change the record.
}

void PlainLogParser::noteAlias(int index, QByteArrayView rest)
{
    // A repeated header, or the same vertex under another target's prefix (bake/Compose share one
    // vertex between targets and print it once per target): the text after the prefix is the same.
    BuildVertex &v = m_build->vertices[index];
    // A repeated header is the common case (old BuildKit repeats it after every "#N ..."): it has the same
    // bracket prefix, so the few bytes up to ']' decide before the whole name is compared.
    const qsizetype close = rest.indexOf(']');
    const qsizetype nameClose = v.name.indexOf(QLatin1Char(']'));
    if (close < 0 || nameClose < 0
        || QtPrivate::equalStrings(
            QUtf8StringView(rest.data(), close + 1), QStringView(v.name).first(nameClose + 1)))
        return;
    const QUtf8StringView name(rest.data(), rest.size());
    for (const QString &alias : std::as_const(v.aliases)) {
        if (QtPrivate::equalStrings(name, QStringView(alias)))
            return;
    }
    if (v.aliases.size() >= MaxAliases || !v.name.startsWith(QLatin1Char('[')))
        return;
    const QString text = QString::fromUtf8(rest);
    if (isAliasLabel(parseVertexLabel(text), v.label))
        v.aliases.append(text);
}

void PlainLogParser::feedOther(const LogLine &line)
{
    const QByteArray trimmed = line.text.trimmed().toByteArray();
    if (trimmed.isEmpty())
        return;
    if (!hasBuild()) {
        // An excerpt can hold only the failure summary or the final error, with no vertex before it.
        if (trimmed == "------") {
            m_summaryState = m_summaryState == 1 ? 2 : 1;
        } else if (m_summaryState > 0 && trimmed.startsWith("Dockerfile:")) {
            m_orphanSummary = true;
            if (m_orphanWhere.isEmpty()) {
                m_orphanWhere = QString::fromUtf8(trimmed.left(200));
                m_orphanLine = line.number;
            }
        } else if (trimmed.startsWith("ERROR: failed to") || trimmed.startsWith("error: failed to")) {
            beginBuild(line);
            noteWrapper(line);
            m_build->error = errorText(trimmed);
            m_finished = true;
        }
        return;
    }

    if (trimmed.startsWith("ERROR: failed to") || trimmed.startsWith("error: failed to")
        || trimmed.startsWith("failed to solve") || trimmed.startsWith("ERROR: process ")) {
        if (m_build->error.isEmpty())
            m_build->error = errorText(trimmed);
        m_build->lastLine = line.number;
        m_finished = true;
        m_summaryState = 0;
        return;
    }
    if (trimmed == "------") {
        m_summaryState = m_summaryState == 1 ? 2 : 1;
        m_build->lastLine = line.number;
        return;
    }
    if (m_summaryState == 1) {
        if (trimmed.startsWith("> ") && trimmed.endsWith(':') && m_summaryLabel.isEmpty())
            m_summaryLabel = QString::fromUtf8(trimmed.mid(2, trimmed.size() - 3));
        m_build->lastLine = line.number;
        return;
    }
    if (m_summaryState == 2) {
        // BuildKit's excerpt of the failing instruction is kept whole, as printed: a multi-line RUN or
        // heredoc cut to one line hid what failed.
        if (takeErrorExcerpt(line, trimmed))
            return;
        if (trimmed.startsWith("-----"))
            return;
        // Client messages after a non-fatal summary (a failed cache import) are not the build's error.
        if (trimmed.startsWith("WARN") || trimmed.startsWith("$ ") || trimmed.startsWith("+ ")) {
            m_summaryState = 0;
            return;
        }
        // Docker 20.10 ends the summary with the bare error message.
        if (m_build->error.isEmpty())
            m_build->error = errorText(trimmed);
        m_build->lastLine = line.number;
        m_finished = true;
        m_summaryState = 0;
        return;
    }

    // Build-check warnings: " 3 warnings found (use docker --debug to expand):" then " - Rule: text".
    if (trimmed.contains(" warning") && trimmed.contains("found") && trimmed.endsWith(':')) {
        m_warningsList = true;
        return;
    }
    if (m_warningsList && trimmed.startsWith("- ")) {
        if (m_build->warnings.size() < 1000)
            m_build->warnings.append(QString::fromUtf8(trimmed.mid(2)));
        return;
    }
    m_warningsList = false;
    if ((trimmed.startsWith("WARNING: ") || trimmed.startsWith("WARN[")) && m_build->warnings.size() < 1000)
        m_build->warnings.append(QString::fromUtf8(trimmed));
}

void PlainLogParser::finish(bool endOfFile)
{
    closeBuild(endOfFile);
}

void PlainLogParser::closeBuild(bool endOfFile)
{
    if (m_build) {
        BuildRun &run = *m_build;
        int firstError = -1;
        int labelled = -1;
        for (int i = 0; i < run.vertices.size(); ++i) {
            const BuildVertex &v = run.vertices.at(i);
            if (v.status == VertexStatus::Error && firstError < 0)
                firstError = i;
            if (!m_summaryLabel.isEmpty() && labelled < 0
                && (v.name == m_summaryLabel || v.aliases.contains(m_summaryLabel)))
                labelled = i;
        }
        run.failedVertex = labelled >= 0 ? labelled : firstError;
        // A vertex error the build survived (a cache import that failed, then later steps completed)
        // is not the build's failure.
        if (run.error.isEmpty() && m_doneAfterError)
            run.failedVertex = -1;
        if (run.error.isEmpty() && run.failedVertex >= 0)
            run.error = run.vertices.at(run.failedVertex).error;
        int running = 0;
        for (int i = 0; i < run.vertices.size(); ++i) {
            BuildVertex &v = run.vertices[i];
            if (v.status != VertexStatus::Running)
                continue;
            ++running;
            if (!v.start && v.logLines > 0 && i < m_clocks.size()) {
                const VertexClock &clock = m_clocks.at(i);
                const double start = clock.headerStamp && run.startEpoch
                    ? *clock.headerStamp - *run.startEpoch
                    : clock.headerTime;
                v.start = std::max(0.0, start);
                v.end = *v.start + clock.lastOutput;
            }
        }
        if (running > 0 && run.error.isEmpty()) {
            run.truncated = true;
            if (endOfFile)
                warn(run.lastLine,
                    QStringLiteral("build %1 ends with %2 step(s) still running: the log looks truncated")
                        .arg(m_builds->size())
                        .arg(running));
        }
    }
    commitBuild();
    for (const VertexClock &clock : std::as_const(m_clocks)) {
        if (clock.number < qsizetype(m_smallIndex.size()))
            m_smallIndex[size_t(clock.number)] = 0;
    }
    m_vertexIndex.clear();
    m_clocks.clear();
    m_clock = 0;
    m_maxNumber = 0;
    m_finished = false;
    m_summaryState = 0;
    m_summaryLabel.clear();
    m_warningsList = false;
    m_errorLine = 0;
    m_doneAfterError = false;
    m_tooManyVertices = false;
}

} // namespace Stagelens
