// Hostile build contexts: symlink loops, symlinks leaving the context, unreadable entries, names with
// newlines and invalid UTF-8, a fifo, deep nesting and a 100,000-file directory. The scan never follows a
// symlink, never opens a file, finishes, and reports what it could not read.
//
// The tests run as root in CI, and root ignores permission bits: chmod 000 does not stop it from listing
// a directory or reading a file. There the "unreadable" cases check only that the scan goes through;
// the unreadable flags are checked when the suite runs as an ordinary user.

#include "hostileutils.h"
#include "model/context/contextindex.h"
#include "testutils.h"

#include <QDir>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Stagelens;

namespace {

/// Creates an empty file from raw name bytes (which may be invalid UTF-8 or hold a newline).
bool touch(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

// POSIX calls on byte paths (QStringBuilder expressions become a QByteArray first).
int makeDir(const QByteArray &path)
{
    return ::mkdir(path.constData(), 0755);
}
int makeLink(const char *target, const QByteArray &path)
{
    return ::symlink(target, path.constData());
}
int setMode(const QByteArray &path, mode_t mode)
{
    return ::chmod(path.constData(), mode);
}

ContextIndex scanDir(const QString &dir, int maxEntries = 5000000)
{
    ContextScanOptions options;
    options.contextDir = dir;
    options.maxEntries = maxEntries;
    return ContextIndex::scan(options);
}

QString describe(const ContextIndex &index)
{
    QStringList out;
    for (const ContextEntry &e : index.entries().mid(0, 20))
        out << QStringLiteral("%1 (%2)").arg(e.path.toHtmlEscaped(), entryTypeName(e.type));
    for (const Diagnostic &d : index.diagnostics())
        out << d.toString();
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestHostileContext : public QObject
{
    Q_OBJECT

private slots:
    void symlinks();
    void unreadable();
    void oddNames();
    void deepNesting();
    void hundredThousandFiles();
};

void TestHostileContext::symlinks()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QByteArray root = QFile::encodeName(tmp.path());
    QVERIFY(makeDir(root + "/dir") == 0);
    QVERIFY(touch(root + "/dir/file"));
    QVERIFY(makeLink("b", root + "/a") == 0); // a -> b -> a
    QVERIFY(makeLink("a", root + "/b") == 0);
    QVERIFY(makeLink("self", root + "/self") == 0);
    QVERIFY(makeLink("..", root + "/dir/up") == 0); // a directory loop
    QVERIFY(makeLink(".", root + "/dir/here") == 0);
    QVERIFY(makeLink("/etc", root + "/outside") == 0); // out of the context, absolute
    QVERIFY(makeLink("../../../../../../..", root + "/dir/escape") == 0); // and relative
    QVERIFY(makeLink("/nonexistent/x", root + "/dangling") == 0);

    const ContextIndex index = scanDir(tmp.path());
    QVERIFY2(index.isComplete(), qPrintable(describe(index)));
    const QStringList links {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("self"),
        QStringLiteral("dir/up"), QStringLiteral("dir/here"), QStringLiteral("outside"),
        QStringLiteral("dir/escape"), QStringLiteral("dangling")};
    for (const QString &link : links) {
        const int i = index.indexOf(link);
        QVERIFY2(i >= 0, qPrintable(link + QLatin1Char('\n') + describe(index)));
        QCOMPARE(entryTypeName(index.entries().at(i).type), entryTypeName(EntryType::Symlink));
    }
    // Nothing is listed through a link: exactly the entries created above.
    QCOMPARE(index.entries().size(), links.size() + 2);
    for (const ContextEntry &e : index.entries())
        QVERIFY2(!e.path.startsWith(QLatin1String("outside/")) && !e.path.contains(QLatin1String("up/")),
            qPrintable(e.path));
}

void TestHostileContext::unreadable()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QByteArray root = QFile::encodeName(tmp.path());
    QVERIFY(makeDir(root + "/locked") == 0);
    QVERIFY(touch(root + "/locked/inside"));
    QVERIFY(touch(root + "/secret"));
    QVERIFY(setMode(root + "/locked", 0) == 0);
    QVERIFY(setMode(root + "/secret", 0) == 0);

    const ContextIndex index = scanDir(tmp.path());
    setMode(root + "/locked", 0755); // let QTemporaryDir clean up
    const int locked = index.indexOf(QStringLiteral("locked"));
    const int secret = index.indexOf(QStringLiteral("secret"));
    QVERIFY2(locked >= 0 && secret >= 0, qPrintable(describe(index)));
    QCOMPARE(index.fileStatus(secret).mode, quint32(0));
    if (::geteuid() == 0) {
        // Root reads through chmod 000: the directory is listed like any other.
        QVERIFY2(index.indexOf(QStringLiteral("locked/inside")) >= 0, qPrintable(describe(index)));
        qInfo("running as root: permission bits do not stop reads, the unreadable flags cannot be tested");
    } else {
        QVERIFY(index.entries().at(locked).unreadable);
        QVERIFY(!index.fileStatus(secret).readable);
        QCOMPARE(index.indexOf(QStringLiteral("locked/inside")), -1);
        QVERIFY2(!index.diagnostics().isEmpty(), "an unreadable directory must be reported");
    }
}

void TestHostileContext::oddNames()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QByteArray root = QFile::encodeName(tmp.path());
    const QList<QByteArray> names {"new\nline", "bad\xff\xfe", "lone\xc3", "surrogate\xed\xa0\x80",
        "tab\there", " lead space", "trail space ", "-dash", "back\\slash", "star*", "q?", "[br]", "#hash",
        "!bang", "<b>x<", "x&gt;", "&amp;", QByteArray(255, 'L')};
    // QDir cannot remove names that do not decode: unlink them by their bytes, whatever the outcome.
    const auto cleanup = qScopeGuard([&] {
        for (const QByteArray &name : names)
            ::unlink(QByteArray(root + '/' + name).constData());
    });
    for (const QByteArray &name : names)
        QVERIFY2(touch(root + '/' + name), name.constData());
    QVERIFY(::mkfifo(QByteArray(root + "/fifo").constData(), 0644)
        == 0); // a scan that opened it would block here

    const ContextIndex index = scanDir(tmp.path());
    QVERIFY2(index.isComplete(), qPrintable(describe(index)));
    QCOMPARE(index.entries().size(), names.size() + 1);
    int lossy = 0;
    for (const ContextEntry &e : index.entries())
        lossy += e.lossyName ? 1 : 0;
    int invalid = 0; // names that are not valid UTF-8, counted independently of the scanner
    for (const QByteArray &name : names)
        invalid += QString::fromUtf8(name).toUtf8() != name ? 1 : 0;
    QCOMPARE(lossy, invalid);
    for (const QByteArray &name : names) {
        if (QString::fromUtf8(name).toUtf8() == name)
            QVERIFY2(index.indexOf(QString::fromUtf8(name)) >= 0, name.constData());
    }
    QCOMPARE(entryTypeName(index.entries().at(index.indexOf(QStringLiteral("fifo"))).type),
        entryTypeName(EntryType::Other));
}

// 300 nested directories against the default maxDepth of 256: the scan stops descending and says so.
void TestHostileContext::deepNesting()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QByteArray path = QFile::encodeName(tmp.path());
    const int depth = 300;
    for (int i = 0; i < depth; ++i) {
        path += "/d";
        QVERIFY(makeDir(path) == 0);
    }
    const ContextIndex index = scanDir(tmp.path());
    QVERIFY(index.entries().size() < depth);
    QVERIFY2(!index.diagnostics().isEmpty(), "the depth cap must be reported");
    for (const ContextEntry &e : index.entries())
        QVERIFY(e.depth < depth);
}

// 100,000 empty files in one directory: all listed, in memory bounded per entry. With maxEntries below
// that, a partial index with an error diagnostic.
void TestHostileContext::hundredThousandFiles()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QByteArray root = QFile::encodeName(tmp.path()) + "/many";
    QVERIFY(makeDir(root) == 0);
    const int count = 100000;
    for (int i = 0; i < count; ++i) {
        if (!touch(root + "/f" + QByteArray::number(i)))
            QFAIL("cannot create the files");
    }

    // Memory bound: 2 KB per entry (path, record, hash node) plus a fixed 64 MB.
    const qint64 budget = Test::memoryBudget(count, 2048);
    {
        const Test::PeakMemory memory;
        const ContextIndex index = scanDir(tmp.path());
        QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());
        QVERIFY(index.isComplete());
        QCOMPARE(index.entries().size(), count + 1);
        QCOMPARE(index.includedCount(), qsizetype(count + 1));
        QCOMPARE(index.entries().first().subtreeEnd, count + 1);
    }
    {
        const ContextIndex index = scanDir(tmp.path(), 1000);
        QVERIFY(index.entries().size() <= 1000);
        QVERIFY(!index.isComplete());
        QVERIFY2(hasErrors(index.diagnostics()), qPrintable(describe(index)));
    }
}

QTEST_GUILESS_MAIN(TestHostileContext)
#include "tst_hostilecontext.moc"
