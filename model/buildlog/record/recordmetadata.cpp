#include "recordmetadata.h"

#include "model/buildlog/lineunwrapper.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace Stagelens {

namespace {

// A Dockerfile is kilobytes; anything near this is not one, and must not be copied around.
constexpr qsizetype MaxDockerfileBytes = 16 << 20;

QJsonObject parseObject(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error =
            QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset);
        return {};
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("not a JSON object");
        return {};
    }
    return doc.object();
}

std::optional<int> optionalInt(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    if (v.isDouble())
        return v.toInt();
    if (v.isString()) { // protojson writes 64-bit numbers as strings; be lenient with the others too
        bool ok = false;
        const int n = v.toString().toInt(&ok);
        if (ok)
            return n;
    }
    return std::nullopt;
}

QByteArray decodeBase64Value(const QJsonValue &value, qsizetype maxBytes)
{
    const QString text = value.toString();
    if (text.isEmpty() || text.size() / 4 * 3 > maxBytes)
        return {};
    const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1());
    return decoded ? *decoded : QByteArray();
}

/// First line of the first range of a `ranges` array ([{start:{line}, end:{line}}]).
void firstRange(const QJsonArray &ranges, int *line, int *endLine)
{
    const QJsonObject range = ranges.first().toObject();
    *line =
        std::max(0, range.value(QStringLiteral("start")).toObject().value(QStringLiteral("line")).toInt());
    *endLine =
        std::max(*line, range.value(QStringLiteral("end")).toObject().value(QStringLiteral("line")).toInt());
}

/// The error's details: where in the Dockerfile it points (errdefs.Source), and that source itself.
void readErrorDetails(const QJsonArray &details, BuildRecordInfo *info, QByteArray *errorSource)
{
    for (const QJsonValue &detail : details) {
        const QJsonObject d = detail.toObject();
        if (!d.value(QStringLiteral("type_url")).toString().endsWith(QLatin1String("errdefs.Source+json")))
            continue;
        const QByteArray json = decodeBase64Value(d.value(QStringLiteral("value")), 2 * MaxDockerfileBytes);
        const QJsonObject source = QJsonDocument::fromJson(json).object();
        const QJsonObject sourceInfo = source.value(QStringLiteral("info")).toObject();
        info->errorFile = sourceInfo.value(QStringLiteral("filename")).toString();
        int end = 0;
        firstRange(source.value(QStringLiteral("ranges")).toArray(), &info->errorLine, &end);
        *errorSource = decodeBase64Value(sourceInfo.value(QStringLiteral("data")), MaxDockerfileBytes);
        return;
    }
}

/// The `source.infos` of BuildKit's provenance metadata, wherever the SLSA version puts them.
QJsonArray sourceInfos(const QJsonObject &predicate)
{
    // SLSA v0.2: metadata["https://mobyproject.org/buildkit@v1#metadata"].source.infos
    QJsonObject buildkit = predicate.value(QStringLiteral("metadata"))
                               .toObject()
                               .value(QStringLiteral("https://mobyproject.org/buildkit@v1#metadata"))
                               .toObject();
    // SLSA v1: runDetails.metadata.buildkit_metadata.source.infos
    if (buildkit.isEmpty())
        buildkit = predicate.value(QStringLiteral("runDetails"))
                       .toObject()
                       .value(QStringLiteral("metadata"))
                       .toObject()
                       .value(QStringLiteral("buildkit_metadata"))
                       .toObject();
    return buildkit.value(QStringLiteral("source")).toObject().value(QStringLiteral("infos")).toArray();
}

QString baseName(const QString &path)
{
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

} // namespace

std::optional<double> recordTime(const QJsonValue &value)
{
    double epoch = 0;
    if (value.isString()) {
        const QByteArray text = value.toString().toUtf8();
        if (parseIsoTimestamp(text, &epoch) != text.size())
            return std::nullopt;
    } else if (value.isObject()) {
        const QJsonObject o = value.toObject();
        const QJsonValue seconds = o.value(QStringLiteral("seconds"));
        const double s = seconds.isString() ? seconds.toString().toDouble() : seconds.toDouble();
        const QJsonValue nanos = o.value(QStringLiteral("nanos"));
        const double n = nanos.isString() ? nanos.toString().toDouble() : nanos.toDouble();
        epoch = s + n / 1e9;
    } else {
        return std::nullopt;
    }
    // Go's zero time ("0001-01-01T00:00:00Z") and other nonsense mean "not set".
    if (!(epoch > 0) || epoch > 1e11)
        return std::nullopt;
    return epoch;
}

bool parseRecordConfig(const QByteArray &json, BuildRecordInfo *info, QString *error)
{
    const QJsonObject record = parseObject(json, error);
    if (!error->isEmpty())
        return false;
    info->ref = record.value(QStringLiteral("Ref")).toString();
    const QJsonObject attrs = record.value(QStringLiteral("FrontendAttrs")).toObject();
    for (auto it = attrs.constBegin(); it != attrs.constEnd(); ++it) {
        const QString value = it.value().toString();
        info->frontendAttrs.insert(it.key(), value);
        if (it.key().startsWith(QLatin1String("build-arg:")))
            info->buildArgs.insert(it.key().mid(10), value);
    }
    info->target = attrs.value(QStringLiteral("target")).toString();
    info->filename = attrs.value(QStringLiteral("filename")).toString();
    info->vcsRevision = attrs.value(QStringLiteral("vcs:revision")).toString();
    info->vcsSource = attrs.value(QStringLiteral("vcs:source")).toString();
    const QString requested = attrs.value(QStringLiteral("platform")).toString();
    if (!requested.isEmpty()) {
        info->platform = requested;
        for (const QString &p : requested.split(QLatin1Char(','), Qt::SkipEmptyParts))
            info->platforms.append(p.trimmed());
    } else {
        info->platform = record.value(QStringLiteral("DefaultPlatform")).toString();
    }
    info->name =
        record.value(QStringLiteral("localState")).toObject().value(QStringLiteral("Target")).toString();
    info->created = recordTime(record.value(QStringLiteral("CreatedAt")));
    info->completed = recordTime(record.value(QStringLiteral("CompletedAt")));

    // The counts are omitted when zero (Go's omitempty): present together, or all absent in records of
    // BuildKits that did not count.
    info->totalSteps = optionalInt(record, QStringLiteral("numTotalSteps"));
    info->cachedSteps = optionalInt(record, QStringLiteral("numCachedSteps"));
    info->completedSteps = optionalInt(record, QStringLiteral("numCompletedSteps"));
    info->warningCount = optionalInt(record, QStringLiteral("numWarnings"));
    if (info->totalSteps || info->cachedSteps || info->completedSteps) {
        info->totalSteps = info->totalSteps.value_or(0);
        info->cachedSteps = info->cachedSteps.value_or(0);
        info->completedSteps = info->completedSteps.value_or(0);
        info->warningCount = info->warningCount.value_or(0);
    }

    const QJsonValue errorValue = record.value(QStringLiteral("error"));
    if (errorValue.isObject()) {
        const QJsonObject e = errorValue.toObject();
        info->error = e.value(QStringLiteral("message")).toString();
        if (info->error.isEmpty())
            info->error =
                QStringLiteral("build failed (error code %1)").arg(e.value(QStringLiteral("code")).toInt());
        QByteArray source;
        readErrorDetails(e.value(QStringLiteral("details")).toArray(), info, &source);
        // A build that failed before it produced provenance still names its Dockerfile in the error.
        if (info->dockerfile.isEmpty() && !source.isEmpty()) {
            info->dockerfile = QString::fromUtf8(source);
            info->dockerfileName = info->errorFile;
        }
    } else if (errorValue.isString()) {
        info->error = errorValue.toString();
    }
    return true;
}

bool parseProvenance(const QByteArray &json, BuildRecordInfo *info, QString *error)
{
    QJsonObject predicate = parseObject(json, error);
    if (!error->isEmpty())
        return false;
    // An in-toto statement wraps the predicate; the record's layer is usually the bare predicate.
    if (predicate.contains(QStringLiteral("predicate")))
        predicate = predicate.value(QStringLiteral("predicate")).toObject();

    const QJsonArray infos = sourceInfos(predicate);
    // The Dockerfile is the info in language "Dockerfile", else the one named as the request named it.
    qsizetype chosen = -1;
    for (qsizetype i = 0; i < infos.size() && chosen < 0; ++i) {
        if (infos.at(i).toObject().value(QStringLiteral("language")).toString()
            == QLatin1String("Dockerfile"))
            chosen = i;
    }
    for (qsizetype i = 0; i < infos.size() && chosen < 0; ++i) {
        const QString name = infos.at(i).toObject().value(QStringLiteral("filename")).toString();
        if (!name.isEmpty()
            && baseName(name)
                == baseName(info->filename.isEmpty() ? QStringLiteral("Dockerfile") : info->filename))
            chosen = i;
    }
    if (chosen < 0 && infos.size() == 1)
        chosen = 0;
    if (chosen >= 0) {
        const QJsonObject source = infos.at(chosen).toObject();
        const QByteArray data = decodeBase64Value(source.value(QStringLiteral("data")), MaxDockerfileBytes);
        if (!data.isEmpty()) {
            info->dockerfile = QString::fromUtf8(data);
            info->dockerfileName = source.value(QStringLiteral("filename")).toString();
        }
    }

    if (info->platform.isEmpty()) {
        // v0.2: invocation.environment.platform; v1: buildDefinition.internalParameters.builderPlatform
        // is the builder's, not the target's, so only v0.2 is taken.
        info->platform = predicate.value(QStringLiteral("invocation"))
                             .toObject()
                             .value(QStringLiteral("environment"))
                             .toObject()
                             .value(QStringLiteral("platform"))
                             .toString();
    }
    return true;
}

} // namespace Stagelens
