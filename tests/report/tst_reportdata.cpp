// ReportData and the Markdown writer against the buildkit-real ground truth (steps.tsv, regen.sh).

#include "model/buildlog/buildlogreader.h"
#include "model/core/duration.h"
#include "model/report/markdownreport.h"
#include "model/report/reportdata.h"
#include "model/report/reportoutput.h"
#include "reportgroundtruth.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;
using namespace Stagelens::Test;

namespace {

ReportInput inputFor(const TruthBuild &build, const QStringList &logs)
{
    const QString project = corpusPath(QStringLiteral("buildkit-real/project"));
    ReportInput input;
    input.project = project;
    input.dockerfile = project + QLatin1Char('/') + build.dockerfile;
    BuildOptions options;
    options.target = build.target;
    options.buildArgs = build.buildArgs;
    input.graph = buildGraphFromFile(input.dockerfile, options);
    for (const QString &log : logs) {
        const BuildLogResult result = readBuildLogFile(log);
        for (const BuildRun &run : result.builds)
            input.builds.append({log, run});
    }
    return input;
}

QString logPath(const QString &caseName)
{
    return corpusPath(QStringLiteral("buildkit-real/%1.log").arg(caseName));
}

// Finds (and consumes) the report row for a truth row: same label start and status.
int takeRow(QList<ReportStepRow> &rows, const TruthRow &truth)
{
    for (int i = 0; i < rows.size(); ++i) {
        if (rows.at(i).label.startsWith(truth.prefix())
            && reportStatusName(rows.at(i).status) == truth.status)
            return i;
    }
    return -1;
}

QString describe(const QList<ReportStepRow> &rows)
{
    QString text;
    for (const ReportStepRow &r : rows)
        text += QStringLiteral("\n  %1 | %2 | %3")
                    .arg(r.label, reportStatusName(r.status),
                        r.seconds ? QString::number(*r.seconds) : QStringLiteral("-"));
    return text;
}

QString markdownUnescape(const QString &cell)
{
    QString out;
    for (int i = 0; i < cell.size(); ++i) {
        if (cell.at(i) == QLatin1Char('\\') && i + 1 < cell.size() && cell.at(i + 1).isPunct())
            ++i;
        else if (cell.at(i) == QLatin1Char('\\') && i + 1 < cell.size() && cell.at(i + 1).isSymbol())
            ++i;
        out += cell.at(i);
    }
    return out;
}

// Splits a GFM table row at unescaped pipes.
QStringList splitRow(const QString &line)
{
    QStringList cells;
    QString cell;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\\') && i + 1 < line.size()) {
            cell += c;
            cell += line.at(++i);
        } else if (c == QLatin1Char('|')) {
            cells.append(cell.trimmed());
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells.append(cell.trimmed());
    // "| a | b |" gives an empty first and last piece.
    if (!cells.isEmpty() && cells.first().isEmpty())
        cells.removeFirst();
    if (!cells.isEmpty() && cells.last().isEmpty())
        cells.removeLast();
    return cells;
}

// The rows of the full step table inside <details>.
QList<QStringList> detailRows(const QString &markdown)
{
    QList<QStringList> rows;
    const int start = markdown.indexOf(QLatin1String("<details>"));
    const int end = markdown.indexOf(QLatin1String("</details>"));
    if (start < 0 || end < start)
        return rows;
    const QStringList lines = markdown.mid(start, end - start).split(QLatin1Char('\n'));
    bool header = true;
    for (const QString &line : lines) {
        if (!line.startsWith(QLatin1Char('|')))
            continue;
        if (header) {
            header = !line.startsWith(QLatin1String("|---"));
            continue;
        }
        rows.append(splitRow(line));
    }
    return rows;
}

} // namespace

class TestReportData : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        setCNumericLocale();
        QVERIFY2(!truthBuilds().isEmpty(), "regen.sh lists no run_case lines");
    }

    void stepRows_data()
    {
        QTest::addColumn<TruthBuild>("build");
        for (const TruthBuild &build : truthBuilds()) {
            if (!truthRows(build.caseName).isEmpty())
                QTest::addRow("%s", qPrintable(build.caseName)) << build;
        }
    }

    // Every vertex of the log is one row with BuildKit's status and seconds; rows are slowest first.
    void stepRows()
    {
        QFETCH(TruthBuild, build);
        const QList<TruthRow> truth = truthRows(build.caseName);
        const ReportData data = makeReportData(inputFor(build, {logPath(build.caseName)}));
        QVERIFY(data.hasBuild);
        QCOMPARE(data.steps.size(), truth.size());

        QList<ReportStepRow> rows = data.steps;
        double truthSum = 0;
        for (const TruthRow &t : truth) {
            const int i = takeRow(rows, t);
            QVERIFY2(i >= 0,
                qPrintable(
                    QStringLiteral("no row for %1 %2; remaining:%3").arg(t.status, t.name, describe(rows))));
            const ReportStepRow row = rows.takeAt(i);
            if (t.seconds) {
                QVERIFY2(row.seconds && qAbs(*row.seconds - *t.seconds) < 1e-6,
                    qPrintable(QStringLiteral("%1: actual %2, expected %3")
                                   .arg(t.name)
                                   .arg(row.seconds ? *row.seconds : -1)
                                   .arg(*t.seconds)));
                truthSum += *t.seconds;
                if (data.headline.wallSeconds.value_or(0) > 0)
                    QVERIFY(qAbs(row.share - *t.seconds / *data.headline.wallSeconds) < 1e-9);
            } else if (t.status == QLatin1String("cached")) {
                QVERIFY2(!row.seconds, qPrintable(t.name));
            }
            QCOMPARE(row.ran, isTruthMiss(t));
        }
        QVERIFY2(qAbs(data.headline.summedSeconds - truthSum) < 1e-6,
            qPrintable(
                QStringLiteral("summed %1, expected %2").arg(data.headline.summedSeconds).arg(truthSum)));

        for (int i = 1; i < data.steps.size(); ++i)
            QVERIFY(data.steps.at(i - 1).seconds.value_or(-1) >= data.steps.at(i).seconds.value_or(-1));

        const qsizetype misses = std::count_if(truth.cbegin(), truth.cend(), isTruthMiss);
        QCOMPARE(data.topMisses.size(), std::min<qsizetype>(misses, TopMissCount));
        for (int i = 0; i < data.topMisses.size(); ++i) {
            QVERIFY(data.topMisses.at(i).ran);
            if (i > 0)
                QVERIFY(data.topMisses.at(i - 1).seconds.value_or(-1)
                    >= data.topMisses.at(i).seconds.value_or(-1));
        }

        // Time per category adds up to the summed step time (every vertex has exactly one category).
        double categories = 0;
        for (const ReportCategory &c : data.categories)
            categories += c.seconds;
        QVERIFY(qAbs(categories - truthSum) < 1e-6);
        QCOMPARE(data.stages.size(), data.graph.stages.size());
        QVERIFY(data.comparison.isEmpty());
    }

    void markdownRows_data()
    {
        QTest::addColumn<TruthBuild>("build");
        for (const TruthBuild &build : truthBuilds()) {
            if (build.caseName.startsWith(QLatin1String("00-"))
                || build.caseName.startsWith(QLatin1String("02-"))
                || build.caseName.startsWith(QLatin1String("22-"))
                || build.caseName.startsWith(QLatin1String("24-")))
                QTest::addRow("%s", qPrintable(build.caseName)) << build;
        }
    }

    // The Markdown step table holds one well-formed row per log vertex with its status and time.
    void markdownRows()
    {
        QFETCH(TruthBuild, build);
        const QList<TruthRow> truth = truthRows(build.caseName);
        const QString markdown = reportToMarkdown(makeReportData(inputFor(build, {logPath(build.caseName)})));
        QList<QStringList> rows = detailRows(markdown);
        QCOMPARE(rows.size(), truth.size());
        for (const QStringList &row : rows)
            QVERIFY2(row.size() == 6, qPrintable(row.join(QLatin1String(" ¦ "))));
        for (const TruthRow &t : truth) {
            const QString time = t.seconds ? formatDuration(*t.seconds) : QStringLiteral("–");
            int found = -1;
            for (int i = 0; i < rows.size() && found < 0; ++i) {
                const QString label = markdownUnescape(rows.at(i).at(0));
                if (label.startsWith(t.prefix().left(MarkdownLabelLimit - 1)) && rows.at(i).at(3) == t.status
                    && rows.at(i).at(4) == time)
                    found = i;
            }
            QVERIFY2(found >= 0,
                qPrintable(QStringLiteral("no Markdown row for %1 %2 %3 in\n%4")
                               .arg(t.name, t.status, time, markdown)));
            rows.removeAt(found);
        }
        QVERIFY(markdown.contains(QStringLiteral("| Wall time |")));
        QVERIFY(markdown.contains(QStringLiteral("context transfer")));
    }

    // Two logs: the comparison table has one row per build, numbered as the GUI lists them, with its
    // Dockerfile-step figures (counted here from BuildKit's own steps.tsv) and the change in wall time.
    void comparison()
    {
        const TruthBuild build = truthBuilds().value(0);
        const QStringList cases {QStringLiteral("00-cold"), QStringLiteral("02-edit-src")};
        const ReportData data = makeReportData(inputFor(build, {logPath(cases.at(0)), logPath(cases.at(1))}));
        QCOMPARE(data.comparison.size(), 2);
        static const QRegularExpression dockerfileStep(
            QStringLiteral("^\\[(?!internal)[^\\]]* \\d+/\\d+\\]"));
        for (int i = 0; i < 2; ++i) {
            const QList<TruthRow> truth = truthRows(cases.at(i));
            const ReportBuildRow &row = data.comparison.at(i);
            QCOMPARE(row.number, i + 1);
            QCOMPARE(row.logFile, cases.at(i) + QStringLiteral(".log"));
            QCOMPARE(row.name(), row.logFile); // one build per log: no "build k of n"
            int steps = 0, cached = 0;
            for (const TruthRow &t : truth) {
                if (!dockerfileStep.match(t.name).hasMatch())
                    continue;
                ++steps;
                cached += t.status == QLatin1String("cached") ? 1 : 0;
            }
            QCOMPARE(row.steps, steps);
            QCOMPARE(row.cachedSteps, cached);
            QCOMPARE(row.failedSteps, 0);
            QCOMPARE(row.selected, i == 1);
        }
        QVERIFY(!data.comparison[0].wallDelta);
        QVERIFY(data.comparison[1].wallDelta);
        QCOMPARE(
            *data.comparison[1].wallDelta, *data.comparison[1].wallSeconds - *data.comparison[0].wallSeconds);
        QVERIFY2(data.comparison[1].deltaText().startsWith(QStringLiteral("−")),
            qPrintable(data.comparison[1].deltaText()));
        QCOMPARE(data.logFile, logPath(cases.at(1)));
        const QString markdown = reportToMarkdown(data);
        QVERIFY(markdown.contains(QStringLiteral("### Builds compared")));
        QVERIFY(markdown.contains(QStringLiteral("| 2 | **02-edit-src.log** |")));
    }

    // Two builds: the report says why the detailed one differs from the one before it (#19), as
    // `stagelens compare` does: 02-edit-src's misses start at COPY src/ and follow it.
    void whyItChanged()
    {
        const TruthBuild build = truthBuilds().value(0);
        const ReportData data = makeReportData(inputFor(
            build, {logPath(QStringLiteral("01-nochange")), logPath(QStringLiteral("02-edit-src"))}));
        QVERIFY(data.whyChanged);
        QStringList roots;
        for (const ComparedStep &s : data.whyChanged->steps) {
            if (s.root)
                roots.append(s.label);
        }
        QCOMPARE(roots, QStringList {QStringLiteral("[builder 2/3] COPY src/ ./")});
        QCOMPARE(data.whyChanged->causes.size(), 1);
        QCOMPARE(data.whyChanged->causes.first().cause.kind, CauseKind::Files);
        QCOMPARE(data.whyChanged->causes.first().steps.size(), 8); // b2 b3 t1 t2 r3 r4 r5 r6 (EXPECTED.md)
        const QString markdown = reportToMarkdown(data);
        QVERIFY(markdown.contains(QStringLiteral("### Why it changed")));
        QVERIFY(markdown.contains(QStringLiteral("- `[builder 2/3] COPY src/ ./`")));
        // One build: no such section.
        QVERIFY(!makeReportData(inputFor(build, {logPath(QStringLiteral("02-edit-src"))})).whyChanged);
    }

    // Two builds in one log are told apart as the GUI does ("build 1 of 2", "build 2 of 2").
    void comparisonInOneLog()
    {
        const QString log = corpusPath(
            QStringLiteral("logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log"));
        ReportInput input;
        for (const BuildRun &run : readBuildLogFile(log).builds)
            input.builds.append({log, run});
        QCOMPARE(input.builds.size(), 2);
        const ReportData data = makeReportData(input);
        QCOMPARE(data.comparison.size(), 2);
        QCOMPARE(data.comparison[0].name(), QFileInfo(log).fileName() + QStringLiteral(", build 1 of 2"));
        QCOMPARE(data.comparison[1].name(), QFileInfo(log).fileName() + QStringLiteral(", build 2 of 2"));
        QCOMPARE(data.comparison[0].number, 1);
        QCOMPARE(data.comparison[1].number, 2);
    }

    void withoutLog_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addRow("moby/buildkit")
            << corpusPath(QStringLiteral("dockerfiles/moby__buildkit__Dockerfile/Dockerfile"));
        QTest::addRow("buildkit-real") << corpusPath(QStringLiteral("buildkit-real/project/Dockerfile"));
    }

    // Without a log the table lists the steps BuildKit would print, in Dockerfile order, untimed.
    void withoutLog()
    {
        QFETCH(QString, dockerfile);
        ReportInput input;
        input.dockerfile = dockerfile;
        input.project = QFileInfo(dockerfile).absolutePath();
        input.graph = buildGraphFromFile(dockerfile, {});
        const auto vertices = input.graph.neededVertices();
        QVERIFY(!vertices.isEmpty());
        const ReportData data = makeReportData(input);
        QVERIFY(!data.hasBuild);
        QCOMPARE(data.steps.size(), vertices.size());
        for (int i = 0; i < vertices.size(); ++i) {
            const Step &step = *input.graph.step(vertices.at(i));
            QCOMPARE(data.steps.at(i).label, step.label);
            QCOMPARE(data.steps.at(i).line, step.line);
            QVERIFY(!data.steps.at(i).seconds);
        }
        QVERIFY(data.topMisses.isEmpty());
        QVERIFY(data.timeline.isEmpty());
        QCOMPARE(data.stages.size(), input.graph.stages.size());
        const QString markdown = reportToMarkdown(data);
        QCOMPARE(detailRows(markdown).size(), std::min<qsizetype>(vertices.size(), MarkdownStepRowLimit));
        QVERIFY(!markdown.contains(QStringLiteral("| Wall time |")));
    }

    void escape_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addRow("pipe") << QStringLiteral("a | b") << QStringLiteral("a \\| b");
        QTest::addRow("emphasis") << QStringLiteral("*.css _x_") << QStringLiteral("\\*.css \\_x\\_");
        QTest::addRow("html") << QStringLiteral("<b>&amp;") << QStringLiteral("\\<b\\>\\&amp;");
        QTest::addRow("link") << QStringLiteral("[internal] x") << QStringLiteral("\\[internal\\] x");
        QTest::addRow("code and math") << QStringLiteral("`$HOME`") << QStringLiteral("\\`\\$HOME\\`");
        QTest::addRow("backslash") << QStringLiteral("tr -d ' \\n'") << QStringLiteral("tr -d ' \\\\n'");
        QTest::addRow("newline") << QStringLiteral("a\nb\tc") << QStringLiteral("a b c");
        QTest::addRow("plain") << QStringLiteral("COPY src/ ./") << QStringLiteral("COPY src/ ./");
    }

    void escape()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(markdownEscape(text), expected);
        QCOMPARE(markdownUnescape(markdownEscape(text)),
            QString(text)
                .replace(QLatin1Char('\n'), QLatin1Char(' '))
                .replace(QLatin1Char('\t'), QLatin1Char(' ')));
    }

    // Hostile vertex names cannot break the table: each row still has six cells.
    void hostileLabels()
    {
        BuildRun run;
        const QStringList names {QStringLiteral("[a 1/3] RUN echo '|' | tee x"),
            QStringLiteral("[a 2/3] RUN x\n| y | z |"),
            QStringLiteral("[a 3/3] RUN ") + QString(5000, QLatin1Char('|')), QString()};
        for (int i = 0; i < names.size(); ++i) {
            BuildVertex v;
            v.id = QStringLiteral("#%1").arg(i);
            v.name = names.at(i);
            v.label = parseVertexLabel(v.name);
            v.status = VertexStatus::Done;
            v.seconds = i;
            v.start = i;
            v.end = 2 * i;
            run.vertices.append(v);
        }
        ReportInput input;
        input.builds.append({QStringLiteral("x|y.log"), run});
        const QString markdown = reportToMarkdown(makeReportData(input));
        const QList<QStringList> rows = detailRows(markdown);
        QCOMPARE(rows.size(), names.size());
        for (const QStringList &row : rows)
            QVERIFY2(row.size() == 6, qPrintable(row.join(QLatin1String(" ¦ "))));
    }

    // A category whose steps did work with no time in the log is no "0.0 s": unknown when none of its
    // steps has a time, a lower bound when some have (#15: "RUN 0.0 s" for a build whose only RUN failed).
    void categoryTimesUnknown_data()
    {
        QTest::addColumn<QList<int>>("runSeconds"); // -1: a failed RUN with no time
        QTest::addColumn<QString>("runText");
        QTest::newRow("only RUN failed") << QList<int> {-1} << QStringLiteral("—");
        QTest::newRow("one timed, one failed") << QList<int> {2, -1} << QStringLiteral("≥ 2.0 s");
        QTest::newRow("all timed") << QList<int> {2, 3} << QStringLiteral("5.0 s");
    }
    void categoryTimesUnknown()
    {
        QFETCH(QList<int>, runSeconds);
        QFETCH(QString, runText);
        BuildRun run;
        auto add = [&run](const QString &name, VertexStatus status, std::optional<double> seconds) {
            BuildVertex v;
            v.id = QStringLiteral("#%1").arg(run.vertices.size() + 1);
            v.name = name;
            v.label = parseVertexLabel(name);
            v.category = categorizeVertex(name, v.label);
            v.status = status;
            v.seconds = seconds;
            run.vertices.append(v);
        };
        add(QStringLiteral("[a 1/4] COPY x /x"), VertexStatus::Done, 1.0);
        add(QStringLiteral("[a 2/4] COPY y /y"), VertexStatus::Cached, std::nullopt);
        for (int i = 0; i < runSeconds.size(); ++i) {
            const bool failed = runSeconds[i] < 0;
            add(QStringLiteral("[a %1/4] RUN step%1").arg(i + 3),
                failed ? VertexStatus::Error : VertexStatus::Done,
                failed ? std::nullopt : std::optional<double>(runSeconds[i]));
        }
        ReportInput input;
        input.builds.append({QStringLiteral("b.log"), run});
        const ReportData data = makeReportData(input);
        QString run_, copy;
        for (const ReportCategory &c : data.categories) {
            if (c.category == VertexCategory::Run)
                run_ = c.text();
            if (c.category == VertexCategory::Copy)
                copy = c.text();
        }
        QCOMPARE(run_, runText);
        QCOMPARE(copy, QStringLiteral("1.0 s")); // a cached COPY took no time: the sum stands
        QVERIFY(reportToMarkdown(data).contains(QStringLiteral("| %1 |").arg(runText)));
    }

    // The real failed build: its failing RUN printed no time, the other RUN 0.2 s.
    void categoryOfRealFailure()
    {
        const BuildLogResult result = readBuildLogFile(logPath(QStringLiteral("22-fail-run-exit1")));
        ReportInput input;
        input.builds.append({QStringLiteral("22.log"), result.builds.first()});
        const ReportData data = makeReportData(input);
        bool seen = false;
        for (const ReportCategory &c : data.categories) {
            if (c.category == VertexCategory::Run) {
                QCOMPARE(c.untimed, 1);
                QVERIFY2(c.text().startsWith(QStringLiteral("≥ ")), qPrintable(c.text()));
                seen = true;
            }
        }
        QVERIFY(seen);
    }

    void emptyInput()
    {
        const ReportData data = makeReportData(ReportInput {});
        QVERIFY(!data.hasBuild);
        QVERIFY(data.steps.isEmpty());
        QVERIFY(!reportToMarkdown(data).isEmpty());
    }

    void formatForPath_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("format");
        QTest::addRow("pdf") << QStringLiteral("/x/r.pdf") << int(ReportFormat::Pdf);
        QTest::addRow("PNG upper") << QStringLiteral("R.PNG") << int(ReportFormat::Png);
        QTest::addRow("svg") << QStringLiteral("a.b.svg") << int(ReportFormat::Svg);
        QTest::addRow("md") << QStringLiteral("summary.md") << int(ReportFormat::Markdown);
        QTest::addRow("markdown") << QStringLiteral("summary.markdown") << int(ReportFormat::Markdown);
        QTest::addRow("none") << QStringLiteral("report") << -1;
        QTest::addRow("html") << QStringLiteral("report.html") << -1;
    }

    void formatForPath()
    {
        QFETCH(QString, path);
        QFETCH(int, format);
        const std::optional<ReportFormat> actual = reportFormatForPath(path);
        QCOMPARE(actual ? int(*actual) : -1, format);
    }

    // The atomic writer replaces the whole file or leaves the old one.
    void atomicWrite()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("r.md"));
        QCOMPARE(writeFileAtomically(path, "first"), QString());
        QCOMPARE(readAll(path), QByteArray("first"));
        QCOMPARE(writeFileAtomically(path, "second"), QString());
        QCOMPARE(readAll(path), QByteArray("second"));
        QVERIFY(!writeFileAtomically(dir.filePath(QStringLiteral("missing/r.md")), "x").isEmpty());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList {QStringLiteral("r.md")});
    }
};

QTEST_GUILESS_MAIN(TestReportData)
#include "tst_reportdata.moc"
