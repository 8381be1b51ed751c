// The what-if engine against BuildKit's ground truth (shared/corpus/buildkit-real): each case of EXPECTED.md
// that a what-if can express, as the change against the cached state before it. Expected statuses come from
// steps.tsv (what really ran), never from this file.

#include "model/analysis/stepmatcher.h"
#include "model/buildlog/buildlogreader.h"
#include "model/cache/cacheengine.h"
#include "testutils.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

QString realPath(const QString &relative)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + relative);
}

// steps.tsv rows of one case: "[stage k/n]" -> DONE/CACHED, FROM and internal vertices left out.
QHash<QString, QString> groundTruth(const QString &caseName)
{
    QHash<QString, QString> out;
    const QList<QByteArray> lines = Test::readAll(realPath(QStringLiteral("steps.tsv"))).split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() < 6 || QString::fromUtf8(cols.at(0)) != caseName)
            continue;
        const QString name = QString::fromUtf8(cols.at(5));
        const QString key = labelKey(name);
        if (key.isEmpty() || key == QLatin1String("[internal]")
            || name.mid(key.size() + 1).startsWith(QLatin1String("FROM")))
            continue;
        out.insert(key, QString::fromUtf8(cols.at(3)));
    }
    return out;
}

void copyTree(const QString &from, const QString &to)
{
    QDirIterator it(
        from, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + path.mid(from.size());
        if (it.fileInfo().isDir()) {
            QDir().mkpath(target);
        } else {
            QDir().mkpath(QFileInfo(target).absolutePath());
            QFile::copy(path, target);
            QFile::setPermissions(target, it.fileInfo().permissions() | QFileDevice::WriteOwner);
        }
    }
}

struct Setup
{
    BuildGraph graph;
    std::shared_ptr<const ContextIndex> context;
    QByteArray dockerfile;
};

Setup prepare(const QString &contextDir, const QStringList &buildArgs, const QString &target)
{
    Setup setup;
    const QString dockerfile = contextDir + QStringLiteral("/Dockerfile");
    setup.dockerfile = Test::readAll(dockerfile);
    BuildOptions options;
    options.target = target;
    for (const QString &a : buildArgs)
        options.buildArgs.insert(a.section(QLatin1Char('='), 0, 0), a.section(QLatin1Char('='), 1));
    setup.graph = buildGraph(setup.dockerfile, dockerfile, options);
    ContextScanOptions scan;
    scan.contextDir = contextDir;
    scan.dockerfilePath = dockerfile;
    setup.context = std::make_shared<const ContextIndex>(ContextIndex::scan(scan));
    return setup;
}

// A step may only be "maybe" when the rules leave it open: it is a COPY --from/mount from= of a stage that
// changed, or follows one in its stage or through FROM <stage>.
bool maybeJustified(const BuildGraph &graph, const WhatIfResult &result, int stage, int step)
{
    auto verdictOf = [&](int s, int k) {
        for (const StepVerdict &v : result.steps) {
            if (v.stage == s && v.step == k)
                return v.verdict;
        }
        return Verdict::Cached;
    };
    auto stageFinal = [&](int s) {
        Verdict last = Verdict::Cached;
        for (const StepVerdict &v : result.steps) {
            if (v.stage == s)
                last = v.verdict;
        }
        return last;
    };
    const Stage &st = graph.stages.at(stage);
    for (int k = step; k >= 0; --k) {
        const Step &s = st.steps.at(k);
        if (s.fromStage >= 0 && stageFinal(s.fromStage) != Verdict::Cached)
            return true;
        for (const Mount &m : s.mounts) {
            if (m.fromStage >= 0 && stageFinal(m.fromStage) != Verdict::Cached)
                return true;
        }
        if (k < step && s.isVertex() && verdictOf(stage, k) != Verdict::Maybe)
            return false; // the chain of maybes is broken before reaching a content-keyed input
    }
    return st.baseStage >= 0 && stageFinal(st.baseStage) == Verdict::Maybe;
}

} // namespace

class TestCacheEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void groundTruthCases_data();
    void groundTruthCases();
    void reasonChains();
    void linkedCopies();
    void timings();
    void lineEdits_data();
    void lineEdits();
    void contextFilesOfTheBuild();
    void hostileQueries();
    void queryIsFast();

private:
    QTemporaryDir m_edited; // the project with the files that cases 05 and 17 add
};

void TestCacheEngine::initTestCase()
{
    Test::setCNumericLocale();
    QVERIFY(m_edited.isValid());
    copyTree(realPath(QStringLiteral("project")), m_edited.path());
    for (const char *added : {"src/scratch.tmp", "src/feature.c"}) {
        QFile f(m_edited.filePath(QString::fromUtf8(added)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("int feature(void) { return 2; }\n");
    }
}

void TestCacheEngine::groundTruthCases_data()
{
    QTest::addColumn<QString>("caseName");
    QTest::addColumn<QStringList>("changes"); // "kind:path"
    QTest::addColumn<QStringList>("changedArgs");
    QTest::addColumn<QStringList>("buildArgs");
    QTest::addColumn<QString>("changedStep"); // "[stage k/n]" whose Dockerfile line changes
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("edited"); // scan the copy with added files
    auto row = [](const char *name, QStringList changes, QStringList args, QStringList buildArgs,
                   const char *step, const char *target, bool edited) {
        QTest::addRow("%s", name) << QString::fromUtf8(name) << changes << args << buildArgs
                                  << QString::fromUtf8(step) << QString::fromUtf8(target) << edited;
    };
    auto L = [](std::initializer_list<const char *> items) {
        QStringList out;
        for (const char *i : items)
            out.append(QString::fromUtf8(i));
        return out;
    };
    // Each row is the edit of EXPECTED.md against the state whose cache entries BuildKit reuses.
    row("01-nochange", {}, {}, {}, "", "", false);
    row("02-edit-src", L({"content:src/util.c"}), {}, {}, "", "", false);
    row("03-edit-src-comment-only", L({"content:src/main.c"}), {}, {}, "", "", false);
    row("04-edit-manifest", L({"content:deps.manifest"}), {}, {}, "", "", false);
    row("05-edit-dockerignored", L({"content:README.md", "content:notes/todo.txt", "added:src/scratch.tmp"}),
        {}, {}, "", "", true);
    row("06-edit-runtime-instruction", {}, {}, {}, "[runtime 6/6]", "", false);
    row("07-build-arg-changed", {}, L({"VERSION"}), L({"VERSION=1.1"}), "", "", false);
    // 08 and 25 return to states whose cache entries still exist: nothing changed relative to them.
    row("08-build-arg-reverted", {}, {}, {}, "", "", false);
    row("09-build-arg-declared-unused", {}, L({"ASSET_FLAVOR"}), L({"ASSET_FLAVOR=fancy"}), "", "", false);
    row("10-build-arg-undeclared", {}, L({"NOT_DECLARED"}), L({"NOT_DECLARED=1"}), "", "", false);
    row("11-edit-unreferenced-file", L({"content:extra/unused.txt"}), {}, {}, "", "", false);
    row("12-edit-unused-stage-input", L({"content:docs/guide.txt"}), {}, {}, "", "", false);
    row("13-target-test", {}, {}, {}, "", "test", false);
    row("15-touch-mtime-only", L({"touched:src/main.c"}), {}, {}, "", "", false);
    row("16-chmod-x", L({"mode:src/build.sh"}), {}, {}, "", "", false);
    row("17-add-src-file", L({"added:src/feature.c"}), {}, {}, "", "", true);
    row("18-edit-tests", L({"content:tests/run_tests.sh"}), {}, {}, "", "", false);
    row("19-edit-asset", L({"content:assets/style.css"}), {}, {}, "", "", false);
    row("20-deps-arg-changed", {}, L({"DEPS_MIRROR"}), L({"DEPS_MIRROR=mirror2"}), "", "", false);
    row("25-revert-all-to-initial", {}, {}, {}, "", "", false);
}

void TestCacheEngine::groundTruthCases()
{
    QFETCH(QString, caseName);
    QFETCH(QStringList, changes);
    QFETCH(QStringList, changedArgs);
    QFETCH(QStringList, buildArgs);
    QFETCH(QString, changedStep);
    QFETCH(QString, target);
    QFETCH(bool, edited);

    const QString contextDir = edited ? m_edited.path() : realPath(QStringLiteral("project"));
    const Setup setup = prepare(contextDir, buildArgs, target);
    QVERIFY2(!hasErrors(setup.graph.diagnostics), "the project Dockerfile must interpret cleanly");
    const CacheEngine engine(setup.graph, setup.context);

    WhatIfChanges query;
    query.args = changedArgs;
    for (const QString &c : changes) {
        const QString kind = c.section(QLatin1Char(':'), 0, 0);
        PathChange change;
        change.path = c.section(QLatin1Char(':'), 1);
        change.kind = kind == QLatin1String("mode") ? ChangeKind::Mode
            : kind == QLatin1String("added")        ? ChangeKind::Added
            : kind == QLatin1String("touched")      ? ChangeKind::Touched
                                                    : ChangeKind::Content;
        query.paths.append(change);
    }
    if (!changedStep.isEmpty()) {
        for (const Stage &stage : setup.graph.stages) {
            for (const Step &step : stage.steps) {
                if (labelKey(step.label) == changedStep)
                    query.lines.append(step.line);
            }
        }
        QCOMPARE(query.lines.size(), 1);
    }
    const WhatIfResult result = engine.whatIf(query);
    const QHash<QString, QString> truth = groundTruth(caseName);
    QVERIFY2(!truth.isEmpty(), qPrintable(caseName));

    // Exactly the steps BuildKit printed (only stages the target needs), FROM vertices apart.
    QSet<QString> ours;
    for (const StepVerdict &v : result.steps) {
        if (v.instruction != QLatin1String("FROM"))
            ours.insert(labelKey(v.label));
    }
    const QSet<QString> theirs(truth.keyBegin(), truth.keyEnd());
    if (ours != theirs)
        qWarning() << "listed" << ours << "BuildKit printed" << theirs;
    QCOMPARE(ours, theirs);

    int failures = 0;
    for (const StepVerdict &v : result.steps) {
        const QString key = labelKey(v.label);
        if (v.instruction == QLatin1String("FROM")) {
            QCOMPARE(v.verdict, Verdict::Cached); // no case edits a FROM
            continue;
        }
        const QString status = truth.value(key);
        const bool ok =
            status == QLatin1String("DONE") ? v.verdict != Verdict::Cached : v.verdict != Verdict::Rerun;
        const bool justified =
            v.verdict != Verdict::Maybe || maybeJustified(setup.graph, result, v.stage, v.step);
        const bool explained = v.verdict == Verdict::Cached || !v.reasons.isEmpty();
        if (!ok || !justified || !explained) {
            ++failures;
            qWarning().noquote() << caseName << key << "actual" << verdictName(v.verdict) << "BuildKit"
                                 << status << (justified ? "" : "(maybe without a content-keyed input)")
                                 << v.reason();
        }
    }
    QCOMPARE(failures, 0);
}

void TestCacheEngine::reasonChains()
{
    const Setup setup = prepare(realPath(QStringLiteral("project")), {}, {});
    const CacheEngine engine(setup.graph, setup.context);
    WhatIfChanges query;
    query.paths.append({QStringLiteral("src/util.c"), ChangeKind::Content});
    const WhatIfResult result = engine.whatIf(query);
    // The chain runs from the edited file through the stage to the content-keyed copy.
    const StepVerdict *copy = nullptr;
    const StepVerdict *fromBuilder = nullptr;
    for (const StepVerdict &v : result.steps) {
        if (labelKey(v.label) == QLatin1String("[builder 2/3]"))
            copy = &v;
        if (labelKey(v.label) == QLatin1String("[runtime 3/6]"))
            fromBuilder = &v;
    }
    QVERIFY(copy && fromBuilder);
    QCOMPARE(copy->verdict, Verdict::Rerun);
    QCOMPARE(copy->reason(), QStringLiteral("COPY src/ ./ reads src/util.c"));
    QCOMPARE(fromBuilder->verdict, Verdict::Maybe);
    QCOMPARE(fromBuilder->reasons.first(), copy->reason());
    QVERIFY2(fromBuilder->reasons.contains(QStringLiteral("follows [builder 2/3]")),
        qPrintable(fromBuilder->reason()));
    QVERIFY2(fromBuilder->reasons.last().startsWith(
                 QLatin1String("COPY --from=builder: re-runs only if /out/app")),
        qPrintable(fromBuilder->reason()));
    // Notes explain why other changes do not count.
    query.paths = {{QStringLiteral("README.md"), ChangeKind::Content},
        {QStringLiteral("extra/unused.txt"), ChangeKind::Content},
        {QStringLiteral("src/main.c"), ChangeKind::Touched}};
    const WhatIfResult none = engine.whatIf(query);
    QCOMPARE(none.count(Verdict::Cached), none.steps.size());
    QCOMPARE(none.notes.size(), 3);
}

// COPY --link is keyed by its sources alone (BuildKit copies onto an empty layer and merges it): a new base
// or an earlier re-run leaves the copy cached, the steps after it still re-run; its own sources still count.
// A --chown by name is not treated as linked (it needs the base's user database).
void TestCacheEngine::linkedCopies()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath(QStringLiteral("src")));
    for (const QString &f : {QStringLiteral("src/a.c"), QStringLiteral("app.conf")}) {
        QFile file(dir.filePath(f));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x\n");
    }
    const QByteArray text = "FROM alpine:3.20\n"
                            "RUN apk add gcc\n"
                            "COPY --link src/ /src/\n"
                            "COPY --link --chown=app:app app.conf /etc/app.conf\n"
                            "COPY --link --chown=10:10 app.conf /etc/app2.conf\n"
                            "RUN gcc /src/a.c\n";
    const BuildGraph graph = buildGraph(text, dir.filePath(QStringLiteral("Dockerfile")), {});
    ContextScanOptions scan;
    scan.contextDir = dir.path();
    const CacheEngine engine(graph, std::make_shared<const ContextIndex>(ContextIndex::scan(scan)));
    auto verdicts = [&](const WhatIfChanges &changes) {
        QList<Verdict> out;
        for (const StepVerdict &v : engine.whatIf(changes).steps)
            out.append(v.verdict);
        return out;
    };
    using enum Verdict;
    WhatIfChanges base;
    base.movedBases = {QStringLiteral("0")};
    QCOMPARE(verdicts(base), (QList<Verdict> {Rerun, Rerun, Cached, Rerun, Cached, Rerun}));
    WhatIfChanges run;
    run.lines = {2};
    QCOMPARE(verdicts(run), (QList<Verdict> {Cached, Rerun, Cached, Rerun, Cached, Rerun}));
    WhatIfChanges source;
    source.paths = {{QStringLiteral("src/a.c"), ChangeKind::Content}};
    QCOMPARE(verdicts(source), (QList<Verdict> {Cached, Cached, Rerun, Rerun, Cached, Rerun}));
}

void TestCacheEngine::timings()
{
    const Setup setup = prepare(realPath(QStringLiteral("project")), {}, {});
    CacheEngine engine(setup.graph, setup.context);
    WhatIfChanges query;
    query.paths.append({QStringLiteral("assets/style.css"), ChangeKind::Content});
    const QJsonObject untimed = toJson(engine.whatIf(query));
    QVERIFY(untimed.value(QStringLiteral("rerun_seconds")).isNull()); // no log: unknown, not zero
    QVERIFY(untimed.value(QStringLiteral("steps"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("seconds"))
                .isNull());

    const BuildLogResult log = readBuildLogFile(realPath(QStringLiteral("00-cold.log")));
    engine.setStepSeconds(stepCosts(setup.graph, {&log.builds.last()}));
    const WhatIfResult result = engine.whatIf(query);
    // Expected totals from steps.tsv: the cold build's DONE seconds of the steps with each verdict.
    QHash<QString, double> cold;
    for (const QByteArray &line : Test::readAll(realPath(QStringLiteral("steps.tsv"))).split('\n')) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() >= 6 && cols.at(0) == "00-cold" && cols.at(3) == "DONE")
            cold.insert(
                labelKey(QString::fromUtf8(cols.at(5))), QByteArray(cols.at(4)).chopped(1).toDouble());
    }
    double rerun = 0;
    double maybe = 0;
    for (const StepVerdict &v : result.steps) {
        // BuildKit prints the shared FROM vertex under one stage's label only: matched by its image.
        QVERIFY2(v.seconds.has_value(), qPrintable(v.label));
        if (v.instruction == QLatin1String("FROM"))
            continue;
        QCOMPARE(*v.seconds, cold.value(labelKey(v.label)));
        if (v.verdict == Verdict::Rerun)
            rerun += *v.seconds;
        else if (v.verdict == Verdict::Maybe)
            maybe += *v.seconds;
    }
    QVERIFY(result.count(Verdict::Rerun) > 0 && result.count(Verdict::Maybe) > 0);
    QVERIFY(qAbs(result.rerunSeconds - rerun) < 1e-9);
    QVERIFY(qAbs(result.maybeSeconds - maybe) < 1e-9);
    const QJsonObject timed = toJson(result);
    QVERIFY(qAbs(timed.value(QStringLiteral("rerun_seconds")).toDouble() - rerun) < 1e-9);

    // A label whose expanded args differ still finds its time through "[stage k/n] KEYWORD".
    const Setup other =
        prepare(realPath(QStringLiteral("project")), {QStringLiteral("DEPS_MIRROR=mirror2")}, {});
    CacheEngine renamed(other.graph, other.context);
    renamed.setStepSeconds(stepCosts(other.graph, {&log.builds.last()}));
    query.paths.clear();
    query.args = {QStringLiteral("DEPS_MIRROR")};
    const WhatIfResult mirror = renamed.whatIf(query);
    for (const StepVerdict &v : mirror.steps) {
        if (labelKey(v.label) == QLatin1String("[deps 4/4]")) {
            QVERIFY(v.label.contains(QLatin1String("mirror2")));
            QCOMPARE(v.seconds.value_or(-1), cold.value(QStringLiteral("[deps 4/4]")));
        }
    }
}

void TestCacheEngine::lineEdits_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<int>("line");
    QTest::addColumn<QStringList>("rerun"); // "[stage k/n]" keys expected to re-run
    const QByteArray text = "ARG BASE=alpine:3.20\n" // 1
                            "FROM ${BASE} AS a\n" // 2
                            "ENV X=1\n" // 3
                            "WORKDIR /w\n" // 4
                            "COPY f ./\n" // 5
                            "RUN make\n" // 6
                            "LABEL v=1\n" // 7
                            "FROM alpine:3.20 AS b\n" // 8
                            "# comment\n" // 9
                            "USER nobody\n" // 10
                            "RUN id\n" // 11
                            "COPY --from=a /w /w\n"; // 12
    auto L = [](std::initializer_list<const char *> items) {
        QStringList out;
        for (const char *i : items)
            out.append(QString::fromUtf8(i));
        return out;
    };
    // The rules of the brief: an ENV/USER line re-runs the next RUN (not WORKDIR/COPY); LABEL and comments
    // change no layer; a step's own line re-runs it. A changed base (a global ARG used by FROM, a FROM line)
    // is keyed by the image's content, not its name: "maybe" for the stage (BuildKit rule 2, issue #17).
    QTest::addRow("global arg") << text << 1 << QStringList();
    QTest::addRow("env") << text << 3 << L({"[a 4/4]"});
    QTest::addRow("copy line") << text << 5 << L({"[a 3/4]", "[a 4/4]"});
    QTest::addRow("label") << text << 7 << QStringList();
    QTest::addRow("comment") << text << 9 << QStringList();
    QTest::addRow("user") << text << 10 << L({"[b 2/3]", "[b 3/3]"});
    QTest::addRow("from line") << text << 8 << QStringList();
}

void TestCacheEngine::lineEdits()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(int, line);
    QFETCH(QStringList, rerun);
    BuildOptions options;
    options.target = QStringLiteral("b");
    const BuildGraph graph = buildGraph(dockerfile, QStringLiteral("Dockerfile"), options);
    const CacheEngine engine(graph, nullptr);
    WhatIfChanges query;
    query.lines = {line};
    const WhatIfResult result = engine.whatIf(query);
    QStringList actual;
    for (const StepVerdict &v : result.steps) {
        if (v.verdict == Verdict::Rerun)
            actual.append(labelKey(v.label));
    }
    if (actual != rerun) {
        for (const StepVerdict &v : result.steps)
            qWarning().noquote() << v.label << verdictName(v.verdict) << v.reason();
    }
    QCOMPARE(actual, rerun);
    // A changed base leaves every step of its stage "maybe", with the reason said.
    if (line == 1 || line == 8) {
        const QString stage = line == 1 ? QStringLiteral("[a ") : QStringLiteral("[b ");
        int maybe = 0;
        for (const StepVerdict &v : result.steps) {
            if (!v.label.startsWith(stage))
                continue;
            QCOMPARE(v.verdict, Verdict::Maybe);
            QVERIFY2(v.reason().contains(QLatin1String("keys a base by content"))
                    || v.reason().contains(QLatin1String("follows")),
                qPrintable(v.reason()));
            ++maybe;
        }
        QVERIFY(maybe >= 3);
    }
}

// BuildKit rule 3 (issue #17): the Dockerfile and .dockerignore are files of the build context too. An edit
// of any Dockerfile line (a comment included) re-runs the steps that copy the Dockerfile (COPY . .); an edit
// of .dockerignore re-runs those that copy it and may change what every other context copy receives. The
// cases are the differential tester's contradictions (tests/data/oracle/18-25 and 17-26), made small.
void TestCacheEngine::contextFilesOfTheBuild()
{
    QTemporaryDir dir;
    auto write = [&dir](const QString &name, const QByteArray &bytes) {
        QDir(dir.path()).mkpath(QFileInfo(dir.filePath(name)).path());
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    };
    const QByteArray dockerfile = "FROM alpine AS s0\n" // 1
                                  "RUN echo one\n" // 2
                                  "# a comment\n" // 3
                                  "FROM alpine AS s1\n" // 4
                                  "COPY src/sub/ /in/src/sub/\n" // 5
                                  "COPY . /ctx/\n" // 6
                                  "RUN ls /ctx\n"; // 7
    QVERIFY(write(QStringLiteral("Dockerfile"), dockerfile));
    QVERIFY(write(QStringLiteral("src/sub/f0.md"), "x"));
    QVERIFY(write(QStringLiteral("src/sub/f1.tmp"), "y"));
    ContextScanOptions scan;
    scan.contextDir = dir.path();
    scan.dockerfilePath = dir.filePath(QStringLiteral("Dockerfile"));
    auto context = std::make_shared<const ContextIndex>(ContextIndex::scan(scan));
    BuildOptions options;
    options.target = QStringLiteral("s1");
    const CacheEngine engine(
        buildGraph(dockerfile, dir.filePath(QStringLiteral("Dockerfile")), options), context);
    auto verdictOf = [](const WhatIfResult &r, const QString &key) {
        for (const StepVerdict &v : r.steps) {
            if (labelKey(v.label) == key)
                return v.verdict;
        }
        return Verdict::Cached;
    };
    for (int line : {2, 3}) {
        WhatIfChanges edit;
        edit.lines = {line};
        const WhatIfResult r = engine.whatIf(edit);
        QCOMPARE(
            verdictOf(r, QStringLiteral("[s1 3/4]")), Verdict::Rerun); // COPY . /ctx/ copies the Dockerfile
        QCOMPARE(verdictOf(r, QStringLiteral("[s1 4/4]")), Verdict::Rerun);
        QCOMPARE(verdictOf(r, QStringLiteral("[s1 2/4]")), Verdict::Cached); // COPY src/sub/ does not
        for (const QString &note : r.notes)
            QVERIFY2(!note.contains(QLatin1String("read by no step")), qPrintable(note));
    }
    // An ignored Dockerfile is no context file: the same edit leaves the copies alone.
    QVERIFY(write(QStringLiteral(".dockerignore"), "Dockerfile\n"));
    auto ignoring = std::make_shared<const ContextIndex>(ContextIndex::scan(scan));
    const CacheEngine quiet(
        buildGraph(dockerfile, dir.filePath(QStringLiteral("Dockerfile")), options), ignoring);
    WhatIfChanges comment;
    comment.lines = {3};
    QCOMPARE(verdictOf(quiet.whatIf(comment), QStringLiteral("[s1 3/4]")), Verdict::Cached);

    // .dockerignore edited (or added): the copy of everything re-runs, the others may.
    WhatIfChanges rules;
    rules.paths.append({QStringLiteral(".dockerignore"), ChangeKind::Content});
    for (const CacheEngine *e : {&engine, &quiet}) {
        const WhatIfResult r = e->whatIf(rules);
        QCOMPARE(verdictOf(r, QStringLiteral("[s1 2/4]")), Verdict::Maybe);
        QCOMPARE(verdictOf(r, QStringLiteral("[s1 3/4]")), Verdict::Rerun);
    }
}

void TestCacheEngine::hostileQueries()
{
    const Setup setup = prepare(realPath(QStringLiteral("project")), {}, {});
    const CacheEngine engine(setup.graph, setup.context);
    WhatIfChanges query;
    query.paths = {{QStringLiteral("../../etc/passwd"), ChangeKind::Content},
        {QStringLiteral("/etc/passwd"), ChangeKind::Content}, {QString(), ChangeKind::Content},
        {QStringLiteral("src/\n/x"), ChangeKind::Deleted}};
    query.lines = {-5, 0, 1 << 30};
    query.args = {QString(), QStringLiteral("$(rm -rf)")};
    const WhatIfResult result = engine.whatIf(query);
    QCOMPARE(result.steps.size(), setup.graph.neededVertices().size()); // every needed vertex is still listed
    // Huge queries stay linear: 50k lines and 50k arg names answer at once.
    WhatIfChanges huge;
    for (int i = 0; i < 50000; ++i) {
        huge.lines.append(i);
        huge.args.append(QStringLiteral("A%1").arg(i));
    }
    QElapsedTimer timer;
    timer.start();
    const WhatIfResult all = engine.whatIf(huge);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(all.steps.size(), result.steps.size());
    QVERIFY(all.notes.size() <= 101);
    // The newline path lies inside src/ as a deleted entry: only the COPY src/ chain may move.
    for (const StepVerdict &v : result.steps) {
        if (v.verdict == Verdict::Rerun)
            QVERIFY2(v.stageToken == QLatin1String("builder") || v.stageToken == QLatin1String("test")
                    || v.stageToken == QLatin1String("runtime"),
                qPrintable(v.label));
    }
}

void TestCacheEngine::queryIsFast()
{
    // A synthetic context, small by default because creating files is slow on CI disks; the query cost must
    // not depend on its size. STAGELENS_BIG_CONTEXT=1 makes it 100k files.
    const bool big = qEnvironmentVariableIntValue("STAGELENS_BIG_CONTEXT") != 0;
    const int dirs = big ? 100 : 20;
    const int files = big ? 1000 : 100;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QDir().mkpath(dir.filePath(QStringLiteral("src")));
    for (int d = 0; d < dirs; ++d) {
        const QString sub = dir.filePath(QStringLiteral("src/d%1").arg(d));
        QDir().mkpath(sub);
        for (int f = 0; f < files; ++f) {
            QFile file(sub + QStringLiteral("/f%1.c").arg(f));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
    }
    const QByteArray dockerfile =
        "FROM alpine AS build\nCOPY . /all\nCOPY src/d7 /d7\nCOPY src/*/f1.c /one/\n"
        "RUN make\nFROM alpine\nCOPY --from=build /out /out\n";
    const BuildGraph graph = buildGraph(dockerfile, QStringLiteral("Dockerfile"), {});
    ContextScanOptions scan;
    scan.contextDir = dir.path();
    QElapsedTimer timer;
    timer.start();
    auto context = std::make_shared<const ContextIndex>(ContextIndex::scan(scan));
    const qint64 scanMs = timer.elapsed();
    QCOMPARE(context->entries().size(), 1 + dirs + dirs * files);
    const CacheEngine engine(graph, context);
    QCOMPARE(engine.contextReads({0, 1}).size(), context->entries().size());
    QCOMPARE(engine.contextReads({0, 2}).size(), 1 + files);
    QCOMPARE(engine.contextReads({0, 3}).size(), dirs);

    WhatIfChanges query;
    query.paths = {{QStringLiteral("src/d7/f1.c"), ChangeKind::Content}};
    timer.restart();
    constexpr int Rounds = 100;
    WhatIfResult result;
    for (int i = 0; i < Rounds; ++i)
        result = engine.whatIf(query);
    const double perQueryMs = double(timer.nsecsElapsed()) / 1e6 / Rounds;
    qInfo() << context->entries().size() << "entries: scan" << scanMs << "ms; one query" << perQueryMs
            << "ms";
    QVERIFY2(perQueryMs < 10, qPrintable(QString::number(perQueryMs)));
    QCOMPARE(result.count(Verdict::Rerun), 4); // the three COPYs' chain and RUN
    QCOMPARE(result.count(Verdict::Maybe), 1);
}

QTEST_GUILESS_MAIN(TestCacheEngine)
#include "tst_cacheengine.moc"
