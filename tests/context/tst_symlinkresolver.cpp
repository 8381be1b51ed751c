// Following symlinks inside the build context as BuildKit does for COPY sources (scoped to the context root),
// on real links in a temp folder: chains, absolute targets, "..", links through folders, ignored targets,
// dangling links, loops and endless growth (bounded, with the chain named).

#include "model/context/contextindex.h"
#include "model/context/symlinkresolver.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

class TestSymlinkResolver : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void resolve_data();
    void resolve();
    void linkTarget();

private:
    QTemporaryDir m_dir;
    ContextIndex m_index;
};

void TestSymlinkResolver::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QDir root(m_dir.path());
    QVERIFY(root.mkpath(QStringLiteral("src/sub")));
    QVERIFY(root.mkpath(QStringLiteral("secret")));
    for (const char *name : {"src/a.txt", "src/sub/b.txt", "secret/key", "Dockerfile"}) {
        QFile f(m_dir.filePath(QString::fromUtf8(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x\n");
    }
    const std::pair<const char *, const char *> links[] = {{"src/link", "a.txt"}, {"chain1", "chain2"},
        {"chain2", "/src/sub/b.txt"}, {"up", "../../../src/a.txt"}, {"dir", "src/sub"},
        {"hidden", "secret/key"}, {"dangling", "nothing/here"}, {"loop1", "loop2"}, {"loop2", "./loop1"},
        {"grow", "grow/more"}, {"root", "."}};
    for (const auto &[link, target] : links)
        QVERIFY(QFile::link(QString::fromUtf8(target), m_dir.filePath(QString::fromUtf8(link))));
    QFile ignore(m_dir.filePath(QStringLiteral(".dockerignore")));
    QVERIFY(ignore.open(QIODevice::WriteOnly));
    ignore.write("secret\n");
    ignore.close();
    ContextScanOptions scan;
    scan.contextDir = m_dir.path();
    m_index = ContextIndex::scan(scan);
}

void TestSymlinkResolver::resolve_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("followFinal");
    QTest::addColumn<QString>("resolved");
    QTest::addColumn<int>("links");
    QTest::addColumn<QString>("error"); // a part of it; empty when none
    QTest::addRow("plain file") << "src/a.txt" << true << "src/a.txt" << 0 << "";
    QTest::addRow("relative target") << "src/link" << true << "src/a.txt" << 1 << "";
    QTest::addRow("final link kept") << "src/link" << false << "src/link" << 0 << "";
    QTest::addRow("chain with absolute target") << "chain1" << true << "src/sub/b.txt" << 2 << "";
    QTest::addRow(".. clamped at the root") << "up" << true << "src/a.txt" << 1 << "";
    QTest::addRow("through a linked folder") << "dir/b.txt" << false << "src/sub/b.txt" << 1 << "";
    QTest::addRow("ignored target") << "hidden" << true << "secret" << 1 << "excluded by the ignore file";
    QTest::addRow("dangling") << "dangling" << true << "nothing/here" << 1 << "";
    QTest::addRow("loop") << "loop1" << true << "loop1" << 0 << "symlink loop: loop1 -> loop2 -> loop1";
    QTest::addRow("endless growth") << "grow" << true << "grow" << 0
                                    << "more than 255 symlinks: grow -> grow";
    QTest::addRow("link to the root") << "root" << true << "." << 1 << "";
}

void TestSymlinkResolver::resolve()
{
    QFETCH(QString, path);
    QFETCH(bool, followFinal);
    QFETCH(QString, resolved);
    QFETCH(int, links);
    QFETCH(QString, error);
    const LinkResolution r = resolveSymlinks(m_index, path, followFinal);
    QCOMPARE(r.path, resolved);
    QCOMPARE(r.links.size(), links);
    if (error.isEmpty()) {
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        const bool exists = resolved != QLatin1String(".") && !resolved.startsWith(QLatin1String("nothing"));
        QCOMPARE(r.entry >= 0, exists);
    } else {
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
        QCOMPARE(r.entry, -1);
    }
}

void TestSymlinkResolver::linkTarget()
{
    QCOMPARE(m_index.linkTarget(m_index.indexOf(QStringLiteral("chain2"))),
        std::optional<QByteArray>("/src/sub/b.txt"));
    QCOMPARE(m_index.linkTarget(m_index.indexOf(QStringLiteral("src/a.txt"))), std::nullopt); // not a link
    QCOMPARE(m_index.linkTarget(-1), std::nullopt);
}

QTEST_GUILESS_MAIN(TestSymlinkResolver)
#include "tst_symlinkresolver.moc"
