#pragma once

// BuildKit --progress=plain, every generation since 2019: "#N name" headers (with the old "#N sha256:"
// line), "#N ..." pauses and repeated headers, status lines, "#N 1.234 text" output, DONE/CACHED/
// ERROR/CANCELED, the failure summary and the final "ERROR: failed to solve" line.

#include "logformatparser.h"
#include "vertexlabelcache.h"

#include <vector>

namespace Stagelens {

struct ScannedLine;

class PlainLogParser : public LogFormatParser
{
public:
    PlainLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics);

    /// True for "#N ..." lines (N a number), the lines this parser claims.
    static bool claims(QByteArrayView text);

    void feed(const LogLine &line) override;
    /// feed() for a line whose "#N " the caller has read: vertexNumber(text) and where the rest starts.
    /// `scannedTime`, when not null, is outputTime() of the rest as the caller already read it.
    void feedClaimed(const LogLine &line, int number, qsizetype restStart,
        const std::optional<double> *scannedTime = nullptr);
    /// feedClaimed() for each of `count` scanned lines, an output run (ScannedLine::run) of the window at
    /// file offset `offset` holding `data`, the first being line `number`: the lines after the first are
    /// applied in one loop.
    void feedOutputRun(
        const ScannedLine *lines, qsizetype count, const char *data, qint64 offset, int number);
    /// claims() that also returns N (or -1) and where the text after "#N " starts.
    static int claimedNumber(QByteArrayView text, qsizetype *restStart);
    /// The relative time of an output line's rest ("1.234 text", "12.34 text", "0.350 "), or nullopt.
    static std::optional<double> outputTime(QByteArrayView rest);
    void feedOther(const LogLine &line) override;
    void finish(bool endOfFile) override;

    /// A failure summary ("------", "Dockerfile:52", excerpt) was seen outside any build.
    bool sawOrphanSummary() const { return m_orphanSummary; }
    /// Where that summary says the build failed ("Dockerfile:52") and the line saying so, when it did.
    QString orphanSummaryWhere() const { return m_orphanWhere; }
    int orphanSummaryLine() const { return m_orphanLine; }
    /// Over the whole input: vertices seen completing before any header (BuildKit never prints them so;
    /// the sign of a log saved newest-first, or of an excerpt starting mid-vertex) and vertices whose
    /// header came first.
    int statusFirstCount() const { return m_statusFirst; }
    int headerFirstCount() const { return m_headerFirst; }

private:
    struct VertexClock
    {
        int number = 0; ///< N of "#N"
        double headerTime = 0; ///< estimated clock when the header was first printed
        double lastOutput = 0; ///< largest relative output time seen
        std::optional<double> headerStamp; ///< wall clock of the first header, when the wrapper has one
        bool completed = false; ///< a DONE/CACHED/ERROR/CANCELED line was seen
    };

    /// Index into m_build->vertices of #N, or -1.
    int findVertex(int number) const;
    /// Index of #N, a new vertex when it has none yet.
    int vertexFor(int number, const LogLine &line);
    bool startsNewBuild(int number, QByteArrayView rest) const;
    void applyHeader(int vertex, QByteArrayView name);
    /// An output line ("#N 1.234 text") of `vertex`, printed `seconds` after its header: counts it, extends
    /// its file span and moves the clocks.
    void applyOutput(BuildVertex &vertex, VertexClock &clock, const LogLine &line, double seconds);
    /// A header line for a vertex that already has a name: kept as an alias when only its prefix differs.
    void noteAlias(int vertex, QByteArrayView rest);
    void finishVertex(int vertex, VertexStatus status, const LogLine &line, std::optional<double> seconds);
    void closeBuild(bool endOfFile);

    static constexpr int SmallNumbers = 1 << 20;
    std::vector<int> m_smallIndex; ///< #N -> 1 + index into m_build->vertices (0: none), for N < SmallNumbers
    QHash<int, int> m_vertexIndex; ///< the same for larger N
    QList<VertexClock> m_clocks; ///< parallel to m_build->vertices
    VertexLabelCache m_labels;
    double m_clock = 0; ///< estimated seconds since the build started
    int m_maxNumber = 0;
    bool m_finished = false; ///< the final error or the failure summary was seen
    int m_summaryState = 0; ///< 0 outside, 1 inside the "------" failure block, 2 after it
    QString m_summaryLabel; ///< " > [stage k/n] ...:" of the failure summary
    bool m_warningsList = false; ///< inside " N warnings found" list
    bool m_orphanSummary = false;
    QString m_orphanWhere;
    int m_orphanLine = 0;
    bool m_tooManyVertices = false;
    int m_errorLine = 0; ///< line of the first vertex ERROR
    bool m_doneAfterError = false; ///< a vertex completed after that error: the build went on
    // Over the whole file (not reset per build): vertices whose header came before any completion, and
    // vertices that completed before any header.
    int m_headerFirst = 0;
    int m_statusFirst = 0;
};

} // namespace Stagelens
