#pragma once

// The classic (pre-BuildKit) builder: "Step 3/9 : RUN ...", " ---> Using cache", " ---> Running in ...",
// " ---> 1a2b3c4d5e6f", "The command '...' returned a non-zero code: 1". It prints no durations; wall-clock
// times come only from a CI wrapper's stamps.

#include "logformatparser.h"

namespace Stagelens {

class LegacyLogParser : public LogFormatParser
{
public:
    LegacyLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics);

    static bool claims(QByteArrayView text);

    void feed(const LogLine &line) override;
    void feedOther(const LogLine &line) override;
    void finish(bool endOfFile) override;

private:
    void closeStep(const LogLine &line);
    void closeBuild(bool endOfFile);

    int m_current = -1; ///< index of the open step
    std::optional<double> m_stepStamp; ///< wall clock of the open step's "Step" line
};

} // namespace Stagelens
