#pragma once

// BuildKit --progress=tty captures: frames "[+] Building 12.3s (16/16) FINISHED" followed by lines
// " => CACHED [deps 2/4] WORKDIR /deps   0.0s", redrawn in place with cursor movement. The last frame holds
// the final status and times; the first frame each vertex appears in dates its start.

#include "logformatparser.h"
#include "vertexlabelcache.h"

#include <QHash>

namespace Stagelens {

class TtyLogParser : public LogFormatParser
{
public:
    TtyLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics);

    static bool claims(QByteArrayView text);

    void feed(const LogLine &line) override;
    void feedOther(const LogLine &line) override;
    void finish(bool endOfFile) override;

private:
    struct Entry
    {
        QString name;
        VertexStatus status = VertexStatus::Running;
        std::optional<double> seconds;
    };

    void header(QByteArrayView text, const LogLine &line);
    void entry(QByteArrayView text, const LogLine &line);
    void closeBuild(bool endOfFile);

    QList<Entry> m_frame; ///< entries of the frame being drawn
    QList<Entry> m_lastComplete; ///< entries of the last frame that was followed by another header
    QHash<QString, double> m_firstSeen; ///< name -> estimated start (frame time minus shown time)
    VertexLabelCache m_labels;
    double m_frameTime = 0; ///< "Building X.Ys" of the current frame
    bool m_frameFinished = false;
    bool m_sawHeader = false;
    QString m_summaryLabel;
    QString m_summaryDetail; ///< last output line quoted in the failure summary
    int m_summaryState = 0;
};

} // namespace Stagelens
