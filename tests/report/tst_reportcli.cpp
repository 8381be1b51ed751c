// `stagelens report` as CI runs it: the built binary through QProcess, no display.

#include "reportgroundtruth.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens::Test;

namespace {

struct Run
{
    int exitCode = -1;
    QString err;
};

Run runReport(const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(STAGELENS_BINARY), QStringList {QStringLiteral("report")} + args);
    if (!process.waitForFinished(120000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
        QString::fromUtf8(process.readAllStandardError())};
}

// Every file under `dir` with size and modification time: the project must not change.
QStringList snapshot(const QString &dir)
{
    QStringList entries;
    QDirIterator it(
        dir, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        entries.append(QStringLiteral("%1 %2 %3")
                           .arg(it.filePath())
                           .arg(it.fileInfo().size())
                           .arg(it.fileInfo().lastModified().toMSecsSinceEpoch()));
    }
    entries.sort();
    return entries;
}

QString real(const QString &relative)
{
    return corpusPath(QStringLiteral("buildkit-real/") + relative);
}

} // namespace

class TestReportCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void formats_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("magic");
        const QStringList twoLogs {real(QStringLiteral("project")), QStringLiteral("--log"),
            real(QStringLiteral("00-cold.log")), QStringLiteral("--log"),
            real(QStringLiteral("02-edit-src.log"))};
        QTest::addRow("pdf, two logs") << twoLogs << QStringLiteral("r.pdf") << QByteArray("%PDF");
        QTest::addRow("png, two logs") << twoLogs << QStringLiteral("r.png") << QByteArray("\x89PNG");
        QTest::addRow("svg, two logs") << twoLogs << QStringLiteral("r.svg") << QByteArray("<?xml");
        QTest::addRow("md, two logs") << twoLogs << QStringLiteral("r.md") << QByteArray("## ");
        const QString moby = corpusPath(QStringLiteral("dockerfiles/moby__buildkit__Dockerfile/Dockerfile"));
        QTest::addRow("pdf, Dockerfile, no log")
            << QStringList {moby} << QStringLiteral("moby.pdf") << QByteArray("%PDF");
        QTest::addRow("md, Dockerfile, no log")
            << QStringList {moby} << QStringLiteral("moby.md") << QByteArray("## ");
        QTest::addRow("md, -f, target, build-arg") << QStringList {real(QStringLiteral("project")),
            QStringLiteral("-f"), real(QStringLiteral("project/Dockerfile")), QStringLiteral("--target"),
            QStringLiteral("test"), QStringLiteral("--build-arg"), QStringLiteral("VERSION=1.1"),
            QStringLiteral("--log"), real(QStringLiteral("13-target-test.log"))}
                                                   << QStringLiteral("target.md") << QByteArray("## ");
    }

    // Each format is written where -o says, exit 0, and nothing in the project changes.
    void formats()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, fileName);
        QFETCH(QByteArray, magic);
        const QString project = real(QStringLiteral("project"));
        const QStringList before = snapshot(project);
        const QString out = m_dir.filePath(fileName);
        const Run run = runReport(args + QStringList {QStringLiteral("-o"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)));
        const QByteArray bytes = readAll(out);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
        QCOMPARE(snapshot(project), before);
        // No temporary files left next to the output (QSaveFile renames into place).
        QCOMPARE(QDir(m_dir.path()).entryList({fileName + QStringLiteral("*")}, QDir::Files).size(), 1);
    }

    // The target and the detailed log's steps reach the Markdown.
    void targetAndArgs()
    {
        const QString out = m_dir.filePath(QStringLiteral("target2.md"));
        const Run run = runReport({real(QStringLiteral("project")), QStringLiteral("--target"),
            QStringLiteral("test"), QStringLiteral("--log"), real(QStringLiteral("13-target-test.log")),
            QStringLiteral("-o"), out});
        QCOMPARE(run.exitCode, 0);
        const QString markdown = QString::fromUtf8(readAll(out));
        QVERIFY(markdown.contains(QStringLiteral("target: **test**")));
        const QList<TruthRow> truth = truthRows(QStringLiteral("13-target-test"));
        QVERIFY(!truth.isEmpty());
        QVERIFY(markdown.contains(QStringLiteral("All %1 steps").arg(truth.size())));
    }

    // The change options add the what-if section: the steps BuildKit really re-ran after the same edit
    // (02-edit-src, 16-chmod-x) are predicted to re-run or maybe re-run, and nothing predicted to re-run
    // stayed cached.
    void whatIf_data()
    {
        QTest::addColumn<QStringList>("change");
        QTest::addColumn<QString>("truth");
        QTest::addColumn<QString>("described");
        QTest::addRow("edit src") << QStringList {QStringLiteral("--changed"), QStringLiteral("src/main.c")}
                                  << QStringLiteral("02-edit-src") << QStringLiteral("Changed: src/main.c");
        QTest::addRow("chmod") << QStringList {QStringLiteral("--chmod"), QStringLiteral("src/build.sh")}
                               << QStringLiteral("16-chmod-x")
                               << QStringLiteral("Changed: src/build.sh (mode changed)");
    }
    void whatIf()
    {
        QFETCH(QStringList, change);
        QFETCH(QString, truth);
        QFETCH(QString, described);
        const QString out = m_dir.filePath(QStringLiteral("whatif.md"));
        const Run run = runReport(QStringList {real(QStringLiteral("project")), QStringLiteral("--log"),
                                      real(QStringLiteral("00-cold.log")), QStringLiteral("-o"), out}
            + change);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString markdown = QString::fromUtf8(readAll(out));
        const int start = markdown.indexOf(QLatin1String("### What-if prediction"));
        QVERIFY(start >= 0);
        const QString section = markdown.mid(start, markdown.indexOf(QLatin1String("<details>")) - start);
        QVERIFY2(section.contains(described), qPrintable(section));
        const QList<TruthRow> rows = truthRows(truth);
        QVERIFY(!rows.isEmpty());
        for (const TruthRow &t : rows) {
            // Labels are Markdown-escaped in the table: compare on the escaped "[stage k/n]" key.
            const QString key = t.name.section(QLatin1Char(']'), 0, 0).mid(1);
            if (!t.name.startsWith(QLatin1Char('[')) || t.name.startsWith(QLatin1String("[internal]")))
                continue;
            const QRegularExpression row(QStringLiteral("^\\| \\\\\\[%1\\\\\\][^\\n]*\\| (rerun|maybe) \\|")
                                             .arg(QRegularExpression::escape(key)),
                QRegularExpression::MultilineOption);
            const bool predicted = row.match(section).hasMatch();
            if (isTruthMiss(t))
                QVERIFY2(predicted,
                    qPrintable(QStringLiteral("%1 re-ran but is not predicted in\n%2").arg(t.name, section)));
            const QRegularExpression rerun(QStringLiteral("^\\| \\\\\\[%1\\\\\\][^\\n]*\\| rerun \\|")
                                               .arg(QRegularExpression::escape(key)),
                QRegularExpression::MultilineOption);
            if (t.status == QLatin1String("cached"))
                QVERIFY2(!rerun.match(section).hasMatch(),
                    qPrintable(QStringLiteral("%1 stayed cached").arg(t.name)));
        }
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        const QString project = real(QStringLiteral("project"));
        QTest::addRow("no -o") << QStringList {project};
        QTest::addRow("unknown suffix")
            << QStringList {project, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("r.docx"))};
        QTest::addRow("no input") << QStringList {
            QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.md"))};
        QTest::addRow("missing input") << QStringList {m_dir.filePath(QStringLiteral("nope")),
            QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.md"))};
        QTest::addRow("missing log") << QStringList {project, QStringLiteral("--log"),
            m_dir.filePath(QStringLiteral("nope.log")), QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("x.md"))};
        QTest::addRow("missing -f") << QStringList {project, QStringLiteral("-f"),
            m_dir.filePath(QStringLiteral("Nope")), QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("x.md"))};
        QTest::addRow("missing output dir") << QStringList {
            project, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("no/such/dir/x.md"))};
        QTest::addRow("unknown option") << QStringList {project, QStringLiteral("--frobnicate"),
            QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.md"))};
        QTest::addRow("unknown target") << QStringList {project, QStringLiteral("--target"),
            QStringLiteral("nope"), QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.md"))};
    }

    // Usage errors exit 2 with a message and write nothing.
    void usageErrors()
    {
        QFETCH(QStringList, args);
        const QStringList before = QDir(m_dir.path()).entryList(QDir::Files);
        const Run run = runReport(args);
        QVERIFY2(run.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)));
        QVERIFY(run.err.contains(QStringLiteral("usage:")));
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files), before);
    }

    // An unknown target names the stages there are.
    void unknownTargetListsStages()
    {
        const Run run = runReport({real(QStringLiteral("project")), QStringLiteral("--target"),
            QStringLiteral("nope"), QStringLiteral("-o"), m_dir.filePath(QStringLiteral("t.md"))});
        QCOMPARE(run.exitCode, 2);
        for (const char *stage : {"deps", "builder", "test", "assets", "docs", "runtime"})
            QVERIFY2(run.err.contains(QLatin1String(stage)), qPrintable(run.err));
    }

    // A CI log alone makes a report: its own steps, figures and stages, no project needed.
    void logAlone()
    {
        const QString out = m_dir.filePath(QStringLiteral("alone.md"));
        const Run run = runReport({QStringLiteral("--log"),
            corpusPath(QStringLiteral("logs/LFDT-Paladin-paladin-desktop-linux-long-multistage.log")),
            QStringLiteral("-o"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString markdown = QString::fromUtf8(readAll(out));
        // The log's slowest step (BuildKit's own "DONE 490.x s" for the gradle assemble) is in the report.
        QVERIFY2(markdown.contains(QLatin1String("gradle")), qPrintable(markdown.left(2000)));
        QVERIFY(markdown.contains(QLatin1String("base-builder")));
        QVERIFY(markdown.contains(QLatin1String("LFDT-Paladin-paladin-desktop-linux-long-multistage.log")));
    }

    // A project folder with the log of `docker build -f Dockerfile.fail .`: the report is about the file the
    // log names ("load build definition from Dockerfile.fail"), not the folder's default, with no mismatch;
    // named with -f, the user's choice stands and the mismatch is reported.
    void followsTheLogsDockerfile()
    {
        const QString out = m_dir.filePath(QStringLiteral("fail.md"));
        Run run = runReport({real(QStringLiteral("project")), QStringLiteral("--log"),
            real(QStringLiteral("22-fail-run-exit1.log")), QStringLiteral("-o"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(!run.err.contains(QLatin1String("does not match")), qPrintable(run.err));
        QString markdown = QString::fromUtf8(readAll(out));
        QVERIFY2(
            markdown.contains(QLatin1String("Dockerfile: Dockerfile.fail ")), qPrintable(markdown.left(500)));
        // The failing step is put on its line of Dockerfile.fail (line 7 there).
        QVERIFY2(markdown.contains(QRegularExpression(QStringLiteral("\\| broken \\| 7 \\|"))),
            qPrintable(markdown.left(3000)));

        run = runReport({real(QStringLiteral("project")), QStringLiteral("-f"),
            real(QStringLiteral("project/Dockerfile")), QStringLiteral("--log"),
            real(QStringLiteral("22-fail-run-exit1.log")), QStringLiteral("-o"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QLatin1String("does not match")), qPrintable(run.err));
        markdown = QString::fromUtf8(readAll(out));
        QVERIFY(markdown.contains(QLatin1String("Dockerfile: Dockerfile ")));
    }

    // The report's Advice section is `stagelens advise` on the same input: same findings, same figures,
    // each patch in a diff fence.
    void adviceSection()
    {
        const QString out = m_dir.filePath(QStringLiteral("advice.md"));
        const QStringList input {
            real(QStringLiteral("project")), QStringLiteral("--log"), real(QStringLiteral("00-cold.log"))};
        const Run run = runReport(input + QStringList {QStringLiteral("-o"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString markdown = QString::fromUtf8(readAll(out));
        QProcess advise;
        advise.start(QStringLiteral(STAGELENS_BINARY),
            QStringList {QStringLiteral("advise")} + input + QStringList {QStringLiteral("--json")});
        QVERIFY(advise.waitForFinished(60000));
        const QJsonArray advice = QJsonDocument::fromJson(advise.readAllStandardOutput())
                                      .object()
                                      .value(QStringLiteral("advice"))
                                      .toArray();
        QVERIFY(!advice.isEmpty());
        const qsizetype section = markdown.indexOf(QLatin1String("### Advice"));
        QVERIFY2(section >= 0, qPrintable(markdown.left(3000)));
        for (const QJsonValue &v : advice) {
            const QJsonObject a = v.toObject();
            QVERIFY(markdown.indexOf(a.value(QStringLiteral("title")).toString(), section) > section);
            QVERIFY(
                markdown.contains(QStringLiteral("```diff\n") + a.value(QStringLiteral("patch")).toString()));
        }
    }

    // A command that fails leaves no file behind, not even an old one's name with new content.
    void failureWritesNothing()
    {
        QTemporaryDir dir;
        QFile broken(dir.filePath(QStringLiteral("Dockerfile")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("RUN echo no stage\n");
        broken.close();
        const QString out = dir.filePath(QStringLiteral("r.pdf"));
        const Run run = runReport({dir.path(), QStringLiteral("-o"), out});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
            QStringList {QStringLiteral("Dockerfile")});
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestReportCli)
#include "tst_reportcli.moc"
