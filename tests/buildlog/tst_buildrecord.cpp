// Build records (.dockerbuild) against the real ones in the corpus. The expectations are read here, on their
// own, from the archive (libarchive + QJsonDocument): BuildKit's own step counts, the error, the request
// attributes, and the rawjson-shaped solvestatus.v0 layer of the moby/buildkit record, which repeats the
// first StatusResponse of the protobuf progress stream in JSON. The ZIP form and damaged files are made here
// too.
#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/buildrecordreader.h"
#include "testutils.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

using namespace Stagelens;

namespace {

QStringList recordFiles()
{
    QStringList files;
    QDirIterator it(
        Test::corpusPath(QStringLiteral("dockerbuild")), {QStringLiteral("*.dockerbuild")}, QDir::Files);
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    return files;
}

/// Every file of a tar (gzip'd or not), by name: the test's own reading, not the reader's.
QHash<QString, QByteArray> readArchive(const QString &path)
{
    QHash<QString, QByteArray> files;
    archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), 1 << 16) == ARCHIVE_OK) {
        archive_entry *e = nullptr;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            QByteArray bytes;
            char buffer[1 << 16];
            la_ssize_t n = 0;
            while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0)
                bytes.append(buffer, qsizetype(n));
            files.insert(QString::fromUtf8(archive_entry_pathname(e)), bytes);
        }
    }
    archive_read_free(a);
    return files;
}

QByteArray blob(const QHash<QString, QByteArray> &files, const QString &digest)
{
    return files.value(
        QStringLiteral("blobs/") + QString(digest).replace(QLatin1Char(':'), QLatin1Char('/')));
}

QJsonObject jsonBlob(const QHash<QString, QByteArray> &files, const QString &digest)
{
    return QJsonDocument::fromJson(blob(files, digest)).object();
}

/// What the record JSON itself says.
struct Expected
{
    QString ref;
    QJsonObject record; ///< the historyrecord.v0 config
    QJsonObject manifest;
    int total = 0;
    int cached = 0;
    int completed = 0;
    QString error;
};

void collect(const QHash<QString, QByteArray> &files, const QJsonObject &index, QList<Expected> *out)
{
    for (const QJsonValue &m : index.value(QStringLiteral("manifests")).toArray()) {
        const QJsonObject d = m.toObject();
        const QString digest = d.value(QStringLiteral("digest")).toString();
        if (d.value(QStringLiteral("mediaType")).toString()
            == QLatin1String("application/vnd.oci.image.index.v1+json")) {
            collect(files, jsonBlob(files, digest), out);
            continue;
        }
        Expected e;
        e.manifest = jsonBlob(files, digest);
        e.record = jsonBlob(files,
            e.manifest.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString());
        e.ref = e.record.value(QStringLiteral("Ref")).toString();
        // Go omits zero counts.
        e.total = e.record.value(QStringLiteral("numTotalSteps")).toInt(0);
        e.cached = e.record.value(QStringLiteral("numCachedSteps")).toInt(0);
        e.completed = e.record.value(QStringLiteral("numCompletedSteps")).toInt(0);
        e.error =
            e.record.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        out->append(e);
    }
}

QList<Expected> expectedRecords(const QString &path)
{
    const QHash<QString, QByteArray> files = readArchive(path);
    QList<Expected> out;
    collect(files, QJsonDocument::fromJson(files.value(QStringLiteral("index.json"))).object(), &out);
    return out;
}

const BuildRun *runWithRef(const BuildLogResult &result, const QString &ref)
{
    for (const BuildRun &run : result.builds) {
        if (run.record && run.record->ref == ref)
            return &run;
    }
    return nullptr;
}

/// RFC 3339 with any fraction, to seconds since the epoch (QDateTime keeps milliseconds only).
double epochOf(const QString &text)
{
    const qsizetype dot = text.indexOf(QLatin1Char('.'));
    const QString whole = dot < 0 ? text : text.left(dot) + QLatin1Char('Z');
    double epoch = double(QDateTime::fromString(whole, Qt::ISODate).toSecsSinceEpoch());
    if (dot >= 0) {
        const QString digits = text.mid(dot + 1).chopped(1);
        epoch += QString(QStringLiteral("0.") + digits).toDouble();
    }
    return epoch;
}

/// Writes `entries` (name -> bytes) as a ZIP (`zip`) or a gzip'd tar, with libarchive.
bool writeArchive(const QString &path, const QList<QPair<QString, QByteArray>> &entries, bool zip)
{
    archive *w = archive_write_new();
    if (zip) {
        archive_write_set_format_zip(w);
    } else {
        archive_write_add_filter_gzip(w);
        archive_write_set_format_pax_restricted(w);
    }
    bool ok = archive_write_open_filename(w, QFile::encodeName(path).constData()) == ARCHIVE_OK;
    for (const auto &[name, bytes] : entries) {
        archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name.toUtf8().constData());
        archive_entry_set_size(e, bytes.size());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        ok = ok && archive_write_header(w, e) == ARCHIVE_OK;
        ok = ok && archive_write_data(w, bytes.constData(), size_t(bytes.size())) == bytes.size();
        archive_entry_free(e);
    }
    ok = archive_write_close(w) == ARCHIVE_OK && ok;
    archive_write_free(w);
    return ok;
}

bool hasError(const BuildLogResult &result)
{
    return hasErrors(result.diagnostics);
}

QByteArray buildsJson(const BuildLogResult &result)
{
    QJsonArray builds;
    for (const BuildRun &run : result.builds)
        builds.append(toJson(run));
    return QJsonDocument(builds).toJson(QJsonDocument::Compact);
}

// A protobuf writer for the test's own messages, from the field numbers of BuildKit's control.proto and
// ops.proto (independent of the reader's generated code).
QByteArray varint(quint64 value)
{
    QByteArray out;
    do {
        out.append(char((value & 0x7f) | (value >= 0x80 ? 0x80 : 0)));
        value >>= 7;
    } while (value);
    return out;
}
QByteArray field(int number, const QByteArray &bytes) // wire type 2: length-delimited
{
    return varint(quint64(number) << 3 | 2) + varint(quint64(bytes.size())) + bytes;
}
QByteArray number(int field, quint64 value) // wire type 0: varint
{
    return varint(quint64(field) << 3) + varint(value);
}
QByteArray timestamp(qint64 seconds, int nanos)
{
    return number(1, quint64(seconds)) + number(2, quint64(nanos));
}
QByteArray framed(const QByteArray &message)
{
    const quint32 n = quint32(message.size());
    const char length[] = {char(n & 0xff), char((n >> 8) & 0xff), char((n >> 16) & 0xff), char(n >> 24)};
    return QByteArray(length, 4) + message;
}
QString sha256(const QByteArray &bytes)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestBuildRecord : public QObject
{
    Q_OBJECT

private slots:
    void stepCounts_data();
    void stepCounts();
    void metadata();
    void exactTimesAgainstSolveStatus();
    void dockerfileFromProvenance();
    void jsonTextWriterMatchesQJsonDocument();
    void zipGivesTheSameAnswer();
    void deviceGivesTheSameAnswer();
    void damagedInput_data();
    void damagedInput();
    void truncatedStatusStreamKeepsWhatWasRead();
    void cutFileKeepsTheRecordsBeforeTheCut();
    void recordWithoutIndex();
    void handEncodedStream();
    void plainLogsAreNotRecords();
};

void TestBuildRecord::stepCounts_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("ref");
    QTest::addColumn<int>("total");
    QTest::addColumn<int>("cached");
    QTest::addColumn<int>("completed");
    QTest::addColumn<QString>("error");
    const QStringList files = recordFiles();
    QVERIFY(files.size() >= 3);
    int records = 0;
    for (const QString &path : files) {
        for (const Expected &e : expectedRecords(path)) {
            QTest::addRow("%s %s", qPrintable(QFileInfo(path).baseName()), qPrintable(e.ref))
                << path << e.ref << e.total << e.cached << e.completed << e.error;
            ++records;
        }
    }
    QVERIFY(records >= 6); // 1 + 4 + 1 in the three corpus files; more files may be added
}

void TestBuildRecord::stepCounts()
{
    QFETCH(QString, path);
    QFETCH(QString, ref);
    QFETCH(int, total);
    QFETCH(int, cached);
    QFETCH(int, completed);
    QFETCH(QString, error);

    const BuildLogResult result = readBuildLogFile(path);
    QVERIFY2(!hasError(result), qPrintable(result.diagnostics.value(0).toString()));
    QCOMPARE(result.builds.size(), expectedRecords(path).size());
    const BuildRun *run = runWithRef(result, ref);
    QVERIFY(run);
    QCOMPARE(run->format, LogFormat::Record);
    QCOMPARE(logFormatName(run->format), QStringLiteral("record"));
    // BuildKit counts distinct vertex digests, those ever cached, and those with a completion time.
    int readCached = 0;
    int readCompleted = 0;
    for (const BuildVertex &v : run->vertices) {
        readCached += v.status == VertexStatus::Cached ? 1 : 0;
        readCompleted += v.end.has_value() ? 1 : 0;
        QCOMPARE(v.timing, TimingKind::Exact);
    }
    QCOMPARE(int(run->vertices.size()), total);
    QCOMPARE(readCached, cached);
    QCOMPARE(readCompleted, completed);
    QCOMPARE(run->totals().cached, cached);
    QCOMPARE(run->error, error);
    QCOMPARE(run->record->totalSteps.value_or(-1), total);
    QVERIFY(!run->truncated);
}

void TestBuildRecord::metadata()
{
    for (const QString &path : recordFiles()) {
        const BuildLogResult result = readBuildLogFile(path);
        for (const Expected &e : expectedRecords(path)) {
            const BuildRun *run = runWithRef(result, e.ref);
            QVERIFY(run);
            const BuildRecordInfo &info = *run->record;
            const QJsonObject attrs = e.record.value(QStringLiteral("FrontendAttrs")).toObject();
            QCOMPARE(info.target, attrs.value(QStringLiteral("target")).toString());
            QCOMPARE(info.filename, attrs.value(QStringLiteral("filename")).toString());
            QCOMPARE(info.vcsRevision, attrs.value(QStringLiteral("vcs:revision")).toString());
            QCOMPARE(info.vcsSource, attrs.value(QStringLiteral("vcs:source")).toString());
            QVERIFY(!info.vcsRevision.isEmpty());
            QCOMPARE(info.name,
                e.record.value(QStringLiteral("localState"))
                    .toObject()
                    .value(QStringLiteral("Target"))
                    .toString());
            QCOMPARE(info.platform, e.record.value(QStringLiteral("DefaultPlatform")).toString());
            int args = 0;
            for (auto it = attrs.constBegin(); it != attrs.constEnd(); ++it) {
                if (!it.key().startsWith(QLatin1String("build-arg:")))
                    continue;
                ++args;
                QCOMPARE(info.buildArgs.value(it.key().mid(10), QStringLiteral("<absent>")),
                    it.value().toString());
            }
            QCOMPARE(int(info.buildArgs.size()), args);
            const double created = epochOf(e.record.value(QStringLiteral("CreatedAt")).toString());
            const double completed = epochOf(e.record.value(QStringLiteral("CompletedAt")).toString());
            QVERIFY(info.created && info.completed);
            QVERIFY(std::abs(*info.created - created) < 1e-5);
            QVERIFY(std::abs(*info.completed - completed) < 1e-5);
            QVERIFY(run->duration);
            QVERIFY(std::abs(*run->duration - (completed - created)) < 1e-5);
            // Every vertex lies inside the build: exact times from the build's start.
            for (const BuildVertex &v : run->vertices) {
                if (v.start)
                    QVERIFY(*v.start >= 0);
                if (v.start && v.end)
                    QVERIFY(*v.end >= *v.start);
                if (v.end)
                    QVERIFY2(*v.end <= *run->duration + 1e-3, qPrintable(v.name));
            }
            // The JSON record object (shared/CLI.md), absent values null.
            const QJsonObject json = toJson(*run).value(QStringLiteral("record")).toObject();
            QCOMPARE(json.value(QStringLiteral("ref")).toString(), e.ref);
            QCOMPARE(json.value(QStringLiteral("vcs_revision")).toString(), info.vcsRevision);
            QCOMPARE(json.value(QStringLiteral("target")).isNull(), info.target.isEmpty());
            QVERIFY(json.value(QStringLiteral("build_args")).isObject());
            QVERIFY(json.value(QStringLiteral("created"))
                        .toString()
                        .startsWith(e.record.value(QStringLiteral("CreatedAt")).toString().left(19)));
            QVERIFY(json.contains(QStringLiteral("completed")) && json.contains(QStringLiteral("platform"))
                && json.contains(QStringLiteral("vcs_source")));
        }
    }
    // The one with a target and a build arg, and the one whose error points at a Dockerfile line.
    const BuildLogResult moby =
        readBuildLogFile(Test::corpusPath(QStringLiteral("dockerbuild/moby~buildkit~LWDOW6.dockerbuild")));
    QCOMPARE(moby.builds.size(), 1);
    QCOMPARE(moby.builds.at(0).record->target, QStringLiteral("integration-tests"));
    QCOMPARE(moby.builds.at(0).record->buildArgs.value(QStringLiteral("BUILDKIT_CONTEXT_KEEP_GIT_DIR")),
        QStringLiteral("1"));
    const BuildLogResult group = readBuildLogFile(
        Test::corpusPath(QStringLiteral("dockerbuild/docker~test-docker-action~SNHBPN+3.dockerbuild")));
    const BuildRun *parseError = runWithRef(group, QStringLiteral("u74fsvub1p5mndtbum2dhrk6a"));
    QVERIFY(parseError);
    QCOMPARE(parseError->record->errorLine, 2);
    QCOMPARE(parseError->record->errorFile, QStringLiteral("summary-error.Dockerfile"));
    // Oldest first.
    for (int i = 1; i < group.builds.size(); ++i)
        QVERIFY(*group.builds.at(i - 1).record->created <= *group.builds.at(i).record->created);
}

void TestBuildRecord::exactTimesAgainstSolveStatus()
{
    // The moby/buildkit record also has a solvestatus.v0 layer: the first StatusResponse, as rawjson.
    const QString path = Test::corpusPath(QStringLiteral("dockerbuild/moby~buildkit~LWDOW6.dockerbuild"));
    const QHash<QString, QByteArray> files = readArchive(path);
    const QList<Expected> expected = expectedRecords(path);
    QCOMPARE(expected.size(), 1);
    QJsonObject solve;
    for (const QJsonValue &layer : expected.at(0).manifest.value(QStringLiteral("layers")).toArray()) {
        if (layer.toObject().value(QStringLiteral("mediaType")).toString()
            == QLatin1String("application/vnd.buildkit.solvestatus.v0"))
            solve = jsonBlob(files, layer.toObject().value(QStringLiteral("digest")).toString());
    }
    const QJsonArray vertexes = solve.value(QStringLiteral("vertexes")).toArray();
    QVERIFY(vertexes.size() > 50);

    const BuildLogResult result = readBuildLogFile(path);
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.at(0);
    QVERIFY(run.startEpoch);
    int timed = 0;
    for (const QJsonValue &value : vertexes) {
        const QJsonObject v = value.toObject();
        const QString digest = v.value(QStringLiteral("digest")).toString();
        const int index = run.indexOfVertex(digest);
        QVERIFY2(index >= 0, qPrintable(digest));
        const BuildVertex &vertex = run.vertices.at(index);
        QCOMPARE(vertex.name, v.value(QStringLiteral("name")).toString());
        if (v.contains(QStringLiteral("inputs"))) {
            QStringList inputs;
            for (const QJsonValue &input : v.value(QStringLiteral("inputs")).toArray())
                inputs.append(input.toString());
            QCOMPARE(vertex.inputs, inputs);
        }
        // Later messages may restart or finish a vertex: its start is the earliest, its end the latest.
        if (v.contains(QStringLiteral("started"))) {
            QVERIFY(vertex.start);
            QVERIFY(*run.startEpoch + *vertex.start
                <= epochOf(v.value(QStringLiteral("started")).toString()) + 1e-5);
            ++timed;
        }
        if (v.contains(QStringLiteral("completed"))) {
            QVERIFY(vertex.end);
            QVERIFY(*run.startEpoch + *vertex.end
                >= epochOf(v.value(QStringLiteral("completed")).toString()) - 1e-5);
        }
        if (v.value(QStringLiteral("cached")).toBool())
            QCOMPARE(vertex.status, VertexStatus::Cached);
    }
    QVERIFY(timed > 20);
    // Its logs (base64) begin each vertex's output, which readVertexOutput gives back for records too.
    QHash<QString, QByteArray> logs;
    for (const QJsonValue &value : solve.value(QStringLiteral("logs")).toArray()) {
        const QJsonObject l = value.toObject();
        logs[l.value(QStringLiteral("vertex")).toString()] +=
            QByteArray::fromBase64(l.value(QStringLiteral("data")).toString().toLatin1());
    }
    QVERIFY(logs.size() > 5);
    for (auto it = logs.constBegin(); it != logs.constEnd(); ++it) {
        const BuildVertex &vertex = run.vertices.at(run.indexOfVertex(it.key()));
        QVERIFY2(vertex.output.startsWith(it.value()), qPrintable(vertex.name));
        QVERIFY(vertex.logLines >= int(it.value().count('\n')));
        const QString fetched = readVertexOutput(path, run, vertex);
        QVERIFY(fetched.startsWith(QString::fromUtf8(it.value()).trimmed().left(40)));
    }
    // The stream's edges all lead to vertices of the build.
    for (const BuildVertex &vertex : run.vertices) {
        for (const QString &input : vertex.inputs)
            QVERIFY(run.indexOfVertex(input) >= 0);
    }
}

void TestBuildRecord::dockerfileFromProvenance()
{
    for (const QString &path : recordFiles()) {
        const QHash<QString, QByteArray> files = readArchive(path);
        const BuildLogResult result = readBuildLogFile(path);
        for (const Expected &e : expectedRecords(path)) {
            const BuildRun *run = runWithRef(result, e.ref);
            QVERIFY(run);
            QString provenance;
            for (const QJsonValue &layer : e.manifest.value(QStringLiteral("layers")).toArray()) {
                if (layer.toObject().value(QStringLiteral("mediaType")).toString()
                    == QLatin1String("application/vnd.in-toto+json"))
                    provenance = layer.toObject().value(QStringLiteral("digest")).toString();
            }
            if (provenance.isEmpty())
                continue;
            const QJsonArray infos =
                jsonBlob(files, provenance)
                    .value(QStringLiteral("metadata"))
                    .toObject()
                    .value(QStringLiteral("https://mobyproject.org/buildkit@v1#metadata"))
                    .toObject()
                    .value(QStringLiteral("source"))
                    .toObject()
                    .value(QStringLiteral("infos"))
                    .toArray();
            QCOMPARE(infos.size(), 1);
            const QJsonObject info = infos.at(0).toObject();
            QCOMPARE(run->record->dockerfileName, info.value(QStringLiteral("filename")).toString());
            QCOMPARE(run->record->dockerfile.toUtf8(),
                QByteArray::fromBase64(info.value(QStringLiteral("data")).toString().toLatin1()));
            QVERIFY(run->record->dockerfile.contains(QLatin1String("FROM ")));
        }
    }
}

void TestBuildRecord::jsonTextWriterMatchesQJsonDocument()
{
    // `log --json` writes builds with its own writer: a record's build (with its `record` object) too must
    // come out byte for byte as QJsonDocument writes toJson().
    for (const QString &path : recordFiles()) {
        for (const BuildRun &run : readBuildLogFile(path).builds) {
            QByteArray top;
            appendJsonText(&top, run, 0);
            QCOMPARE(top + '\n', QJsonDocument(toJson(run)).toJson(QJsonDocument::Indented));
            QByteArray nested("[\n    ");
            appendJsonText(&nested, run, 1);
            nested += "\n]\n";
            QCOMPARE(nested, QJsonDocument(QJsonArray {toJson(run)}).toJson(QJsonDocument::Indented));
            QVERIFY(top.contains("\"record\": {"));
        }
    }
}

void TestBuildRecord::zipGivesTheSameAnswer()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const QString &path : recordFiles()) {
        const QString zip = dir.filePath(QFileInfo(path).baseName() + QStringLiteral(".zip"));
        // As build-push-action wrapped it: the record next to another file.
        QVERIFY(writeArchive(zip,
            {{QStringLiteral("README.txt"), QByteArrayLiteral("not a record\n")},
                {QFileInfo(path).fileName(), Test::readAll(path)}},
            true));
        const BuildLogResult bare = readBuildLogFile(path);
        const BuildLogResult zipped = readBuildLogFile(zip);
        QVERIFY(!hasError(zipped));
        QCOMPARE(zipped.builds.size(), bare.builds.size());
        QCOMPARE(buildsJson(zipped), buildsJson(bare));
        for (int i = 0; i < bare.builds.size(); ++i)
            QCOMPARE(zipped.builds.at(i).vertices.size(), bare.builds.at(i).vertices.size());
    }
    // A ZIP without a record says so.
    const QString empty = dir.filePath(QStringLiteral("empty.zip"));
    QVERIFY(writeArchive(empty, {{QStringLiteral("a.txt"), QByteArrayLiteral("hello")}}, true));
    const BuildLogResult none = readBuildLogFile(empty);
    QVERIFY(none.builds.isEmpty());
    QVERIFY(hasError(none));
    QVERIFY(none.diagnostics.at(0).message.contains(QLatin1String("no build record")));
}

void TestBuildRecord::deviceGivesTheSameAnswer()
{
    for (const QString &path : recordFiles()) {
        QByteArray bytes = Test::readAll(path);
        QBuffer buffer(&bytes);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        const BuildLogResult fromDevice = readBuildLogDevice(buffer);
        QCOMPARE(buildsJson(fromDevice), buildsJson(readBuildLogFile(path)));
        QCOMPARE(buildsJson(readBuildRecordData(bytes)), buildsJson(fromDevice));
    }
}

void TestBuildRecord::damagedInput_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray moby =
        Test::readAll(Test::corpusPath(QStringLiteral("dockerbuild/moby~buildkit~LWDOW6.dockerbuild")));
    const QByteArray group = Test::readAll(
        Test::corpusPath(QStringLiteral("dockerbuild/docker~test-docker-action~SNHBPN+3.dockerbuild")));
    QVERIFY(!moby.isEmpty() && !group.isEmpty());
    for (const int percent : {1, 10, 30, 50, 70, 90, 99}) {
        QTest::addRow("moby cut at %d%%", percent) << moby.left(moby.size() * percent / 100);
        QTest::addRow("group cut at %d%%", percent) << group.left(group.size() * percent / 100);
    }
    QTest::addRow("gzip magic only") << QByteArray("\x1f\x8b", 2);
    QByteArray noise(4096, Qt::Uninitialized);
    QRandomGenerator random(18);
    for (char &c : noise)
        c = char(random.bounded(256));
    QTest::addRow("gzip header then noise")
        << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10) + noise;
    QTest::addRow("zip magic then noise") << QByteArray("PK\x03\x04", 4) + noise;
    QByteArray flipped = moby;
    for (qsizetype i = 200; i < flipped.size(); i += 997)
        flipped[i] = char(flipped[i] ^ 0x5a);
    QTest::addRow("moby with flipped bytes") << flipped;
}

void TestBuildRecord::damagedInput()
{
    QFETCH(QByteArray, bytes);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("damaged.dockerbuild"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    file.close();
    const BuildLogResult result = readBuildLogFile(path);
    // A clear error, and never more than the whole file holds.
    QVERIFY(hasError(result));
    for (const Diagnostic &d : result.diagnostics) {
        if (d.severity == Severity::Error) {
            QCOMPARE(d.file, path);
            QVERIFY(!d.message.isEmpty());
        }
    }
    QVERIFY(result.builds.size() <= 4);
    for (const BuildRun &run : result.builds) {
        QVERIFY(run.record);
        QCOMPARE(run.format, LogFormat::Record);
    }
}

void TestBuildRecord::truncatedStatusStreamKeepsWhatWasRead()
{
    // The moby record rebuilt with its progress stream cut in the middle of its second message.
    const QString source = Test::corpusPath(QStringLiteral("dockerbuild/moby~buildkit~LWDOW6.dockerbuild"));
    const QHash<QString, QByteArray> files = readArchive(source);
    const Expected e = expectedRecords(source).value(0);
    QString status;
    for (const QJsonValue &layer : e.manifest.value(QStringLiteral("layers")).toArray()) {
        if (layer.toObject().value(QStringLiteral("mediaType")).toString()
            == QLatin1String("application/vnd.buildkit.status.v0"))
            status = layer.toObject().value(QStringLiteral("digest")).toString();
    }
    QVERIFY(!status.isEmpty());
    QList<QPair<QString, QByteArray>> entries;
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        QByteArray bytes = it.value();
        if (it.key().endsWith(status.mid(7))) {
            const quint32 first = quint32(uchar(bytes[0])) | quint32(uchar(bytes[1])) << 8
                | quint32(uchar(bytes[2])) << 16 | quint32(uchar(bytes[3])) << 24;
            bytes.truncate(4 + qsizetype(first) + 100);
        }
        entries.append({it.key(), bytes});
    }
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.dockerbuild"));
    QVERIFY(writeArchive(path, entries, false));
    const BuildLogResult result = readBuildLogFile(path);
    QVERIFY(hasError(result));
    bool said = false;
    for (const Diagnostic &d : result.diagnostics)
        said = said || d.message.contains(QLatin1String("cut off"));
    QVERIFY(said);
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.at(0);
    QVERIFY(run.truncated);
    // The first message's vertices were read, and the record's metadata and Dockerfile.
    QVERIFY(run.vertices.size() > 50);
    QCOMPARE(run.record->ref, e.ref);
    QCOMPARE(run.record->target, QStringLiteral("integration-tests"));
    QVERIFY(!run.record->dockerfile.isEmpty());
}

void TestBuildRecord::cutFileKeepsTheRecordsBeforeTheCut()
{
    // The tar ends with index.json: a file cut just before its end lost only that, and the records are found
    // by their manifests.
    const QString source = Test::corpusPath(QStringLiteral("dockerbuild/moby~buildkit~LWDOW6.dockerbuild"));
    const Expected e = expectedRecords(source).value(0);
    const QByteArray bytes = Test::readAll(source);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.dockerbuild"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes.left(bytes.size() - 100));
    file.close();
    const BuildLogResult result = readBuildLogFile(path);
    QVERIFY(hasError(result));
    QCOMPARE(result.builds.size(), 1);
    QCOMPARE(result.builds.at(0).record->ref, e.ref);
    QCOMPARE(int(result.builds.at(0).vertices.size()), e.total);
}

void TestBuildRecord::recordWithoutIndex()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("noindex.dockerbuild"));
    QVERIFY(writeArchive(path,
        {{QStringLiteral("oci-layout"), QByteArrayLiteral("{\"imageLayoutVersion\":\"1.0.0\"}")}}, false));
    const BuildLogResult result = readBuildLogFile(path);
    QVERIFY(result.builds.isEmpty());
    QVERIFY(hasError(result));
    QVERIFY(result.diagnostics.at(0).message.contains(QLatin1String("index.json")));
    // index.json naming a manifest that is not there.
    const QString missing = dir.filePath(QStringLiteral("missing.dockerbuild"));
    QVERIFY(writeArchive(missing,
        {{QStringLiteral("index.json"),
            QByteArrayLiteral("{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                              "\"digest\":\"sha256:00\"}]}")}},
        false));
    const BuildLogResult broken = readBuildLogFile(missing);
    QVERIFY(hasError(broken));
    QCOMPARE(broken.builds.size(), 1);
    QVERIFY(broken.builds.at(0).vertices.isEmpty());
}

void TestBuildRecord::plainLogsAreNotRecords()
{
    // Detection is by content: a plain log is never taken for a record, whatever it is called.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("build.dockerbuild"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#1 [internal] load build definition from Dockerfile\n#1 DONE 0.1s\n");
    file.close();
    const BuildLogResult result = readBuildLogFile(path);
    QCOMPARE(result.builds.size(), 1);
    QCOMPARE(result.builds.at(0).format, LogFormat::Plain);
    QVERIFY(!result.builds.at(0).record);
    QVERIFY(!looksLikeBuildRecord(QByteArrayView("#1 [internal] load")));
    QVERIFY(looksLikeBuildRecord(Test::readAll(recordFiles().value(0)).left(512)));
}

void TestBuildRecord::handEncodedStream()
{
    // Message 1: two vertices (the second depends on the first), a log chunk, a sub-status and a warning.
    const QByteArray from = field(1, "sha256:aa") + field(3, "[1/2] FROM docker.io/library/alpine:3.20")
        + field(5, timestamp(1700000001, 0)) + field(6, timestamp(1700000002, 500000000));
    const QByteArray run1 = field(1, "sha256:bb") + field(2, "sha256:aa") + field(3, "[2/2] RUN make")
        + field(5, timestamp(1700000002, 500000000));
    const QByteArray log =
        field(1, "sha256:bb") + field(2, timestamp(1700000003, 0)) + number(3, 1) + field(4, "hello\nwor");
    const QByteArray status = field(1, "transferring") + field(2, "sha256:aa") + number(4, 10);
    const QByteArray range = field(1, number(1, 3)) + field(2, number(1, 4));
    const QByteArray warning = field(1, "sha256:bb") + number(2, 1)
        + field(3, "JSONArgsRecommended: JSON arguments recommended for CMD (line 3)")
        + field(4, "detail text")
        + field(5, "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/")
        + field(6, field(1, "Dockerfile") + field(2, "FROM alpine")) + field(7, range);
    const QByteArray first =
        field(1, from) + field(1, run1) + field(2, status) + field(3, log) + field(4, warning);
    // Message 2: the rest of the output line, then the RUN fails.
    const QByteArray log2 =
        field(1, "sha256:bb") + field(2, timestamp(1700000004, 0)) + number(3, 2) + field(4, "ld\n");
    const QByteArray run2 = field(1, "sha256:bb") + field(3, "[2/2] RUN make")
        + field(5, timestamp(1700000002, 500000000)) + field(6, timestamp(1700000005, 0))
        + field(7, "process \"/bin/sh -c make\" did not complete successfully: exit code: 2");
    const QByteArray stream = framed(first) + framed(field(3, log2) + field(1, run2));

    const QByteArray config = QByteArrayLiteral(
        "{\"Ref\":\"handmade\",\"FrontendAttrs\":{\"target\":\"app\",\"build-arg:V\":\"1\",\"platform\":"
        "\"linux/amd64,linux/arm64\"},"
        "\"CreatedAt\":{\"seconds\":1700000000,\"nanos\":500000000},\"CompletedAt\":\"2023-11-14T22:13:26Z\","
        "\"error\":{\"code\":2,\"message\":\"failed to solve: exit code: "
        "2\"},\"numTotalSteps\":2,\"numCompletedSteps\":2,\"numWarnings\":1}");
    const QByteArray manifest = QStringLiteral(
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
        "vnd.buildkit.historyrecord.v0\",\"digest\":\"%1\"},"
        "\"layers\":[{\"mediaType\":\"application/vnd.buildkit.otlp.json.v0\",\"digest\":\"sha256:ff\"},"
        "{\"mediaType\":\"application/vnd.buildkit.status.v0\",\"digest\":\"%2\"}]}")
                                    .arg(sha256(config), sha256(stream))
                                    .toUtf8();
    const QByteArray index =
        QStringLiteral("{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                       "\"digest\":\"%1\"}]}")
            .arg(sha256(manifest))
            .toUtf8();
    const auto blobName = [](const QByteArray &bytes) -> QString {
        return QStringLiteral("blobs/") + sha256(bytes).replace(QLatin1Char(':'), QLatin1Char('/'));
    };
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("handmade.dockerbuild"));
    QVERIFY(writeArchive(path,
        {{QStringLiteral("index.json"), index}, {blobName(manifest), manifest}, {blobName(config), config},
            {blobName(stream), stream}},
        false));

    const BuildLogResult result = readBuildLogFile(path);
    QVERIFY2(!hasError(result), qPrintable(result.diagnostics.value(0).toString()));
    QCOMPARE(result.builds.size(), 1);
    const BuildRun &run = result.builds.at(0);
    QCOMPARE(run.vertices.size(), 2);
    const BuildVertex &a = run.vertices.at(run.indexOfVertex(QStringLiteral("sha256:aa")));
    const BuildVertex &b = run.vertices.at(run.indexOfVertex(QStringLiteral("sha256:bb")));
    // Times from the record's CreatedAt.
    QCOMPARE(a.status, VertexStatus::Done);
    QVERIFY(a.start && qFuzzyCompare(*a.start, 0.5) && a.end && qFuzzyCompare(*a.end, 2.0));
    QVERIFY(a.seconds && qFuzzyCompare(*a.seconds, 1.5));
    QCOMPARE(a.label.step, 1);
    QCOMPARE(a.label.instruction, QStringLiteral("FROM"));
    QCOMPARE(b.status, VertexStatus::Error);
    QCOMPARE(b.inputs, QStringList {QStringLiteral("sha256:aa")});
    QVERIFY(b.end && qFuzzyCompare(*b.end, 4.5));
    QCOMPARE(b.output, QByteArray("hello\nworld\n"));
    QCOMPARE(b.logLines, 2);
    QCOMPARE(readVertexOutput(path, run, b), QStringLiteral("hello\nworld"));
    QVERIFY(b.error.contains(QLatin1String("exit code: 2")));
    QCOMPARE(run.failedVertex, run.indexOfVertex(QStringLiteral("sha256:bb")));
    QCOMPARE(run.error, QStringLiteral("failed to solve: exit code: 2"));
    QVERIFY(run.duration && qFuzzyCompare(*run.duration, 5.5));
    // The warning, on its Dockerfile lines.
    QCOMPARE(b.warnings,
        QStringList {QStringLiteral("JSONArgsRecommended: JSON arguments recommended for CMD (line 3)")});
    QCOMPARE(run.warnings, b.warnings);
    const BuildRecordInfo &info = *run.record;
    QCOMPARE(info.warnings.size(), 1);
    QCOMPARE(info.warnings.at(0).line, 3);
    QCOMPARE(info.warnings.at(0).endLine, 4);
    QCOMPARE(info.warnings.at(0).file, QStringLiteral("Dockerfile"));
    QCOMPARE(info.warnings.at(0).level, 1);
    QCOMPARE(info.warnings.at(0).vertex, QStringLiteral("sha256:bb"));
    QCOMPARE(info.warnings.at(0).detail, QStringList {QStringLiteral("detail text")});
    QVERIFY(info.warnings.at(0).url.endsWith(QLatin1String("json-args-recommended/")));
    QCOMPARE(info.warningCount, 1);
    QCOMPARE(info.cachedSteps, 0); // omitted by Go when zero
    QCOMPARE(info.platforms, (QStringList {QStringLiteral("linux/amd64"), QStringLiteral("linux/arm64")}));
    QCOMPARE(info.target, QStringLiteral("app"));
    QCOMPARE(info.buildArgs.value(QStringLiteral("V")), QStringLiteral("1"));
    QVERIFY(info.created && qFuzzyCompare(*info.created, 1700000000.5));
    QCOMPARE(
        toJson(info).value(QStringLiteral("created")).toString(), QStringLiteral("2023-11-14T22:13:20.500Z"));
}

QTEST_GUILESS_MAIN(TestBuildRecord)
#include "tst_buildrecord.moc"
