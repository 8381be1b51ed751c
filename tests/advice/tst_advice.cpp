// Cache advice (#21): on the bundled example, on a project rebuilt from a real CI log, on real-world
// Dockerfiles and on small projects of our own, each advice appears where its premise holds and not where the
// Dockerfile already follows the rule; its patch applies to a copy with `patch -p0`, the copy parses, and
// `stagelens whatif` on the copy, asked the advice's own whatif_args, re-runs the steps and seconds the
// advice says it will.

#include "model/advice/advice.h"
#include "model/advice/textedit.h"
#include "model/buildlog/buildlogreader.h"
#include "testutils.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json;
};

Run stagelens(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(STAGELENS_BINARY), args);
    p.waitForFinished(120000);
    Run r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.json = QJsonDocument::fromJson(r.out).object();
    return r;
}

void writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

void copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + QLatin1Char('/') + QDir(from).relativeFilePath(path);
        QDir().mkpath(QFileInfo(target).absolutePath());
        QFile::copy(path, target);
    }
}

// `patch -p0` from the folder, as the advice says it applies.
bool applyPatch(const QString &dir, const QString &patch)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("patch"),
        {QStringLiteral("-p0"), QStringLiteral("--batch"), QStringLiteral("--forward")});
    p.write(patch.toUtf8());
    p.closeWriteChannel();
    p.waitForFinished(30000);
    if (p.exitCode() != 0)
        qWarning().noquote() << p.readAllStandardOutput() << p.readAllStandardError() << patch;
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QList<QJsonObject> adviceOf(const QJsonObject &doc, const QString &rule)
{
    QList<QJsonObject> out;
    for (const QJsonValue &v : doc.value(QStringLiteral("advice")).toArray()) {
        if (v.toObject().value(QStringLiteral("rule")).toString() == rule)
            out.append(v.toObject());
    }
    return out;
}

QSet<QString> rulesOf(const QJsonObject &doc)
{
    QSet<QString> rules;
    for (const QJsonValue &v : doc.value(QStringLiteral("advice")).toArray())
        rules.insert(v.toObject().value(QStringLiteral("rule")).toString());
    return rules;
}

int lineOf(const QString &file, const QString &start)
{
    const QStringList lines = QString::fromUtf8(Test::readAll(file)).split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (lines.at(i).startsWith(start))
            return i + 1;
    }
    return 0;
}

// The advice's measurement, checked against `stagelens whatif` run with its own whatif_args: on the project
// as it is (steps_now, seconds_now), and on a patched copy (steps_after, seconds_after).
void checkAdvice(const QJsonObject &a, const QString &project, const QString &dockerfileName,
    const QStringList &logs, bool measureAfter = true)
{
    const QStringList whatifArgs = [&] {
        QStringList l;
        for (const QJsonValue &v : a.value(QStringLiteral("whatif_args")).toArray())
            l.append(v.toString());
        return l;
    }();
    QStringList common;
    for (const QString &log : logs)
        common << QStringLiteral("--log") << log;
    if (logs.size() > 1)
        common = QStringList {QStringLiteral("--log"), logs.constLast()};

    QTemporaryDir copy;
    copyTree(project, copy.path());
    QVERIFY2(applyPatch(copy.path(), a.value(QStringLiteral("patch")).toString()),
        qPrintable(a.value(QStringLiteral("title")).toString()));
    const QString patched = copy.path() + QLatin1Char('/') + dockerfileName;
    const Run parsed = stagelens({QStringLiteral("dockerfile"), patched, QStringLiteral("--json")});
    QCOMPARE(parsed.exitCode, 0);
    for (const QJsonValue &d : parsed.json.value(QStringLiteral("diagnostics")).toArray())
        QVERIFY2(d.toObject().value(QStringLiteral("severity")).toString() != QLatin1String("error"),
            qPrintable(d.toObject().value(QStringLiteral("message")).toString()));
    if (whatifArgs.isEmpty())
        return;

    const Run now = stagelens(QStringList {QStringLiteral("whatif"), project, QStringLiteral("-f"),
                                  project + QLatin1Char('/') + dockerfileName, QStringLiteral("--json")}
        + whatifArgs + common);
    QCOMPARE(now.exitCode, 0);
    QCOMPARE(
        now.json.value(QStringLiteral("rerun_steps")).toInt(), a.value(QStringLiteral("steps_now")).toInt());
    QCOMPARE(now.json.value(QStringLiteral("rerun_seconds")), a.value(QStringLiteral("seconds_now")));
    if (!measureAfter)
        return;
    // The patched copy: the representative change no longer re-runs what the advice says it saves. (Line
    // numbers move with the patch, so a --changed-line change is measured by the engine only; a pinned base
    // cannot move, which the question --changed-base cannot say.)
    if (whatifArgs.first() != QLatin1String("--changed-line")
        && a.value(QStringLiteral("rule")).toString() != QLatin1String("unpinned-base")) {
        const Run after = stagelens(QStringList {QStringLiteral("whatif"), copy.path(), QStringLiteral("-f"),
                                        patched, QStringLiteral("--json")}
            + whatifArgs);
        QCOMPARE(after.exitCode, 0);
        QCOMPARE(after.json.value(QStringLiteral("rerun_steps")).toInt(),
            a.value(QStringLiteral("steps_after")).toInt());
    }
    QVERIFY(a.value(QStringLiteral("steps_after")).toInt() < a.value(QStringLiteral("steps_now")).toInt()
        || a.value(QStringLiteral("seconds_after")).toDouble()
            < a.value(QStringLiteral("seconds_now")).toDouble());
}

// A plain BuildKit log of one build: each step of `steps` ran (DONE with its seconds) with its output lines.
QByteArray plainLog(const QList<std::tuple<QString, double, QStringList>> &steps)
{
    QByteArray log =
        "#0 building with \"default\" instance using docker driver\n\n"
        "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n\n"
        "#2 [internal] load build context\n#2 transferring context: 2.1MB 0.3s done\n#2 DONE 0.3s\n\n";
    int id = 3;
    for (const auto &[label, seconds, output] : steps) {
        log += QStringLiteral("#%1 %2\n").arg(id).arg(label).toUtf8();
        double t = 0.1;
        for (const QString &line : output) {
            log += QStringLiteral("#%1 %2 %3\n").arg(id).arg(t, 0, 'f', 3).arg(line).toUtf8();
            t += 0.2;
        }
        log += QStringLiteral("#%1 DONE %2s\n\n").arg(id).arg(seconds, 0, 'f', 1).toUtf8();
        ++id;
    }
    return log;
}

} // namespace

class TestAdvice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void textEditsApplyAsTheirDiff();
    void exampleEarlyArg();
    void buildkitRealFollowsTheRest();
    void ownNodeProject();
    void projectFromRealCiLog();
    void realDockerfilesThatFollowTheRules();
    void bindMountAndLink();
    void partlyTruePremisesAreNotes();
    void nothingWrittenIntoTheProject();
};

void TestAdvice::textEditsApplyAsTheirDiff()
{
    // Edits at the start, in the middle (a move) and at the end; the diff, applied by patch, gives the text
    // applyEdits gives, and every line knows where it came from.
    QByteArray text;
    for (int i = 1; i <= 20; ++i)
        text += "line " + QByteArray::number(i) + '\n';
    const QList<LineEdit> edits = {LineEdit {1, 0, {QStringLiteral("first")}, {0}},
        LineEdit {8, 7, {QStringLiteral("line 15")}, {15}}, LineEdit {15, 15, {}, {}},
        LineEdit {10, 10, {QStringLiteral("ten")}, {}}, LineEdit {21, 20, {QStringLiteral("last")}, {0}}};
    const EditedText edited = applyEdits(text, edits);
    const QStringList lines = splitLines(edited.text);
    QCOMPARE(lines.size(), 22);
    QCOMPARE(lines.first(), QStringLiteral("first"));
    QCOMPARE(lines.at(8), QStringLiteral("line 15"));
    QCOMPARE(edited.origin.at(8), 15);
    QCOMPARE(edited.newLineOf.at(15 - 1), 9);
    QCOMPARE(edited.newLineOf.at(10 - 1), lines.indexOf(QStringLiteral("ten")) + 1);
    QCOMPARE(lines.constLast(), QStringLiteral("last"));

    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("f.txt")), text);
    QVERIFY(applyPatch(dir.path(), unifiedDiff(QStringLiteral("f.txt"), text, edits)));
    QCOMPARE(Test::readAll(dir.filePath(QStringLiteral("f.txt"))), edited.text);
    // A new file.
    QVERIFY(applyPatch(dir.path(),
        unifiedDiff(QStringLiteral("new.txt"), {},
            {LineEdit {1, 0, {QStringLiteral("a"), QStringLiteral("b")}, {}}}, true)));
    QCOMPARE(Test::readAll(dir.filePath(QStringLiteral("new.txt"))), QByteArray("a\nb\n"));
}

void TestAdvice::exampleEarlyArg()
{
    // The example's assets stage declares ARG ASSET_FLAVOR and never uses it; buildkit-real's build 09 (the
    // same project, a new ASSET_FLAVOR value) shows BuildKit re-running the stage's RUN for it.
    const QString project = QStringLiteral(STAGELENS_SOURCE_DIR "/resources/example/project");
    const QString log = QStringLiteral(STAGELENS_SOURCE_DIR "/resources/example/logs/00-cold.log");
    const BuildLogResult proof =
        readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/09-build-arg-declared-unused.log")));
    QVERIFY(!proof.builds.isEmpty());
    bool rerunSeen = false;
    for (const BuildVertex &v : proof.builds.constLast().vertices) {
        if (v.label.stage == QLatin1String("assets") && v.label.instruction == QLatin1String("RUN"))
            rerunSeen = v.status == VertexStatus::Done;
    }
    QVERIFY(rerunSeen);

    const Run r = stagelens(
        {QStringLiteral("advise"), project, QStringLiteral("--log"), log, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QList<QJsonObject> advice = adviceOf(r.json, QStringLiteral("early-arg"));
    QCOMPARE(advice.size(), 1);
    const QJsonObject a = advice.first();
    QCOMPARE(a.value(QStringLiteral("line")).toInt(),
        lineOf(project + QStringLiteral("/Dockerfile"), QStringLiteral("ARG ASSET_FLAVOR")));
    QCOMPARE(a.value(QStringLiteral("whatif_args")).toArray(),
        QJsonArray({QStringLiteral("--changed-arg"), QStringLiteral("ASSET_FLAVOR")}));
    // The RUN's own time in the log is what the change costs today, and nothing after.
    const BuildLogResult cold = readBuildLogFile(log);
    double runSeconds = -1;
    for (const BuildVertex &v : cold.builds.constLast().vertices) {
        if (v.label.stage == QLatin1String("assets") && v.label.instruction == QLatin1String("RUN"))
            runSeconds = v.seconds.value_or(-1);
    }
    QVERIFY(runSeconds > 0);
    QCOMPARE(a.value(QStringLiteral("seconds_now")).toDouble(), runSeconds);
    QCOMPARE(a.value(QStringLiteral("seconds_after")).toDouble(), 0.0);
    QCOMPARE(a.value(QStringLiteral("steps_now")).toInt(), 1);
    QCOMPARE(a.value(QStringLiteral("steps_after")).toInt(), 0);
    checkAdvice(a, project, QStringLiteral("Dockerfile"), {log});
}

void TestAdvice::buildkitRealFollowsTheRest()
{
    // The ground-truth project copies its manifest before its sources, installs with a cache mount and has no
    // apt: only the unused ARG is advised; its local base image has no digest to pin (a note says so).
    const QString project = Test::corpusPath(QStringLiteral("buildkit-real/project"));
    const Run r = stagelens({QStringLiteral("advise"), project, QStringLiteral("--log"),
        Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(rulesOf(r.json), QSet<QString> {QStringLiteral("early-arg")});
    bool pinNote = false;
    for (const QJsonValue &n : r.json.value(QStringLiteral("notes")).toArray())
        pinNote |= n.toObject().value(QStringLiteral("rule")).toString() == QLatin1String("unpinned-base");
    QVERIFY(pinNote);
}

void TestAdvice::ownNodeProject()
{
    // A Node project written the way the rules warn about: sources copied before `npm ci`, node_modules and
    // .git in the context, npm downloading without a cache mount, `apt-get update` on its own.
    QTemporaryDir dir;
    const QString p = dir.path();
    writeFile(p + QStringLiteral("/Dockerfile"),
        "FROM node:20-bookworm AS build\n"
        "RUN apt-get update\n"
        "RUN apt-get install -y --no-install-recommends python3 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN npm ci\n"
        "RUN npm run build\n"
        "\n"
        "FROM nginx:alpine\n"
        "COPY --from=build /app/dist /usr/share/nginx/html\n");
    writeFile(p + QStringLiteral("/package.json"), R"({"name": "shop", "scripts": {"build": "vite build"}})");
    writeFile(p + QStringLiteral("/package-lock.json"), "{}\n");
    writeFile(p + QStringLiteral("/src/main.js"), "console.log('shop')\n");
    writeFile(p + QStringLiteral("/src/cart.js"), "export const cart = []\n");
    writeFile(p + QStringLiteral("/node_modules/vite/index.js"), "module.exports = {}\n");
    writeFile(p + QStringLiteral("/.git/HEAD"), "ref: refs/heads/main\n");
    writeFile(p + QStringLiteral("/.git/index"), "DIRC\n");
    // Its last build: every step ran, with npm's own download lines.
    const QString log = p + QStringLiteral("/../node-build.log");
    writeFile(log,
        plainLog({{QStringLiteral("[build 1/7] FROM docker.io/library/node:20-bookworm@sha256:"
                                  "3f1e0a4f2b7f1ff1e0e0a6b6d1c6f0ab2c6e4c5b1b8d9e6b0f0d2c3e4a5b6c7d"),
                      1.5, {}},
            {QStringLiteral("[build 2/7] RUN apt-get update"), 4.2,
                {QStringLiteral("Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]")}},
            {QStringLiteral("[build 3/7] RUN apt-get install -y --no-install-recommends python3     && rm "
                            "-rf /var/lib/apt/lists/*"),
                9.6,
                {QStringLiteral("Get:1 http://deb.debian.org/debian bookworm/main amd64 python3 amd64 "
                                "3.11.2-1+b1 [26.3 kB]"),
                    QStringLiteral("Fetched 5316 kB in 2s (2883 kB/s)")}},
            {QStringLiteral("[build 4/7] WORKDIR /app"), 0.1, {}},
            {QStringLiteral("[build 5/7] COPY . ."), 1.2, {}},
            {QStringLiteral("[build 6/7] RUN npm ci"), 48.0,
                {QStringLiteral("added 412 packages, and audited 413 packages in 47s")}},
            {QStringLiteral("[build 7/7] RUN npm run build"), 21.0,
                {QStringLiteral("vite v5.0.0 building for production...")}},
            {QStringLiteral("[stage-1 1/2] FROM docker.io/library/nginx:alpine@sha256:"
                            "42a516af16b852e33b7682d5ef8acbd5d13fe08fecadc7ed98605ba5e3b26ab8"),
                0.8, {}},
            {QStringLiteral("[stage-1 2/2] COPY --from=build /app/dist /usr/share/nginx/html"), 0.3, {}}}));
    const Run r =
        stagelens({QStringLiteral("advise"), p, QStringLiteral("--log"), log, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);

    // install-after-broad-copy: an edit of a source file re-runs COPY, npm ci and the build today (1.2 + 48 +
    // 21 s; the final COPY --from is only "maybe"); after the rewrite npm ci stays cached.
    const QList<QJsonObject> install = adviceOf(r.json, QStringLiteral("install-after-broad-copy"));
    QCOMPARE(install.size(), 1);
    const QJsonObject i = install.first();
    QCOMPARE(i.value(QStringLiteral("line")).toInt(), 7);
    QVERIFY(
        i.value(QStringLiteral("whatif_args")).toArray().at(1).toString().startsWith(QLatin1String("src/")));
    QCOMPARE(i.value(QStringLiteral("seconds_now")).toDouble(), 1.2 + 48.0 + 21.0);
    QCOMPARE(i.value(QStringLiteral("seconds_after")).toDouble(), 1.2 + 21.0);
    QVERIFY(i.value(QStringLiteral("patch"))
                .toString()
                .contains(QLatin1String("+COPY package.json package-lock.json ./")));
    checkAdvice(i, p, QStringLiteral("Dockerfile"), {log});

    // context-not-ignored: node_modules, .git and the Dockerfile itself, each measured.
    const QList<QJsonObject> ignore = adviceOf(r.json, QStringLiteral("context-not-ignored"));
    QSet<QString> patterns;
    for (const QJsonObject &a : ignore) {
        const QString patch = a.value(QStringLiteral("patch")).toString();
        QVERIFY(patch.startsWith(QLatin1String("--- /dev/null\n+++ .dockerignore\n")));
        patterns.insert(patch.section(QLatin1Char('\n'), -2, -2).mid(1));
        QCOMPARE(a.value(QStringLiteral("steps_after")).toInt(), 0);
        QCOMPARE(a.value(QStringLiteral("seconds_after")).toDouble(), 0.0);
        checkAdvice(a, p, QStringLiteral("Dockerfile"), {log});
    }
    QCOMPARE(patterns,
        (QSet<QString> {
            QStringLiteral("**/node_modules"), QStringLiteral(".git"), QStringLiteral("Dockerfile")}));

    // no-cache-mount: apt (locked, docker-clean off) and npm; apt's own "Fetched ... in 2s" is the saving.
    const QList<QJsonObject> mounts = adviceOf(r.json, QStringLiteral("no-cache-mount"));
    QCOMPARE(mounts.size(), 2);
    for (const QJsonObject &a : mounts) {
        QCOMPARE(
            a.value(QStringLiteral("steps_after")).toInt(), a.value(QStringLiteral("steps_now")).toInt());
        checkAdvice(a, p, QStringLiteral("Dockerfile"), {log}, false);
        if (a.value(QStringLiteral("line")).toInt() == 3) {
            QVERIFY(a.value(QStringLiteral("patch"))
                        .toString()
                        .contains(QLatin1String("target=/var/cache/apt,sharing=locked")));
            QVERIFY(a.value(QStringLiteral("patch")).toString().contains(QLatin1String("docker-clean")));
            QCOMPARE(a.value(QStringLiteral("seconds_now")).toDouble()
                    - a.value(QStringLiteral("seconds_after")).toDouble(),
                2.0);
        } else {
            QCOMPARE(a.value(QStringLiteral("line")).toInt(), 7);
            QVERIFY(
                a.value(QStringLiteral("seconds_after")).isNull()); // npm does not say how long it downloaded
        }
    }

    // apt-update-alone: correctness, no change to measure; the patch folds the update into the install.
    const QList<QJsonObject> update = adviceOf(r.json, QStringLiteral("apt-update-alone"));
    QCOMPARE(update.size(), 1);
    QVERIFY(update.first().value(QStringLiteral("whatif_args")).toArray().isEmpty());
    QVERIFY(update.first()
                .value(QStringLiteral("patch"))
                .toString()
                .contains(QLatin1String("+RUN apt-get update && apt-get install")));
    checkAdvice(update.first(), p, QStringLiteral("Dockerfile"), {log});

    // unpinned-base: both bases, pinned with the digests the log shows.
    const QList<QJsonObject> pins = adviceOf(r.json, QStringLiteral("unpinned-base"));
    QCOMPARE(pins.size(), 2);
    for (const QJsonObject &a : pins) {
        QVERIFY(a.value(QStringLiteral("patch"))
                    .toString()
                    .contains(QRegularExpression(QStringLiteral("\\+FROM \\S+@sha256:[0-9a-f]{64}"))));
        QCOMPARE(a.value(QStringLiteral("steps_after")).toInt(), 0);
        checkAdvice(a, p, QStringLiteral("Dockerfile"), {log});
    }
    // Ranked by seconds saved.
    const QJsonArray all = r.json.value(QStringLiteral("advice")).toArray();
    for (int k = 1; k < all.size(); ++k) {
        const QJsonValue a = all.at(k - 1).toObject().value(QStringLiteral("seconds_saved"));
        const QJsonValue b = all.at(k).toObject().value(QStringLiteral("seconds_saved"));
        if (!a.isNull() && !b.isNull())
            QVERIFY(a.toDouble() >= b.toDouble());
        QVERIFY(!(a.isNull() && !b.isNull()));
    }
}

void TestAdvice::projectFromRealCiLog()
{
    // A real docker-container build of a Vite app; the project is rebuilt from the steps its log prints. It
    // copies its manifests first (no install advice), but yarn downloads without a cache mount (its log
    // says "Fetching packages") and both bases follow tags the log resolved to digests.
    const QString logPath =
        Test::corpusPath(QStringLiteral("logs/imran31415-putty-buildx-docker-container-push.log"));
    const QString text = QString::fromUtf8(Test::readAll(logPath));
    QTemporaryDir dir;
    const QString p = dir.path();
    writeFile(p + QStringLiteral("/Dockerfile"),
        "FROM node:20-alpine AS builder\n"
        "WORKDIR /app\n"
        "COPY package*.json ./\n"
        "COPY yarn.lock ./\n"
        "RUN yarn install --frozen-lockfile\n"
        "COPY . ./\n"
        "RUN yarn build:web\n"
        "\n"
        "FROM nginx:alpine AS production\n"
        "COPY --from=builder /app/dist /usr/share/nginx/html\n"
        "COPY nginx.conf /etc/nginx/nginx.conf\n");
    // Every step label of the log is a step of this Dockerfile.
    static const QRegularExpression label(QStringLiteral(R"(^#\d+ (\[(?:builder|production) \d/\d\] .*)$)"),
        QRegularExpression::MultilineOption);
    const Run parsed = stagelens(
        {QStringLiteral("dockerfile"), p + QStringLiteral("/Dockerfile"), QStringLiteral("--json")});
    QStringList ours;
    for (const QJsonValue &s : parsed.json.value(QStringLiteral("stages")).toArray())
        for (const QJsonValue &st : s.toObject().value(QStringLiteral("steps")).toArray())
            ours.append(st.toObject().value(QStringLiteral("label")).toString());
    for (auto it = label.globalMatch(text); it.hasNext();) {
        const QString l = it.next().captured(1);
        if (!l.contains(QLatin1String("] FROM ")))
            QVERIFY2(ours.contains(l), qPrintable(l));
    }
    writeFile(p + QStringLiteral("/package.json"), "{\"name\": \"putty\"}\n");
    writeFile(p + QStringLiteral("/yarn.lock"), "# yarn lockfile v1\n");
    writeFile(p + QStringLiteral("/src/main.tsx"), "export {}\n");
    writeFile(p + QStringLiteral("/nginx.conf"), "events {}\n");

    const Run r =
        stagelens({QStringLiteral("advise"), p, QStringLiteral("--log"), logPath, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(adviceOf(r.json, QStringLiteral("install-after-broad-copy")).isEmpty());
    const QList<QJsonObject> mounts = adviceOf(r.json, QStringLiteral("no-cache-mount"));
    QCOMPARE(mounts.size(), 1);
    const QJsonObject m = mounts.first();
    QCOMPARE(m.value(QStringLiteral("line")).toInt(), 5);
    QVERIFY(m.value(QStringLiteral("patch"))
                .toString()
                .contains(QLatin1String("--mount=type=cache,target=/usr/local/share/.cache/yarn")));
    bool fetching = false;
    for (const QJsonValue &e : m.value(QStringLiteral("evidence")).toArray())
        fetching |= e.toString().contains(QLatin1String("Fetching packages"));
    QVERIFY(fetching);
    QVERIFY(m.value(QStringLiteral("detail")).toString().contains(QLatin1String("yarn")));
    checkAdvice(m, p, QStringLiteral("Dockerfile"), {logPath}, false);

    const QList<QJsonObject> pins = adviceOf(r.json, QStringLiteral("unpinned-base"));
    QCOMPARE(pins.size(), 2);
    for (const QJsonObject &a : pins) {
        // The digest written is the one the log resolved the tag to.
        const QString added = a.value(QStringLiteral("patch"))
                                  .toString()
                                  .section(QStringLiteral("\n+"), 1, 1)
                                  .section(QLatin1Char('\n'), 0, 0);
        const QString digest = added.section(QLatin1Char('@'), 1).section(QLatin1Char(' '), 0, 0);
        QVERIFY2(text.contains(QStringLiteral("@") + digest), qPrintable(added));
        checkAdvice(a, p, QStringLiteral("Dockerfile"), {logPath});
    }
}

void TestAdvice::realDockerfilesThatFollowTheRules()
{
    // uv's multistage example installs its dependencies from bind-mounted lockfiles before copying the
    // sources, with a cache mount, and ignores .venv: none of rules 1-3 applies.
    QTemporaryDir dir;
    const QString p = dir.path();
    copyTree(
        Test::corpusPath(QStringLiteral("dockerfiles/astral-sh__uv-docker-example__multistage.Dockerfile")),
        p);
    writeFile(p + QStringLiteral("/pyproject.toml"), "[project]\nname = \"uv-docker-example\"\n");
    writeFile(p + QStringLiteral("/uv.lock"), "version = 1\n");
    writeFile(p + QStringLiteral("/src/uv_docker_example/__init__.py"), "\n");
    writeFile(p + QStringLiteral("/.venv/bin/python"), "\n");
    const Run r = stagelens({QStringLiteral("advise"), p, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QSet<QString> rules = rulesOf(r.json);
    QVERIFY(!rules.contains(QStringLiteral("install-after-broad-copy")));
    QVERIFY(!rules.contains(QStringLiteral("no-cache-mount")));
    // The Dockerfile itself is sent by `COPY . /app` (the repo's .dockerignore only names .venv).
    for (const QJsonObject &a : adviceOf(r.json, QStringLiteral("context-not-ignored")))
        QVERIFY(!a.value(QStringLiteral("patch")).toString().contains(QLatin1String("\n+.venv")));

    // awesome-compose's React frontend copies package.json and the lockfile before `npm ci`.
    QTemporaryDir front;
    copyTree(Test::corpusPath(QStringLiteral(
                 "dockerfiles/docker__awesome-compose__react-express-mongodb__frontend__Dockerfile")),
        front.path());
    writeFile(front.filePath(QStringLiteral("package.json")), "{\"name\": \"frontend\"}\n");
    writeFile(front.filePath(QStringLiteral("package-lock.json")), "{}\n");
    writeFile(front.filePath(QStringLiteral("src/App.js")), "export default 1\n");
    const Run f = stagelens({QStringLiteral("advise"), front.path(), QStringLiteral("--json")});
    QCOMPARE(f.exitCode, 0);
    QVERIFY(!rulesOf(f.json).contains(QStringLiteral("install-after-broad-copy")));
}

void TestAdvice::bindMountAndLink()
{
    // A requirements file copied to /tmp only for the pip install after it, and copies that a new base image
    // re-runs although their sources did not change.
    QTemporaryDir dir;
    const QString p = dir.path();
    writeFile(p + QStringLiteral("/Dockerfile"),
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY requirements.txt /tmp/requirements.txt\n"
        "RUN pip install -r /tmp/requirements.txt\n"
        "COPY assets/ /app/assets/\n"
        "COPY src/ /app/src/\n"
        "CMD [\"python\", \"/app/src/main.py\"]\n");
    writeFile(p + QStringLiteral("/requirements.txt"), "flask==3.0.0\n");
    writeFile(p + QStringLiteral("/assets/logo.svg"), "<svg/>\n");
    writeFile(p + QStringLiteral("/src/main.py"), "print('hi')\n");
    const QString log = p + QStringLiteral("/../py-build.log");
    writeFile(log,
        plainLog({{QStringLiteral("[1/6] FROM docker.io/library/python:3.12-slim"), 1.0, {}},
            {QStringLiteral("[2/6] WORKDIR /app"), 0.1, {}},
            {QStringLiteral("[3/6] COPY requirements.txt /tmp/requirements.txt"), 0.4, {}},
            {QStringLiteral("[4/6] RUN pip install -r /tmp/requirements.txt"), 30.0,
                {QStringLiteral("Collecting flask==3.0.0"),
                    QStringLiteral("  Downloading flask-3.0.0-py3-none-any.whl (99 kB)")}},
            {QStringLiteral("[5/6] COPY assets/ /app/assets/"), 6.5, {}},
            {QStringLiteral("[6/6] COPY src/ /app/src/"), 0.5, {}}}));
    const Run r =
        stagelens({QStringLiteral("advise"), p, QStringLiteral("--log"), log, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);

    const QList<QJsonObject> bind = adviceOf(r.json, QStringLiteral("copy-instead-of-bind"));
    QCOMPARE(bind.size(), 1);
    const QJsonObject b = bind.first();
    QCOMPARE(b.value(QStringLiteral("line")).toInt(), 3);
    QVERIFY(
        b.value(QStringLiteral("patch"))
            .toString()
            .contains(QLatin1String(
                "+RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt pip install")));
    // The edit of requirements.txt no longer pays for the COPY step (0.4 s in the log).
    QCOMPARE(b.value(QStringLiteral("seconds_now")).toDouble()
            - b.value(QStringLiteral("seconds_after")).toDouble(),
        0.4);
    QCOMPARE(
        b.value(QStringLiteral("steps_now")).toInt() - b.value(QStringLiteral("steps_after")).toInt(), 1);
    checkAdvice(b, p, QStringLiteral("Dockerfile"), {log});

    // copy-link: a new base re-runs the three copies today (0.4 + 6.5 + 0.5 s); linked, they stay cached.
    const QList<QJsonObject> link = adviceOf(r.json, QStringLiteral("copy-link"));
    QCOMPARE(link.size(), 1);
    const QJsonObject l = link.first();
    QCOMPARE(l.value(QStringLiteral("whatif_args")).toArray(),
        QJsonArray({QStringLiteral("--changed-base"), QStringLiteral("0")}));
    QCOMPARE(l.value(QStringLiteral("seconds_now")).toDouble(), 1.0 + 0.1 + 0.4 + 30.0 + 6.5 + 0.5);
    QCOMPARE(l.value(QStringLiteral("seconds_after")).toDouble(), 1.0 + 0.1 + 30.0);
    QCOMPARE(l.value(QStringLiteral("patch")).toString().count(QLatin1String("\n+COPY --link ")), 3);
    checkAdvice(l, p, QStringLiteral("Dockerfile"), {log});
    // And without a log nothing says the copies cost anything: no copy-link advice.
    const Run untimed = stagelens({QStringLiteral("advise"), p, QStringLiteral("--json")});
    QVERIFY(adviceOf(untimed.json, QStringLiteral("copy-link")).isEmpty());
}

void TestAdvice::partlyTruePremisesAreNotes()
{
    // A script run by a RUN reads the ARG from its environment; a RUN runs git after COPY . .; package.json
    // runs a postinstall script: each is said as a note, not advised.
    QTemporaryDir dir;
    const QString p = dir.path();
    writeFile(p + QStringLiteral("/Dockerfile"),
        "FROM alpine:3.20\n"
        "ARG RELEASE\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN npm ci\n"
        "RUN sh build.sh\n"
        "RUN git describe --tags > VERSION\n");
    writeFile(p + QStringLiteral("/build.sh"), "echo building $RELEASE\n");
    writeFile(p + QStringLiteral("/package.json"), R"({"scripts": {"postinstall": "node setup.js"}})");
    writeFile(p + QStringLiteral("/package-lock.json"), "{}\n");
    writeFile(p + QStringLiteral("/.git/HEAD"), "ref: refs/heads/main\n");
    const Run r = stagelens({QStringLiteral("advise"), p, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QSet<QString> rules = rulesOf(r.json);
    QVERIFY(!rules.contains(QStringLiteral("early-arg")));
    QVERIFY(!rules.contains(QStringLiteral("install-after-broad-copy")));
    for (const QJsonObject &a : adviceOf(r.json, QStringLiteral("context-not-ignored")))
        QVERIFY(!a.value(QStringLiteral("patch")).toString().contains(QLatin1String("+.git")));
    QStringList notes;
    for (const QJsonValue &n : r.json.value(QStringLiteral("notes")).toArray())
        notes.append(n.toObject().value(QStringLiteral("detail")).toString());
    const QString all = notes.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QLatin1String("build.sh")), qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("runs git")), qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("postinstall")), qPrintable(all));
}

void TestAdvice::nothingWrittenIntoTheProject()
{
    QTemporaryDir dir;
    copyTree(QStringLiteral(STAGELENS_SOURCE_DIR "/resources/example/project"), dir.path());
    auto listing = [&] {
        QStringList out;
        QDirIterator it(
            dir.path(), QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            out.append(it.filePath() + QLatin1Char(' ') + QString::number(it.fileInfo().size())
                + QLatin1Char(' ') + it.fileInfo().lastModified().toString(Qt::ISODateWithMs));
        }
        out.sort();
        return out;
    };
    const QStringList before = listing();
    const Run r = stagelens({QStringLiteral("advise"), dir.path(), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(!r.json.value(QStringLiteral("advice")).toArray().isEmpty());
    QCOMPARE(listing(), before);
}

QTEST_GUILESS_MAIN(TestAdvice)
#include "tst_advice.moc"
