// BuildKit rule 4 (issue #17): a COPY/ADD source (or bind mount source) that names a symlink is followed: the
// step is keyed by the target's content, so retargeting the link to a file with the same bytes changes
// nothing for it, and an edit of the target re-runs it. A directory copy (or a glob matching the directory)
// that contains the link copies the link itself: its target string counts, the target's content does not.
// Each case is a small project in a temp folder; the expected verdicts are BuildKit 0.8's as the
// differential tester (tests/oracle) sees them.

#include "model/cache/cacheengine.h"
#include "model/graph/buildgraph.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

Q_DECLARE_METATYPE(Stagelens::Verdict)

namespace {

using Links = QMap<QString, QString>; // link path -> target string

struct Project
{
    QTemporaryDir dir;
    std::shared_ptr<const ContextIndex> context;
    std::unique_ptr<CacheEngine> engine;

    bool write(const QString &name, const QByteArray &bytes)
    {
        QDir(dir.path()).mkpath(QFileInfo(dir.filePath(name)).path());
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
    }
    bool link(const QString &name, const QString &target)
    {
        QDir(dir.path()).mkpath(QFileInfo(dir.filePath(name)).path());
        return QFile::link(target, dir.filePath(name));
    }
    bool open(const QByteArray &dockerfile, const QStringList &files, const Links &links)
    {
        if (!write(QStringLiteral("Dockerfile"), dockerfile))
            return false;
        for (const QString &f : files) {
            // Two files share their bytes ("same" and "twin") so a retarget between them changes nothing.
            const QByteArray bytes = f.contains(QLatin1String("twin")) || f.contains(QLatin1String("same"))
                ? QByteArray("shared bytes\n")
                : f.toUtf8() + '\n';
            if (!write(f, bytes))
                return false;
        }
        for (auto it = links.cbegin(); it != links.cend(); ++it) {
            if (!link(it.key(), it.value()))
                return false;
        }
        ContextScanOptions scan;
        scan.contextDir = dir.path();
        scan.dockerfilePath = dir.filePath(QStringLiteral("Dockerfile"));
        context = std::make_shared<const ContextIndex>(ContextIndex::scan(scan));
        engine = std::make_unique<CacheEngine>(
            buildGraph(dockerfile, scan.dockerfilePath, BuildOptions()), context);
        return true;
    }
};

Verdict verdictOf(const WhatIfResult &r, const QString &key)
{
    for (const StepVerdict &v : r.steps) {
        if (labelKey(v.label) == key)
            return v.verdict;
    }
    return Verdict::Cached;
}

QString describe(const WhatIfResult &r)
{
    QStringList out;
    for (const StepVerdict &v : r.steps)
        out.append(QStringLiteral("%1 %2 (%3)").arg(v.label, verdictName(v.verdict), v.reason()));
    return out.join(QLatin1Char('\n')) + QStringLiteral("\nnotes: ") + r.notes.join(QStringLiteral("; "));
}

} // namespace

class TestSymlinkCopy : public QObject
{
    Q_OBJECT
private slots:
    void verdicts_data();
    void verdicts();
    void addedInsideLinkedFolder();
    void loopsAndEscapes();
};

void TestSymlinkCopy::verdicts_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<Links>("links");
    QTest::addColumn<QString>("changed");
    QTest::addColumn<int>("kind");
    QTest::addColumn<Verdict>("expected");

    const QStringList files = {QStringLiteral("src/f0.txt"), QStringLiteral("src/same.txt"),
        QStringLiteral("data/twin.txt"), QStringLiteral("data/other.txt")};
    const Links link = {{QStringLiteral("src/link.txt"), QStringLiteral("same.txt")}};
    const int content = int(ChangeKind::Content);
    const int deleted = int(ChangeKind::Deleted);
    const QByteArray named = "FROM scratch\nCOPY src/link.txt /in/x\n";
    const QByteArray folder = "FROM scratch\nCOPY src/ /in/src/\n";

    // COPY names the link: the step reads the target.
    QTest::addRow("named link, target edited")
        << named << files << link << "src/same.txt" << content << Verdict::Rerun;
    QTest::addRow("named link, retargeted")
        << named << files << link << "src/link.txt" << content << Verdict::Maybe;
    QTest::addRow("named link, deleted")
        << named << files << link << "src/link.txt" << deleted << Verdict::Rerun;
    QTest::addRow("named link, sibling edited")
        << named << files << link << "src/f0.txt" << content << Verdict::Cached;
    // The target outside the copied folder: only the followed copy reads it.
    const Links outward = {{QStringLiteral("src/link.txt"), QStringLiteral("../data/twin.txt")}};
    QTest::addRow("named link to another folder, target edited")
        << named << files << outward << "data/twin.txt" << content << Verdict::Rerun;
    QTest::addRow("folder copy, outside target edited")
        << folder << files << outward << "data/twin.txt" << content << Verdict::Cached;
    // A folder copy copies the link as a link: its target string counts.
    QTest::addRow("folder copy, retargeted")
        << folder << files << link << "src/link.txt" << content << Verdict::Rerun;
    // A glob matching the link follows it (contenthash follows wildcard matches); one matching the folder
    // copies the link.
    const QByteArray glob = "FROM scratch\nCOPY src/*.txt /in/g/\n";
    QTest::addRow("glob matching the link, retargeted")
        << glob << files << outward << "src/link.txt" << content << Verdict::Maybe;
    QTest::addRow("glob matching the link, target edited")
        << glob << files << outward << "data/twin.txt" << content << Verdict::Rerun;
    const QByteArray dirGlob = "FROM scratch\nCOPY sr* /in/g/\n";
    QTest::addRow("glob matching the folder, retargeted")
        << dirGlob << files << outward << "src/link.txt" << content << Verdict::Rerun;
    QTest::addRow("glob matching the folder, outside target edited")
        << dirGlob << files << outward << "data/twin.txt" << content << Verdict::Cached;
    // A chain of links is followed to its end; an absolute target starts at the context root.
    const Links chain = {
        {QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("b"), QStringLiteral("/data/other.txt")}};
    QTest::addRow("chain, end edited") << QByteArray("FROM scratch\nCOPY a /x\n") << files << chain
                                       << "data/other.txt" << content << Verdict::Rerun;
    QTest::addRow("chain, middle retargeted")
        << QByteArray("FROM scratch\nCOPY a /x\n") << files << chain << "b" << content << Verdict::Maybe;
    // A symlinked folder on the way to a named file is followed too.
    const Links dirLink = {{QStringLiteral("lib"), QStringLiteral("data")}};
    QTest::addRow("through a linked folder") << QByteArray("FROM scratch\nCOPY lib/other.txt /x\n") << files
                                             << dirLink << "data/other.txt" << content << Verdict::Rerun;
    QTest::addRow("linked folder copied whole") << QByteArray("FROM scratch\nCOPY lib /x\n") << files
                                                << dirLink << "data/twin.txt" << content << Verdict::Rerun;
    // A bind mount's source is followed like a COPY source.
    QTest::addRow("bind mount of a link, target edited")
        << QByteArray("FROM scratch\nRUN --mount=type=bind,source=src/link.txt,target=/m cat /m\n") << files
        << outward << "data/twin.txt" << content << Verdict::Rerun;
    // COPY . copies every link as a link, and every file anyway.
    QTest::addRow("whole context, retargeted") << QByteArray("FROM scratch\nCOPY . /ctx/\n") << files << link
                                               << "src/link.txt" << content << Verdict::Rerun;
}

void TestSymlinkCopy::verdicts()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(QStringList, files);
    QFETCH(Links, links);
    QFETCH(QString, changed);
    QFETCH(int, kind);
    QFETCH(Verdict, expected);
    Project p;
    QVERIFY(p.open(dockerfile, files, links));
    WhatIfChanges changes;
    changes.paths.append({changed, ChangeKind(kind)});
    const WhatIfResult r = p.engine->whatIf(changes);
    QVERIFY(!r.steps.isEmpty()); // FROM scratch prints no vertex: the COPY (or RUN) is the last step
    QVERIFY2(r.steps.last().verdict == expected, qPrintable(describe(r)));
    if (expected == Verdict::Maybe)
        QVERIFY2(
            r.steps.last().reason().contains(QLatin1String("follows the symlink")), qPrintable(describe(r)));
}

// A file added inside the folder a followed link leads to is read by the step.
void TestSymlinkCopy::addedInsideLinkedFolder()
{
    Project p;
    QVERIFY(p.open("FROM scratch\nCOPY lib/ /x/\nCOPY src/ /y/\n",
        {QStringLiteral("data/a.txt"), QStringLiteral("src/b.txt")},
        {{QStringLiteral("lib"), QStringLiteral("data")}}));
    WhatIfChanges changes;
    changes.paths.append({QStringLiteral("data/new.txt"), ChangeKind::Added});
    const WhatIfResult r = p.engine->whatIf(changes);
    QVERIFY2(verdictOf(r, QStringLiteral("[1/2]")) == Verdict::Rerun, qPrintable(describe(r)));
    QVERIFY2(r.notes.isEmpty(), qPrintable(describe(r)));
}

// Loops, links to nowhere and links out of the context: a clear note, no hang, every step still listed.
void TestSymlinkCopy::loopsAndEscapes()
{
    Project p;
    QVERIFY(p.open("FROM scratch\nCOPY loop /a\nCOPY self /b\nCOPY gone /c\nCOPY out /d\nCOPY deep/x /e\n",
        {QStringLiteral("f.txt")},
        {{QStringLiteral("loop"), QStringLiteral("loop2")},
            {QStringLiteral("loop2"), QStringLiteral("./loop")},
            {QStringLiteral("self"), QStringLiteral("self")},
            {QStringLiteral("gone"), QStringLiteral("nothing")},
            {QStringLiteral("out"), QStringLiteral("../../../../etc/passwd")},
            {QStringLiteral("deep"), QStringLiteral("deep/deeper")}}));
    QElapsedTimer timer;
    timer.start();
    WhatIfChanges changes;
    changes.paths.append({QStringLiteral("f.txt"), ChangeKind::Content});
    const WhatIfResult r = p.engine->whatIf(changes);
    QCOMPARE(r.steps.size(), 5); // FROM scratch prints no vertex
    const QString notes = r.notes.join(QLatin1Char('\n'));
    QVERIFY2(
        notes.contains(QLatin1String("COPY loop /a (line 2): loop: symlink loop: loop -> loop2 -> loop")),
        qPrintable(notes));
    QVERIFY2(notes.contains(QLatin1String("symlink loop: self -> self")), qPrintable(notes));
    QVERIFY2(notes.contains(QLatin1String("gone points to nothing, which is not in the build context")),
        qPrintable(notes));
    // ".." stops at the context root (BuildKit's scoped join): /etc/passwd of the context, which is absent.
    QVERIFY2(notes.contains(QLatin1String("out points to etc/passwd")), qPrintable(notes));
    // deep -> deep/deeper grows without end: stopped by the link limit.
    QVERIFY2(notes.contains(QLatin1String("deep/x: more than 255 symlinks")), qPrintable(notes));
    QVERIFY2(notes.contains(QLatin1String("BuildKit fails this step")), qPrintable(notes));
    QVERIFY(timer.elapsed() < 5000);
}

QTEST_GUILESS_MAIN(TestSymlinkCopy)
#include "tst_symlinkcopy.moc"
