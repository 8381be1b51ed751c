#pragma once

// BuildKit --progress=rawjson: one SolveStatus JSON object per line with "vertexes" (digest, name,
// inputs, started, completed, cached, error), "statuses", "logs" (base64 "data") and "warnings".
// Times are exact; the DAG comes from "inputs". Parsed with simdjson's on-demand API, which keeps a
// 200 MB log well under a second; QJsonDocument would build a DOM per line.

#include "logformatparser.h"

#include <memory>

namespace Stagelens {

struct RawJsonFacts;

class RawJsonLogParser : public LogFormatParser
{
public:
    RawJsonLogParser(QList<BuildRun> *builds, QList<Diagnostic> *diagnostics);
    ~RawJsonLogParser() override;

    static bool claims(QByteArrayView text);

    /// `line.text` must stay readable for `paddingAvailable` bytes past its end (simdjson reads ahead);
    /// with less, the line is copied first.
    void feedJson(const LogLine &line, qsizetype paddingAvailable);
    /// The same for a line whose JSON was already read (RawJsonReader::read): line `index` of `facts`.
    void feedFacts(const LogLine &line, const RawJsonFacts &facts, size_t index);
    void feed(const LogLine &line) override { feedJson(line, 0); }
    void feedOther(const LogLine &line) override;
    void finish(bool endOfFile) override;

    /// Decodes the output of vertex `digest` from the given JSON lines (for the on-demand fetch).
    static QByteArray extractLogs(QByteArrayView jsonLine, const QString &digest);

private:
    struct Private;
    void closeBuild(bool endOfFile);
    std::unique_ptr<Private> d;
};

/// Counts '\n' in base64-encoded data without allocating. Sets `endsWithNewline`.
int countBase64Newlines(QByteArrayView base64, bool *endsWithNewline);
/// Decodes standard base64; invalid characters are skipped.
QByteArray decodeBase64(QByteArrayView base64);

} // namespace Stagelens
