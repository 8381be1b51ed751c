#include "legacylogparser.h"

#include "lineunwrapper.h"

namespace Stagelens {

namespace {

// "Step 3/9 : RUN x" -> k=3, n=9, instruction text "RUN x".
bool parseStep(QByteArrayView text, int *k, int *n, QByteArrayView *instruction)
{
    if (!text.startsWith("Step "))
        return false;
    const qsizetype colon = text.indexOf(" : ");
    const QByteArrayView counter = viewMid(text, 5, colon > 0 ? colon - 5 : -1).trimmed();
    const qsizetype slash = counter.indexOf('/');
    bool okK = false;
    bool okN = true;
    if (slash > 0) {
        *k = viewLeft(counter, slash).toByteArray().toInt(&okK);
        *n = viewMid(counter, slash + 1).toByteArray().toInt(&okN);
    } else {
        *k = counter.toByteArray().toInt(&okK); // Docker < 1.13: "Step 3 : RUN x"
        *n = 0;
    }
    if (!okK || !okN || colon < 0)
        return false;
    *instruction = viewMid(text, colon + 3);
    return true;
}

} // namespace

LegacyLogParser::LegacyLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
    : LogFormatParser(LogFormat::Legacy, builds, diagnostics)
{ }

bool LegacyLogParser::claims(QByteArrayView text)
{
    int k = 0;
    int n = 0;
    QByteArrayView instruction;
    return parseStep(text, &k, &n, &instruction) || text.startsWith(" ---> ");
}

void LegacyLogParser::feed(const LogLine &line)
{
    int k = 0;
    int n = 0;
    QByteArrayView instruction;
    if (parseStep(line.text, &k, &n, &instruction)) {
        // Step 1 again after earlier steps: the next build in the same file.
        if (hasBuild() && k == 1 && !m_build->vertices.isEmpty())
            closeBuild(false);
        if (!hasBuild()) {
            beginBuild(line);
            m_build->startEpoch = line.timestamp;
        }
        noteWrapper(line);
        closeStep(line);
        BuildVertex v;
        v.id = QStringLiteral("step-%1").arg(k);
        v.name = QString::fromUtf8(instruction.trimmed());
        // Give it BuildKit's label shape so matching by "[k/n]" works for both builders.
        v.label = parseVertexLabel(QStringLiteral("[%1/%2] ").arg(k).arg(n) + v.name);
        v.category = categorizeVertex(v.name, v.label);
        v.firstLine = line.number;
        m_build->vertices.append(v);
        m_current = int(m_build->vertices.size()) - 1;
        m_stepStamp = line.timestamp;
        return;
    }
    if (!hasBuild() || m_current < 0)
        return;
    noteWrapper(line);
    BuildVertex &v = m_build->vertices[m_current];
    const QByteArrayView rest = viewMid(line.text, 6).trimmed();
    if (rest == "Using cache") {
        v.status = VertexStatus::Cached;
    } else if (rest.startsWith("Running in ")) {
        v.status = VertexStatus::Running;
    } else if (!rest.isEmpty()) {
        // " ---> 1a2b3c4d5e6f": the step committed an image.
        if (v.status != VertexStatus::Cached)
            v.status = VertexStatus::Done;
        closeStep(line);
    }
}

void LegacyLogParser::closeStep(const LogLine &line)
{
    if (m_current < 0 || !m_build)
        return;
    BuildVertex &v = m_build->vertices[m_current];
    if (v.status == VertexStatus::Running && v.logLines == 0 && !v.end)
        v.status = VertexStatus::Done; // metadata steps (ENV, LABEL) print no "Running in"
    if (m_stepStamp && line.timestamp && m_build->startEpoch) {
        v.start = *m_stepStamp - *m_build->startEpoch;
        v.end = std::max(*v.start, *line.timestamp - *m_build->startEpoch);
        v.seconds = *v.end - *v.start;
        v.timing = TimingKind::Exact;
    }
    m_current = -1;
}

void LegacyLogParser::feedOther(const LogLine &line)
{
    if (!hasBuild())
        return;
    const QByteArrayView text = line.text;
    if (text.startsWith("Successfully built") || text.startsWith("Successfully tagged")) {
        closeStep(line);
        m_build->lastLine = line.number;
        return;
    }
    if (text.startsWith("The command '") || text.startsWith("The command \"")
        || (text.startsWith("ERROR") && m_current >= 0)) {
        if (m_current >= 0) {
            BuildVertex &v = m_build->vertices[m_current];
            v.status = VertexStatus::Error;
            v.error = QString::fromUtf8(text.trimmed());
            m_build->failedVertex = m_current;
            closeStep(line);
        }
        if (m_build->error.isEmpty())
            m_build->error = QString::fromUtf8(text.trimmed());
        m_build->lastLine = line.number;
        return;
    }
    if (m_current >= 0 && !text.startsWith("Removing intermediate container")) {
        addOutputLine(m_build->vertices[m_current], line);
        m_build->lastLine = line.number;
    }
}

void LegacyLogParser::finish(bool endOfFile)
{
    closeBuild(endOfFile);
}

void LegacyLogParser::closeBuild(bool endOfFile)
{
    if (m_build && m_current >= 0 && endOfFile && m_build->error.isEmpty()) {
        m_build->truncated = true;
        warn(m_build->lastLine,
            QStringLiteral("legacy build ends inside step %1").arg(m_build->vertices.at(m_current).id));
    }
    m_current = -1;
    m_stepStamp.reset();
    commitBuild();
}

} // namespace Stagelens
