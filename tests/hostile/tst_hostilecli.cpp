// The `stagelens` binary on hostile files, and two promises every front end keeps: nothing is ever
// written inside an opened project folder or next to an opened log, and Dockerfile text is plain text
// (markup in a stage or step comes back verbatim, never interpreted or escaped twice).

#include "hostileutils.h"
#include "testutils.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

struct Run
{
    int exitCode = -1; ///< -1 when the process crashed or timed out
    QByteArray out;
    QByteArray err;
};

/// STAGELENS_TEST_BINARY overrides the built binary (to check an installed one).
QString binary()
{
    const QString override = qEnvironmentVariable("STAGELENS_TEST_BINARY");
    return override.isEmpty() ? QStringLiteral(STAGELENS_BINARY) : override;
}

/// The settings and data folders every run gets instead of the user's: tests never change the recent files,
/// theme or history of whoever runs them, and can check that a run writes nothing there either.
const QTemporaryDir &userHome()
{
    static const QTemporaryDir home;
    return home;
}

Run run(const QStringList &args, int timeoutMs = 120000, const QString &program = binary())
{
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), userHome().filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), userHome().filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), userHome().filePath(QStringLiteral("cache")));
    p.setProcessEnvironment(env);
    p.start();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString describe(const Run &r)
{
    return QStringLiteral("exit %1\nstderr: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err.left(600)));
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

/// Path, type, size, mtime and content hash of everything below `root` (hidden entries included,
/// symlinks not followed). Directory mtimes catch a file that was created and removed again.
QStringList snapshot(const QString &root)
{
    QStringList rows;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    QStringList paths {root};
    while (it.hasNext())
        paths << it.next();
    for (const QString &path : std::as_const(paths)) {
        const QFileInfo info(path);
        QByteArray hash;
        if (info.isFile() && !info.isSymLink()) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                hash = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
        }
        rows << QStringLiteral("%1 %2 %3 %4 %5")
                    .arg(path,
                        info.isSymLink()   ? QStringLiteral("l")
                            : info.isDir() ? QStringLiteral("d")
                                           : QStringLiteral("f"))
                    .arg(info.size())
                    .arg(info.lastModified().toMSecsSinceEpoch())
                    .arg(QString::fromLatin1(hash));
    }
    rows.sort();
    return rows;
}

bool copyTree(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    QDirIterator it(
        from, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + path.mid(from.size());
        if (it.fileInfo().isDir()) {
            if (!QDir().mkpath(target))
                return false;
        } else if (!QFile::copy(path, target)) {
            return false;
        } else {
            QFile(target).setPermissions(QFile(path).permissions() | QFileDevice::WriteOwner);
        }
    }
    return true;
}

} // namespace

class TestHostileCli : public QObject
{
    Q_OBJECT

private slots:
    void hostileFiles_data();
    void hostileFiles();
    void missingAndDirectories();
    void whatifOnHostileContext();
    void nothingWrittenNextToInputs();
    void markupIsPlainText();
    void missingPlotsModule();
};

void TestHostileCli::hostileFiles_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QByteArray>("bytes");

    const QList<QPair<const char *, QByteArray>> inputs {{"empty", QByteArray()},
        {"binary 256 KiB", Test::junkBytes(256 * 1024)}, {"NUL bytes", QByteArray(4096, '\0')},
        {"invalid UTF-8",
            QByteArray("FROM alpine\nRUN echo \xff\xfe\n#1 [a\xc3 1/1] RUN \xed\xa0\x80\n#1 DONE 0.1s\n")},
        {"20 MB single line", QByteArray(20 << 20, 'x')}};
    for (const QString &command : {QStringLiteral("dockerfile"), QStringLiteral("log")}) {
        for (const auto &input : inputs)
            QTest::addRow("%s %s", qPrintable(command), input.first) << command << input.second;
    }
}

// Exit 0 or 1 (never a crash, never "usage" for an existing file), one valid JSON document on stdout, and
// for exit 1 a diagnostic that says where.
void TestHostileCli::hostileFiles()
{
    QFETCH(QString, command);
    QFETCH(QByteArray, bytes);
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("input"));
    QVERIFY(writeFile(path, bytes));
    const Run r = run({command, path, QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(describe(r)));
    QJsonParseError error;
    const QJsonDocument json = QJsonDocument::fromJson(r.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && json.isObject(),
        qPrintable(error.errorString() + describe(r)));
    // Output stays proportional to the input.
    QVERIFY2(r.out.size() <= 16 * bytes.size() + 65536, qPrintable(QString::number(r.out.size())));
    if (r.exitCode == 1) {
        const QJsonArray diagnostics = json.object().value(QStringLiteral("diagnostics")).toArray();
        QVERIFY2(!diagnostics.isEmpty(), qPrintable(describe(r)));
    }
}

void TestHostileCli::missingAndDirectories()
{
    QTemporaryDir tmp;
    for (const QString &command : {QStringLiteral("dockerfile"), QStringLiteral("log")}) {
        for (const QString &path : {tmp.filePath(QStringLiteral("missing")), tmp.path()}) {
            const Run r = run({command, path, QStringLiteral("--json")});
            QVERIFY2(r.exitCode == 2,
                qPrintable(command + QLatin1Char(' ') + path + QLatin1Char('\n') + describe(r)));
            QVERIFY2(!r.err.isEmpty(), "a usage error must say why on stderr");
        }
    }
}

void TestHostileCli::whatifOnHostileContext()
{
    QTemporaryDir tmp;
    const QByteArray root = QFile::encodeName(tmp.path());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("Dockerfile")), "FROM alpine\nCOPY . /src\nRUN make\n"));
    QVERIFY(QFile::link(QStringLiteral("loop"), tmp.filePath(QStringLiteral("loop"))));
    QVERIFY(QFile::link(QStringLiteral("/"), tmp.filePath(QStringLiteral("root"))));
    QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("d")));
    QVERIFY(QFile::link(QStringLiteral(".."), tmp.filePath(QStringLiteral("d/up"))));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("new\nline")), "x"));
    const Run r = run({QStringLiteral("whatif"), tmp.path(), QStringLiteral("--changed"),
        QStringLiteral("new\nline"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(describe(r)));
    QVERIFY2(QJsonDocument::fromJson(r.out).isObject(), qPrintable(describe(r)));
}

// Copies of a real project and a real log; every subcommand and the GUI open them; afterwards both trees
// are byte-for-byte, mtime-for-mtime unchanged. Outputs go to a third folder.
void TestHostileCli::nothingWrittenNextToInputs()
{
    QTemporaryDir tmp;
    const QString project = tmp.filePath(QStringLiteral("project"));
    const QString logs = tmp.filePath(QStringLiteral("logs"));
    const QString out = tmp.filePath(QStringLiteral("out"));
    QVERIFY(copyTree(Test::corpusPath(QStringLiteral("buildkit-real/project")), project));
    QVERIFY(QDir().mkpath(logs) && QDir().mkpath(out));
    const QString log = logs + QStringLiteral("/build.log");
    QVERIFY(QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/02-edit-src-main.log")), log)
        || QFile::copy(Test::corpusPath(QStringLiteral("buildkit-real/22-fail-run-exit1.log")), log));
    const QString dockerfile = project + QStringLiteral("/Dockerfile");

    // The user's own folders too: a --screenshot run shows their recent files but adds none of its paths.
    QVERIFY(QDir().mkpath(userHome().filePath(QStringLiteral("config/Stagelens"))));
    QVERIFY(writeFile(userHome().filePath(QStringLiteral("config/Stagelens/stagelens.conf")),
        "[recent]\npaths=" + project.toUtf8() + "/Dockerfile\n"));
    auto inputs = [&]() {
        return snapshot(project) + snapshot(logs) + snapshot(userHome().path());
    };
    const QStringList before = inputs();
    const QList<QStringList> commands {
        {QStringLiteral("dockerfile"), dockerfile, QStringLiteral("--json")},
        {QStringLiteral("dockerfile"), dockerfile, QStringLiteral("--ast")},
        {QStringLiteral("log"), log, QStringLiteral("--json"), QStringLiteral("--dockerfile"), dockerfile},
        {QStringLiteral("whatif"), project, QStringLiteral("--log"), log, QStringLiteral("--changed"),
            QStringLiteral("src/main.c"), QStringLiteral("--json")},
        {QStringLiteral("report"), project, QStringLiteral("--log"), log, QStringLiteral("-o"),
            out + QStringLiteral("/r.md")},
        {QStringLiteral("report"), project, QStringLiteral("--log"), log, QStringLiteral("-o"),
            out + QStringLiteral("/r.png")},
        {project, log, QStringLiteral("--screenshot"), out + QStringLiteral("/gui.png"),
            QStringLiteral("--size"), QStringLiteral("800x600")},
    };
    for (const QStringList &args : commands) {
        const Run r = run(args);
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1,
            qPrintable(args.join(QLatin1Char(' ')) + QLatin1Char('\n') + describe(r)));
        const QStringList after = inputs();
        if (after != before) {
            QStringList added, removed;
            for (const QString &row : after)
                if (!before.contains(row))
                    added << row;
            for (const QString &row : before)
                if (!after.contains(row))
                    removed << row;
            QFAIL(qPrintable(
                QStringLiteral("%1 changed the inputs\nnow: %2\nwas: %3")
                    .arg(args.first(), added.join(QLatin1Char('\n')), removed.join(QLatin1Char('\n')))));
        }
    }
    QVERIFY(QFileInfo(out + QStringLiteral("/gui.png")).size() > 0);
}

// Markup in a stage name and in step text comes back verbatim in the labels of `dockerfile --json`.
void TestHostileCli::markupIsPlainText()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("Dockerfile"));
    const QByteArray run1 = "RUN echo \"<b>x</b>\" &amp; true";
    const QByteArray run2 = "RUN printf '<i>%s</i>' '&lt;&gt;' > /o.html";
    QVERIFY(writeFile(path, "FROM alpine AS build\n" + run1 + '\n' + run2 + '\n'));
    const Run r = run({QStringLiteral("dockerfile"), path, QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
    const QJsonArray steps = QJsonDocument::fromJson(r.out)
                                 .object()
                                 .value(QStringLiteral("stages"))
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value(QStringLiteral("steps"))
                                 .toArray();
    QStringList labels;
    for (const QJsonValue &step : steps)
        labels << step.toObject().value(QStringLiteral("label")).toString();
    // The label is the stage token and counter followed by the instruction exactly as written (the FROM
    // step comes first).
    QVERIFY2(labels.size() == 3, qPrintable(labels.join(QLatin1Char('\n'))));
    QVERIFY2(labels.at(1).endsWith(QString::fromUtf8(run1)), qPrintable(labels.at(1)));
    QVERIFY2(labels.at(2).endsWith(QString::fromUtf8(run2)), qPrintable(labels.at(2)));

    // The GUI loads it without interpreting anything (rendering is judged by the ui tests).
    const Run gui = run({path, QStringLiteral("--screenshot"), tmp.filePath(QStringLiteral("x.png")),
        QStringLiteral("--size"), QStringLiteral("800x600")});
    QVERIFY2(gui.exitCode == 0, qPrintable(describe(gui)));
}

// The charts live in a module the window opens from <bindir>/../<libdir>/stagelens (ui/plots/plotcharts.h).
// A broken install without it still opens the window, draws everything else, and says why the timeline is
// missing, on the pane and on stderr; the binary where it belongs finds it.
void TestHostileCli::missingPlotsModule()
{
    const QString example = QStringLiteral(STAGELENS_SOURCE_DIR "/resources/example");
    const QStringList inputs {
        example + QStringLiteral("/project"), example + QStringLiteral("/logs/02-edit-src.log")};
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("bin"))));
    const QString lonely = tmp.filePath(QStringLiteral("bin/stagelens"));
    QVERIFY(QFile::copy(binary(), lonely));

    const QString withModule = tmp.filePath(QStringLiteral("with.png"));
    const Run found = run(inputs + QStringList {QStringLiteral("--screenshot"), withModule});
    QVERIFY2(found.exitCode == 0 && QFileInfo(withModule).size() > 0, qPrintable(describe(found)));
    QVERIFY2(!found.err.contains("cannot be shown"), qPrintable(describe(found)));

    const QString without = tmp.filePath(QStringLiteral("without.png"));
    const Run missing = run(inputs + QStringList {QStringLiteral("--screenshot"), without}, 120000, lonely);
    QVERIFY2(missing.exitCode == 0 && QFileInfo(without).size() > 0, qPrintable(describe(missing)));
    QVERIFY2(missing.err.contains("The timeline cannot be shown: ")
            && missing.err.contains("libstagelens_plots.so"),
        qPrintable(describe(missing)));
}

QTEST_GUILESS_MAIN(TestHostileCli)
#include "tst_hostilecli.moc"
