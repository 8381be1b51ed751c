#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Stagelens {

class JsonText;

enum class Severity
{
    Error,
    Warning,
    Info
};

/// A problem found in an input file. Line and column are 1-based; 0 means "not applicable".
struct Diagnostic
{
    Diagnostic() = default;
    /// The brace form used everywhere ({severity, file, line, column, message}); `code` is optional.
    Diagnostic(Severity severity, QString file, int line, int column, QString message, QString code = {})
        : severity(severity)
        , file(std::move(file))
        , line(line)
        , column(column)
        , message(std::move(message))
        , code(std::move(code))
    { }

    Severity severity = Severity::Error;
    QString file;
    int line = 0;
    int column = 0;
    QString message;
    QString code; ///< a stable id for checks that scripts look for ("log-dockerfile-mismatch"); may be empty

    /// "file:line:column: error: message", the form compilers use, so editors can jump to it.
    QString toString() const;
    /// The `diagnostics[]` entry shape of shared/CLI.md.
    QJsonObject toJson() const;
    /// toJson()'s text, written as an object whose members are at `level`.
    void writeJson(JsonText &json, int level) const;
};

QString severityName(Severity severity);
bool hasErrors(const QList<Diagnostic> &diagnostics);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::Diagnostic)
