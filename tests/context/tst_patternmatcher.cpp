// BuildKit's path pattern semantics: Go's filepath.Match/Clean, moby/patternmatcher (.dockerignore and
// --exclude) and the dockerignore reader. Expectations follow the documented behaviour of each.

#include "model/context/dockerignore.h"
#include "model/context/pathmatch.h"
#include "model/context/patternmatcher.h"

#include <QTest>

using namespace Stagelens;

class TestPatternMatcher : public QObject
{
    Q_OBJECT

private slots:
    void cleanPath_data();
    void cleanPath();
    void goMatch_data();
    void goMatch();
    void patterns_data();
    void patterns();
    void badPatterns_data();
    void badPatterns();
    void readIgnoreFile_data();
    void readIgnoreFile();
};

void TestPatternMatcher::cleanPath_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    // Go's filepath.Clean: lexical only, ".." beyond a root vanishes, beyond a relative start stays.
    QTest::addRow("empty") << ""
                           << ".";
    QTest::addRow("dot") << "."
                         << ".";
    QTest::addRow("leading ./") << "./src/main.c"
                                << "src/main.c";
    QTest::addRow("trailing /") << "notes/"
                                << "notes";
    QTest::addRow("double /") << "a//b///c"
                              << "a/b/c";
    QTest::addRow("dotdot inside") << "a/b/../c"
                                   << "a/c";
    QTest::addRow("dotdot relative start") << "../a"
                                           << "../a";
    QTest::addRow("dotdot all gone") << "a/../.."
                                     << "..";
    QTest::addRow("rooted dotdot") << "/../x"
                                   << "/x";
    QTest::addRow("root") << "/"
                          << "/";
    QTest::addRow("rooted trailing") << "/a/b/"
                                     << "/a/b";
}

void TestPatternMatcher::cleanPath()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(goCleanPath(input), expected);
}

void TestPatternMatcher::goMatch_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("expected"); // MatchStatus
    const int no = int(MatchStatus::NoMatch);
    const int yes = int(MatchStatus::Match);
    const int bad = int(MatchStatus::BadPattern);
    // filepath.Match as documented: '*' any run of non-separators, '?' one non-separator, classes with
    // ranges and '^' negation, '\\' escapes; the whole name must match.
    QTest::addRow("literal") << "abc"
                             << "abc" << yes;
    QTest::addRow("star") << "*"
                          << "abc" << yes;
    QTest::addRow("star inner") << "a*c"
                                << "abbbc" << yes;
    QTest::addRow("star no separator") << "*"
                                       << "a/b" << no;
    QTest::addRow("star suffix") << "*.c"
                                 << "main.c" << yes;
    QTest::addRow("star suffix wrong") << "*.c"
                                       << "main.h" << no;
    QTest::addRow("star one level") << "src/*.c"
                                    << "src/a/b.c" << no;
    QTest::addRow("star backtrack") << "a*b*c"
                                    << "axxbyyc" << yes;
    QTest::addRow("star backtrack fail") << "a*b*c"
                                         << "axxbyy" << no;
    QTest::addRow("star then slash") << "*/b"
                                     << "a/b" << yes;
    QTest::addRow("question") << "a?c"
                              << "abc" << yes;
    QTest::addRow("question not slash") << "a?c"
                                        << "a/c" << no;
    QTest::addRow("question one char") << "a?c"
                                       << "ac" << no;
    QTest::addRow("class") << "[abc]x"
                           << "bx" << yes;
    QTest::addRow("class range") << "file[0-9]"
                                 << "file7" << yes;
    QTest::addRow("class range miss") << "file[0-9]"
                                      << "filex" << no;
    QTest::addRow("class negated") << "[^a]b"
                                   << "cb" << yes;
    QTest::addRow("class negated miss") << "[^a]b"
                                        << "ab" << no;
    QTest::addRow("escaped star") << "a\\*b"
                                  << "a*b" << yes;
    QTest::addRow("escaped star literal only") << "a\\*b"
                                               << "axb" << no;
    QTest::addRow("unicode question") << "?.txt" << QString::fromUtf8("\xc3\xa9.txt") << yes;
    QTest::addRow("astral question") << "?" << QString::fromUcs4(U"\U0001F600") << yes;
    QTest::addRow("unclosed class") << "[abc"
                                    << "a" << bad;
    QTest::addRow("trailing backslash") << "ab\\"
                                        << "ab" << bad;
    QTest::addRow("bad after mismatch") << "x["
                                        << "y" << bad;
    QTest::addRow("empty class") << "[]a"
                                 << "a" << bad;
    QTest::addRow("empty pattern") << ""
                                   << "" << yes;
    QTest::addRow("empty pattern name") << ""
                                        << "a" << no;
}

void TestPatternMatcher::goMatch()
{
    QFETCH(QString, pattern);
    QFETCH(QString, name);
    QFETCH(int, expected);
    const int actual = int(goPathMatch(pattern, name));
    if (actual != expected)
        qWarning() << "pattern" << pattern << "name" << name << "actual" << actual << "expected" << expected;
    QCOMPARE(actual, expected);
}

void TestPatternMatcher::patterns_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("excluded");
    auto row = [](const char *name, const QStringList &p, const char *path, bool excluded) {
        QTest::addRow("%s", name) << p << QString::fromUtf8(path) << excluded;
    };
    const QStringList md {QStringLiteral("*.md")};
    // Docker's .dockerignore documentation: patterns are matched against the path from the context root.
    row("top-level *.md", md, "README.md", true);
    row("*.md is not recursive", md, "docs/guide.md", false);
    row("*/temp* one level", {QStringLiteral("*/temp*")}, "somedir/temporary.txt", true);
    row("*/temp* not top level", {QStringLiteral("*/temp*")}, "temp.txt", false);
    row("*/*/temp* two levels", {QStringLiteral("*/*/temp*")}, "a/b/temp", true);
    row("temp? one char", {QStringLiteral("temp?")}, "tempa", true);
    row("temp? not two", {QStringLiteral("temp?")}, "tempab", false);
    row("**/*.go any depth", {QStringLiteral("**/*.go")}, "a/b/c.go", true);
    row("**/*.go top level", {QStringLiteral("**/*.go")}, "main.go", true);
    row("**/*.tmp other ext", {QStringLiteral("**/*.tmp")}, "src/a.tmpx", false);
    row("**/dir matches dir", {QStringLiteral("**/node_modules")}, "node_modules", true);
    row("**/dir matches below", {QStringLiteral("**/node_modules")}, "web/node_modules/x/y.js", true);
    row("dir/** below", {QStringLiteral("dir/**")}, "dir/a/b", true);
    row("dir/** not dir itself", {QStringLiteral("dir/**")}, "dir", false);
    row("a/**/b zero dirs", {QStringLiteral("a/**/b")}, "a/b", true);
    row("a/**/b many dirs", {QStringLiteral("a/**/b")}, "a/x/y/b", true);
    row("** everything", {QStringLiteral("**")}, "x/y", true);
    row("**foo suffix", {QStringLiteral("**foo")}, "barfoo", true);
    // The literal ends before the first and after the last glob character are tested before the regexp.
    row("literal prefix and suffix", {QStringLiteral("Dockerfile.*.bak")}, "Dockerfile.x.bak", true);
    row("literal prefix differs", {QStringLiteral("Dockerfile.*")}, "dockerfile.x", false);
    row("literal suffix differs", {QStringLiteral("src/*.c")}, "src/a.h", false);
    row("prefix longer than path", {QStringLiteral("abcdef?")}, "abc", false);
    row("escaped star at end", {QStringLiteral("a?b\\*")}, "axb*", true);
    row("escaped star is literal", {QStringLiteral("a?b\\*")}, "axbc", false);
    row("escaped dot near the end", {QStringLiteral("x*\\.y")}, "x1.y", true);
    row("escaped dot is literal", {QStringLiteral("x*\\.y")}, "x1zy", false);
    row("class at end", {QStringLiteral("*.[ch]")}, "main.h", true);
    row("class at start", {QStringLiteral("[ab]*.txt")}, "b.txt", true);
    // A matched directory excludes everything below it.
    row("dir excludes children", {QStringLiteral("notes")}, "notes/todo.txt", true);
    row("trailing slash cleaned", {QStringLiteral("notes/")}, "notes/todo.txt", true);
    row("leading ./ cleaned", {QStringLiteral("./notes")}, "notes/todo.txt", true);
    row("dot dot cleaned", {QStringLiteral("a/../b")}, "b", true);
    row("exact only", {QStringLiteral("src")}, "srcs", false);
    row("regexp chars literal", {QStringLiteral("a(b)+c.d")}, "a(b)+c.d", true);
    row("dot is literal", {QStringLiteral("a.c")}, "abc", false);
    row("class", {QStringLiteral("file[0-9].txt")}, "file3.txt", true);
    row("escaped star", {QStringLiteral("a\\*b")}, "a*b", true);
    row("escaped star no glob", {QStringLiteral("a\\*b")}, "aXb", false);
    row("newline in name: star", {QStringLiteral("*.txt")}, "a\nb.txt", true);
    row("newline not end", {QStringLiteral("a")}, "a\n", false);
    row("regexp newline not end", {QStringLiteral("a*")}, "ab\n/x", true);
    // `!` exceptions: evaluated in order, the last matching pattern wins.
    row("exception", {QStringLiteral("*.md"), QStringLiteral("!README.md")}, "README.md", false);
    row("exception other file", {QStringLiteral("*.md"), QStringLiteral("!README.md")}, "CHANGES.md", true);
    row("exception then re-exclude",
        {QStringLiteral("*.md"), QStringLiteral("!README*.md"), QStringLiteral("README-secret.md")},
        "README-secret.md", true);
    row("exception after re-exclude",
        {QStringLiteral("*.md"), QStringLiteral("README-secret.md"), QStringLiteral("!README*.md")},
        "README-secret.md", false);
    row("exception inside excluded dir", {QStringLiteral("docs"), QStringLiteral("!docs/keep.txt")},
        "docs/keep.txt", false);
    row("sibling still excluded", {QStringLiteral("docs"), QStringLiteral("!docs/keep.txt")},
        "docs/other.txt", true);
    row("exception first does nothing", {QStringLiteral("!a.txt"), QStringLiteral("*.txt")}, "a.txt", true);
    row("everything but src", {QStringLiteral("**"), QStringLiteral("!src")}, "src/main.c", false);
    row("everything but src: other", {QStringLiteral("**"), QStringLiteral("!src")}, "lib/x.c", true);
    row("exception glob", {QStringLiteral("*"), QStringLiteral("!*.c")}, "main.c", false);
    row("whitespace trimmed", {QStringLiteral("  *.log  ")}, "x.log", true);
    row("empty patterns", QStringList(), "anything", false);
}

void TestPatternMatcher::patterns()
{
    QFETCH(QStringList, patterns);
    QFETCH(QString, path);
    QFETCH(bool, excluded);
    const PatternMatcher matcher(patterns);
    QVERIFY2(matcher.isValid(), qPrintable(matcher.errorString()));
    const bool viaParents = matcher.matchesOrParentMatches(path);
    const bool asWalked = matcher.excludedAsWalked(path);
    if (viaParents != excluded || asWalked != excluded)
        qWarning() << patterns << path << "matchesOrParentMatches" << viaParents << "walked" << asWalked
                   << "expected" << excluded;
    QCOMPARE(viaParents, excluded);
    QCOMPARE(asWalked, excluded);
}

void TestPatternMatcher::badPatterns_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addRow("lone !") << QStringList {QStringLiteral("!")};
    QTest::addRow("unclosed class") << QStringList {QStringLiteral("a[b")};
    QTest::addRow("bad second") << QStringList {QStringLiteral("ok"), QStringLiteral("[")};
}

void TestPatternMatcher::badPatterns()
{
    QFETCH(QStringList, patterns);
    const PatternMatcher matcher(patterns);
    QVERIFY(!matcher.isValid());
    QVERIFY(!matcher.errorString().isEmpty());
    QVERIFY(!matcher.matchesOrParentMatches(QStringLiteral("a"))); // an invalid matcher matches nothing
}

void TestPatternMatcher::readIgnoreFile_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");
    auto list = [](std::initializer_list<const char *> items) {
        QStringList out;
        for (const char *i : items)
            out.append(QString::fromUtf8(i));
        return out;
    };
    // ignorefile.ReadAll: comments only at column 0, trim, clean, drop one leading '/', keep '!'.
    QTest::addRow("comment and blank") << QByteArray("# c\n\n*.md\n") << list({"*.md"});
    QTest::addRow("indented hash is a pattern") << QByteArray("  # x\n") << list({"# x"});
    QTest::addRow("bom") << QByteArray("\xEF\xBB\xBFnotes/\n") << list({"notes"});
    QTest::addRow("crlf") << QByteArray("a\r\nb\r\n") << list({"a", "b"});
    QTest::addRow("leading slash") << QByteArray("/build/out\n") << list({"build/out"});
    QTest::addRow("dot slash") << QByteArray("./src/*.o\n") << list({"src/*.o"});
    QTest::addRow("exception spacing") << QByteArray("! /keep.txt \n") << list({"!keep.txt"});
    QTest::addRow("exception lone") << QByteArray("!\n") << list({"!"});
    QTest::addRow("root only") << QByteArray("/\n") << list({"/"});
    QTest::addRow("no final newline") << QByteArray("a\nb") << list({"a", "b"});
    QTest::addRow("corpus-like") << QByteArray("# never sent\n*.md\nnotes/\n**/*.tmp\nDockerfile.*\n")
                                 << list({"*.md", "notes", "**/*.tmp", "Dockerfile.*"});
}

void TestPatternMatcher::readIgnoreFile()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    const QStringList actual = parseDockerignore(text);
    if (actual != expected)
        qWarning() << "actual" << actual << "expected" << expected;
    QCOMPARE(actual, expected);
}

QTEST_GUILESS_MAIN(TestPatternMatcher)
#include "tst_patternmatcher.moc"
