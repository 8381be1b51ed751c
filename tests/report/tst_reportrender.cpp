// The painted formats (PDF, PNG, SVG) checked by content: page count and text through poppler's
// pdfinfo/pdftotext, the image's size and ink, the SVG's XML and text.

#include "model/buildlog/buildlogreader.h"
#include "model/core/duration.h"
#include "model/report/reportdata.h"
#include "reportgroundtruth.h"
#include "ui/report/reportexport.h"
#include "ui/report/reportrenderer.h"

#include <QAction>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>
#include <QXmlStreamReader>

using namespace Stagelens;
using namespace Stagelens::Test;

namespace {

/// A row the report must show: the start of its label, and (when a log was given) status and time.
struct Expected
{
    QString label;
    QString status;
    QString time; ///< empty without a log: the report prints no time columns then
};

struct Case
{
    ReportData data;
    QList<Expected> rows; ///< from steps.tsv with a log, from the Dockerfile's vertices without one
};

Case makeCase(const QString &name)
{
    const QString project = corpusPath(QStringLiteral("buildkit-real/project"));
    ReportInput input;
    Case c;
    if (name == QLatin1String("moby")) {
        input.dockerfile = corpusPath(QStringLiteral("dockerfiles/moby__buildkit__Dockerfile/Dockerfile"));
        input.project = QFileInfo(input.dockerfile).absolutePath();
        input.graph = buildGraphFromFile(input.dockerfile, {});
        for (const auto &[stage, step] : input.graph.neededVertices())
            c.rows.append(
                {input.graph.stages.at(stage).steps.at(step).label, QStringLiteral("not built"), QString()});
    } else {
        input.project = project;
        input.dockerfile = project + QStringLiteral("/Dockerfile");
        input.graph = buildGraphFromFile(input.dockerfile, {});
        const QStringList cases = name.split(QLatin1Char('+'));
        for (const QString &caseName : cases) {
            const QString log = corpusPath(QStringLiteral("buildkit-real/%1.log").arg(caseName));
            for (const BuildRun &run : readBuildLogFile(log).builds)
                input.builds.append({log, run});
        }
        // The report details the last build given.
        for (const TruthRow &t : truthRows(cases.last()))
            c.rows.append(
                {t.prefix(), t.status, t.seconds ? formatDuration(*t.seconds) : QStringLiteral("–")});
    }
    c.data = makeReportData(input);
    return c;
}

// The start of a label that survives wrapping and eliding in any table cell.
QString labelStart(const QString &label)
{
    return label.simplified().left(22);
}

QString run(const QString &program, const QStringList &args)
{
    QProcess process;
    process.start(program, args);
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return {};
    return QString::fromUtf8(process.readAllStandardOutput());
}

} // namespace

class TestReportRender : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        setCNumericLocale();
        QVERIFY(m_dir.isValid());
    }

    void pdf_data() { addCases(); }

    // A4 pages with page numbers; every step row is selectable text with its status and time.
    void pdf()
    {
        QFETCH(QString, name);
        const Case c = makeCase(name);
        const ReportRenderResult result = renderReportPdf(c.data);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QVERIFY(result.bytes.startsWith("%PDF"));
        const QString path = m_dir.filePath(name + QStringLiteral(".pdf"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(result.bytes);
        file.close();

        if (QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty())
            QSKIP("poppler-utils (pdfinfo, pdftotext) not installed");
        const QString info = run(QStringLiteral("pdfinfo"), {path});
        const QRegularExpressionMatch pages =
            QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info);
        QVERIFY2(pages.hasMatch(), qPrintable(info));
        QCOMPARE(pages.captured(1).toInt(), result.pages);
        QVERIFY(
            info.contains(QStringLiteral("595 x 842 pts")) || info.contains(QStringLiteral("842 x 595 pts")));
        // Table and timeline rows take ~12 pt of ~740 pt per page, so a page holds 40 or more; the DAG may
        // add up to a few landscape pages. More pages than that would be wasted paper.
        const qsizetype tableRows = c.data.timeline.size() + c.data.topMisses.size() + c.data.steps.size()
            + c.data.stages.size() + c.data.comparison.size();
        QVERIFY2(result.pages <= 4 + tableRows / 30,
            qPrintable(QStringLiteral("%1 pages for %2 table rows").arg(result.pages).arg(tableRows)));

        const QString fonts = run(QStringLiteral("pdffonts"), {path});
        const QStringList fontLines = fonts.split(QLatin1Char('\n'), Qt::SkipEmptyParts).mid(2);
        QVERIFY(!fontLines.isEmpty());
        for (const QString &line : fontLines)
            QVERIFY2(line.contains(QStringLiteral(" yes ")),
                qPrintable(QStringLiteral("font not embedded: ") + line));

        const QString text =
            run(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
        QVERIFY(text.contains(c.data.title));
        QVERIFY(text.contains(QStringLiteral("Page %1 of %1").arg(result.pages)));
        const QStringList lines = text.split(QLatin1Char('\n'));
        checkRows(c.rows, lines, true);
        if (c.data.hasBuild) {
            QVERIFY(text.contains(formatDuration(c.data.headline.wallSeconds)));
            QVERIFY(text.contains(QStringLiteral("Timeline")));
            QVERIFY(text.contains(QStringLiteral("Top cache misses")));
        }
        if (!c.data.comparison.isEmpty())
            QVERIFY(text.contains(QStringLiteral("Builds compared")));
        for (const ReportStageRow &stage : c.data.stages)
            QVERIFY2(text.contains(stage.token), qPrintable(stage.token));
    }

    // Issue #16: a graph too big for one page is tiled at stage boundaries: no stage is split across
    // pages. Read back through pdftotext, page by page: every stage's title is on exactly one graph page
    // (a stage cut by a tile edge was drawn, in part, on both).
    void dagNotSplitAcrossPages_data()
    {
        QTest::addColumn<QString>("dockerfile");
        for (const char *name : {"moby__buildkit", "docker__buildx", "docker__cli"})
            QTest::newRow(name) << corpusPath(
                QStringLiteral("dockerfiles/%1__Dockerfile/Dockerfile").arg(QLatin1String(name)));
    }
    void dagNotSplitAcrossPages()
    {
        QFETCH(QString, dockerfile);
        if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
            QSKIP("poppler-utils (pdftotext) not installed");
        ReportInput input;
        input.dockerfile = dockerfile;
        input.project = QFileInfo(dockerfile).absolutePath();
        input.graph = buildGraphFromFile(dockerfile, {});
        const ReportData data = makeReportData(input);
        const ReportRenderResult result = renderReportPdf(data);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        const QString path =
            m_dir.filePath(QFileInfo(QFileInfo(dockerfile).path()).fileName() + QStringLiteral(".pdf"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(result.bytes);
        file.close();
        QHash<QString, QList<int>> titlePages; // stage token -> graph pages showing its title
        int graphPages = 0;
        for (int page = 1; page <= result.pages; ++page) {
            // Words with their boxes: titles side by side share a line in text output, never a word.
            const QString text = run(QStringLiteral("pdftotext"),
                {QStringLiteral("-f"), QString::number(page), QStringLiteral("-l"), QString::number(page),
                    QStringLiteral("-bbox"), path, QStringLiteral("-")});
            // The graph's own pages: those with a "Stage graph, part k of n" caption (these files are too
            // big for one page, so they are tiled; the stage table elsewhere names every stage too).
            if (!text.contains(QLatin1String(">graph,</word>")))
                continue;
            ++graphPages;
            QSet<QString> words;
            static const QRegularExpression word(QStringLiteral("<word [^>]*>([^<]*)</word>"));
            for (auto it = word.globalMatch(text); it.hasNext();) {
                // Typographic ligatures come back as one glyph ("binfmt-\uFB01lter").
                QString w = it.next().captured(1);
                w.replace(QChar(0xFB01), QLatin1String("fi")).replace(QChar(0xFB02), QLatin1String("fl"));
                w.replace(QChar(0xFB00), QLatin1String("ff"));
                words.insert(w);
            }
            for (const Stage &stage : input.graph.stages) {
                if (words.contains(stage.token()))
                    titlePages[stage.token()].append(page);
            }
        }
        QVERIFY(graphPages >= 1);
        for (const Stage &stage : input.graph.stages) {
            const QList<int> pages = titlePages.value(stage.token());
            QVERIFY2(pages.size() == 1,
                qPrintable(QStringLiteral("%1 on graph pages %2").arg(stage.token()).arg([&pages] {
                    QStringList s;
                    for (int p : pages)
                        s.append(QString::number(p));
                    return s.join(QLatin1Char(','));
                }())));
        }
    }

    void png_data() { addCases(); }

    // One tall image at 2x: the expected width, a height that grows with the rows, and ink on it.
    void png()
    {
        QFETCH(QString, name);
        const Case c = makeCase(name);
        const ReportRenderResult result = renderReportPng(c.data);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QImage image;
        QVERIFY(image.loadFromData(result.bytes, "PNG"));
        QCOMPARE(image.width(), qRound(result.size.width() * 2));
        QCOMPARE(image.height(), qRound(result.size.height() * 2));
        QVERIFY2(image.height() > c.rows.size() * 2 * 10,
            qPrintable(QStringLiteral("%1 px for %2 rows").arg(image.height()).arg(c.rows.size())));
        // Non-blank: a report is mostly white, but text, bars and rules must cover part of it.
        qint64 ink = 0;
        qint64 coloured = 0;
        const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
        for (int y = 0; y < rgb.height(); y += 2) {
            const QRgb *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
            for (int x = 0; x < rgb.width(); x += 2) {
                ink += qGray(line[x]) < 160;
                coloured += qAbs(qRed(line[x]) - qBlue(line[x])) > 60;
            }
        }
        const qint64 samples = qint64(rgb.height() / 2) * (rgb.width() / 2);
        QVERIFY2(ink > samples / 200, qPrintable(QStringLiteral("ink %1 of %2").arg(ink).arg(samples)));
        QVERIFY(ink < samples / 2);
        QVERIFY2(coloured > 0, "no coloured marks (stage and status colours)");
    }

    void svg_data() { addCases(); }

    // Vector SVG: well-formed XML whose text holds every row's label.
    void svg()
    {
        QFETCH(QString, name);
        const Case c = makeCase(name);
        const ReportRenderResult result = renderReportSvg(c.data);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QXmlStreamReader xml(result.bytes);
        QString text;
        int textElements = 0;
        bool isSvg = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()) {
                isSvg = isSvg || xml.name() == QLatin1String("svg");
                textElements += xml.name() == QLatin1String("text");
            } else if (xml.isCharacters() && !xml.isWhitespace()) {
                text += xml.text() + QLatin1Char('\n');
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(isSvg);
        QVERIFY(textElements > c.rows.size());
        QVERIFY(text.contains(c.data.title));
        const QString flat = text.simplified();
        for (const Expected &row : c.rows)
            QVERIFY2(flat.contains(labelStart(row.label)), qPrintable(row.label));
    }

    // The file writer picks the format by suffix and refuses unknown ones.
    void writeReport_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("magic");
        QTest::addRow("pdf") << QStringLiteral("r.pdf") << QByteArray("%PDF");
        QTest::addRow("png") << QStringLiteral("r.png") << QByteArray("\x89PNG");
        QTest::addRow("svg") << QStringLiteral("r.svg") << QByteArray("<?xml");
        QTest::addRow("md") << QStringLiteral("r.md") << QByteArray("## ");
    }

    void writeReport()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, magic);
        const Case c = makeCase(QStringLiteral("00-cold"));
        const QString path = m_dir.filePath(QStringLiteral("written-") + fileName);
        QCOMPARE(Stagelens::writeReport(c.data, path), QString());
        QVERIFY(readAll(path).startsWith(magic));
        QVERIFY(!Stagelens::writeReport(c.data, m_dir.filePath(QStringLiteral("r.docx"))).isEmpty());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("r.docx"))));
    }

    // Thousands of steps: rendering stays bounded (rows are capped) and does not fail.
    void manySteps()
    {
        BuildRun run;
        for (int i = 0; i < 3000; ++i) {
            BuildVertex v;
            v.id = QStringLiteral("#%1").arg(i);
            v.name =
                QStringLiteral("[s %1/3000] RUN step number %1 ").arg(i + 1) + QString(300, QLatin1Char('x'));
            v.label = parseVertexLabel(v.name);
            v.status = i % 3 ? VertexStatus::Done : VertexStatus::Cached;
            if (i % 3)
                v.seconds = 0.1 * (i % 17);
            v.start = i * 0.05;
            v.end = i * 0.05 + 0.1 * (i % 17);
            run.vertices.append(v);
        }
        ReportInput input;
        input.builds.append({QStringLiteral("huge.log"), run});
        const ReportData data = makeReportData(input);
        const ReportRenderResult pdf = renderReportPdf(data);
        QVERIFY(pdf.error.isEmpty());
        QVERIFY(pdf.pages > 1 && pdf.pages < 60);
        const QImage image = renderReportImage(data, 2.0);
        QVERIFY(!image.isNull());
        QVERIFY(qint64(image.width()) * image.height() * 4 < qint64(200) << 20);
    }

    // File > Export Report: the action the main window adds, with its Ctrl+E shortcut.
    void exportAction()
    {
        QWidget window;
        int calls = 0;
        QAction *action = createExportReportAction(&window, [&calls] {
            ++calls;
            return ReportInput {};
        });
        QCOMPARE(action->parent(), &window);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        QVERIFY(action->text().contains(QStringLiteral("Export")));
        QCOMPARE(calls, 0); // the input is gathered only when the user triggers it
    }

private:
    void addCases()
    {
        QTest::addColumn<QString>("name");
        QTest::addRow("00-cold") << QStringLiteral("00-cold");
        QTest::addRow("00-cold + 02-edit-src") << QStringLiteral("00-cold+02-edit-src");
        QTest::addRow("moby/buildkit without log") << QStringLiteral("moby");
    }

    // Each expected row is one line of the laid-out text holding its label start, status and time.
    void checkRows(const QList<Expected> &rows, QStringList lines, bool withStatus)
    {
        for (const Expected &row : rows) {
            const QString start = labelStart(row.label);
            int found = -1;
            for (int i = 0; i < lines.size() && found < 0; ++i) {
                const QString line = lines.at(i).simplified() + QLatin1Char(' ');
                if (line.startsWith(start)
                    && (!withStatus || line.contains(QLatin1Char(' ') + row.status + QLatin1Char(' ')))
                    && (row.time.isEmpty() || line.contains(row.time)))
                    found = i;
            }
            QVERIFY2(found >= 0,
                qPrintable(QStringLiteral("no line with '%1' %2 %3 in\n%4")
                               .arg(start, row.status, row.time, lines.join(QLatin1Char('\n')))));
            lines.removeAt(found);
        }
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(TestReportRender)
#include "tst_reportrender.moc"
