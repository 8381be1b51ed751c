#pragma once

// The interface the streaming reader drives: one parser per progress format (plain, tty, rawjson,
// legacy). Each receives unwrapped lines, keeps the build it is assembling and hands finished builds to
// the shared output list. Not thread-safe; one reader owns its parsers.

#include "buildrun.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>

#include <optional>

namespace Stagelens {

/// One line after unwrapping, with where it is in the file.
struct LogLine
{
    QByteArrayView text;
    qint64 offset = 0; ///< byte offset of the physical line
    qint64 length = 0; ///< its length without the newline
    int number = 0; ///< 1-based line number
    std::optional<double> timestamp; ///< wall clock from the CI wrapper
    CiWrapper wrapper = CiWrapper::None;
};

/// Limits that keep hostile input from growing memory without bound (real builds stay far below).
constexpr int MaxVerticesPerBuild = 100000;
constexpr int MaxBuildsPerFile = 10000;

class LogFormatParser
{
public:
    LogFormatParser(LogFormat format, QList<BuildRun> *builds, QList<Diagnostic> *diagnostics)
        : m_format(format)
        , m_builds(builds)
        , m_diagnostics(diagnostics)
    { }
    virtual ~LogFormatParser() = default;

    LogFormat format() const { return m_format; }
    /// A line that this format claims (the reader routes it here and makes this parser current).
    virtual void feed(const LogLine &line) = 0;
    /// A line nobody claims while this parser is current (error summaries, legacy step output).
    virtual void feedOther(const LogLine &line) = 0;
    /// Ends the build in progress (another format takes over, or the file ends).
    virtual void finish(bool endOfFile) = 0;

    /// True when `other` names the same step as `label` under another bake/Compose target's prefix.
    static bool isAliasLabel(const VertexLabel &other, const VertexLabel &label)
    {
        return other.text == label.text && other.step == label.step && other.stage == label.stage
            && other.internal == label.internal;
    }
    /// Names kept per vertex (one per target that shares it), so hostile input cannot grow the list.
    static constexpr int MaxAliases = 64;

protected:
    /// Starts a new build; the previous one must have been finished.
    BuildRun &beginBuild(const LogLine &line);
    /// Moves the current build to the output list, if it holds anything.
    void commitBuild();
    bool hasBuild() const { return m_build.has_value(); }
    void warn(int line, const QString &message);
    /// Records one output line of a vertex: counts it and extends the vertex's file spans.
    static void addOutputLine(BuildVertex &vertex, const LogLine &line);
    void noteWrapper(const LogLine &line);
    /// A line of BuildKit's excerpt of the failing instruction after a failure summary ("Dockerfile:52",
    /// then "  52 | >>> RUN ..."): appended to the build's errorContext as printed (bounded), and true.
    /// `trimmed` is the line without surrounding white space.
    bool takeErrorExcerpt(const LogLine &line, QByteArrayView trimmed);

    LogFormat m_format;
    QList<BuildRun> *m_builds;
    QList<Diagnostic> *m_diagnostics;
    std::optional<BuildRun> m_build;
};

} // namespace Stagelens
