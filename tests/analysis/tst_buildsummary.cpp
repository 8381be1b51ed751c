// The build figures (BuildSummary) against counts this test makes itself from the raw text of every log of
// the corpus, against buildkit-real/steps.tsv (BuildKit's own output), and the cases of issue #15.
#include "model/analysis/buildsummary.h"
#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/vertexorder.h"
#include "testutils.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Stagelens;

namespace {

struct Counts
{
    int steps = 0;
    int cached = 0;
    int ran = 0;
    int errors = 0;
    bool operator==(const Counts &o) const
    {
        return steps == o.steps && cached == o.cached && ran == o.ran && errors == o.errors;
    }
};

QString toString(const QList<Counts> &list)
{
    QStringList parts;
    for (const Counts &c : list)
        parts.append(QStringLiteral("[%1 steps, %2 cached, %3 ran, %4 errors]")
                         .arg(c.steps)
                         .arg(c.cached)
                         .arg(c.ran)
                         .arg(c.errors));
    return parts.join(QLatin1Char(' '));
}

// Physical lines of a log with ANSI escapes and a leading RFC 3339 stamp (GitHub Actions, Render) removed.
// Carriage returns split lines too: progress redraws and GitLab section markers use them.
QStringList cleanLines(const QByteArray &bytes)
{
    static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;?]*[A-Za-z]"));
    static const QRegularExpression stamp(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s?"));
    QStringList lines;
    for (const QString &raw : QString::fromUtf8(bytes).split(QRegularExpression(QStringLiteral("[\r\n]")))) {
        QString line = raw;
        line.remove(ansi);
        line.remove(stamp);
        lines.append(line.trimmed());
    }
    return lines;
}

// "[stage k/n]", "[k/n]", "[target stage k/n]", "[platform stage k/n]": a Dockerfile step, unless internal.
bool isStepBracket(const QString &bracket)
{
    static const QRegularExpression counter(QStringLiteral("[\\[ ]\\d+/\\d+\\]$"));
    return counter.match(bracket).hasMatch() && !bracket.contains(QLatin1String("internal"));
}

// The plain-progress scan: "#N [..] name" headers (the first one of each #N counts) and "#N CACHED",
// "#N DONE 1.2s", "#N ERROR ..." lines. A build starts at "#0 building with" or when "#1" comes back
// after the build went on past #2. CACHED is final for its vertex (BuildKit prints a repeated header
// and CACHED after DONE for a vertex shared by two stages).
QList<Counts> scanPlain(const QStringList &lines)
{
    static const QRegularExpression header(QStringLiteral("^#(\\d+) (\\[[^\\]]*\\])"));
    static const QRegularExpression status(QStringLiteral("^#(\\d+) (DONE [0-9.ms]+$|CACHED$|ERROR(:| |$))"));
    struct Build
    {
        QHash<int, QString> brackets;
        QHash<int, QString> statuses;
        int maxNumber = 0;
    };
    QList<Build> builds;
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1String("#0 building with"))) {
            builds.append(Build {});
            continue;
        }
        const QRegularExpressionMatch h = header.match(line);
        if (h.hasMatch()) {
            const int n = h.captured(1).toInt();
            if (builds.isEmpty()
                || (n == 1 && builds.last().brackets.contains(1) && builds.last().maxNumber >= 3))
                builds.append(Build {});
            Build &b = builds.last();
            b.maxNumber = std::max(b.maxNumber, n);
            if (!b.brackets.contains(n))
                b.brackets.insert(n, h.captured(2));
            continue;
        }
        const QRegularExpressionMatch s = status.match(line);
        if (s.hasMatch() && !builds.isEmpty()) {
            const int n = s.captured(1).toInt();
            if (builds.last().statuses.value(n) != QLatin1String("CACHED"))
                builds.last().statuses.insert(
                    n, s.captured(2).section(QLatin1Char(' '), 0, 0).remove(QLatin1Char(':')));
        }
    }
    QList<Counts> result;
    for (const Build &b : std::as_const(builds)) {
        Counts c;
        for (auto it = b.brackets.cbegin(); it != b.brackets.cend(); ++it) {
            if (!isStepBracket(it.value()))
                continue;
            ++c.steps;
            const QString st = b.statuses.value(it.key());
            c.cached += st == QLatin1String("CACHED");
            c.ran += st == QLatin1String("DONE");
            c.errors += st == QLatin1String("ERROR");
        }
        result.append(c);
    }
    return result;
}

// The tty scan: the entries (" => [..] name   1.2s", " => CACHED [..] ...", " => ERROR [..] ...") of the
// last frame (after the last "[+] Building" header, or the whole text of a paste without one); " => =>"
// lines are sub-statuses of the entry above. An entry with a time and no prefix completed.
QList<Counts> scanTty(const QStringList &lines)
{
    static const QRegularExpression entry(
        QStringLiteral("^=> (CACHED |ERROR |CANCELED )?(\\[[^\\]]*\\])(.*?)(\\s+\\d+(\\.\\d+)?s)?$"));
    qsizetype first = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).contains(QLatin1String("[+] Building")))
            first = i;
    }
    Counts c;
    QSet<QString> seen;
    for (qsizetype i = first; i < lines.size(); ++i) {
        const QRegularExpressionMatch m = entry.match(lines.at(i));
        if (!m.hasMatch() || !isStepBracket(m.captured(2)))
            continue;
        const QString name = m.captured(2) + m.captured(3).trimmed();
        if (seen.contains(name))
            continue;
        seen.insert(name);
        ++c.steps;
        const QString prefix = m.captured(1).trimmed();
        c.cached += prefix == QLatin1String("CACHED");
        c.errors += prefix == QLatin1String("ERROR");
        c.ran += prefix.isEmpty() && m.capturedLength(4) > 0;
    }
    return c.steps > 0 ? QList<Counts> {c} : QList<Counts> {};
}

// The counts of a log by the scan that fits its shape; builds without any step are left out, since the
// scans cannot tell where such builds begin.
QList<Counts> independentCounts(const QByteArray &bytes, QString *shape)
{
    const QStringList lines = cleanLines(bytes);
    static const QRegularExpression plainLine(QStringLiteral("^#\\d+ "));
    const bool plain = std::any_of(lines.cbegin(), lines.cend(), [](const QString &l) {
        return plainLine.match(l).hasMatch() && !l.startsWith(QLatin1String("#0 "));
    });
    const bool tty = std::any_of(
        lines.cbegin(), lines.cend(), [](const QString &l) { return l.startsWith(QLatin1String("=> ")); });
    QList<Counts> counts;
    if (plain) {
        *shape = QStringLiteral("plain");
        counts = scanPlain(lines);
    } else if (tty) {
        *shape = QStringLiteral("tty");
        counts = scanTty(lines);
    } else {
        *shape = QStringLiteral("other");
    }
    counts.removeIf([](const Counts &c) { return c.steps == 0; });
    return counts;
}

QList<Counts> summaryCounts(const BuildLogResult &result)
{
    QList<Counts> counts;
    for (const BuildRun &run : result.builds) {
        const BuildSummary s = summarizeBuild(run);
        if (s.steps > 0)
            counts.append({s.steps, s.cached, s.ran, s.errors});
    }
    return counts;
}

QStringList corpusLogs()
{
    QStringList paths;
    for (const QString &dir : {QStringLiteral("logs"), QStringLiteral("buildkit-real")}) {
        const QDir d(Test::corpusPath(dir));
        for (const QString &name : d.entryList({QStringLiteral("*.log")}, QDir::Files, QDir::Name))
            paths.append(dir + QLatin1Char('/') + name);
    }
    return paths;
}

// buildkit-real/steps.tsv, written from BuildKit's own output: case -> (status, name) per vertex.
QHash<QString, QList<QPair<QString, QString>>> readStepsTsv()
{
    QHash<QString, QList<QPair<QString, QString>>> rows;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cols = lines.at(i).split('\t');
        if (cols.size() >= 6)
            rows[QString::fromUtf8(cols.at(0))].append(
                {QString::fromUtf8(cols.at(3)), QString::fromUtf8(cols.at(5))});
    }
    return rows;
}

BuildVertex vertex(const QString &id, const QString &name, VertexStatus status, std::optional<double> start,
    std::optional<double> end, TimingKind timing = TimingKind::Exact)
{
    BuildVertex v;
    v.id = id;
    v.name = name;
    v.label = parseVertexLabel(name);
    v.category = categorizeVertex(name, v.label);
    v.status = status;
    v.start = start;
    v.end = end;
    if (start && end && status != VertexStatus::Cached)
        v.seconds = *end - *start;
    v.timing = timing;
    return v;
}

QStringList pathNames(const BuildRun &run, const BuildSummary &s)
{
    QStringList names;
    for (const int v : s.criticalPath)
        names.append(run.vertices.at(v).name);
    return names;
}

} // namespace

class TestBuildSummary : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { Test::setCNumericLocale(); }

    // Every log of the corpus: the step counts agree with the scan of its raw text, and the figures keep
    // their invariants.
    void corpus_data()
    {
        QTest::addColumn<QString>("log");
        const QStringList logs = corpusLogs();
        QVERIFY(logs.size() >= 60);
        for (const QString &log : logs)
            QTest::addRow("%s", qPrintable(log)) << log;
    }
    void corpus()
    {
        QFETCH(QString, log);
        const QString path = Test::corpusPath(log);
        const BuildLogResult result = readBuildLogFile(path);
        QString shape;
        const QList<Counts> expected = independentCounts(Test::readAll(path), &shape);
        const QList<Counts> actual = summaryCounts(result);
        QVERIFY2(actual == expected,
            qPrintable(QStringLiteral("%1 scan: expected %2, actual %3")
                           .arg(shape, toString(expected), toString(actual))));
        if (shape == QLatin1String("other")) {
            // Neither scan applies: rawjson (bakah-12: one vertex, "[internal] load local bake definitions",
            // read from its only "name" field), a log holding only a failure excerpt (buildx-1619) or only
            // a client error (27-progress-rawjson-unsupported). Facts read by hand from the files.
            static const QHash<QString, QList<int>> internalByLog {
                {QStringLiteral("logs/bakah-12-rawjson-ndjson.log"), {1}},
                {QStringLiteral("logs/buildx-1619-gha-timestamps-error-context.log"), {}},
                {QStringLiteral("buildkit-real/27-progress-rawjson-unsupported.log"), {}},
            };
            QVERIFY2(
                internalByLog.contains(log), qPrintable(QStringLiteral("no hand-derived facts for ") + log));
            QList<int> internal;
            for (const BuildRun &run : result.builds)
                internal.append(summarizeBuild(run).internal);
            QCOMPARE(internal, internalByLog.value(log));
        }
        for (const BuildRun &run : result.builds) {
            const BuildSummary s = summarizeBuild(run);
            const QString where = QStringLiteral("build %1").arg(run.index + 1);
            QVERIFY2(s.cached + s.ran + s.errors <= s.steps, qPrintable(where));
            QCOMPARE(s.steps + s.internal, int(run.vertices.size()));
            QCOMPARE(s.cacheHitRate().has_value(), s.cached + s.ran > 0);
            if (s.wallSeconds)
                QVERIFY2(*s.wallSeconds >= 0, qPrintable(where));
            // The critical path is a chain: no vertex on it starts before the one before it ends, and it
            // never takes longer than the build.
            if (s.criticalPathSeconds && s.wallSeconds)
                QVERIFY2(*s.criticalPathSeconds <= *s.wallSeconds + 1e-6,
                    qPrintable(QStringLiteral("%1: critical path %2 s > wall %3 s")
                                   .arg(where)
                                   .arg(*s.criticalPathSeconds)
                                   .arg(*s.wallSeconds)));
            for (int i = 1; i < s.criticalPath.size(); ++i) {
                const BuildVertex &a = run.vertices.at(s.criticalPath.at(i - 1));
                const BuildVertex &b = run.vertices.at(s.criticalPath.at(i));
                if (a.end && b.start)
                    QVERIFY2(*b.start >= *a.end - 1e-3, qPrintable(where + QStringLiteral(": ") + b.name));
            }
            for (const int v : s.criticalPath)
                QVERIFY(run.vertices.at(v).status != VertexStatus::Cached);
            QCOMPARE(s.error, run.error);
            if (!run.error.isEmpty() || run.failedVertex >= 0)
                QVERIFY(s.failed());
            if (s.failedVertex >= 0)
                QCOMPARE(s.failedStep, run.vertices.at(s.failedVertex).name);
        }
    }

    // buildkit-real against steps.tsv: one row per vertex with BuildKit's status.
    void stepsTsv_data()
    {
        QTest::addColumn<QString>("caseName");
        const auto rows = readStepsTsv();
        QVERIFY(rows.size() >= 25);
        for (auto it = rows.cbegin(); it != rows.cend(); ++it)
            QTest::addRow("%s", qPrintable(it.key())) << it.key();
    }
    void stepsTsv()
    {
        QFETCH(QString, caseName);
        const auto rows = readStepsTsv().value(caseName);
        Counts expected;
        int internal = 0;
        static const QRegularExpression bracket(QStringLiteral("^\\[[^\\]]*\\]"));
        for (const auto &[status, name] : rows) {
            if (!isStepBracket(bracket.match(name).captured(0))) {
                ++internal;
                continue;
            }
            ++expected.steps;
            expected.cached += status == QLatin1String("CACHED");
            expected.ran += status == QLatin1String("DONE");
            expected.errors += status == QLatin1String("ERROR");
        }
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/%1.log").arg(caseName)));
        QCOMPARE(result.builds.size(), 1);
        const BuildSummary s = summarizeBuild(result.builds.first());
        QCOMPARE(s.steps, expected.steps);
        QCOMPARE(s.cached, expected.cached);
        QCOMPARE(s.ran, expected.ran);
        QCOMPARE(s.errors, expected.errors);
        QCOMPARE(s.internal, internal);
        QCOMPARE(s.failed(), expected.errors > 0);
    }

    // Issue #15: "cache hits 0%" on a log where 5 of 9 Dockerfile steps are CACHED.
    void langkeboHitRate()
    {
        const BuildLogResult result = readBuildLogFile(Test::corpusPath(
            QStringLiteral("logs/langkebo-synapse-rust-context-transfer-progress-run-error.log")));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        const BuildSummary s = summarizeBuild(run);
        QCOMPARE(s.steps, 9);
        QCOMPARE(s.cached, 5);
        QCOMPARE(s.ran, 3);
        QCOMPARE(s.errors, 1); // the cargo build (exit code 101)
        QVERIFY(s.cacheHitRate());
        QCOMPARE(*s.cacheHitRate(), 5.0 / 8.0);
        QVERIFY(s.failedStep.startsWith(QLatin1String("[builder 5/5] RUN cargo build")));
        QVERIFY(s.error.contains(QLatin1String("exit code: 101")));
        // The 143.5 s context upload, the 83.9 s COPY . . and the failing cargo build are one chain.
        QCOMPARE(pathNames(run, s).first(), QStringLiteral("[internal] load build context"));
        QVERIFY(pathNames(run, s).last().startsWith(QLatin1String("[builder 5/5]")));
        QVERIFY(*s.criticalPathSeconds > 143.5 + 83.9);
    }

    // Issue #15: BuildKit's "Dockerfile:NN" excerpt of the failing instruction is kept whole, line for line
    // as the log prints it (a five-line RUN was cut to one truncated line); read here from the raw file.
    void errorContextWhole_data()
    {
        QTest::addColumn<QString>("log");
        QTest::newRow("langkebo") << QStringLiteral(
            "logs/langkebo-synapse-rust-context-transfer-progress-run-error.log");
        QTest::newRow("coolify") << QStringLiteral(
            "logs/JhonyAlex-bellas-glamour-coolify-deploy-run-error.log");
        QTest::newRow("tty heredoc") << QStringLiteral("logs/axis-kinesis-vsp-15-tty-heredoc-error.log");
    }
    void errorContextWhole()
    {
        QFETCH(QString, log);
        const QString path = Test::corpusPath(log);
        // The excerpt as printed: the "Dockerfile...:N" line, then every "  N | ..." line up to the rule.
        const QStringList lines = QString::fromUtf8(Test::readAll(path)).split(QLatin1Char('\n'));
        static const QRegularExpression where(QStringLiteral("^(Docker|Container)file[^ ]*:\\d+$"));
        static const QRegularExpression excerpt(QStringLiteral("^ *\\d+ \\|"));
        static const QRegularExpression coolifyStamp(
            QStringLiteral("^\\d{4}-[A-Z][a-z]{2}-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+$"));
        QStringList expected;
        for (int i = 0; i < lines.size(); ++i) {
            if (!where.match(lines[i].trimmed()).hasMatch())
                continue;
            expected.append(lines[i].trimmed());
            for (int j = i + 1; j < lines.size(); ++j) {
                QString line = lines[j];
                while (!line.isEmpty() && line.back().isSpace())
                    line.chop(1);
                if (coolifyStamp.match(line).hasMatch())
                    continue; // Coolify prints its time stamp on a line of its own before every line
                if (excerpt.match(line).hasMatch())
                    expected.append(line);
                else if (!line.startsWith(QLatin1String("-----")))
                    break;
            }
            break;
        }
        QVERIFY2(expected.size() >= 3, qPrintable(expected.join(QLatin1Char('\n'))));
        QVERIFY(expected.join(QLatin1Char('\n')).contains(QLatin1String(">>>")));
        const BuildLogResult result = readBuildLogFile(path);
        QVERIFY(!result.builds.isEmpty());
        const BuildSummary s = summarizeBuild(result.builds.last());
        QVERIFY(s.failed());
        QCOMPARE(s.errorContext, expected.join(QLatin1Char('\n')));
        QCOMPARE(toJson(s, result.builds.last())[QStringLiteral("error_context")].toString(), s.errorContext);
    }

    // A log holding only the failure summary names where the build failed, at that line.
    void orphanSummaryNamesWhere()
    {
        const BuildLogResult result = readBuildLogFile(
            Test::corpusPath(QStringLiteral("logs/buildx-1619-gha-timestamps-error-context.log")));
        QVERIFY(result.builds.isEmpty());
        QCOMPARE(result.diagnostics.size(), 1);
        QVERIFY2(
            result.diagnostics.first().message.endsWith(QLatin1String("the build failed at Dockerfile:52")),
            qPrintable(result.diagnostics.first().message));
        QCOMPARE(result.diagnostics.first().line, 2);
        QCOMPARE(result.diagnostics.first().code, QStringLiteral("log-failure-summary-only"));
        QVERIFY(result.onlyFailureSummary);
        QCOMPARE(result.failureSummaryWhere, QStringLiteral("Dockerfile:52"));
    }

    // Issue #15: "cache hits 100%" on a failed build with 1 of 4 steps cached.
    void failedRun()
    {
        const BuildLogResult result =
            readBuildLogFile(Test::corpusPath(QStringLiteral("buildkit-real/22-fail-run-exit1.log")));
        const BuildRun &run = result.builds.first();
        const BuildSummary s = summarizeBuild(run);
        QCOMPARE(s.steps, 4);
        QCOMPARE(s.cached, 1);
        QCOMPARE(s.errors, 1);
        QCOMPARE(*s.cacheHitRate(), 1.0 / 3.0);
        QVERIFY(s.failed());
        QVERIFY(s.failedStep.startsWith(QLatin1String("[broken 2/3] RUN echo \"about to fail\"")));
        QVERIFY(s.error.endsWith(QLatin1String("exit code: 1")));
        // "FROM prep AS broken": the failing stage is built on prep, whose RUN ran first.
        QCOMPARE(pathNames(run, s).first(), QStringLiteral("[prep 2/2] RUN echo \"step one ok\""));
        QCOMPARE(s.exactTiming, false);
    }

    // Issue #15: "critical path 0.0 s" on a 45 s build. Its GitHub stamps give exact times; the
    // 28.4 s gradle step (builder 6/6) and what waits for it set the wall time.
    void githubCriticalPath()
    {
        const BuildLogResult result = readBuildLogFile(Test::corpusPath(
            QStringLiteral("logs/jesuuslopeez-2526_DAW_u2_springboot-gha-full-job-git-context-push.log")));
        QCOMPARE(result.builds.size(), 2);
        const BuildRun &run = result.builds.at(1);
        const BuildSummary s = summarizeBuild(run);
        QVERIFY(s.wallSeconds);
        QVERIFY(*s.wallSeconds > 45 && *s.wallSeconds < 46);
        QVERIFY(s.criticalPathSeconds);
        QVERIFY2(*s.criticalPathSeconds > 38 && *s.criticalPathSeconds <= *s.wallSeconds,
            qPrintable(QString::number(*s.criticalPathSeconds)));
        QVERIFY(s.exactTiming);
        const QStringList names = pathNames(run, s);
        QVERIFY(names.contains(
            QStringLiteral("[builder 6/6] RUN chmod +x gradlew && ./gradlew bootWar --no-daemon")));
        QVERIFY(names.last() == QLatin1String("exporting to image")
            || names.last().startsWith(QLatin1String("resolving")));
        QCOMPARE(s.steps, 10);
        QCOMPARE(s.ran, 10);
        QVERIFY(!s.failed());
    }

    // Input edges (rawjson, records) win over the labels: here the label order would chain 2/3 -> 3/3, but
    // 3/3 reads the 10 s internal vertex instead.
    void inputEdges()
    {
        BuildRun run;
        run.vertices = {
            vertex(QStringLiteral("ctx"), QStringLiteral("[internal] load build context"), VertexStatus::Done,
                0.0, 1.0),
            vertex(QStringLiteral("big"), QStringLiteral("[internal] load remote cache"), VertexStatus::Done,
                0.0, 10.0),
            vertex(
                QStringLiteral("from"), QStringLiteral("[1/3] FROM alpine"), VertexStatus::Cached, 0.0, 0.0),
            vertex(QStringLiteral("two"), QStringLiteral("[2/3] COPY . /src"), VertexStatus::Done, 1.0, 4.0),
            vertex(QStringLiteral("three"), QStringLiteral("[3/3] RUN b"), VertexStatus::Done, 10.0, 11.0),
        };
        run.vertices[3].inputs = {QStringLiteral("from"), QStringLiteral("ctx")};
        run.vertices[4].inputs = {QStringLiteral("big")};
        BuildSummary s = summarizeBuild(run);
        QCOMPARE(pathNames(run, s),
            (QStringList {QStringLiteral("[internal] load remote cache"), QStringLiteral("[3/3] RUN b")}));
        QCOMPARE(*s.criticalPathSeconds, 11.0);
        QVERIFY(s.exactTiming);
        QCOMPARE(*s.wallSeconds, 11.0);
        QCOMPARE(s.steps, 3);
        QCOMPARE(s.cached, 1);
        QCOMPARE(s.ran, 2);
        QCOMPARE(s.internal, 2);

        // Without inputs the labels decide: 2/3 follows the cached FROM (which ends the chain) and the
        // context it copies from; 3/3 follows 2/3.
        for (BuildVertex &v : run.vertices)
            v.inputs.clear();
        run.vertices[1].end = 2.0; // else the 10 s vertex alone would be the longest chain
        run.vertices[1].seconds = 2.0;
        s = summarizeBuild(run);
        QCOMPARE(pathNames(run, s),
            (QStringList {QStringLiteral("[internal] load build context"),
                QStringLiteral("[2/3] COPY . /src"), QStringLiteral("[3/3] RUN b")}));
        QCOMPARE(*s.criticalPathSeconds, 5.0);
    }

    // The stages a step's options read from, as the dependency rules take them: --from= and every from=
    // field of a --mount, in the leading options only.
    void sourceStagesOfOptions_data()
    {
        QTest::addColumn<QString>("args");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("from") << QStringLiteral(" --from=builder /out /app")
                              << QStringList {QStringLiteral("builder")};
        QTest::newRow("mount field in the middle")
            << QStringLiteral(" --mount=type=cache,from=deps,target=/root/.cache go build")
            << QStringList {QStringLiteral("deps")};
        QTest::newRow("two mounts and a from")
            << QStringLiteral(" --mount=from=a --mount=type=bind,source=/x,from=b --from=c x")
            << QStringList {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        QTest::newRow("empty and trailing fields")
            << QStringLiteral(" --mount=,,from=z, make") << QStringList {QStringLiteral("z")};
        QTest::newRow("bare mount") << QStringLiteral(" --mount= make") << QStringList {};
        QTest::newRow("options end at the command")
            << QStringLiteral(" --network=none make --from=late") << QStringList {};
        QTest::newRow("clipped label") << QStringLiteral(" --mount=type=cache,fr") << QStringList {};
    }
    void sourceStagesOfOptions()
    {
        QFETCH(QString, args);
        QFETCH(QStringList, expected);
        QList<QStringView> names {QStringView(u"stale")}; // cleared first
        sourceStages(args, &names);
        QStringList got;
        for (const QStringView name : std::as_const(names))
            got.append(name.toString());
        QCOMPARE(got, expected);
    }

    // What the log cannot tell stays unknown: no times and no durations, no wall time, no critical path,
    // no hit rate; one estimated vertex makes the timing estimated.
    void unknownFigures()
    {
        BuildRun run;
        BuildSummary s = summarizeBuild(run);
        QVERIFY(!s.wallSeconds);
        QVERIFY(!s.criticalPathSeconds);
        QVERIFY(!s.cacheHitRate());
        QVERIFY(s.criticalPath.isEmpty());
        QVERIFY(!s.failed());

        run.vertices = {vertex(QStringLiteral("#1"), QStringLiteral("[build 1/2] FROM alpine"),
                            VertexStatus::Running, std::nullopt, std::nullopt, TimingKind::Estimated),
            vertex(QStringLiteral("#2"), QStringLiteral("[build 2/2] RUN make"), VertexStatus::Running,
                std::nullopt, std::nullopt, TimingKind::Estimated)};
        s = summarizeBuild(run);
        QCOMPARE(s.steps, 2);
        QCOMPARE(s.cached + s.ran + s.errors, 0);
        QVERIFY(!s.wallSeconds);
        QVERIFY(!s.criticalPathSeconds);
        QVERIFY(!s.cacheHitRate());

        run.vertices[1].seconds = 3.0; // "DONE 3.0s" without times: the duration is known, the wall is not
        run.vertices[1].status = VertexStatus::Done;
        s = summarizeBuild(run);
        QCOMPARE(*s.criticalPathSeconds, 3.0);
        QVERIFY(!s.wallSeconds);
        QVERIFY(!s.exactTiming);
        QCOMPARE(*s.cacheHitRate(), 0.0);
        run.duration = 4.0;
        QCOMPARE(*summarizeBuild(run).wallSeconds, 4.0);
    }

    // `log --json` carries a summary per build, equal to the model's; the text numbers builds from 1 and
    // shows the same figures, "—" for an unknown one.
    void logCommand()
    {
        const QString path = Test::corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"));
        const BuildLogResult result = readBuildLogFile(path);
        QCOMPARE(result.builds.size(), 2);
        QProcess json;
        json.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("log"), path, QStringLiteral("--json")});
        QVERIFY(json.waitForFinished(60000));
        QCOMPARE(json.exitCode(), 0);
        const QJsonArray builds = QJsonDocument::fromJson(json.readAllStandardOutput())
                                      .object()
                                      .value(QStringLiteral("builds"))
                                      .toArray();
        QCOMPARE(builds.size(), 2);
        QProcess text;
        text.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("log"), path});
        QVERIFY(text.waitForFinished(60000));
        const QString out = QString::fromUtf8(text.readAllStandardOutput());
        for (int b = 0; b < 2; ++b) {
            const BuildRun &run = result.builds.at(b);
            const BuildSummary s = summarizeBuild(run);
            const QJsonObject summary = builds.at(b).toObject().value(QStringLiteral("summary")).toObject();
            QCOMPARE(summary, toJson(s, run));
            for (const char *key : {"steps", "cached", "ran", "errors", "internal", "wall_seconds",
                     "critical_path_seconds", "critical_path", "timing", "failed_step", "error"})
                QVERIFY2(summary.contains(QLatin1String(key)), key);
            QCOMPARE(summary.value(QStringLiteral("steps")).toInt(), 7);
            const QString header = QStringLiteral(
                "build %1 (plain, wrapper none): %2 Dockerfile steps, %3 cached, %4 ran, %5 errors")
                                       .arg(b + 1)
                                       .arg(s.steps)
                                       .arg(s.cached)
                                       .arg(s.ran)
                                       .arg(s.errors);
            QVERIFY2(out.contains(header), qPrintable(out.left(400)));
            QVERIFY(out.contains(QStringLiteral("wall %1 s").arg(*s.wallSeconds, 0, 'f', 1)));
        }
        QVERIFY(!out.contains(QLatin1String("build 0 ")));

        // No time known anywhere: the text says "—", the JSON null.
        const QString cut = Test::corpusPath(QStringLiteral("logs/dra-example-driver-36-layer-download.log"));
        text.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("log"), cut});
        QVERIFY(text.waitForFinished(60000));
        QVERIFY(QString::fromUtf8(text.readAllStandardOutput()).contains(QStringLiteral("wall \u2014")));
        json.start(QStringLiteral(STAGELENS_BINARY), {QStringLiteral("log"), cut, QStringLiteral("--json")});
        QVERIFY(json.waitForFinished(60000));
        const QJsonObject summary = QJsonDocument::fromJson(json.readAllStandardOutput())
                                        .object()
                                        .value(QStringLiteral("builds"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QStringLiteral("summary"))
                                        .toObject();
        QVERIFY(summary.value(QStringLiteral("wall_seconds")).isNull());
        QVERIFY(summary.value(QStringLiteral("critical_path_seconds")).isNull());
    }
};

QTEST_GUILESS_MAIN(TestBuildSummary)
#include "tst_buildsummary.moc"
