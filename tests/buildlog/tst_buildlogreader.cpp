// The build-log reader against real logs: BuildKit runs made here (steps.tsv is their ground truth), the
// public corpus (golden summaries checked against the raw text), and hostile inputs.
#include "model/buildlog/buildlogreader.h"
#include "model/buildlog/linescanner.h"
#include "model/buildlog/lineunwrapper.h"
#include "model/buildlog/logformatparser.h"
#include "model/buildlog/mappedlogscanner.h"
#include "model/buildlog/plainlogparser.h"
#include "model/buildlog/rawjsonlines.h"
#include "model/buildlog/rawjsonlogparser.h"
#include "model/buildlog/vertexlabelcache.h"
#include "tests/logresulttext.h"
#include "testutils.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Stagelens;

namespace {

struct StepRow
{
    QString vertex;
    QString status; // DONE / CACHED / ERROR
    QString seconds; // "0.1s" or empty
    QString name;
};

BuildLogResult parseBytes(const QByteArray &bytes, const BuildLogReadOptions &options = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return readBuildLogDevice(buffer, options);
}

// `bytes` written to `name` in `dir`; its path, or empty when it could not be written.
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!dir.isValid() || !file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

// Read through the file's mapping (a QFile: the reader maps it and scans its windows).
BuildLogResult readMapped(const QString &path, const BuildLogReadOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return readBuildLogDevice(file, options);
}

QString describe(const BuildRun &run)
{
    QString text;
    for (const BuildVertex &v : run.vertices)
        text += QStringLiteral("  %1 %2 %3 %4\n")
                    .arg(v.id, vertexStatusName(v.status),
                        v.seconds ? QString::number(*v.seconds) : QStringLiteral("-"), v.name.left(60));
    return text;
}

QString statusOf(const QString &tsvStatus)
{
    if (tsvStatus == QLatin1String("DONE"))
        return QStringLiteral("done");
    if (tsvStatus == QLatin1String("CACHED"))
        return QStringLiteral("cached");
    if (tsvStatus == QLatin1String("ERROR"))
        return QStringLiteral("error");
    if (tsvStatus == QLatin1String("CANCELED"))
        return QStringLiteral("canceled");
    return QStringLiteral("running");
}

// regen.sh's summary clips names longer than 90 characters to 87 plus "...".
QString clipped(const QString &name)
{
    return name.size() > 90 ? name.left(87) + QLatin1String("...") : name;
}

// Output lines of vertex `id` in a raw plain log, read with a regular expression (independent of the parser).
QStringList rawOutputLines(const QByteArray &log, const QString &id)
{
    QStringList lines;
    const QRegularExpression re(
        QStringLiteral("^%1 \\d+\\.\\d+(?: (.*))?$").arg(QRegularExpression::escape(id)));
    for (const QByteArray &line : log.split('\n')) {
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(line));
        if (m.hasMatch())
            lines.append(m.captured(1));
    }
    return lines;
}

QMap<QString, QList<StepRow>> readStepsTsv()
{
    QMap<QString, QList<StepRow>> cases;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines.at(i).split('\t');
        if (f.size() < 6)
            continue;
        cases[QString::fromUtf8(f.at(0))].append({QString::fromUtf8(f.at(2)), QString::fromUtf8(f.at(3)),
            QString::fromUtf8(f.at(4)), QString::fromUtf8(f.at(5))});
    }
    return cases;
}

QMap<QString, int> readReturnCodes()
{
    QMap<QString, int> rc;
    const QList<QByteArray> lines =
        Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines.at(i).split('\t');
        if (f.size() >= 2)
            rc[QString::fromUtf8(f.at(0))] = f.at(1).toInt();
    }
    return rc;
}

} // namespace

class TestBuildLogReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { Test::setCNumericLocale(); }

    // Every plain log of buildkit-real agrees with steps.tsv row by row.
    void buildkitReal_data()
    {
        QTest::addColumn<QString>("caseName");
        const auto cases = readStepsTsv();
        QVERIFY(cases.size() >= 25);
        for (auto it = cases.cbegin(); it != cases.cend(); ++it)
            QTest::addRow("%s", qPrintable(it.key())) << it.key();
    }
    void buildkitReal()
    {
        QFETCH(QString, caseName);
        const QList<StepRow> rows = readStepsTsv().value(caseName);
        const int rc = readReturnCodes().value(caseName);
        const QString path = Test::corpusPath(QStringLiteral("buildkit-real/%1.log").arg(caseName));
        const BuildLogResult result = readBuildLogFile(path);
        QVERIFY(!hasErrors(result.diagnostics));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(logFormatName(run.format), QStringLiteral("plain"));
        QVERIFY2(run.vertices.size() == rows.size(),
            qPrintable(QStringLiteral("actual %1 vertices, expected %2:\n%3")
                           .arg(run.vertices.size())
                           .arg(rows.size())
                           .arg(describe(run))));
        const QByteArray raw = Test::readAll(path);
        for (int i = 0; i < rows.size(); ++i) {
            const BuildVertex &v = run.vertices.at(i);
            const StepRow &row = rows.at(i);
            const QString where = QStringLiteral("row %1 (%2 %3)").arg(i).arg(row.vertex, row.name);
            QVERIFY2(v.id == row.vertex, qPrintable(where + QStringLiteral(": actual id ") + v.id));
            QVERIFY2(
                clipped(v.name) == row.name, qPrintable(where + QStringLiteral(": actual name ") + v.name));
            QVERIFY2(vertexStatusName(v.status) == statusOf(row.status),
                qPrintable(where + QStringLiteral(": actual status ") + vertexStatusName(v.status)));
            if (!row.seconds.isEmpty()) {
                QVERIFY2(v.seconds, qPrintable(where + QStringLiteral(": no seconds")));
                QVERIFY2(std::abs(*v.seconds - row.seconds.chopped(1).toDouble()) < 1e-9,
                    qPrintable(where + QStringLiteral(": actual seconds %1").arg(*v.seconds)));
            } else if (row.status == QLatin1String("CACHED")) {
                QVERIFY2(!v.seconds, qPrintable(where + QStringLiteral(": cached step with seconds")));
            }
            QCOMPARE(v.logLines, int(rawOutputLines(raw, v.id).size()));
            // Estimated times must be ordered and consistent with BuildKit's own duration.
            QVERIFY(v.start && v.end);
            QVERIFY2(*v.start >= 0 && *v.end >= *v.start, qPrintable(where));
            if (v.status == VertexStatus::Done && v.seconds)
                QVERIFY2(std::abs((*v.end - *v.start) - *v.seconds) < 1e-6, qPrintable(where));
        }
        if (rc != 0) {
            // The failing step is the ERROR row; Docker 20.10 ends the log with the error message.
            QString failing;
            for (const StepRow &row : rows) {
                if (row.status == QLatin1String("ERROR"))
                    failing = row.vertex;
            }
            QVERIFY(run.failedVertex >= 0);
            QCOMPARE(run.vertices.at(run.failedVertex).id, failing);
            const QByteArray lastLine = raw.trimmed().split('\n').last();
            QCOMPARE(run.error, QString::fromUtf8(lastLine));
        } else {
            QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
            QCOMPARE(run.failedVertex, -1);
        }
    }

    // The tty capture (26) was made after appending to assets/style.css, like plain case 19: the final
    // frame must give the same status per "[stage k/n]" step, and the header's time and count.
    void ttyCapture()
    {
        const BuildLogResult result = readBuildLogFile(
            Test::corpusPath(QStringLiteral("buildkit-real/26-tty-progress-edit-asset.log")));
        QVERIFY(!hasErrors(result.diagnostics));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(logFormatName(run.format), QStringLiteral("tty"));

        const QString expected =
            QString::fromUtf8(Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/EXPECTED.md"))));
        const QRegularExpressionMatch header =
            QRegularExpression(QStringLiteral("\\[\\+\\] Building ([0-9.]+)s \\((\\d+)/(\\d+)\\) FINISHED"))
                .match(expected);
        QVERIFY(header.hasMatch());
        QCOMPARE(run.vertices.size(), header.captured(3).toInt());
        QVERIFY(run.duration);
        QCOMPARE(*run.duration, header.captured(1).toDouble());

        const QList<StepRow> rows = readStepsTsv().value(QStringLiteral("19-edit-asset"));
        int compared = 0;
        for (const StepRow &row : rows) {
            const VertexLabel rowLabel = parseVertexLabel(row.name);
            if (rowLabel.step == 0 || rowLabel.instruction == QLatin1String("FROM"))
                continue; // FROM is printed under a different stage token in each run
            const QString prefix = row.name.left(row.name.indexOf(QLatin1Char(']')) + 1);
            const auto it = std::find_if(run.vertices.cbegin(), run.vertices.cend(),
                [&](const BuildVertex &v) { return v.name.startsWith(prefix); });
            QVERIFY2(it != run.vertices.cend(),
                qPrintable(QStringLiteral("missing %1\n%2").arg(prefix, describe(run))));
            QVERIFY2(vertexStatusName(it->status) == statusOf(row.status),
                qPrintable(QStringLiteral("%1: actual %2 expected %3")
                               .arg(prefix, vertexStatusName(it->status), row.status)));
            ++compared;
        }
        QCOMPARE(compared, 16);
        // The exporter ran and the whole frame is finished: nothing is left running.
        QCOMPARE(run.totals().running, 0);
    }

    // Issue #15: the tty frames first show "[runtime 6/6]" (0.1 s) in the same frame as "[runtime 5/6]"
    // finishes, which put 6/6's estimated start before 5/6's end. BuildKit runs a stage's steps in order,
    // and the exporter after the last step.
    void ttyStepOrder()
    {
        const BuildLogResult result = readBuildLogFile(
            Test::corpusPath(QStringLiteral("buildkit-real/26-tty-progress-edit-asset.log")));
        const BuildRun &run = result.builds.first();
        auto named = [&run](const char *prefix) {
            const auto it = std::find_if(run.vertices.cbegin(), run.vertices.cend(),
                [prefix](const BuildVertex &v) { return v.name.startsWith(QLatin1String(prefix)); });
            return it == run.vertices.cend() ? nullptr : &*it;
        };
        const BuildVertex *five = named("[runtime 5/6]");
        const BuildVertex *six = named("[runtime 6/6]");
        const BuildVertex *exporter = named("exporting to image");
        QVERIFY(five && six && exporter);
        QVERIFY(five->end && six->start && six->end && exporter->start && exporter->end);
        QVERIFY2(*six->start >= *five->end,
            qPrintable(QStringLiteral("6/6 starts %1, 5/6 ends %2").arg(*six->start).arg(*five->end)));
        QVERIFY(*exporter->start >= *six->end);
        QCOMPARE(six->timing, TimingKind::Estimated);
        // The shift keeps BuildKit's 0.1 s and the build's own 2.5 s clock bounds every end.
        QVERIFY(std::abs((*six->end - *six->start) - 0.1) < 1e-9);
        for (const BuildVertex &v : run.vertices)
            QVERIFY2(*v.end <= *run.duration + 1e-9, qPrintable(v.name));
    }

    // In every log, no estimated start breaks an order the labels state: a "[stage k/n]" step starts after
    // the stage's previous step ended, a "COPY --from=X" after the last step of stage X. Exact times are
    // the log's own and are not checked.
    void estimatedOrder_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &dir : {QStringLiteral("logs"), QStringLiteral("buildkit-real")}) {
            for (const QString &log :
                QDir(Test::corpusPath(dir)).entryList({QStringLiteral("*.log")}, QDir::Files))
                QTest::addRow("%s", qPrintable(log)) << Test::corpusPath(dir + QLatin1Char('/') + log);
        }
    }
    void estimatedOrder()
    {
        QFETCH(QString, path);
        static const QRegularExpression label(QStringLiteral("^\\[((?:\\S+ )*?)(\\S+) (\\d+)/\\d+\\] (.*)$"));
        static const QRegularExpression copyFrom(QStringLiteral("^COPY --from=(\\S+)"));
        for (const BuildRun &run : readBuildLogFile(path).builds) {
            // (prefix, stage) -> step -> vertex
            QHash<QString, QMap<int, const BuildVertex *>> stages;
            for (const BuildVertex &v : run.vertices) {
                const QRegularExpressionMatch m = label.match(v.name);
                if (m.hasMatch() && m.captured(2) != QLatin1String("internal"))
                    stages[m.captured(1) + QLatin1Char('|') + m.captured(2)].insert(
                        m.captured(3).toInt(), &v);
            }
            int checked = 0;
            for (const BuildVertex &v : run.vertices) {
                const QRegularExpressionMatch m = label.match(v.name);
                if (!m.hasMatch() || v.timing != TimingKind::Estimated || !v.start)
                    continue;
                const QMap<int, const BuildVertex *> &steps =
                    stages.value(m.captured(1) + QLatin1Char('|') + m.captured(2));
                QList<const BuildVertex *> before;
                auto it = steps.lowerBound(m.captured(3).toInt());
                if (it != steps.cbegin())
                    before.append(*std::prev(it));
                const QRegularExpressionMatch from = copyFrom.match(m.captured(4));
                const auto source = stages.constFind(m.captured(1) + QLatin1Char('|') + from.captured(1));
                if (from.hasMatch() && source != stages.constEnd())
                    before.append(source->last());
                for (const BuildVertex *b : std::as_const(before)) {
                    if (!b->end)
                        continue;
                    ++checked;
                    QVERIFY2(*v.start >= *b->end - 1e-9,
                        qPrintable(QStringLiteral("build %1: %2 starts at %3, before %4 ends at %5")
                                       .arg(run.index + 1)
                                       .arg(v.name.left(50))
                                       .arg(*v.start)
                                       .arg(b->name.left(50))
                                       .arg(*b->end)));
                }
            }
            Q_UNUSED(checked);
        }
    }

    // Every corpus log parses without an error diagnostic and matches its golden summary.
    void corpusLogs_data()
    {
        QTest::addColumn<QString>("name");
        const QStringList logs =
            QDir(Test::corpusPath(QStringLiteral("logs"))).entryList({QStringLiteral("*.log")}, QDir::Files);
        QVERIFY(logs.size() >= 41);
        for (const QString &log : logs)
            QTest::addRow("%s", qPrintable(log)) << log;
    }
    void corpusLogs()
    {
        QFETCH(QString, name);
        const BuildLogResult result = readBuildLogFile(Test::corpusPath(QStringLiteral("logs/") + name));
        for (const Diagnostic &d : result.diagnostics)
            QVERIFY2(d.severity != Severity::Error, qPrintable(d.toString()));

        const QString goldenPath =
            Test::dataPath(QStringLiteral("buildlog/golden/") + name.chopped(4) + QLatin1String(".json"));
        const QJsonObject golden = QJsonDocument::fromJson(Test::readAll(goldenPath)).object();
        const QJsonArray builds = golden.value(QStringLiteral("builds")).toArray();
        QVERIFY2(!golden.isEmpty(), qPrintable(goldenPath));
        QCOMPARE(result.builds.size(), builds.size());
        for (int b = 0; b < builds.size(); ++b) {
            const QJsonObject g = builds.at(b).toObject();
            const BuildRun &run = result.builds.at(b);
            const BuildTotals t = run.totals();
            const QString context = QStringLiteral("build %1:\n%2").arg(b).arg(describe(run));
            QVERIFY2(logFormatName(run.format) == g.value(QStringLiteral("format")).toString(),
                qPrintable(context));
            QVERIFY2(ciWrapperName(run.wrapper) == g.value(QStringLiteral("wrapper")).toString(),
                qPrintable(ciWrapperName(run.wrapper)));
            QVERIFY2(t.vertices == g.value(QStringLiteral("vertices")).toInt(), qPrintable(context));
            QVERIFY2(t.done == g.value(QStringLiteral("done")).toInt(), qPrintable(context));
            QVERIFY2(t.cached == g.value(QStringLiteral("cached")).toInt(), qPrintable(context));
            QVERIFY2(t.errors == g.value(QStringLiteral("error")).toInt(), qPrintable(context));
            QVERIFY2(t.canceled == g.value(QStringLiteral("canceled")).toInt(), qPrintable(context));
            QVERIFY2(t.running == g.value(QStringLiteral("running")).toInt(), qPrintable(context));
            QCOMPARE(!run.error.isEmpty(), g.value(QStringLiteral("failed")).toBool());
            // Times, exact or estimated, are ordered and inside the build's span (rounding aside).
            for (const BuildVertex &v : run.vertices) {
                if (!v.start || !v.end)
                    continue;
                QVERIFY2(*v.start >= 0 && *v.end >= *v.start && *v.end <= t.wallSeconds + 0.1,
                    qPrintable(QStringLiteral("%1: %2..%3 in a %4 s build")
                                   .arg(v.id)
                                   .arg(*v.start)
                                   .arg(*v.end)
                                   .arg(t.wallSeconds)));
            }
            const QJsonArray steps = g.value(QStringLiteral("steps")).toArray();
            for (int i = 0; i < steps.size() && i < run.vertices.size(); ++i) {
                const QJsonArray s = steps.at(i).toArray();
                const BuildVertex &v = run.vertices.at(i);
                const QString where =
                    QStringLiteral("build %1 step %2: actual %3 %4 %5, expected %6 %7 %8")
                        .arg(b)
                        .arg(i)
                        .arg(v.id.left(20), vertexStatusName(v.status))
                        .arg(v.seconds ? QString::number(*v.seconds) : QStringLiteral("null"))
                        .arg(s.at(0).toString(), s.at(1).toString())
                        .arg(s.at(2).isNull() ? QStringLiteral("null") : QString::number(s.at(2).toDouble()));
                QVERIFY2(v.id.left(20) == s.at(0).toString(), qPrintable(where));
                QVERIFY2(vertexStatusName(v.status) == s.at(1).toString(), qPrintable(where));
                QVERIFY2(s.at(2).isNull() ? !v.seconds
                                          : (v.seconds && std::abs(*v.seconds - s.at(2).toDouble()) < 1e-9),
                    qPrintable(where));
            }
        }
    }

    // The JSON text written without QJsonObject (log --json of big logs) is byte for byte what
    // QJsonDocument writes, at the top level and nested, for every corpus log, split or not.
    void jsonText_data() { corpusLogs_data(); }
    void jsonText()
    {
        QFETCH(QString, name);
        for (const bool split : {false, true}) {
            BuildLogReadOptions options;
            options.splitTargets = split;
            const BuildLogResult result =
                readBuildLogFile(Test::corpusPath(QStringLiteral("logs/") + name), options);
            for (const BuildRun &run : result.builds) {
                QByteArray top;
                appendJsonText(&top, run, 0);
                QCOMPARE(top + '\n', QJsonDocument(toJson(run)).toJson(QJsonDocument::Indented));
                QByteArray nested("[\n    ");
                appendJsonText(&nested, run, 1);
                nested += "\n]\n";
                QCOMPARE(nested, QJsonDocument(QJsonArray {toJson(run)}).toJson(QJsonDocument::Indented));
                // Merged members (the analysis' summary) land where QJsonObject's key order puts them:
                // before the first key, between two, after the last.
                const QJsonObject extra {{QStringLiteral("aaa"), 1},
                    {QStringLiteral("summary"),
                        QJsonObject {{QStringLiteral("steps"), 3},
                            {QStringLiteral("wall_seconds"), QJsonValue()},
                            {QStringLiteral("critical_path"),
                                QJsonArray {run.vertices.isEmpty() ? QString() : run.vertices.first().name,
                                    QStringLiteral("\u00e9\n\"")}},
                            {QStringLiteral("rate"), 0.125}, {QStringLiteral("empty"), QJsonArray()}}},
                    {QStringLiteral("zzz"), QJsonArray()}};
                QJsonObject merged = toJson(run);
                for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
                    merged.insert(it.key(), it.value());
                QByteArray withExtra("[\n    ");
                appendJsonText(&withExtra, run, 1, {}, extra);
                withExtra += "\n]\n";
                QCOMPARE(withExtra, QJsonDocument(QJsonArray {merged}).toJson(QJsonDocument::Indented));
            }
            QJsonArray diagnostics;
            for (const Diagnostic &d : result.diagnostics)
                diagnostics.append(d.toJson());
            QByteArray text;
            appendJsonText(&text, diagnostics, 0);
            QCOMPARE(text + '\n', QJsonDocument(diagnostics).toJson(QJsonDocument::Indented));
        }
    }
    void jsonTextEdgeCases()
    {
        BuildRun run;
        run.builder = QStringLiteral("ctl \x01\x1b\t\n\r\b\f \" \\ / \u00e9 \u4e2d ") + QChar(0xd83d)
            + QChar(0xde00) + QChar(0xd800) + QStringLiteral("x");
        run.duration = 1e-5;
        run.warnings = QStringList {QStringLiteral("w")};
        BuildVertex v;
        v.id = QStringLiteral("#1");
        v.seconds = 1e16;
        v.start = 0.0005;
        v.end = 123456.0005;
        v.inputs = QStringList {QStringLiteral("a"), QStringLiteral("b")};
        v.error = QStringLiteral("boom");
        v.warnings = QStringList {QStringLiteral("careful")};
        run.vertices = {v, BuildVertex()};
        run.failedVertex = 0;
        QByteArray top;
        appendJsonText(&top, run, 0);
        QCOMPARE(top + '\n', QJsonDocument(toJson(run)).toJson(QJsonDocument::Indented));
        run.vertices.clear();
        run.failedVertex = -1;
        run.duration.reset();
        top.clear();
        appendJsonText(&top, run, 0);
        QCOMPARE(top + '\n', QJsonDocument(toJson(run)).toJson(QJsonDocument::Indented));
    }

    // Repeated vertex names get one parsed label, shared (memory, and cheap comparisons in the step order
    // and summary); past the cache's bound labels are still parsed right, just not shared.
    void vertexLabelsShared()
    {
        VertexLabelCache cache;
        BuildVertex a;
        BuildVertex b;
        const QString name = QStringLiteral("[linux/arm64 build 2/5] RUN --mount=from=deps make");
        cache.apply(a, name);
        cache.apply(b, QString(name)); // an equal name read again, not the same string
        for (const BuildVertex *v : {&a, &b}) {
            QCOMPARE(v->name, name);
            QCOMPARE(v->label.platform, QStringLiteral("linux/arm64"));
            QCOMPARE(v->label.stage, QStringLiteral("build"));
            QCOMPARE(v->label.step, 2);
            QCOMPARE(v->label.instruction, QStringLiteral("RUN"));
            QVERIFY(v->label.fromOption);
            QCOMPARE(v->category, VertexCategory::Run);
        }
        QCOMPARE(a.name.constData(), b.name.constData());
        QCOMPARE(a.label.text.constData(), b.label.text.constData());
        for (int i = 1; i <= VertexLabelCache::MaxNames + 10; ++i) {
            BuildVertex v;
            cache.apply(v, QStringLiteral("[s %1/99999] COPY x /y").arg(i));
            QCOMPARE(v.label.step, i);
            QCOMPARE(v.category, VertexCategory::Copy);
        }
        // A plain log read from disk: the same step in two builds shares its label.
        const BuildLogResult result = readBuildLogFile(Test::corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log")));
        QHash<QString, const BuildVertex *> seen;
        int shared = 0;
        for (const BuildRun &run : result.builds) {
            for (const BuildVertex &v : run.vertices) {
                if (const BuildVertex *first = seen.value(v.name); first && first != &v) {
                    QCOMPARE(first->label.text.constData(), v.label.text.constData());
                    ++shared;
                }
                seen.insert(v.name, &v);
            }
        }
        QVERIFY2(shared > 0, "the log repeats names");
    }

    // A large build's vertices are formatted in chunks, every other one on a helper thread (100,000 vertices
    // of a rawjson build): the text is still QJsonDocument's, in order, with and without a drain. The sizes
    // end on a chunk pair with and without a helper's share, and fit in one chunk.
    void jsonTextLargeBuild_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("one chunk") << 100;
        QTest::newRow("ends on a helper's share") << 3 * 4096 + 7;
        QTest::newRow("ends on this thread's share") << 2 * 4096 + 100;
    }
    void jsonTextLargeBuild()
    {
        QFETCH(int, count);
        const BuildLogResult result = readBuildLogFile(
            Test::corpusPath(QStringLiteral("logs/LFDT-Paladin-paladin-desktop-linux-long-multistage.log")));
        QVERIFY(!result.builds.isEmpty() && !result.builds.first().vertices.isEmpty());
        const QList<BuildVertex> &source = result.builds.first().vertices;
        BuildRun run = result.builds.first();
        run.vertices.clear();
        for (int i = 0; i < count; ++i) {
            BuildVertex v = source.at(i % source.size());
            v.id = QStringLiteral("#%1").arg(i); // every vertex different, so a misplaced one shows
            v.logLines = i;
            run.vertices.append(v);
        }
        const QByteArray expected = QJsonDocument(toJson(run)).toJson(QJsonDocument::Indented);
        QByteArray top;
        appendJsonText(&top, run, 0);
        QCOMPARE(top + '\n', expected);

        QByteArray drained;
        int drains = 0;
        const std::function<void(QByteArray *)> drain = [&](QByteArray *bytes) {
            drained += *bytes;
            bytes->clear();
            ++drains;
        };
        QByteArray rest;
        appendJsonText(&rest, run, 0, drain);
        QCOMPARE(drained + rest + '\n', expected);
        if (count > 4096)
            QVERIFY2(drains >= 2, "a large build goes out as it is written");
    }

    // A vertex's output comes back from the file on demand, identical to the raw "#N t text" lines.
    void vertexOutput_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("id");
        QTest::addRow("parallel RUN") << QStringLiteral("buildkit-real/00-cold.log") << QStringLiteral("#19");
        QTest::addRow("ls output with empty lines")
            << QStringLiteral("buildkit-real/00-cold.log") << QStringLiteral("#21");
        QTest::addRow("400 lines") << QStringLiteral("buildkit-real/24-long-multiline-output.log")
                                   << QStringLiteral("#5");
        QTest::addRow("CR in output")
            << QStringLiteral("logs/Verilean-xeus-lean-long-plain-build-with-cr.log") << QStringLiteral("#8");
    }
    void vertexOutput()
    {
        QFETCH(QString, file);
        QFETCH(QString, id);
        const QString path = Test::corpusPath(file);
        const BuildLogResult result = readBuildLogFile(path);
        QVERIFY(!result.builds.isEmpty());
        const BuildRun &run = result.builds.first();
        const int index = run.indexOfVertex(id);
        QVERIFY(index >= 0);
        QStringList expected = rawOutputLines(Test::readAll(path), id);
        for (QString &line : expected) {
            if (line.endsWith(QLatin1Char('\r')))
                line.chop(1);
        }
        QVERIFY(!expected.isEmpty());
        const QString actual = readVertexOutput(path, run, run.vertices.at(index));
        QCOMPARE(actual.split(QLatin1Char('\n')), expected);
        QCOMPARE(run.vertices.at(index).logLines, int(expected.size()));
    }

    // With GitHub's per-line stamps the times are exact: each vertex spans from its first header's stamp to
    // its final status line's stamp.
    void wrapperTimestamps()
    {
        const QByteArray raw = Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/00-cold.log")));
        const QList<QByteArray> lines = raw.split('\n');
        QByteArray wrapped;
        const double base = 1704164645.0; // 2024-01-02T03:04:05Z
        QMap<QString, double> firstSeen;
        QMap<QString, double> finished;
        const QRegularExpression header(QStringLiteral("^(#\\d+) (.*)$"));
        for (int i = 0; i < lines.size(); ++i) {
            // One line every 0.25 s, so the expected times are exact binary fractions.
            const double t = i * 0.25;
            wrapped += QStringLiteral("2024-01-02T03:%1:%2.%3Z ")
                           .arg(4 + int(5 + t) / 60, 2, 10, QLatin1Char('0'))
                           .arg(int(5 + t) % 60, 2, 10, QLatin1Char('0'))
                           .arg(int(std::round((t - std::floor(t)) * 1e7)), 7, 10, QLatin1Char('0'))
                           .toUtf8()
                + lines.at(i) + '\n';
            const QRegularExpressionMatch m = header.match(QString::fromUtf8(lines.at(i)));
            if (!m.hasMatch())
                continue;
            const QString rest = m.captured(2);
            if (!firstSeen.contains(m.captured(1)))
                firstSeen.insert(m.captured(1), t);
            if (rest.startsWith(QLatin1String("DONE")) || rest == QLatin1String("CACHED"))
                finished.insert(m.captured(1), t);
        }
        Q_UNUSED(base);
        const BuildLogResult result = parseBytes(wrapped);
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(ciWrapperName(run.wrapper), QStringLiteral("github"));
        QCOMPARE(run.vertices.size(), firstSeen.size());
        for (const BuildVertex &v : run.vertices) {
            QCOMPARE(v.timing, TimingKind::Exact);
            QVERIFY(v.start && v.end);
            QVERIFY2(std::abs(*v.start - firstSeen.value(v.id)) < 1e-4,
                qPrintable(QStringLiteral("%1 start %2 expected %3")
                               .arg(v.id)
                               .arg(*v.start)
                               .arg(firstSeen.value(v.id))));
            QVERIFY2(std::abs(*v.end - finished.value(v.id)) < 1e-4,
                qPrintable(
                    QStringLiteral("%1 end %2 expected %3").arg(v.id).arg(*v.end).arg(finished.value(v.id))));
        }
    }

    // The estimate for plain logs without stamps, checked against the exact times of the same logs with
    // their GitHub Actions stamps: the median start error stays within half a second.
    void estimateAgainstStamps_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addRow("Baragji") << QStringLiteral(
            "logs/Baragji-N_grade-gha-full-job-action-image-and-buildx-load.log");
        QTest::addRow("jesuuslopeez")
            << QStringLiteral("logs/jesuuslopeez-2526_DAW_u2_springboot-gha-full-job-git-context-push.log");
    }
    void estimateAgainstStamps()
    {
        QFETCH(QString, file);
        const QByteArray stamped = Test::readAll(Test::corpusPath(file));
        QByteArray bare;
        const QRegularExpression stamp(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z ?"));
        for (const QByteArray &line : stamped.split('\n'))
            bare += QString::fromUtf8(line).remove(stamp).toUtf8() + '\n';
        const BuildLogResult exact = parseBytes(stamped);
        const BuildLogResult estimated = parseBytes(bare);
        QCOMPARE(estimated.builds.size(), exact.builds.size());
        QList<double> errors;
        for (int b = 0; b < exact.builds.size(); ++b) {
            const BuildRun &x = exact.builds.at(b);
            const BuildRun &e = estimated.builds.at(b);
            QCOMPARE(e.vertices.size(), x.vertices.size());
            for (int i = 0; i < x.vertices.size(); ++i) {
                const BuildVertex &xv = x.vertices.at(i);
                const BuildVertex &ev = e.vertices.at(i);
                QCOMPARE(xv.timing, TimingKind::Exact);
                QCOMPARE(ev.timing, TimingKind::Estimated);
                if (xv.start && ev.start)
                    errors.append(std::abs(*xv.start - *ev.start));
            }
        }
        QVERIFY(errors.size() > 10);
        std::sort(errors.begin(), errors.end());
        const double median = errors.at(errors.size() / 2);
        QVERIFY2(median < 0.5,
            qPrintable(QStringLiteral("median start error %1 s, max %2 s").arg(median).arg(errors.last())));
    }

    // Cut a real log at many byte offsets: always a partial result, never more than the whole, and what
    // is finished in the part is finished the same way in the whole.
    void truncatedLogs_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("step");
        QTest::addRow("plain 20.10") << QStringLiteral("buildkit-real/00-cold.log") << 37;
        QTest::addRow("failure") << QStringLiteral("buildkit-real/22-fail-run-exit1.log") << 13;
        QTest::addRow("tty") << QStringLiteral("buildkit-real/26-tty-progress-edit-asset.log") << 997;
        QTest::addRow("github wrapped")
            << QStringLiteral("logs/gaucho-firmware-150-gha-raw-group-command.log") << 7;
        QTest::addRow("rawjson") << QStringLiteral("logs/bakah-12-rawjson-ndjson.log") << 11;
    }
    void truncatedLogs()
    {
        QFETCH(QString, file);
        QFETCH(int, step);
        const QByteArray whole = Test::readAll(Test::corpusPath(file));
        const BuildLogResult full = parseBytes(whole);
        QVERIFY(!full.builds.isEmpty());
        QHash<QString, const BuildVertex *> byId;
        for (const BuildVertex &v : full.builds.first().vertices)
            byId.insert(v.id, &v);
        int cuts = 0;
        for (qsizetype cut = 1; cut < whole.size(); cut += step, ++cuts) {
            const BuildLogResult part = parseBytes(whole.left(cut));
            QVERIFY(part.builds.size() <= full.builds.size());
            if (part.builds.isEmpty())
                continue;
            QVERIFY(part.builds.first().vertices.size() <= full.builds.first().vertices.size());
            if (logFormatName(part.builds.first().format) != QLatin1String("plain"))
                continue;
            for (const BuildVertex &v : part.builds.first().vertices) {
                const BuildVertex *w = byId.value(v.id);
                QVERIFY2(w, qPrintable(QStringLiteral("cut %1: unknown vertex %2").arg(cut).arg(v.id)));
                if (v.status == VertexStatus::Cached || v.status == VertexStatus::Error)
                    QCOMPARE(v.status, w->status);
            }
        }
        QVERIFY(cuts > 10);
    }

    void binaryGarbage()
    {
        QByteArray bytes(256 * 1024, '\0');
        quint32 state = 12345;
        for (char &c : bytes) {
            state = state * 1664525u + 1013904223u; // deterministic LCG
            c = char(state >> 24);
        }
        // Garbage, then a real log, then garbage: the log in the middle is still found.
        const QByteArray log =
            Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/22-fail-run-exit1.log")));
        const BuildLogResult result = parseBytes(bytes + '\n' + log + bytes);
        QVERIFY(result.builds.size() >= 1);
        const auto found = std::find_if(result.builds.cbegin(), result.builds.cend(),
            [](const BuildRun &r) { return r.indexOfVertex(QStringLiteral("#8")) >= 0; });
        QVERIFY(found != result.builds.cend());
        QVERIFY(!result.diagnostics.isEmpty());
        const BuildLogResult onlyGarbage = parseBytes(bytes);
        QVERIFY(onlyGarbage.builds.size() <= 1);
    }

    // Several builds in one file: never merged, each the same as on its own.
    void multipleBuilds_data()
    {
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<QByteArray>("separator");
        QTest::addRow("retry, no separator")
            << QStringList {QStringLiteral("00-cold"), QStringLiteral("01-nochange")} << QByteArray();
        QTest::addRow("builder header")
            << QStringList {QStringLiteral("22-fail-run-exit1"), QStringLiteral("00-cold")}
            << QByteArray("#0 building with \"default\" instance using docker driver\n\n");
        QTest::addRow("CI noise between") << QStringList {QStringLiteral("23-fail-copy-missing"),
            QStringLiteral("24-long-multiline-output"), QStringLiteral("13-target-test")}
                                          << QByteArray("+ docker build .\nSending build context\n");
    }
    void multipleBuilds()
    {
        QFETCH(QStringList, files);
        QFETCH(QByteArray, separator);
        QByteArray all;
        QList<BuildRun> alone;
        for (const QString &f : files) {
            const QByteArray bytes =
                Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/%1.log").arg(f)));
            all += separator + bytes;
            if (!all.endsWith('\n'))
                all += '\n';
            alone.append(parseBytes(bytes).builds.first());
        }
        const BuildLogResult result = parseBytes(all);
        QCOMPARE(result.builds.size(), files.size());
        for (int b = 0; b < files.size(); ++b) {
            const BuildRun &run = result.builds.at(b);
            QCOMPARE(run.index, b);
            QVERIFY2(run.vertices.size() == alone.at(b).vertices.size(),
                qPrintable(QStringLiteral("build %1:\n%2").arg(b).arg(describe(run))));
            for (int i = 0; i < run.vertices.size(); ++i) {
                QCOMPARE(run.vertices.at(i).id, alone.at(b).vertices.at(i).id);
                QCOMPARE(run.vertices.at(i).status, alone.at(b).vertices.at(i).status);
                QCOMPARE(run.vertices.at(i).seconds, alone.at(b).vertices.at(i).seconds);
            }
            QCOMPARE(run.error, alone.at(b).error);
        }
    }

    // A 5 MB output line is read whole; with a smaller line cap it is cut with a warning, and the rest of
    // the log is still read.
    void longLine_data()
    {
        QTest::addColumn<qint64>("maxLineBytes");
        QTest::addColumn<bool>("cut");
        QTest::addRow("default cap") << qint64(16 << 20) << false;
        QTest::addRow("1 MiB cap") << qint64(1 << 20) << true;
    }
    void longLine()
    {
        QFETCH(qint64, maxLineBytes);
        QFETCH(bool, cut);
        QByteArray log("#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n\n#2 [2/2] RUN "
                       "yes | head\n#2 0.101 ");
        log += QByteArray(5 << 20, 'y');
        log += "\n#2 0.200 tail\n#2 DONE 0.3s\n";
        BuildLogReadOptions options;
        options.maxLineBytes = maxLineBytes;
        options.chunkSize = 64 * 1024;
        const BuildLogResult result = parseBytes(log, options);
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(run.vertices.size(), 2);
        QCOMPARE(run.vertices.at(1).status, VertexStatus::Done);
        QCOMPARE(run.vertices.at(1).logLines, 2);
        QCOMPARE(*run.vertices.at(1).seconds, 0.3);
        const bool warned = std::any_of(result.diagnostics.cbegin(), result.diagnostics.cend(),
            [](const Diagnostic &d) { return d.message.contains(QLatin1String("longer than")); });
        QCOMPARE(warned, cut);
    }

    // Lines built to make a naive scanner quadratic, and more steps than any build has: all finish fast
    // with bounded results.
    void hostileLines_data()
    {
        QTest::addColumn<QByteArray>("log");
        QTest::addColumn<int>("maxVertices");
        QTest::addRow("many tty pieces")
            << QByteArray("[+] Building 1.0s (1/1)\n") + QByteArray(" => x").repeated(200000) + '\n'
            << MaxVerticesPerBuild;
        QTest::addRow("gitlab markers without CR") << QByteArray("section_start:1:x ").repeated(100000)
                + "\n#1 DONE 0.1s\n" << 1;
        QTest::addRow("github links without parenthesis")
            << QByteArray("#1 [1](https://github.com/").repeated(100000) + "\n#1 DONE 0.1s\n"
            << 1;
        QByteArray many;
        for (int i = 1; i <= MaxVerticesPerBuild + 500; ++i)
            many += '#' + QByteArray::number(i) + " CACHED\n";
        QTest::addRow("too many vertices") << many << MaxVerticesPerBuild;
    }
    void hostileLines()
    {
        QFETCH(QByteArray, log);
        QFETCH(int, maxVertices);
        QElapsedTimer timer;
        timer.start();
        const BuildLogResult result = parseBytes(log);
        QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
        for (const BuildRun &run : result.builds)
            QVERIFY(run.vertices.size() <= maxVertices);
    }

    // A multi-platform build is one progress stream; split, each platform keeps the shared steps, and
    // only the platform whose step failed carries the error.
    void splitTargets()
    {
        const QByteArray log(
            "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n\n"
            "#2 [linux/amd64 internal] load metadata for docker.io/library/alpine:3.20\n#2 DONE 0.5s\n\n"
            "#3 [linux/arm64 internal] load metadata for docker.io/library/alpine:3.20\n#3 DONE 0.6s\n\n"
            "#4 [linux/amd64 1/2] FROM docker.io/library/alpine:3.20\n#4 CACHED\n\n"
            "#5 [linux/arm64 1/2] FROM docker.io/library/alpine:3.20\n#5 CACHED\n\n"
            "#6 [linux/arm64 2/2] RUN make\n#6 0.5 make: *** [all] Error 2\n"
            "#6 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2\n\n"
            "#7 [linux/amd64 2/2] RUN make\n#7 CANCELED\n"
            "------\n > [linux/arm64 2/2] RUN make:\n0.5 make: *** [all] Error 2\n------\n"
            "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: "
            "2\n");
        const BuildLogResult whole = parseBytes(log);
        QCOMPARE(whole.builds.size(), 1);
        QCOMPARE(whole.builds.first().vertices.size(), 7);
        QCOMPARE(
            whole.builds.first().vertices.at(whole.builds.first().failedVertex).id, QStringLiteral("#6"));
        BuildLogReadOptions options;
        options.splitTargets = true;
        const BuildLogResult split = parseBytes(log, options);
        QCOMPARE(split.builds.size(), 2);
        auto ids = [](const BuildRun &run) {
            QStringList list;
            for (const BuildVertex &v : run.vertices)
                list.append(v.id);
            return list;
        };
        QCOMPARE(ids(split.builds.at(0)),
            (QStringList {
                QStringLiteral("#1"), QStringLiteral("#2"), QStringLiteral("#4"), QStringLiteral("#7")}));
        QCOMPARE(ids(split.builds.at(1)),
            (QStringList {
                QStringLiteral("#1"), QStringLiteral("#3"), QStringLiteral("#5"), QStringLiteral("#6")}));
        QVERIFY(split.builds.at(0).error.isEmpty());
        QCOMPARE(split.builds.at(1).error,
            QStringLiteral(
                "failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2"));
        QCOMPARE(split.builds.at(1).vertices.at(split.builds.at(1).failedVertex).id, QStringLiteral("#6"));
        QCOMPARE(split.builds.at(0).vertices.last().status, VertexStatus::Canceled);
    }

    void rawJson()
    {
        const QString path = Test::dataPath(QStringLiteral("buildlog/rawjson-small.log"));
        const BuildLogResult result = readBuildLogFile(path);
        QVERIFY(!hasErrors(result.diagnostics));
        QCOMPARE(result.builds.size(), 1);
        const BuildRun &run = result.builds.first();
        QCOMPARE(logFormatName(run.format), QStringLiteral("rawjson"));
        QCOMPARE(run.vertices.size(), 4);
        // Times as written in the fixture: A 10:00:00-10:00:00.5, B cached at .6, C 1-3.25, D 3.3-4 failed.
        const BuildVertex &a = run.vertices.at(0);
        const BuildVertex &b = run.vertices.at(1);
        const BuildVertex &c = run.vertices.at(2);
        const BuildVertex &d = run.vertices.at(3);
        QCOMPARE(a.status, VertexStatus::Done);
        QCOMPARE(*a.start, 0.0);
        QCOMPARE(*a.end, 0.5);
        QCOMPARE(*a.seconds, 0.5);
        QCOMPARE(b.status, VertexStatus::Cached);
        QVERIFY(!b.seconds);
        QCOMPARE(c.status, VertexStatus::Done);
        QCOMPARE(*c.start, 1.0);
        QCOMPARE(*c.end, 3.25);
        QCOMPARE(c.inputs, (QStringList {a.id, b.id}));
        QCOMPARE(c.logLines, 2);
        QCOMPARE(c.timing, TimingKind::Exact);
        QCOMPARE(readVertexOutput(path, run, c), QStringLiteral("hello\nworld"));
        QCOMPARE(d.status, VertexStatus::Error);
        QCOMPARE(run.failedVertex, 3);
        QCOMPARE(run.error,
            QStringLiteral("process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"));
        QCOMPARE(*run.duration, 4.0);
        QCOMPARE(run.warnings,
            QStringList {
                QStringLiteral("FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)")});
    }

    void legacyBuilder()
    {
        const QString path = Test::dataPath(QStringLiteral("buildlog/legacy-two-builds.log"));
        const BuildLogResult result = readBuildLogFile(path);
        QVERIFY(!hasErrors(result.diagnostics));
        QCOMPARE(result.builds.size(), 2);
        const BuildRun &first = result.builds.at(0);
        QCOMPARE(logFormatName(first.format), QStringLiteral("legacy"));
        QCOMPARE(first.vertices.size(), 4);
        QCOMPARE(first.vertices.at(0).status, VertexStatus::Done);
        QCOMPARE(first.vertices.at(1).status, VertexStatus::Cached);
        QCOMPARE(first.vertices.at(2).status, VertexStatus::Done);
        QCOMPARE(first.vertices.at(3).status, VertexStatus::Done);
        QCOMPARE(first.vertices.at(3).label.step, 4);
        QCOMPARE(first.vertices.at(3).label.steps, 4);
        QCOMPARE(first.vertices.at(3).label.instruction, QStringLiteral("RUN"));
        QCOMPARE(readVertexOutput(path, first, first.vertices.at(3)),
            QStringLiteral("hello from app\nsecond line"));
        QVERIFY(first.error.isEmpty());
        const BuildRun &second = result.builds.at(1);
        QCOMPARE(second.vertices.size(), 2);
        QCOMPARE(second.vertices.at(1).status, VertexStatus::Error);
        QCOMPARE(second.failedVertex, 1);
        QCOMPARE(second.error, QStringLiteral("The command '/bin/sh -c exit 3' returned a non-zero code: 3"));
    }

    // Legacy step output can look like a tty line (" => "); it stays output of the step.
    void legacyOutputLikeTty()
    {
        const QByteArray log("Step 1/2 : FROM alpine:3.19\n ---> 05455a08881e\nStep 2/2 : RUN ./install.sh\n"
                             " ---> Running in 9f8e7d6c5b4a\n => installing deps\n => done 0.3s\n"
                             "Removing intermediate container 9f8e7d6c5b4a\n ---> 3c4d5e6f7081\nSuccessfully "
                             "built 3c4d5e6f7081\n");
        const BuildLogResult result = parseBytes(log);
        QCOMPARE(result.builds.size(), 1);
        QCOMPARE(logFormatName(result.builds.first().format), QStringLiteral("legacy"));
        QCOMPARE(result.builds.first().vertices.size(), 2);
        QCOMPARE(result.builds.first().vertices.at(1).logLines, 2);
        QCOMPARE(result.builds.first().vertices.at(1).status, VertexStatus::Done);
    }

    // Builds that ended are handed out while the file is still being read, and agree with the final result.
    void buildsEndedEarly()
    {
        QByteArray all;
        const QStringList files {QStringLiteral("00-cold"), QStringLiteral("22-fail-run-exit1"),
            QStringLiteral("24-long-multiline-output"), QStringLiteral("01-nochange")};
        for (const QString &f : files)
            all += Test::readAll(Test::corpusPath(QStringLiteral("buildkit-real/%1.log").arg(f))) + '\n';
        QBuffer device(&all);
        QVERIFY(device.open(QIODevice::ReadOnly));
        BuildLogReadOptions options;
        options.chunkSize = 4096;
        QList<BuildRun> ended;
        int calls = 0;
        qint64 firstAt = -1; // device position when the first build was handed out
        options.onBuildsEnded = [&](QList<BuildRun> builds) {
            ++calls;
            if (firstAt < 0)
                firstAt = device.pos();
            ended += builds;
        };
        const BuildLogResult result = readBuildLogDevice(device, options);
        QCOMPARE(result.builds.size(), files.size());
        // Never the last build, which only the final result carries; the one before it may also end in the
        // last chunk, after which there is no call.
        QVERIFY2(ended.size() >= files.size() - 2 && ended.size() <= files.size() - 1,
            qPrintable(QString::number(ended.size())));
        QVERIFY(calls >= 2);
        QVERIFY2(firstAt > 0 && firstAt < all.size() / 2, qPrintable(QString::number(firstAt)));
        for (int b = 0; b < ended.size(); ++b) {
            QCOMPARE(ended.at(b).index, b);
            QCOMPARE(ended.at(b).vertices.size(), result.builds.at(b).vertices.size());
            QCOMPARE(ended.at(b).error, result.builds.at(b).error);
            for (int i = 0; i < ended.at(b).vertices.size(); ++i) {
                QCOMPARE(ended.at(b).vertices.at(i).status, result.builds.at(b).vertices.at(i).status);
                QCOMPARE(ended.at(b).vertices.at(i).end, result.builds.at(b).vertices.at(i).end);
            }
        }
    }

    // Where the blocks end does not change what is read: small chunks (lines cut by chunk ends, carried
    // over), odd chunk sizes, and the mapped file read by readBuildLogFile agree.
    void chunking_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *name : {"buildkit-real/24-long-multiline-output.log",
                 "logs/gizadirov-devops-netology-gitlab-raw-trace-ansi-sections.log",
                 "buildkit-real/22-fail-run-exit1.log"})
            QTest::addRow("%s", name) << Test::corpusPath(QString::fromLatin1(name));
    }
    void chunking()
    {
        QFETCH(QString, path);
        const QByteArray bytes = Test::readAll(path);
        const BuildLogResult mapped = readBuildLogFile(path);
        QVERIFY(!mapped.builds.isEmpty());
        for (const qint64 chunk : {qint64(4096), qint64(4097), qint64(5000), qint64(1 << 20)}) {
            BuildLogReadOptions options;
            options.chunkSize = chunk;
            const BuildLogResult result = parseBytes(bytes, options);
            QCOMPARE(result.builds.size(), mapped.builds.size());
            QCOMPARE(result.diagnostics.size(), mapped.diagnostics.size());
            for (int b = 0; b < result.builds.size(); ++b) {
                const BuildRun &run = result.builds.at(b);
                const BuildRun &expected = mapped.builds.at(b);
                QCOMPARE(run.lastLine, expected.lastLine);
                QCOMPARE(run.wrapper, expected.wrapper);
                QCOMPARE(run.vertices.size(), expected.vertices.size());
                for (int i = 0; i < run.vertices.size(); ++i) {
                    const BuildVertex &v = run.vertices.at(i);
                    const BuildVertex &e = expected.vertices.at(i);
                    QCOMPARE(v.id, e.id);
                    QCOMPARE(v.status, e.status);
                    QCOMPARE(v.logLines, e.logLines);
                    QCOMPARE(v.end, e.end);
                    QCOMPARE(v.spans.size(), e.spans.size());
                    for (int k = 0; k < v.spans.size(); ++k) {
                        QCOMPARE(v.spans.at(k).offset, e.spans.at(k).offset);
                        QCOMPARE(v.spans.at(k).length, e.spans.at(k).length);
                    }
                }
            }
        }
    }

    // A line cut by the cap at a chunk end and one longer than the cap inside a chunk are both cut, and the
    // line after each is read whole.
    void longLineEverywhere()
    {
        QByteArray log("#1 [1/1] RUN x\n#1 0.100 ");
        log += QByteArray(3000, 'a');
        log += "\n#1 0.200 ";
        log += QByteArray(2000, 'b') + QByteArray(3000, 'c');
        log += "\n#1 0.300 tail\n#1 DONE 0.4s\n";
        for (const qint64 chunk : {qint64(4096), qint64(1 << 20)}) {
            BuildLogReadOptions options;
            options.chunkSize = chunk;
            options.maxLineBytes = 1024;
            const BuildLogResult result = parseBytes(log, options);
            QCOMPARE(result.builds.size(), 1);
            const BuildVertex &v = result.builds.first().vertices.first();
            QCOMPARE(v.logLines, 3);
            QCOMPARE(v.status, VertexStatus::Done);
            QCOMPARE(
                std::count_if(result.diagnostics.cbegin(), result.diagnostics.cend(),
                    [](const Diagnostic &d) { return d.message.contains(QLatin1String("longer than")); }),
                2);
            QCOMPARE(result.builds.first().lastLine, 5);
        }
    }

    // The mapped reading (lines cut and classified on the scanning thread, output runs applied at once) reads
    // what the buffered one reads, whatever the window size: windows of one page cut lines, runs and
    // carried lines at every place; the reading through a QBuffer never scans.
    void scannedWindows_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &dir : {QStringLiteral("logs"), QStringLiteral("buildkit-real")}) {
            const QStringList logs =
                QDir(Test::corpusPath(dir)).entryList({QStringLiteral("*.log")}, QDir::Files);
            for (const QString &log : logs)
                QTest::addRow("%s/%s", qPrintable(dir), qPrintable(log))
                    << Test::corpusPath(dir + QLatin1Char('/') + log);
        }
    }
    void scannedWindows()
    {
        QFETCH(QString, path);
        const QByteArray expected = Test::logResultText(parseBytes(Test::readAll(path)));
        QVERIFY(!expected.isEmpty());
        for (const qint64 window : {qint64(4096), qint64(3 * 4096), qint64(8 << 20)}) {
            BuildLogReadOptions options;
            options.mapWindowBytes = window;
            QCOMPARE(Test::logResultText(readMapped(path, options)), expected);
        }
    }

    // The mapped file comes back in blocks, in file order, each with the lines scanBlock finds in it,
    // whoever scanned it (the helper or the reading thread); stopping half-way leaves no thread behind.
    // Windows of one and three pages over a file that ends inside a page; read many times to give both
    // threads their turns.
    void mappedBlocksInOrder()
    {
        QByteArray bytes;
        for (int i = 0; bytes.size() < (1 << 20) + 777; ++i)
            bytes += "#" + QByteArray::number(1 + i % 7) + ' ' + QByteArray::number(i % 1000) + ".5 line "
                + QByteArray(i % 300, 'x') + '\n';
        QTemporaryFile file;
        QVERIFY(file.open());
        QCOMPARE(file.write(bytes), bytes.size());
        QVERIFY(file.flush());
        for (const qint64 window : {qint64(4096), qint64(3 * 4096)}) {
            for (int round = 0; round < 20; ++round) {
                MappedLogScanner scanner(file.handle(), bytes.size(), window, 16 << 20);
                MappedLogScanner::Block block;
                qint64 at = 0;
                const qint64 stopAt = round % 2 ? bytes.size() / (round + 1) : bytes.size();
                while (at < stopAt && scanner.next(&block)) {
                    QCOMPARE(block.offset, at);
                    QVERIFY(block.size > 0);
                    QCOMPARE(QByteArrayView(block.data, block.size),
                        QByteArrayView(bytes).sliced(qsizetype(at), block.size));
                    ScannedBlock expected;
                    scanBlock(block.data, block.size, 16 << 20, &expected);
                    QCOMPARE(block.scanned->scannedEnd, expected.scannedEnd);
                    QCOMPARE(block.scanned->lines.size(), expected.lines.size());
                    QVERIFY(std::equal(expected.lines.begin(), expected.lines.end(),
                        block.scanned->lines.begin(), [](const ScannedLine &a, const ScannedLine &b) {
                            return a.start == b.start && a.length == b.length && a.vertex == b.vertex
                                && a.run == b.run && a.timed == b.timed && a.seconds == b.seconds;
                        }));
                    at += block.size;
                    QCOMPARE(scanner.position(), at);
                }
                if (stopAt == bytes.size()) {
                    QCOMPARE(at, qint64(bytes.size()));
                    QVERIFY(!scanner.next(&block));
                }
            }
        }
    }

    // rawjson lines read by the scanning threads (RawJsonFacts, applied in file order) give the builds the
    // reading thread gives when it parses them itself (buffered): CRLF lines, a cut and a non-JSON line among
    // them, vertices updated across lines, repeated "inputs" keys, escapes, logs and warnings, lines cut by
    // block and window ends, and more JSON in one block than a block keeps (MaxScannedJsonBytes).
    void scannedRawJson()
    {
        QByteArray log;
        const QByteArray padding(200, 'x');
        for (int i = 0; log.size() < 6 * (1 << 20); ++i) {
            const QByteArray n = QByteArray::number(i);
            const QByteArray d = "sha256:" + QByteArray::number(i % 5000);
            const QByteArray dep = "sha256:" + QByteArray::number((i + 4999) % 5000);
            QByteArray line;
            switch (i % 7) {
            case 0:
                line = "{\"vertexes\":[{\"digest\":\"" + d + "\",\"inputs\":[\"" + dep + "\"],\"inputs\":[\""
                    + d + "x\"],\"name\":\"[stage-" + QByteArray::number(i % 3) + " "
                    + QByteArray::number(1 + i % 9) + "/9] RUN echo \\\"" + n
                    + "\\\" \\u00e9\",\"started\":\"2024-05-01T10:00:" + QByteArray::number(10 + i % 40)
                    + ".5Z\"}]}";
                break;
            case 1:
                line = "{\"vertexes\":[{\"digest\":\"" + d
                    + "\",\"completed\":\"2024-05-01T10:01:" + QByteArray::number(10 + i % 40)
                    + ".25Z\",\"cached\":" + (i % 2 ? "true" : "false") + "}],\"statuses\":null}\r";
                break;
            case 2:
                line = "{\"logs\":[{\"vertex\":\"" + d + "\",\"stream\":1,\"data\":\""
                    + QByteArray("line " + n + "\n" + padding + "\npartial").toBase64() + "\"}]}"
                    + (i % 2 ? "\r" : "");
                break;
            case 3:
                line = "{\"warnings\":[{\"vertex\":\"" + d + "\",\"short\":\""
                    + QByteArray("warning " + n).toBase64() + "\"}]}";
                break;
            case 4:
                // A vertex cut after its error, or one without a digest before one with it.
                if (i % 3)
                    line = "{\"vertexes\":[{\"digest\":\"" + d + "\",\"error\":\"exit code: " + n + "\"}";
                else
                    line = "{\"vertexes\":[{\"digest\":\"\",\"name\":\"no digest\"},{\"name\":\"" + n
                        + "\",\"digest\":\"" + d + "\"}]}";
                break;
            case 5:
                line = "{\"vertexes\":[{\"digest\":\"" + d + "\",\"name\":\"[internal] load "
                    + padding.left(i % 200) + "\"}]}";
                break;
            default:
                if (i % 11)
                    line = "some text between the JSON lines " + n;
                else
                    line = "{\"vertexes\":[{\"digest\":\"" + d + "\",\"name\":";
                break;
            }
            // Now and then a line longer than a scanner reads (MaxScannedJsonLine): the reading thread's.
            if (i % 2000 == 1999)
                line = "{\"logs\":[{\"vertex\":\"" + d + "\",\"data\":\"" + QByteArray(150000, 'C').toBase64()
                    + "\"}]}";
            log += line + '\n';
        }
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("raw.log"), log);
        QVERIFY(!path.isEmpty());
        const BuildLogResult buffered = parseBytes(log);
        QVERIFY(!buffered.builds.isEmpty());
        QVERIFY(buffered.builds.first().vertices.size() >= 5000);
        const QByteArray expected = Test::logResultText(buffered);
        for (const qint64 window : {qint64(4096), qint64(3 * 4096), qint64(8 << 20)}) {
            BuildLogReadOptions options;
            options.mapWindowBytes = window;
            const BuildLogResult mapped = readMapped(path, options);
            QCOMPARE(Test::logResultText(mapped), expected);
            // The output's places too, which the JSON leaves out (a CR kept in a line's length shows here).
            QCOMPARE(mapped.builds.size(), buffered.builds.size());
            for (qsizetype b = 0; b < mapped.builds.size(); ++b) {
                const QList<BuildVertex> &m = mapped.builds.at(b).vertices;
                const QList<BuildVertex> &r = buffered.builds.at(b).vertices;
                QCOMPARE(m.size(), r.size());
                for (qsizetype v = 0; v < m.size(); ++v) {
                    QCOMPARE(m.at(v).spans.size(), r.at(v).spans.size());
                    for (qsizetype k = 0; k < m.at(v).spans.size(); ++k) {
                        QCOMPARE(m.at(v).spans.at(k).offset, r.at(v).spans.at(k).offset);
                        QCOMPARE(m.at(v).spans.at(k).length, r.at(v).spans.at(k).length);
                        QCOMPARE(m.at(v).spans.at(k).firstLine, r.at(v).spans.at(k).firstLine);
                    }
                }
            }
        }
        // The scanner read them (the comparison above would pass without it), up to the bound: one block
        // of the whole file keeps about MaxScannedJsonBytes and leaves the later lines to the reader.
        ScannedBlock scanned;
        RawJsonReader reader;
        scanBlock(log.constData(), log.size(), 16 << 20, &scanned, &reader);
        QVERIFY(scanned.lines.size() < MaxScannedLines);
        const auto read = std::count_if(
            scanned.lines.cbegin(), scanned.lines.cend(), [](const ScannedLine &l) { return l.json; });
        const auto left = std::count_if(scanned.lines.cbegin(), scanned.lines.cend(),
            [&](const ScannedLine &l) { return !l.json && log.at(l.start) == '{'; });
        QVERIFY(read > 1000);
        QVERIFY(left > 1000);
        QVERIFY(scanned.json.footprint() > MaxScannedJsonBytes);
        QVERIFY(scanned.json.footprint() < MaxScannedJsonBytes + (64 << 10));
    }

    // Made to hit the scanner's limits: a run longer than MaxRunLines, more lines than MaxScannedLines in one
    // window, a line over the cap inside a run, CR and binary lines, #0 output, and the last line without
    // a newline; read mapped (windows of 1 page and of 8 MiB) and buffered, the same builds.
    void scannerLimits()
    {
        QByteArray log("#0 building with \"default\" instance using docker driver\n\n#1 [1/2] RUN make\n");
        for (int i = 0; i < int(MaxRunLines) + 1000; ++i)
            log +=
                "#1 " + QByteArray::number(i / 100) + '.' + QByteArray::number(100 + i % 100).mid(1) + " x\n";
        log += "#1 5.000 " + QByteArray(3000, 'a') + "\n#1 5.100 after the long one\r\n";
        log += QByteArray(int(MaxScannedLines) + 10, '\n');
        log += "#2 [2/2] RUN test\n#2 0.100 ok\n#0 0.200 client\n#2 0.300 \x01\x02\x03\x04\x05\x06\n";
        log += "#2 0.400 a](b section_x\n#1 DONE 6.0s\n#2 DONE 0.5s\n#2 0.600 tail";
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("limits.log"), log);
        QVERIFY(!path.isEmpty());
        BuildLogReadOptions options;
        options.maxLineBytes = 1024;
        const BuildLogResult buffered = parseBytes(log, options);
        QCOMPARE(buffered.builds.size(), 1);
        QCOMPARE(buffered.builds.first().vertices.size(), 2);
        QCOMPARE(buffered.builds.first().vertices.first().logLines, int(MaxRunLines) + 1000 + 2);
        const QByteArray expected = Test::logResultText(buffered);
        for (const qint64 window : {qint64(4096), qint64(8 << 20)}) {
            options.mapWindowBytes = window;
            QCOMPARE(Test::logResultText(readMapped(path, options)), expected);
        }
    }

    // scanBlock's facts about each line are those the reader would find itself: the line's place,
    // isCleanLine, N of a bare "#N " line and its output time; runs hold consecutive output lines of one N.
    void scanBlockFacts_data() { scannedWindows_data(); }
    void scanBlockFacts()
    {
        QFETCH(QString, path);
        const QByteArray bytes = Test::readAll(path);
        ScannedBlock window;
        scanBlock(bytes.constData(), bytes.size(), 16 << 20, &window);
        const QList<QByteArray> lines = bytes.split('\n');
        QVERIFY(!window.lines.empty());
        qsizetype at = 0;
        quint32 runLeft = 0;
        qint32 runVertex = -1;
        for (size_t i = 0; i < window.lines.size(); ++i) {
            const ScannedLine &s = window.lines[i];
            const QByteArrayView raw(lines.at(qsizetype(i)));
            QCOMPARE(qsizetype(s.start), at);
            QCOMPARE(qsizetype(s.length), raw.size());
            QCOMPARE(s.clean, isCleanLine(raw));
            qsizetype restStart = 0;
            const int vertex =
                s.clean && !cleanLineMayHavePrefix(raw) ? PlainLogParser::claimedNumber(raw, &restStart) : -1;
            QCOMPARE(s.vertex, vertex);
            if (vertex >= 0) {
                QCOMPARE(qsizetype(s.restStart), restStart);
                QCOMPARE(s.outputTime(), PlainLogParser::outputTime(raw.sliced(restStart)));
            }
            if (runLeft > 0) {
                QCOMPARE(s.run, quint16(0));
                QCOMPARE(s.vertex, runVertex);
                QVERIFY(s.timed);
                --runLeft;
            } else if (s.run > 0) {
                QVERIFY(s.vertex > 0 && s.timed);
                runLeft = s.run - 1u;
                runVertex = s.vertex;
            } else {
                QVERIFY(!(s.vertex > 0 && s.timed)); // every output line of a vertex is in a run
            }
            at += raw.size() + 1;
        }
        QCOMPARE(runLeft, 0u);
        QCOMPARE(window.scannedEnd, at);
        QCOMPARE(qsizetype(window.lines.size()), lines.size() - 1); // all but what follows the last newline
    }

    void promiseProgressAndCancel()
    {
        const QString path = Test::corpusPath(
            QStringLiteral("logs/gizadirov-devops-netology-gitlab-raw-trace-ansi-sections.log"));
        {
            QPromise<BuildLogResult> promise;
            QFuture<BuildLogResult> future = promise.future();
            promise.start();
            readBuildLog(promise, path);
            promise.finish();
            QVERIFY(future.isFinished());
            QCOMPARE(future.progressMaximum(), 1000);
            QCOMPARE(future.progressValue(), 1000);
            QCOMPARE(future.resultCount(), 1);
            QCOMPARE(future.result().builds.size(), 1);
        }
        {
            QPromise<BuildLogResult> promise;
            QFuture<BuildLogResult> future = promise.future();
            promise.start();
            future.cancel();
            readBuildLog(promise, path);
            promise.finish();
            QVERIFY(future.isCanceled());
            QCOMPARE(future.resultCount(), 0);
        }
        {
            // The synchronous form stops at the first progress report that says "cancel".
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            BuildLogReadOptions options;
            options.chunkSize = 64 * 1024;
            int calls = 0;
            const BuildLogResult partial =
                readBuildLogDevice(file, options, [&calls](int) { return ++calls < 3; });
            QVERIFY(calls >= 3);
            QVERIFY(std::any_of(partial.diagnostics.cbegin(), partial.diagnostics.cend(),
                [](const Diagnostic &d) { return d.message.contains(QLatin1String("cancelled")); }));
        }
    }

    // The branch-free newline counter used on rawjson log data agrees with plain decoding.
    void base64Newlines_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        quint32 state = 7;
        for (int length = 0; length < 40; ++length) {
            QByteArray bytes;
            for (int i = 0; i < length; ++i) {
                state = state * 1664525u + 1013904223u;
                bytes.append((state >> 28) < 5 ? '\n' : char(state >> 24));
            }
            QTest::addRow("%d bytes", length) << bytes;
        }
        QTest::addRow("text") << QByteArray("line 1\nline 2\n\nlast without newline");
    }
    void base64Newlines()
    {
        QFETCH(QByteArray, bytes);
        const QByteArray encoded = bytes.toBase64();
        QCOMPARE(decodeBase64(encoded), bytes);
        bool endsWithNewline = false;
        QCOMPARE(countBase64Newlines(encoded, &endsWithNewline), int(bytes.count('\n')));
        QCOMPARE(endsWithNewline, bytes.endsWith('\n'));
    }

    void missingFile()
    {
        const BuildLogResult result = readBuildLogFile(QStringLiteral("/nonexistent/build.log"));
        QVERIFY(hasErrors(result.diagnostics));
        QVERIFY(result.builds.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBuildLogReader)
#include "tst_buildlogreader.moc"
