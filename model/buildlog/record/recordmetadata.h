#pragma once

// The JSON parts of a build record: the record itself (the manifest's config,
// application/vnd.buildkit.historyrecord.v0) and the provenance attestation (application/vnd.in-toto+json,
// SLSA v0.2 or v1) that carries the Dockerfile source. QJsonDocument: these are kilobytes, read once.

#include "model/buildlog/buildrecordinfo.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Stagelens {

/// Fills `info` from the record JSON. False (with `error`) when it is not a JSON object.
bool parseRecordConfig(const QByteArray &json, BuildRecordInfo *info, QString *error);

/// Takes the Dockerfile source out of a provenance predicate (or an in-toto statement around one), and the
/// platform when the record named none. False (with `error`) when it is not JSON; true without a Dockerfile
/// when the provenance carries none.
bool parseProvenance(const QByteArray &json, BuildRecordInfo *info, QString *error);

/// Seconds since the epoch of an RFC 3339 string, or of a {seconds, nanos} object; empty for Go's zero time
/// and anything else.
std::optional<double> recordTime(const QJsonValue &value);

} // namespace Stagelens
