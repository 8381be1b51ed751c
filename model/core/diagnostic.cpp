#include "diagnostic.h"

#include "jsontext.h"

#include <algorithm>

namespace Stagelens {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        return QStringLiteral("info");
    }
    return QStringLiteral("error");
}

QString Diagnostic::toString() const
{
    QString where = file;
    if (line > 0) {
        where += QLatin1Char(':') + QString::number(line);
        if (column > 0)
            where += QLatin1Char(':') + QString::number(column);
    }
    if (!where.isEmpty())
        where += QLatin1String(": ");
    return where + severityName(severity) + QLatin1String(": ") + message;
}

QJsonObject Diagnostic::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("severity"), severityName(severity));
    if (!file.isEmpty())
        o.insert(QStringLiteral("file"), file);
    o.insert(QStringLiteral("line"), line);
    o.insert(QStringLiteral("column"), column);
    o.insert(QStringLiteral("message"), message);
    if (!code.isEmpty())
        o.insert(QStringLiteral("code"), code);
    return o;
}

void Diagnostic::writeJson(JsonText &json, int level) const
{
    json.beginObject(level);
    if (!code.isEmpty()) {
        json.key("code");
        json.string(code);
    }
    json.key("column");
    json.integer(column);
    if (!file.isEmpty()) {
        json.key("file");
        json.string(file);
    }
    json.key("line");
    json.integer(line);
    json.key("message");
    json.string(message);
    json.key("severity");
    json.string(severityName(severity));
    json.endObject();
}

bool hasErrors(const QList<Diagnostic> &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

} // namespace Stagelens
