#include "buildrecordinfo.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>

namespace Stagelens {

namespace {

QJsonValue optionalString(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QJsonValue optionalInt(const std::optional<int> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalTime(const std::optional<double> &epoch)
{
    return epoch ? QJsonValue(epochToIsoString(*epoch)) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString epochToIsoString(double epoch)
{
    const qint64 ms = qint64(std::llround(epoch * 1000.0));
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject toJson(const BuildRecordInfo &record)
{
    QJsonObject o;
    o.insert(QStringLiteral("ref"), optionalString(record.ref));
    o.insert(QStringLiteral("name"), optionalString(record.name));
    o.insert(QStringLiteral("target"), optionalString(record.target));
    o.insert(QStringLiteral("filename"), optionalString(record.filename));
    QJsonObject args;
    for (auto it = record.buildArgs.constBegin(); it != record.buildArgs.constEnd(); ++it)
        args.insert(it.key(), it.value());
    o.insert(QStringLiteral("build_args"), args);
    o.insert(QStringLiteral("vcs_revision"), optionalString(record.vcsRevision));
    o.insert(QStringLiteral("vcs_source"), optionalString(record.vcsSource));
    o.insert(QStringLiteral("platform"), optionalString(record.platform));
    o.insert(QStringLiteral("platforms"), QJsonArray::fromStringList(record.platforms));
    o.insert(QStringLiteral("created"), optionalTime(record.created));
    o.insert(QStringLiteral("completed"), optionalTime(record.completed));
    o.insert(QStringLiteral("total_steps"), optionalInt(record.totalSteps));
    o.insert(QStringLiteral("cached_steps"), optionalInt(record.cachedSteps));
    o.insert(QStringLiteral("completed_steps"), optionalInt(record.completedSteps));
    o.insert(QStringLiteral("warning_count"), optionalInt(record.warningCount));
    o.insert(QStringLiteral("error"), optionalString(record.error));
    o.insert(QStringLiteral("error_file"), optionalString(record.errorFile));
    o.insert(
        QStringLiteral("error_line"), record.errorLine > 0 ? QJsonValue(record.errorLine) : QJsonValue());
    // The Dockerfile text itself stays out of `log --json` (`dockerfile FILE.dockerbuild` reads it).
    o.insert(QStringLiteral("dockerfile"),
        optionalString(record.dockerfile.isEmpty() ? QString()
                : record.dockerfileName.isEmpty()  ? QStringLiteral("Dockerfile")
                                                   : record.dockerfileName));
    QJsonArray warnings;
    for (const RecordWarning &w : record.warnings) {
        QJsonObject jw;
        jw.insert(QStringLiteral("text"), w.text);
        jw.insert(QStringLiteral("level"), w.level);
        jw.insert(QStringLiteral("file"), optionalString(w.file));
        jw.insert(QStringLiteral("line"), w.line > 0 ? QJsonValue(w.line) : QJsonValue());
        jw.insert(QStringLiteral("end_line"), w.endLine > 0 ? QJsonValue(w.endLine) : QJsonValue());
        jw.insert(QStringLiteral("url"), optionalString(w.url));
        jw.insert(QStringLiteral("vertex"), optionalString(w.vertex));
        warnings.append(jw);
    }
    o.insert(QStringLiteral("warnings"), warnings);
    return o;
}

} // namespace Stagelens
