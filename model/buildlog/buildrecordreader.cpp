#include "buildrecordreader.h"

#include "logformatparser.h"
#include "model/core/lazylibrary.h"
#include "record/recordarchive.h"
#include "record/recordmetadata.h"
#include "record/recordstatusstream.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <openssl/sha.h>
#include <utility>

namespace Stagelens {

namespace {

// OpenSSL's libcrypto is opened on first use (model/core/lazylibrary.h): only build records are hashed.
struct Crypto
{
    LazyLibrary library {STAGELENS_LIBCRYPTO_SONAME};
    STAGELENS_LAZY_FUNCTION(SHA256);
};

// SHA-256 of `bytes` into `digest`; false when libcrypto cannot be had.
bool sha256(const QByteArray &bytes, unsigned char *digest)
{
    static const Crypto crypto;
    if (!crypto.SHA256)
        return false;
    crypto.SHA256(reinterpret_cast<const unsigned char *>(bytes.constData()), size_t(bytes.size()), digest);
    return true;
}

// Caps against hostile or broken input; real records are kilobytes to a few megabytes.
constexpr qint64 MaxTraversed = qint64(4) << 30; // uncompressed bytes walked through per pass
constexpr qint64 MaxSmallBlob = 1 << 20; // the first pass keeps every blob up to this size
constexpr qint64 MaxJsonBlob = 16 << 20; // index.json, OCI indexes and manifests, the record JSON
constexpr qint64 MaxStatusBlob = 256 << 20; // the progress stream
constexpr qint64 MaxProvenanceBlob = 64 << 20;
constexpr qint64 MaxHeldBytes = qint64(1) << 30; // every blob held at once
// The first pass also keeps larger blobs while they fit in this: the progress stream is then read with
// everything else, and the archive is inflated once instead of twice (half the time of a 100 MB record).
constexpr qint64 FirstPassHeld = 256 << 20;
constexpr qint64 MaxRecordInZip = 512 << 20;
constexpr int MaxEntries = 100000;
constexpr int MaxIndexDepth = 4;
constexpr int MaxPasses = 4;
constexpr int MaxDigestWarnings = 5;

const QLatin1StringView OciIndex("application/vnd.oci.image.index.v1+json");
const QLatin1StringView RecordConfig("application/vnd.buildkit.historyrecord.v0");
const QLatin1StringView StatusLayer("application/vnd.buildkit.status.v0");
const QLatin1StringView ProvenanceLayer("application/vnd.in-toto+json");
const QLatin1StringView ReferenceAnnotation("vnd.buildkit.history.reference");

using Progress = std::function<bool(int)>;

/// One record found through index.json: its manifest and the reference its index annotated it with.
struct RecordEntry
{
    QString manifest;
    QString reference;
};

/// Reads the records of one tar (gzip'd or not) into `result`.
class RecordTarReader
{
public:
    RecordTarReader(ArchiveSource source, QString label, BuildLogResult *result, Progress progress)
        : m_source(std::move(source))
        , m_label(std::move(label))
        , m_result(result)
        , m_progress(std::move(progress))
        , m_total(std::max<qint64>(1, m_source.size()))
    { }

    bool canceled() const { return m_canceled; }

    void read()
    {
        // Pass 1 keeps index.json and the small blobs (indexes, manifests and record JSON are small, and
        // come in any order in the tar); later passes fetch the large blobs that turned out to be needed.
        // A damaged archive is read up to the damage, and what was read is used.
        const bool whole = pass({}, 0, 700);
        if (m_canceled)
            return;
        const bool hasIndex = m_blobs.contains(QStringLiteral("index.json"));
        if (!hasIndex && m_blobs.isEmpty()) {
            if (whole)
                error(m_entries == 0 ? QStringLiteral("not a build record: the archive is empty")
                                     : QStringLiteral("not a build record: no index.json in the archive"));
            return;
        }
        if (!hasIndex)
            warning(QStringLiteral("no index.json (the file is cut short?): records are looked for among the "
                                   "manifests that were read"));
        QList<RecordEntry> records;
        for (int round = 0; round < MaxPasses; ++round) {
            QSet<QString> needed;
            records = hasIndex ? findRecords(&needed) : manifestsAmongBlobs();
            for (const RecordEntry &r : std::as_const(records))
                neededByRecord(r, &needed);
            if (needed.isEmpty() || round + 1 == MaxPasses)
                break;
            const int from = 700 + 250 * round / MaxPasses;
            // A damaged archive fails every pass at the same place: one more try got what lies before it.
            if (!pass(needed, from, from + 250 / MaxPasses) || m_canceled)
                break;
        }
        if (m_canceled)
            return;
        for (const QString &problem : std::as_const(m_problems))
            error(problem);
        if (records.isEmpty() && m_problems.isEmpty() && hasIndex)
            error(QStringLiteral("no build record in the archive (index.json lists no record manifest)"));
        QList<BuildRun> runs;
        for (const RecordEntry &r : std::as_const(records)) {
            if (runs.size() + m_result->builds.size() >= MaxBuildsPerFile) {
                warning(QStringLiteral("more than %1 records: the rest were not read").arg(MaxBuildsPerFile));
                break;
            }
            runs.append(readRecord(r));
        }
        // Oldest first, as builds appear in a log; records in an index come in reference order.
        std::stable_sort(runs.begin(), runs.end(), [](const BuildRun &a, const BuildRun &b) {
            return a.record->created.value_or(0) < b.record->created.value_or(0);
        });
        for (BuildRun &run : runs) {
            run.index = int(m_result->builds.size());
            m_result->builds.append(std::move(run));
        }
    }

private:
    void error(const QString &message) { diagnose(Severity::Error, message); }
    void warning(const QString &message) { diagnose(Severity::Warning, message); }
    void diagnose(Severity severity, const QString &message)
    {
        if (m_result->diagnostics.size() >= 500)
            return;
        m_result->diagnostics.append({severity, QString(), 0, 0,
            m_label.isEmpty() ? message : m_label + QStringLiteral(": ") + message});
    }

    /// Walks the archive once, keeping index.json and the small blobs (first pass) or the `wanted` ones.
    /// False when the archive could not be read to its end (the error is reported).
    bool pass(const QSet<QString> &wanted, int progressFrom, int progressTo)
    {
        const bool first = wanted.isEmpty();
        ArchiveReader archive(ArchiveFormat::Tar, MaxTraversed);
        if (!archive.open(m_source)) {
            if (!m_damaged)
                error(QStringLiteral("cannot read the archive: %1").arg(archive.error()));
            m_damaged = true;
            return false;
        }
        ArchiveEntry entry;
        int entries = 0;
        while (archive.next(&entry)) {
            if (++entries > MaxEntries) {
                error(QStringLiteral("more than %1 files in the archive: the rest were not read")
                          .arg(MaxEntries));
                return false;
            }
            if (m_progress
                && !m_progress(progressFrom
                    + int((progressTo - progressFrom) * std::min<qint64>(archive.consumed(), m_total)
                        / m_total))) {
                m_canceled = true;
                return false;
            }
            QString key;
            if (entry.name == QLatin1String("index.json")) {
                if (!first)
                    continue;
                key = entry.name;
            } else if (entry.name.startsWith(QLatin1String("blobs/"))) {
                const QStringList parts = entry.name.split(QLatin1Char('/'));
                if (parts.size() != 3 || parts.at(1).isEmpty() || parts.at(2).isEmpty())
                    continue;
                key = parts.at(1) + QLatin1Char(':') + parts.at(2);
                m_sizes.insert(key, entry.size);
                const bool keep = first ? entry.size >= 0
                        && (entry.size <= MaxSmallBlob
                            || (entry.size <= MaxStatusBlob && m_held + entry.size <= FirstPassHeld))
                                        : wanted.contains(key);
                if (m_blobs.contains(key) || !keep)
                    continue;
            } else {
                continue; // oci-layout and anything else
            }
            const qint64 cap = key == QLatin1String("index.json") ? MaxJsonBlob
                : first && entry.size > MaxSmallBlob              ? MaxStatusBlob
                                                                  : capOf(key, wanted);
            if (m_held + std::max<qint64>(0, entry.size) > MaxHeldBytes) {
                error(QStringLiteral("%1: not read, the record's blobs exceed %2 MiB in all")
                          .arg(key)
                          .arg(MaxHeldBytes >> 20));
                continue;
            }
            bool complete = false;
            QByteArray bytes = archive.read(cap + 1, &complete, entry.size);
            if (!archive.error().isEmpty())
                break;
            if (bytes.size() > cap) {
                error(QStringLiteral("%1: larger than %2 MiB, not read").arg(key).arg(cap >> 20));
                continue;
            }
            checkDigest(key, bytes);
            m_held += bytes.size();
            m_blobs.insert(key, std::move(bytes));
        }
        m_entries = std::max(m_entries, entries);
        if (!archive.error().isEmpty()) {
            // Every pass stops at the same damage: say it once.
            if (!m_damaged) {
                error(QStringLiteral("damaged archive (%1); what could be read before it is shown")
                          .arg(archive.error()));
                m_damaged = true;
            }
            return false;
        }
        return true;
    }

    /// Without index.json: the held blobs that are image manifests of history records, in digest order.
    QList<RecordEntry> manifestsAmongBlobs()
    {
        QStringList digests;
        for (auto it = m_blobs.constBegin(); it != m_blobs.constEnd(); ++it) {
            if (!it.value().startsWith('{')
                || !it.value().contains("application/vnd.buildkit.historyrecord.v0"))
                continue;
            const QJsonObject manifest = QJsonDocument::fromJson(it.value()).object();
            if (manifest.value(QStringLiteral("config"))
                    .toObject()
                    .value(QStringLiteral("mediaType"))
                    .toString()
                == RecordConfig)
                digests.append(it.key());
        }
        digests.sort();
        QList<RecordEntry> records;
        for (const QString &digest : std::as_const(digests))
            records.append({digest, QString()});
        return records;
    }

    /// How much of a wanted blob may be read: set when it was asked for (by kind), else the JSON cap.
    qint64 capOf(const QString &key, const QSet<QString> &wanted) const
    {
        if (!wanted.contains(key))
            return MaxJsonBlob;
        return m_caps.value(key, MaxJsonBlob);
    }

    void checkDigest(const QString &key, const QByteArray &bytes)
    {
        if (!key.startsWith(QLatin1String("sha256:")))
            return;
        // OpenSSL's SHA-256 uses the CPU's SHA instructions: ~10x Qt 6.4's own code, which was a third of the
        // time of opening a 100 MB record.
        unsigned char digest[SHA256_DIGEST_LENGTH];
        if (!sha256(bytes, digest)) {
            if (!std::exchange(m_digestsUnchecked, true))
                warning(QStringLiteral(
                    "the blobs' digests are not checked: libcrypto (OpenSSL) is not available"));
            return;
        }
        const QByteArray actual =
            QByteArray::fromRawData(reinterpret_cast<const char *>(digest), sizeof digest).toHex();
        if (QLatin1String(actual) != QStringView(key).mid(7) && ++m_digestWarnings <= MaxDigestWarnings)
            warning(QStringLiteral("%1 does not match its digest: the file is damaged").arg(key));
    }

    /// The blob `digest` when it is held; else, when the archive has it within `cap`, notes it as needed.
    const QByteArray *blob(const QString &digest, qint64 cap, QSet<QString> *needed)
    {
        const auto it = m_blobs.constFind(digest);
        if (it != m_blobs.constEnd())
            return it->size() <= cap ? &*it : nullptr; // held by the first pass, but too large for this use
        const qint64 size = m_sizes.value(digest, -2);
        if (needed && size != -2 && size <= cap) {
            needed->insert(digest);
            m_caps.insert(digest, cap);
        }
        return nullptr;
    }

    /// A JSON blob; when it cannot be had, `problem` says why ("is missing from the archive").
    QJsonObject jsonBlob(const QString &digest, QSet<QString> *needed, QString *problem)
    {
        const QByteArray *bytes = blob(digest, MaxJsonBlob, needed);
        if (!bytes) {
            *problem = m_sizes.contains(digest) ? QStringLiteral("could not be read")
                                                : QStringLiteral("is missing from the archive");
            return {};
        }
        const QJsonDocument doc = QJsonDocument::fromJson(*bytes);
        if (!doc.isObject())
            *problem = QStringLiteral("is not a JSON object");
        return doc.object();
    }

    /// Walks index.json (and nested OCI indexes) to the record manifests, noting in `needed` what a further
    /// pass should read and in m_problems what cannot be had.
    QList<RecordEntry> findRecords(QSet<QString> *needed)
    {
        QList<RecordEntry> records;
        QSet<QString> visited;
        m_problems.clear();
        const QJsonDocument index = QJsonDocument::fromJson(m_blobs.value(QStringLiteral("index.json")));
        if (!index.isObject()) {
            m_problems.insert(QStringLiteral("index.json is not a JSON object"));
            return records;
        }
        walkIndex(index.object(), 0, &visited, &records, needed);
        return records;
    }

    void walkIndex(const QJsonObject &index, int depth, QSet<QString> *visited, QList<RecordEntry> *records,
        QSet<QString> *needed)
    {
        for (const QJsonValue &value : index.value(QStringLiteral("manifests")).toArray()) {
            const QJsonObject descriptor = value.toObject();
            const QString digest = descriptor.value(QStringLiteral("digest")).toString();
            if (digest.isEmpty() || visited->contains(digest) || records->size() >= MaxBuildsPerFile)
                continue;
            visited->insert(digest);
            const QString mediaType = descriptor.value(QStringLiteral("mediaType")).toString();
            if (mediaType == OciIndex) {
                if (depth >= MaxIndexDepth)
                    continue;
                QString problem;
                const QJsonObject nested = jsonBlob(digest, needed, &problem);
                if (!problem.isEmpty()) {
                    m_problems.insert(QStringLiteral("the index %1 %2").arg(digest, problem));
                    continue;
                }
                walkIndex(nested, depth + 1, visited, records, needed);
            } else {
                const QString reference = descriptor.value(QStringLiteral("annotations"))
                                              .toObject()
                                              .value(ReferenceAnnotation)
                                              .toString();
                records->append({digest, reference});
            }
        }
    }

    /// Notes the blobs a record needs that are not held yet: manifest, config, progress and provenance.
    void neededByRecord(const RecordEntry &record, QSet<QString> *needed)
    {
        QString problem;
        const QJsonObject manifest = jsonBlob(record.manifest, needed, &problem);
        if (manifest.isEmpty())
            return;
        const QJsonObject config = manifest.value(QStringLiteral("config")).toObject();
        blob(config.value(QStringLiteral("digest")).toString(), MaxJsonBlob, needed);
        for (const QJsonValue &value : manifest.value(QStringLiteral("layers")).toArray()) {
            const QJsonObject layer = value.toObject();
            const QString mediaType = layer.value(QStringLiteral("mediaType")).toString();
            const QString digest = layer.value(QStringLiteral("digest")).toString();
            if (mediaType == StatusLayer)
                blob(digest, MaxStatusBlob, needed);
            else if (mediaType == ProvenanceLayer)
                blob(digest, MaxProvenanceBlob, needed);
            // The OpenTelemetry trace, results, errors and anything newer are not read.
        }
    }

    BuildRun readRecord(const RecordEntry &entry)
    {
        BuildRun run;
        run.format = LogFormat::Record;
        BuildRecordInfo info;
        info.ref = entry.reference;
        QString name = entry.reference.isEmpty() ? entry.manifest : entry.reference;

        QString problem;
        const QJsonObject manifest = jsonBlob(entry.manifest, nullptr, &problem);
        if (!problem.isEmpty())
            error(QStringLiteral("record %1: its manifest %2 %3").arg(name, entry.manifest, problem));
        const QJsonObject config = manifest.value(QStringLiteral("config")).toObject();
        const QString configDigest = config.value(QStringLiteral("digest")).toString();
        if (!manifest.isEmpty() && config.value(QStringLiteral("mediaType")).toString() != RecordConfig)
            warning(QStringLiteral("record %1: its config is not a BuildKit history record (%2)")
                        .arg(name, config.value(QStringLiteral("mediaType")).toString()));
        if (const QByteArray *json = blob(configDigest, MaxJsonBlob, nullptr)) {
            QString why;
            if (!parseRecordConfig(*json, &info, &why))
                error(QStringLiteral("record %1: the record JSON %2 is %3").arg(name, configDigest, why));
            if (info.ref.isEmpty())
                info.ref = entry.reference;
            else if (entry.reference.isEmpty())
                name = info.ref;
        } else if (!manifest.isEmpty()) {
            error(QStringLiteral("record %1: the record JSON %2 is missing or unreadable")
                      .arg(name, configDigest));
        }

        StatusStreamOptions options;
        options.buildStart = info.created;
        options.buildOver = info.completed.has_value() || !info.error.isEmpty();
        bool sawStatus = false;
        StatusStreamResult stream;
        QList<RecordWarning> warnings;
        for (const QJsonValue &value : manifest.value(QStringLiteral("layers")).toArray()) {
            const QJsonObject layer = value.toObject();
            const QString mediaType = layer.value(QStringLiteral("mediaType")).toString();
            const QString digest = layer.value(QStringLiteral("digest")).toString();
            if (mediaType == StatusLayer && !sawStatus) {
                sawStatus = true;
                const QByteArray *bytes = blob(digest, MaxStatusBlob, nullptr);
                if (!bytes) {
                    error(QStringLiteral("record %1: its progress stream %2 is missing or unreadable")
                              .arg(name, digest));
                    continue;
                }
                stream = decodeStatusStream(*bytes, options, &run, &warnings);
                if (!stream.error.isEmpty()) {
                    error(
                        QStringLiteral("record %1: progress stream %2: %3").arg(name, digest, stream.error));
                    run.truncated = true;
                }
                if (stream.outputCut)
                    warning(QStringLiteral("record %1: some step output was cut to stay within memory limits")
                                .arg(name));
            } else if (mediaType == ProvenanceLayer) {
                const QByteArray *bytes = blob(digest, MaxProvenanceBlob, nullptr);
                QString why;
                if (!bytes)
                    warning(QStringLiteral("record %1: its provenance %2 is missing or unreadable")
                                .arg(name, digest));
                else if (!parseProvenance(*bytes, &info, &why))
                    warning(QStringLiteral("record %1: its provenance %2 is %3").arg(name, digest, why));
            }
        }
        if (!sawStatus && !manifest.isEmpty())
            warning(QStringLiteral("record %1 has no progress stream: no steps to show").arg(name));

        info.warnings = std::move(warnings);
        run.startEpoch = stream.zero ? stream.zero : info.created;
        if (info.created && info.completed && *info.completed >= *info.created)
            run.duration = *info.completed - *info.created;
        else if (stream.zero && stream.lastEpoch)
            run.duration = *stream.lastEpoch - *stream.zero;
        run.error = info.error;
        if (run.error.isEmpty() && run.failedVertex >= 0)
            run.error = run.vertices.at(run.failedVertex).error;
        run.record = std::move(info);
        return run;
    }

    ArchiveSource m_source;
    QString m_label; ///< the record's name inside a ZIP, prefixed to messages
    BuildLogResult *m_result;
    Progress m_progress;
    qint64 m_total;
    QHash<QString, QByteArray> m_blobs; ///< "sha256:<hex>" (and "index.json") -> bytes held
    QHash<QString, qint64> m_sizes; ///< every blob in the archive -> its size
    QHash<QString, qint64> m_caps; ///< blobs a later pass should read -> their cap
    QSet<QString> m_problems; ///< what the last walk of the index could not reach
    qint64 m_held = 0;
    int m_entries = 0;
    int m_digestWarnings = 0;
    bool m_digestsUnchecked = false;
    bool m_canceled = false;
    bool m_damaged = false; ///< the damage was reported
};

/// Reads every record a ZIP holds (the artifact of older docker/build-push-action versions).
void readZip(const ArchiveSource &source, BuildLogResult *result, const Progress &progress)
{
    ArchiveReader zip(ArchiveFormat::Zip, MaxTraversed);
    if (!zip.open(source)) {
        result->diagnostics.append(
            {Severity::Error, QString(), 0, 0, QStringLiteral("cannot read the ZIP: %1").arg(zip.error())});
        return;
    }
    const qint64 total = std::max<qint64>(1, source.size());
    ArchiveEntry entry;
    int entries = 0;
    int found = 0;
    bool canceled = false;
    while (!canceled && zip.next(&entry) && ++entries <= MaxEntries) {
        bool complete = false;
        QByteArray bytes = zip.read(512, &complete);
        if (detectArchiveFormat(bytes) != ArchiveFormat::Tar)
            continue; // not a record (a ZIP inside a ZIP is not looked into)
        if (!complete)
            bytes += zip.read(MaxRecordInZip + 1 - bytes.size(), &complete);
        if (!zip.error().isEmpty())
            break;
        if (bytes.size() > MaxRecordInZip) {
            result->diagnostics.append({Severity::Error, QString(), 0, 0,
                QStringLiteral("%1: larger than %2 MiB, not read")
                    .arg(entry.name)
                    .arg(MaxRecordInZip >> 20)});
            continue;
        }
        ++found;
        const int base = int(900 * std::min<qint64>(zip.consumed(), total) / total);
        RecordTarReader reader({QString(), std::move(bytes)}, entry.name, result,
            [&](int value) { return !progress || progress(std::min(base + value / 10, 1000)); });
        reader.read();
        canceled = reader.canceled();
    }
    if (!zip.error().isEmpty())
        result->diagnostics.append({Severity::Error, QString(), 0, 0,
            QStringLiteral("damaged ZIP (%1); what could be read before it is shown").arg(zip.error())});
    else if (found == 0 && !canceled)
        result->diagnostics.append(
            {Severity::Error, QString(), 0, 0, QStringLiteral("no build record in the ZIP")});
}

BuildLogResult readRecordSource(const ArchiveSource &source, QByteArrayView head, const Progress &progress)
{
    BuildLogResult result;
    bool canceled = false;
    const Progress watched = [&](int value) {
        canceled = progress && !progress(value);
        return !canceled;
    };
    if (detectArchiveFormat(head) == ArchiveFormat::Zip) {
        readZip(source, &result, watched);
    } else {
        RecordTarReader reader(source, QString(), &result, watched);
        reader.read();
    }
    if (canceled)
        result.diagnostics.append(
            {Severity::Warning, QString(), 0, 0, QStringLiteral("reading was cancelled")});
    else if (progress)
        progress(1000);
    return result;
}

} // namespace

bool looksLikeBuildRecord(QByteArrayView head)
{
    return detectArchiveFormat(head) != ArchiveFormat::Unknown;
}

BuildLogResult readBuildRecordFile(const QString &path, const Progress &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        BuildLogResult result;
        result.diagnostics.append(
            {Severity::Error, path, 0, 0, QStringLiteral("cannot open: %1").arg(file.errorString())});
        return result;
    }
    const QByteArray head = file.read(512);
    file.close();
    return readRecordSource({path, {}}, head, progress);
}

BuildLogResult readBuildRecordData(const QByteArray &bytes, const Progress &progress)
{
    return readRecordSource(
        {QString(), bytes}, QByteArrayView(bytes).first(std::min<qsizetype>(bytes.size(), 512)), progress);
}

} // namespace Stagelens
