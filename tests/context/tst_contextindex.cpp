// The context scan on trees made here (symlinks, loops, unreadable entries, odd names) and COPY source
// resolution against it. Never touches the corpus except to read it.

#include "model/context/contextindex.h"
#include "model/context/sourcematcher.h"
#include "testutils.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Stagelens;

namespace {

void writeFile(const QString &path, const QByteArray &content = "x\n")
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    f.write(content);
}

// Creates files given as context-relative paths ("a/b.c"); directories end in '/'.
void makeTree(const QString &root, const QStringList &paths)
{
    for (const QString &p : paths) {
        if (p.endsWith(QLatin1Char('/')))
            QDir().mkpath(root + QLatin1Char('/') + p);
        else
            writeFile(root + QLatin1Char('/') + p);
    }
}

QStringList includedPaths(const ContextIndex &index)
{
    QStringList out;
    for (const ContextEntry &e : index.entries()) {
        if (!e.ignored)
            out.append(e.path);
    }
    return out;
}

QStringList pathsOf(const ContextIndex &index, const QList<int> &ids)
{
    QStringList out;
    for (int i : ids)
        out.append(index.entries().at(i).path);
    return out;
}

QStringList sl(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out.append(QString::fromUtf8(i));
    return out;
}

} // namespace

class TestContextIndex : public QObject
{
    Q_OBJECT

private slots:
    void ignoreApplied_data();
    void ignoreApplied();
    void dockerfileSpecificIgnore();
    void symlinks();
    void unreadableEntries();
    void fileStatusOnDemand();
    void oddNames();
    void deepTree();
    void corpusProject();
    void resolveSources_data();
    void resolveSources();
    void readsPath_data();
    void readsPath();
    void relativePath_data();
    void relativePath();
    void asyncProgressAndCancel();
};

void TestContextIndex::ignoreApplied_data()
{
    QTest::addColumn<QByteArray>("ignore");
    QTest::addColumn<QStringList>("tree");
    QTest::addColumn<QStringList>("included");
    const QStringList tree {QStringLiteral("README.md"), QStringLiteral("src/main.c"),
        QStringLiteral("src/a.tmp"), QStringLiteral("notes/todo.txt"), QStringLiteral("docs/keep.txt"),
        QStringLiteral("docs/drop.txt")};
    QTest::addRow("no ignore file") << QByteArray() << tree
                                    << sl({"README.md", "docs", "docs/drop.txt", "docs/keep.txt", "notes",
                                           "notes/todo.txt", "src", "src/a.tmp", "src/main.c"});
    QTest::addRow("corpus-like") << QByteArray("*.md\nnotes/\n**/*.tmp\n") << tree
                                 << sl({".dockerignore", "docs", "docs/drop.txt", "docs/keep.txt", "src",
                                        "src/main.c"});
    // The directory itself is excluded but the walker enters it for the exception.
    QTest::addRow("exception in excluded dir") << QByteArray("docs\n!docs/keep.txt\n") << tree
                                               << sl({".dockerignore", "README.md", "docs/keep.txt", "notes",
                                                      "notes/todo.txt", "src", "src/a.tmp", "src/main.c"});
    QTest::addRow("everything but src")
        << QByteArray("*\n!src\n") << tree << sl({"src", "src/a.tmp", "src/main.c"});
}

void TestContextIndex::ignoreApplied()
{
    QFETCH(QByteArray, ignore);
    QFETCH(QStringList, tree);
    QFETCH(QStringList, included);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    makeTree(dir.path(), tree);
    if (!ignore.isNull())
        writeFile(dir.filePath(QStringLiteral(".dockerignore")), ignore);
    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);
    QVERIFY(index.isComplete());
    const QStringList actual = includedPaths(index);
    if (actual != included)
        qWarning() << "actual" << actual << "expected" << included;
    QCOMPARE(actual, included);
    QCOMPARE(index.includedCount(), included.size());
    // The single-path check agrees with the scan for every entry.
    for (const ContextEntry &e : index.entries())
        QCOMPARE(index.isIgnored(e.path), e.ignored);
}

void TestContextIndex::dockerfileSpecificIgnore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    makeTree(
        dir.path(), {QStringLiteral("a.txt"), QStringLiteral("b.txt"), QStringLiteral("build/Dockerfile")});
    writeFile(dir.filePath(QStringLiteral(".dockerignore")), "a.txt\n");
    writeFile(dir.filePath(QStringLiteral("build/Dockerfile.dockerignore")), "b.txt\n");
    ContextScanOptions options;
    options.contextDir = dir.path();
    options.dockerfilePath = dir.filePath(QStringLiteral("build/Dockerfile"));
    const ContextIndex index = ContextIndex::scan(options);
    // BuildKit prefers <Dockerfile>.dockerignore and then ignores the context's .dockerignore entirely.
    QCOMPARE(index.ignoreFile(), dir.filePath(QStringLiteral("build/Dockerfile.dockerignore")));
    QVERIFY(!index.isIgnored(QStringLiteral("a.txt")));
    QVERIFY(index.isIgnored(QStringLiteral("b.txt")));
    options.dockerfilePath = dir.filePath(QStringLiteral("Dockerfile"));
    const ContextIndex general = ContextIndex::scan(options);
    QVERIFY(general.isIgnored(QStringLiteral("a.txt")));
    QVERIFY(!general.isIgnored(QStringLiteral("b.txt")));
}

void TestContextIndex::symlinks()
{
    QTemporaryDir outside;
    QTemporaryDir dir;
    QVERIFY(dir.isValid() && outside.isValid());
    makeTree(outside.path(), {QStringLiteral("secret/a.txt"), QStringLiteral("secret/b.txt")});
    makeTree(dir.path(), {QStringLiteral("loop/x.txt")});
    QVERIFY(QFile::link(dir.path(), dir.filePath(QStringLiteral("loop/self")))); // loop to the root
    QVERIFY(QFile::link(QStringLiteral("."), dir.filePath(QStringLiteral("loop/dot"))));
    QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret")), dir.filePath(QStringLiteral("out"))));
    QVERIFY(QFile::link(QStringLiteral("missing"), dir.filePath(QStringLiteral("dangling"))));
    QVERIFY(QFile::link(QStringLiteral("a"), dir.filePath(QStringLiteral("b"))));
    QVERIFY(QFile::link(QStringLiteral("b"), dir.filePath(QStringLiteral("a")))); // a <-> b cycle

    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);
    QVERIFY(index.isComplete());
    const QStringList expected =
        sl({"a", "b", "dangling", "loop", "loop/dot", "loop/self", "loop/x.txt", "out"});
    QCOMPARE(includedPaths(index), expected);
    for (const QString &link : sl({"a", "b", "dangling", "loop/dot", "loop/self", "out"})) {
        const int i = index.indexOf(link);
        QVERIFY(i >= 0);
        QCOMPARE(index.entries().at(i).type, EntryType::Symlink);
        QCOMPARE(index.entries().at(i).subtreeEnd, i + 1); // never entered
    }
    for (const ContextEntry &e : index.entries())
        QVERIFY2(!e.path.contains(QLatin1String("secret")), qPrintable(e.path));
}

void TestContextIndex::unreadableEntries()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    makeTree(dir.path(),
        {QStringLiteral("ok.txt"), QStringLiteral("locked.txt"), QStringLiteral("closed/inner.txt"),
            QStringLiteral("ignored-closed/inner.txt")});
    writeFile(dir.filePath(QStringLiteral(".dockerignore")), "ignored-closed\n");
    QVERIFY(::chmod(QFile::encodeName(dir.filePath(QStringLiteral("locked.txt"))).constData(), 0) == 0);
    QVERIFY(::chmod(QFile::encodeName(dir.filePath(QStringLiteral("closed"))).constData(), 0) == 0);
    QVERIFY(::chmod(QFile::encodeName(dir.filePath(QStringLiteral("ignored-closed"))).constData(), 0) == 0);
    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);
    // Restore so QTemporaryDir can clean up.
    ::chmod(QFile::encodeName(dir.filePath(QStringLiteral("closed"))).constData(), 0755);
    ::chmod(QFile::encodeName(dir.filePath(QStringLiteral("ignored-closed"))).constData(), 0755);

    const int locked = index.indexOf(QStringLiteral("locked.txt"));
    QVERIFY(locked >= 0);
    // Mode, size and readability are asked on demand, not during the scan.
    const ContextFileStatus lockedStatus = index.fileStatus(locked);
    QVERIFY(lockedStatus.exists);
    QCOMPARE(lockedStatus.mode, quint32(0));
    QCOMPARE(lockedStatus.size, qint64(2)); // "x\n"
    const ContextFileStatus okStatus = index.fileStatus(index.indexOf(QStringLiteral("ok.txt")));
    QVERIFY(okStatus.exists && okStatus.readable);
    QVERIFY(okStatus.mode != 0);
    QVERIFY(index.indexOf(QStringLiteral("ok.txt")) >= 0);
    QVERIFY(index.indexOf(QStringLiteral("closed")) >= 0);
    if (::geteuid() != 0) {
        // Root reads everything; as a user the entries are flagged and reported, never fatal.
        QVERIFY(!lockedStatus.readable);
        QVERIFY(index.entries().at(index.indexOf(QStringLiteral("closed"))).unreadable);
        QCOMPARE(index.indexOf(QStringLiteral("closed/inner.txt")), -1);
        QVERIFY(!index.diagnostics().isEmpty());
    }
    // An ignored directory is not entered at all, readable or not.
    QCOMPARE(index.indexOf(QStringLiteral("ignored-closed/inner.txt")), -1);
    const ContextEntry &ignored = index.entries().at(index.indexOf(QStringLiteral("ignored-closed")));
    QVERIFY(ignored.ignored);
    QVERIFY(ignored.subtreeSkipped);
}

// Mode and size come from the file system when asked, never following a symlink on the way: also for a
// nested entry, a name that is not UTF-8, and a directory replaced by a symlink after the scan.
void TestContextIndex::fileStatusOnDemand()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    makeTree(dir.path(),
        {QStringLiteral("a/b/c.txt"), QStringLiteral("d/e.txt"), QStringLiteral("elsewhere/e.txt")});
    writeFile(dir.filePath(QStringLiteral("a/b/c.txt")), "12345");
    const QByteArray root = QFile::encodeName(dir.path());
    const QByteArray lossy = root + "/a/\xff\xfe.bin";
    QVERIFY(::close(::open(lossy.constData(), O_CREAT | O_WRONLY, 0640)) == 0);
    QVERIFY(::chmod(QByteArray(root + "/a/b/c.txt").constData(), 0751) == 0);
    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);

    const ContextFileStatus c = index.fileStatus(index.indexOf(QStringLiteral("a/b/c.txt")));
    QVERIFY(c.exists && c.readable);
    QCOMPARE(c.size, qint64(5));
    QCOMPARE(c.mode, quint32(0751));
    int lossyEntry = -1;
    for (int i = 0; i < index.entries().size(); ++i)
        lossyEntry = index.entries().at(i).lossyName ? i : lossyEntry;
    QVERIFY(lossyEntry >= 0);
    const ContextFileStatus l = index.fileStatus(lossyEntry);
    QVERIFY(l.exists);
    QCOMPARE(l.mode, quint32(0640));
    QCOMPARE(index.entries().at(index.indexOf(QStringLiteral("a/b"))).type, EntryType::Directory);
    QVERIFY(index.fileStatus(index.indexOf(QStringLiteral("a/b"))).exists);
    QVERIFY(!index.fileStatus(-1).exists);
    QVERIFY(!index.fileStatus(int(index.entries().size())).exists);

    // d becomes a symlink to a directory holding e.txt: the status must not look through it.
    const int e = index.indexOf(QStringLiteral("d/e.txt"));
    QVERIFY(e >= 0);
    QVERIFY(QDir(dir.filePath(QStringLiteral("d"))).removeRecursively());
    QVERIFY(::symlink(QByteArray(root + "/elsewhere").constData(), QByteArray(root + "/d").constData()) == 0);
    QVERIFY(!index.fileStatus(e).exists);
}

void TestContextIndex::oddNames()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray root = QFile::encodeName(dir.path());
    const QByteArray invalid = root + "/bad\xff\xfename.c";
    const QByteArray newline = root + "/new\nline.txt";
    for (const QByteArray &name : {invalid, newline, QByteArray(root + "/ spaced .txt")}) {
        FILE *f = std::fopen(name.constData(), "w");
        QVERIFY(f);
        std::fclose(f);
    }
    writeFile(dir.filePath(QStringLiteral(".dockerignore")), "*.txt\n");
    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);
    QCOMPARE(index.entries().size(), 4);
    const int nl = index.indexOf(QStringLiteral("new\nline.txt"));
    QVERIFY(nl >= 0);
    QVERIFY(index.entries().at(nl).ignored); // `*` crosses a newline, as Go's [^/]* does
    QVERIFY(index.entries().at(index.indexOf(QStringLiteral(" spaced .txt"))).ignored);
    int lossy = 0;
    for (const ContextEntry &e : index.entries()) {
        if (e.lossyName) {
            ++lossy;
            QVERIFY(e.path.startsWith(QLatin1String("bad")));
            QVERIFY(!e.ignored);
        }
    }
    QCOMPARE(lossy, 1);
    // QDir cannot remove a name it cannot decode: remove it by its bytes.
    QCOMPARE(::unlink(invalid.constData()), 0);
}

void TestContextIndex::deepTree()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString path = dir.path();
    for (int i = 0; i < 40; ++i)
        path += QStringLiteral("/d");
    QVERIFY(QDir().mkpath(path));
    writeFile(path + QStringLiteral("/leaf.txt"));
    ContextScanOptions options;
    options.contextDir = dir.path();
    options.maxDepth = 10;
    const ContextIndex index = ContextIndex::scan(options);
    // The depth cap stops the walk with a warning; nothing below it is listed.
    QCOMPARE(index.entries().size(), 10);
    QVERIFY(!index.diagnostics().isEmpty());
    options.maxDepth = 256;
    options.maxEntries = 5;
    const ContextIndex capped = ContextIndex::scan(options);
    QCOMPARE(capped.entries().size(), 5);
    QVERIFY(!capped.isComplete());
}

void TestContextIndex::corpusProject()
{
    ContextScanOptions options;
    options.contextDir = Test::corpusPath(QStringLiteral("buildkit-real/project"));
    options.dockerfilePath = options.contextDir + QStringLiteral("/Dockerfile");
    const ContextIndex index = ContextIndex::scan(options);
    QVERIFY(index.isComplete());
    QVERIFY(!index.ignoreFile().isEmpty());
    // What EXPECTED.md says the .dockerignore keeps out.
    for (const char *p : {"README.md", "notes", "notes/todo.txt", "Dockerfile.fail", "src/scratch.tmp"})
        QVERIFY2(index.isIgnored(QString::fromUtf8(p)), p);
    for (const char *p : {"src/util.c", "Dockerfile", "docs/guide.txt", "extra/unused.txt", ".dockerignore"})
        QVERIFY2(!index.isIgnored(QString::fromUtf8(p)), p);
}

void TestContextIndex::resolveSources_data()
{
    QTest::addColumn<QStringList>("sources");
    QTest::addColumn<QStringList>("excludes");
    QTest::addColumn<bool>("parents");
    QTest::addColumn<QStringList>("expected");
    using L = std::initializer_list<const char *>;
    auto row = [](const char *name, L sources, L excludes, bool parents, L expected) {
        QTest::addRow("%s", name) << sl(sources) << sl(excludes) << parents << sl(expected);
    };
    // Tree: src/{main.c,util.c,sub/x.c,sub/y.h}, lib/{a.c,b.txt}, top.c, ignored.tmp (dockerignored)
    row("directory", {"src/"}, {}, false,
        {"src", "src/main.c", "src/sub", "src/sub/x.c", "src/sub/y.h", "src/util.c"});
    row("dot-slash file", {"./top.c"}, {}, false, {"top.c"});
    row("absolute file", {"/top.c"}, {}, false, {"top.c"});
    row("escaping path", {"../../top.c"}, {}, false, {"top.c"});
    row("wildcard one level", {"src/*.c"}, {}, false, {"src/main.c", "src/util.c"});
    row("wildcard dir matched whole", {"sr?"}, {}, false,
        {"src", "src/main.c", "src/sub", "src/sub/x.c", "src/sub/y.h", "src/util.c"});
    row("wildcard nested", {"*/*.c"}, {}, false, {"lib/a.c", "src/main.c", "src/util.c"});
    row("class", {"lib/[ab].*"}, {}, false, {"lib/a.c", "lib/b.txt"});
    row("several sources", {"top.c", "lib/a.c"}, {}, false, {"lib/a.c", "top.c"});
    row("missing source", {"nope.c"}, {}, false, {});
    row("ignored never read", {"ignored.tmp"}, {}, false, {});
    row("whole context", {"."}, {}, false,
        {".dockerignore", "lib", "lib/a.c", "lib/b.txt", "src", "src/main.c", "src/sub", "src/sub/x.c",
            "src/sub/y.h", "src/util.c", "top.c"});
    row("exclude not recursive", {"src"}, {"*.h"}, false,
        {"src", "src/main.c", "src/sub", "src/sub/x.c", "src/sub/y.h", "src/util.c"});
    row("exclude below dir", {"src"}, {"**/*.h"}, false,
        {"src", "src/main.c", "src/sub", "src/sub/x.c", "src/util.c"});
    row("exclude subdir", {"src"}, {"sub"}, false, {"src", "src/main.c", "src/util.c"});
    row("exclude any depth", {"."}, {"**/*.c"}, false,
        {".dockerignore", "lib", "lib/b.txt", "src", "src/sub", "src/sub/y.h"});
    row("parents doublestar", {"./src/**/*.c"}, {}, true, {"src/main.c", "src/sub/x.c", "src/util.c"});
}

void TestContextIndex::resolveSources()
{
    QFETCH(QStringList, sources);
    QFETCH(QStringList, excludes);
    QFETCH(bool, parents);
    QFETCH(QStringList, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    makeTree(dir.path(),
        {QStringLiteral("src/main.c"), QStringLiteral("src/util.c"), QStringLiteral("src/sub/x.c"),
            QStringLiteral("src/sub/y.h"), QStringLiteral("lib/a.c"), QStringLiteral("lib/b.txt"),
            QStringLiteral("top.c"), QStringLiteral("ignored.tmp")});
    writeFile(dir.filePath(QStringLiteral(".dockerignore")), "*.tmp\n");
    ContextScanOptions options;
    options.contextDir = dir.path();
    const ContextIndex index = ContextIndex::scan(options);
    const SourceMatcher matcher(CopySpec {sources, excludes, parents});
    const QStringList actual = pathsOf(index, matcher.resolve(index));
    if (actual != expected)
        qWarning() << "actual" << actual << "expected" << expected;
    QCOMPARE(actual, expected);
    // reads() agrees with resolve() on every existing, not ignored entry.
    for (qsizetype i = 0; i < index.entries().size(); ++i) {
        const ContextEntry &e = index.entries().at(i);
        if (e.ignored || e.type == EntryType::Directory)
            continue;
        QVERIFY2(matcher.reads(e.path, true) == actual.contains(e.path), qPrintable(e.path));
    }
}

void TestContextIndex::readsPath_data()
{
    QTest::addColumn<QStringList>("sources");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("reads");
    auto row = [](const char *name, std::initializer_list<const char *> sources, const char *path,
                   bool reads) {
        QTest::addRow("%s", name) << sl(sources) << QString::fromUtf8(path) << reads;
    };
    // Paths that need not exist: added or deleted files.
    row("added file in copied dir", {"src/"}, "src/feature.c", true);
    row("deleted nested file", {"src"}, "src/a/b/c.h", true);
    row("sibling dir", {"src/"}, "srcx/a.c", false);
    row("parent dir of source", {"src/main.c"}, "src", true);
    row("whole context", {"."}, "anything/at/all", true);
    row("wildcard added match", {"src/*.c"}, "src/new.c", true);
    row("wildcard added non-match", {"src/*.c"}, "src/new.h", false);
    row("wildcard too deep", {"src/*.c"}, "src/sub/new.c", false);
    row("wildcard matched dir child", {"*"}, "any/deep/file", true);
    row("other file", {"deps.manifest"}, "deps.manifest2", false);
}

void TestContextIndex::readsPath()
{
    QFETCH(QStringList, sources);
    QFETCH(QString, path);
    QFETCH(bool, reads);
    const SourceMatcher matcher(CopySpec {sources, {}, false});
    QCOMPARE(matcher.reads(path), reads);
}

void TestContextIndex::relativePath_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("inside");
    QTest::addRow("relative") << "src/a.c"
                              << "src/a.c" << true;
    QTest::addRow("dot slash") << "./src//a.c"
                               << "src/a.c" << true;
    QTest::addRow("absolute inside") << "/ctx/root/src/a.c"
                                     << "src/a.c" << true;
    QTest::addRow("absolute outside") << "/ctx/rootx/a.c"
                                      << "" << false;
    QTest::addRow("climbing out") << "../a.c"
                                  << "" << false;
    QTest::addRow("root itself") << "/ctx/root"
                                 << "." << true;
}

void TestContextIndex::relativePath()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(bool, inside);
    bool actualInside = false;
    QCOMPARE(ContextIndex::relativePath(input, QStringLiteral("/ctx/root"), &actualInside), expected);
    QCOMPARE(actualInside, inside);
}

void TestContextIndex::asyncProgressAndCancel()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList tree;
    for (int i = 0; i < 30; ++i)
        for (int j = 0; j < 60; ++j)
            tree.append(QStringLiteral("d%1/f%2").arg(i).arg(j));
    makeTree(dir.path(), tree);
    ContextScanOptions options;
    options.contextDir = dir.path();

    QFutureWatcher<ContextIndex> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
    QSignalSpy progress(&watcher, &QFutureWatcherBase::progressValueChanged);
    watcher.setFuture(QtConcurrent::run(scanContext, options));
    QVERIFY(finished.wait(10000));
    const ContextIndex index = watcher.result();
    QCOMPARE(index.entries().size(), 30 + 30 * 60);
    QVERIFY(index.isComplete());
    QCOMPARE(watcher.progressValue(), 1000);
    QVERIFY(!progress.isEmpty());

    // Canceled before it starts: the job still returns a (partial) index flagged as canceled.
    QPromise<ContextIndex> promise;
    QFuture<ContextIndex> future = promise.future();
    promise.start();
    future.cancel();
    scanContext(promise, options);
    promise.finish();
    QVERIFY(future.isCanceled());
}

QTEST_GUILESS_MAIN(TestContextIndex)
#include "tst_contextindex.moc"
