// The shell-word lexer against BuildKit's own expansion tables (corpus shell/envVarTest and wordsTest, read
// as lex_test.go reads them) and against the cases of BuildKit's TestProcessWithMatches.
#include "model/shell/shelllexer.h"
#include "testutils.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QTest>

using namespace Stagelens;

Q_DECLARE_METATYPE(Stagelens::ShellEnvironment)

namespace {

// lex_test.go builds its environment with EnvsFromSlice: "NAME=value", later entries win.
ShellEnvironment envFromList(const QStringList &entries)
{
    ShellEnvironment env;
    for (const QString &e : entries) {
        const qsizetype eq = e.indexOf(QLatin1Char('='));
        if (eq < 0)
            env.insert(e, QString());
        else
            env.insert(e.left(eq), e.mid(eq + 1));
    }
    return env;
}

QStringList fileLines(const QString &path)
{
    const QString text = QString::fromUtf8(Test::readAll(path));
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

class TestShellLexer : public QObject
{
    Q_OBJECT

private slots:
    void envVarTable_data();
    void envVarTable();
    void wordsTable_data();
    void wordsTable();
    void processWithMatches_data();
    void processWithMatches();
    void escapeToken_data();
    void escapeToken();
    void errorMessages_data();
    void errorMessages();
    void skipUnsetRawQuotes_data();
    void skipUnsetRawQuotes();
    void deepNesting_data();
    void deepNesting();
    void plainTextPassesThrough();
};

void TestShellLexer::envVarTable_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("expected");
    const QStringList lines =
        fileLines(Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/shell/envVarTest")));
    QVERIFY(!lines.isEmpty());
    int lineNumber = 0;
    int rows = 0;
    for (QString line : lines) {
        ++lineNumber;
        if (line.startsWith(QLatin1Char('#')))
            continue;
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const QStringList parts = line.split(QLatin1Char('|'));
        QCOMPARE(parts.size(), 3);
        const QString platform = parts[0].trimmed();
        // W rows are the Windows behaviour (case-insensitive names); we implement the Unix one.
        if (platform == QLatin1String("W"))
            continue;
        QVERIFY(platform == QLatin1String("A") || platform == QLatin1String("U"));
        QTest::addRow("line %d: %s", lineNumber, qPrintable(parts[1].trimmed()))
            << parts[1].trimmed() << parts[2].trimmed();
        ++rows;
    }
    QVERIFY(rows > 100);
}

void TestShellLexer::envVarTable()
{
    QFETCH(QString, source);
    QFETCH(QString, expected);
    const ShellEnvironment env = envFromList({QStringLiteral("PWD=/home"), QStringLiteral("SHELL=bash"),
        QStringLiteral("KOREAN=한국어"), QStringLiteral("NULL=")});
    const ShellWordResult r = ShellLexer().processWord(source, env);
    if (expected == QLatin1String("error")) {
        if (r.ok())
            qWarning("expected an error, got %s", qPrintable(goQuote(r.result)));
        QVERIFY(!r.ok());
        QVERIFY(r.error.startsWith(QLatin1String("failed to process ")));
    } else {
        if (!r.ok())
            qWarning("unexpected error: %s", qPrintable(r.error));
        QVERIFY(r.ok());
        QCOMPARE(r.result, expected);
    }
}

void TestShellLexer::wordsTable_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<ShellEnvironment>("env");
    QTest::addColumn<QStringList>("expected");
    const QStringList lines =
        fileLines(Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/shell/wordsTest")));
    QVERIFY(!lines.isEmpty());
    // lex_test.go runs the table twice (normal, then RawQuotes+SkipUnsetEnv), but the second pass reads an
    // exhausted file and checks nothing: the expected words are those of the normal mode.
    QStringList envs;
    int lineNumber = 0;
    for (const QString &line : lines) {
        ++lineNumber;
        if (line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1String("ENV "))) {
            QString entry = line.mid(3);
            while (entry.startsWith(QLatin1Char(' ')))
                entry.remove(0, 1);
            envs.append(entry);
            continue;
        }
        const QStringList parts = line.split(QLatin1Char('|'));
        QCOMPARE(parts.size(), 2);
        QString expected = parts[1];
        while (expected.startsWith(QLatin1Char(' ')))
            expected.remove(0, 1);
        QTest::addRow("line %d: %s", lineNumber, qPrintable(parts[0].trimmed()))
            << parts[0].trimmed() << envFromList(envs) << expected.split(QLatin1Char(','));
    }
}

void TestShellLexer::wordsTable()
{
    QFETCH(QString, source);
    QFETCH(ShellEnvironment, env);
    QFETCH(QStringList, expected);
    const ShellWordResult r = ShellLexer().processWords(source, env);
    const QStringList actual = r.ok() ? r.words : QStringList {QStringLiteral("error")};
    if (actual != expected)
        qWarning("actual %s, expected %s", qPrintable(actual.join(QLatin1Char(','))),
            qPrintable(expected.join(QLatin1Char(','))));
    QCOMPARE(actual, expected);
}

void TestShellLexer::processWithMatches_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<ShellEnvironment>("env");
    QTest::addColumn<bool>("expectError");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QStringList>("matched");
    QTest::addColumn<QStringList>("unmatched");

    // Cases of TestProcessWithMatches in BuildKit's frontend/dockerfile/shell/lex_test.go.
    const ShellEnvironment fooBar {
        {QStringLiteral("FOO"), QStringLiteral("xxx")}, {QStringLiteral("BAR"), QString()}};
    const auto foo = [](const QString &v) {
        return ShellEnvironment {{QStringLiteral("FOO"), v}};
    };
    const QString F = QStringLiteral("FOO");
    const QString B = QStringLiteral("BAR");
    const QString Z = QStringLiteral("BAZ");
    QTest::addRow("unset") << QStringLiteral("x ${UNUSED}") << ShellEnvironment {} << false
                           << QStringLiteral("x ") << QStringList {}
                           << QStringList {QStringLiteral("UNUSED")};
    QTest::addRow("dash") << QStringLiteral("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}") << fooBar << false
                          << QStringLiteral("xxx  ccc") << QStringList {F, B} << QStringList {Z};
    QTest::addRow("colon dash") << QStringLiteral("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}") << fooBar << false
                                << QStringLiteral("xxx bbb ccc") << QStringList {F, B} << QStringList {Z};
    QTest::addRow("plus") << QStringLiteral("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}") << fooBar << false
                          << QStringLiteral("aaa bbb ") << QStringList {F, B} << QStringList {Z};
    QTest::addRow("colon plus") << QStringLiteral("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}") << fooBar << false
                                << QStringLiteral("aaa  ") << QStringList {F, B} << QStringList {Z};
    QTest::addRow("question set") << QStringLiteral("${FOO?aaa}") << fooBar << false << QStringLiteral("xxx")
                                  << QStringList {F} << QStringList {};
    QTest::addRow("question empty") << QStringLiteral("${BAR?bbb}") << fooBar << false << QString()
                                    << QStringList {B} << QStringList {};
    QTest::addRow("question unset") << QStringLiteral("${BAZ?ccc}") << fooBar << true << QString()
                                    << QStringList {} << QStringList {Z};
    QTest::addRow("colon question empty")
        << QStringLiteral("${BAR:?bbb}") << fooBar << true << QString() << QStringList {} << QStringList {};
    QTest::addRow("assign") << QStringLiteral("${FOO=aaa}") << fooBar << true << QString() << QStringList {}
                            << QStringList {};
    QTest::addRow("regex specials") << QStringLiteral("${FOO#()[]{\\}^$.\\*\\?|\\\\}")
                                    << foo(QStringLiteral("()[]{}^$.*?|\\x")) << false << QStringLiteral("x")
                                    << QStringList {F} << QStringList {};
    QTest::addRow("percent-percent escaped star")
        << QStringLiteral("${FOO%%\\**}") << foo(QStringLiteral("xx**")) << false << QStringLiteral("xx")
        << QStringList {F} << QStringList {};
    QTest::addRow("# shortest") << QStringLiteral("${FOO#*x*y}") << foo(QStringLiteral("xxyy")) << false
                                << QStringLiteral("y") << QStringList {F} << QStringList {};
    QTest::addRow("# star") << QStringLiteral("${FOO#*}") << foo(QStringLiteral("xxyy")) << false
                            << QStringLiteral("xxyy") << QStringList {F} << QStringList {};
    QTest::addRow("## longest") << QStringLiteral("${FOO##*x}") << foo(QStringLiteral("xxyy")) << false
                                << QStringLiteral("yy") << QStringList {F} << QStringList {};
    QTest::addRow("# question") << QStringLiteral("${FOO#?\\?}") << foo(QStringLiteral("???y")) << false
                                << QStringLiteral("?y") << QStringList {F} << QStringList {};
    QTest::addRow("percent between") << QStringLiteral("${ABC:-.}${FOO%x}${ABC:-.}")
                                     << foo(QStringLiteral("xxyy")) << false << QStringLiteral(".xxyy.")
                                     << QStringList {F} << QStringList {QStringLiteral("ABC")};
    QTest::addRow("%% mixed") << QStringLiteral("${FOO%%\\**\\*}") << foo(QStringLiteral("a***yy*")) << false
                              << QStringLiteral("a") << QStringList {F} << QStringList {};
    QTest::addRow(":# unsupported") << QStringLiteral("${FOO:#}") << ShellEnvironment {} << true << QString()
                                    << QStringList {} << QStringList {};
    QTest::addRow("colon percent-percent unsupported")
        << QStringLiteral("${FOO:%%}") << ShellEnvironment {} << true << QString() << QStringList {}
        << QStringList {};
    const ShellEnvironment wild {
        {F, QStringLiteral("/foo*/*/*.txt")}, {QStringLiteral("NEEDLE"), QStringLiteral("\\*/")}};
    QTest::addRow("replace wildcards") << QStringLiteral("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}") << wild
                                       << false << QStringLiteral("/foo.*/*.txt - /foo..*.txt")
                                       << QStringList {F, QStringLiteral("NEEDLE")} << QStringList {};
    const ShellEnvironment tmp {
        {F, QStringLiteral("/tmp/tmp/bar.txt")}, {QStringLiteral("NEEDLE"), QStringLiteral("/tmp")}};
    QTest::addRow("replace slash") << QStringLiteral("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}") << tmp << false
                                   << QStringLiteral("/tmp/bar.txt - /bar.txt")
                                   << QStringList {F, QStringLiteral("NEEDLE")} << QStringList {};
    QTest::addRow("replace escaped slash")
        << QStringLiteral("${FOO//\\//\\/}") << foo(QStringLiteral("/tmp/foo.txt")) << false
        << QStringLiteral("\\/tmp\\/foo.txt") << QStringList {F} << QStringList {};
    QTest::addRow("replace empty pattern")
        << QStringLiteral("${FOO/$BAR/ww}") << ShellEnvironment {{F, QStringLiteral("xxyy")}, {B, QString()}}
        << false << QStringLiteral("wwxxyy") << QStringList {F, B} << QStringList {};
    QTest::addRow("replace missing /") << QStringLiteral("${FOO//ww}") << foo(QStringLiteral("xxyy")) << true
                                       << QString() << QStringList {} << QStringList {};
    QTest::addRow("replace ///") << QStringLiteral("${FOO///}") << foo(QStringLiteral("xxyy")) << false
                                 << QStringLiteral("xxyy") << QStringList {F} << QStringList {};
    const ShellEnvironment platform {{QStringLiteral("VERSION"), QStringLiteral("v1.2.3")},
        {QStringLiteral("TARGETOS"), QStringLiteral("linux")},
        {QStringLiteral("TARGETARCH"), QStringLiteral("arm")},
        {QStringLiteral("TARGETVARIANT"), QStringLiteral("v7")}};
    QTest::addRow("platform release name")
        << QStringLiteral(
               "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz")
        << platform << false << QStringLiteral("something-v1.2.3.linux-arm-v7.tar.gz")
        << QStringList {QStringLiteral("VERSION"), QStringLiteral("TARGETOS"), QStringLiteral("TARGETARCH"),
               QStringLiteral("TARGETVARIANT")}
        << QStringList {};
}

void TestShellLexer::processWithMatches()
{
    QFETCH(QString, input);
    QFETCH(ShellEnvironment, env);
    QFETCH(bool, expectError);
    QFETCH(QString, expected);
    QFETCH(QStringList, matched);
    QFETCH(QStringList, unmatched);
    const ShellWordResult r = ShellLexer().processWord(input, env);
    if (expectError) {
        QVERIFY2(!r.ok(), qPrintable(QStringLiteral("got %1").arg(r.result)));
        return;
    }
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.result, expected);
    QCOMPARE(r.matched, QSet<QString>(matched.begin(), matched.end()));
    QCOMPARE(r.unmatched, QSet<QString>(unmatched.begin(), unmatched.end()));
}

void TestShellLexer::escapeToken_data()
{
    QTest::addColumn<QString>("escape");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    // With `# escape=\`` the backslash is an ordinary character (Windows paths) and ` escapes.
    QTest::addRow("backslash literal")
        << QStringLiteral("`") << QStringLiteral("C:\\dir\\$PWD") << QStringLiteral("C:\\dir\\/home");
    QTest::addRow("backtick escapes $")
        << QStringLiteral("`") << QStringLiteral("a`$PWD") << QStringLiteral("a$PWD");
    QTest::addRow("backtick in quotes")
        << QStringLiteral("`") << QStringLiteral("\"a`\"b\"") << QStringLiteral("a\"b");
    QTest::addRow("backslash escapes")
        << QStringLiteral("\\") << QStringLiteral("a\\$PWD") << QStringLiteral("a$PWD");
}

void TestShellLexer::escapeToken()
{
    QFETCH(QString, escape);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const ShellWordResult r =
        ShellLexer(escape.at(0)).processWord(input, {{QStringLiteral("PWD"), QStringLiteral("/home")}});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.result, expected);
}

void TestShellLexer::errorMessages_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    // Messages of BuildKit's lex.go (TestShellParserMandatoryEnvVars checks the ?-message text).
    QTest::addRow("mandatory message")
        << QStringLiteral("${VAR:?message here$ARG}")
        << QStringLiteral("failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
    QTest::addRow("unset default message") << QStringLiteral(
        "${VAR?}") << QStringLiteral("failed to process \"${VAR?}\": VAR: is not allowed to be unset");
    QTest::addRow("bad substitution") << QStringLiteral(
        "${}") << QStringLiteral("failed to process \"${}\": syntax error: bad substitution");
    QTest::addRow("missing brace") << QStringLiteral(
        "${aaa:-bbb") << QStringLiteral("failed to process \"${aaa:-bbb\": syntax error: missing '}'");
    QTest::addRow("unsupported")
        << QStringLiteral("${aaa:=x}")
        << QStringLiteral("failed to process \"${aaa:=x}\": unsupported modifier (:=) in substitution");
    QTest::addRow("single quote") << QStringLiteral("'abc")
                                  << QStringLiteral(
                                         "failed to process \"'abc\": unexpected end of statement while "
                                         "looking for matching single-quote");
}

void TestShellLexer::errorMessages()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    const ShellWordResult r = ShellLexer().processWord(input, {{QStringLiteral("ARG"), QStringLiteral("x")}});
    QCOMPARE(r.error, message);
}

void TestShellLexer::skipUnsetRawQuotes_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    // dockerfile2llb formats RUN vertex names with RawQuotes and SkipUnsetEnv: the corpus logs show
    // `RUN sh build.sh "$VERSION"` printed as `RUN sh build.sh "1.0"` and shell variables left alone.
    QTest::addRow("quoted arg") << QStringLiteral("RUN sh build.sh \"$VERSION\" /out/app")
                                << QStringLiteral("RUN sh build.sh \"1.0\" /out/app");
    QTest::addRow("loop var kept") << QStringLiteral("RUN for p in $(cat x); do echo \"$p\"; done")
                                   << QStringLiteral("RUN for p in $(cat x); do echo \"$p\"; done");
    QTest::addRow("single quotes") << QStringLiteral("RUN tr '\\0' 'x'")
                                   << QStringLiteral("RUN tr '\\0' 'x'");
    QTest::addRow("braced unset") << QStringLiteral("echo ${NOPE:-d}") << QStringLiteral("echo ${NOPE:-d}");
}

void TestShellLexer::skipUnsetRawQuotes()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    ShellLexer lexer;
    lexer.setRawQuotes(true);
    lexer.setSkipUnsetEnv(true);
    const ShellWordResult r = lexer.processWord(input, {{QStringLiteral("VERSION"), QStringLiteral("1.0")}});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.result, expected);
}

void TestShellLexer::deepNesting_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("expectError");
    const int depth = 10000;
    QString nested;
    for (int i = 0; i < depth; ++i)
        nested += QLatin1String("${a:-");
    nested += QLatin1Char('x');
    QTest::addRow("10000 nested defaults") << nested + QString(depth, QLatin1Char('}')) << true;
    QTest::addRow("10000 nested, unterminated") << nested << true;
    QString shallow;
    for (int i = 0; i < 50; ++i)
        shallow += QLatin1String("${a:-");
    QTest::addRow("50 nested") << shallow + QLatin1Char('x') + QString(50, QLatin1Char('}')) << false;
    QTest::addRow("100000 quotes") << QString(100000, QLatin1Char('"')) << false;
}

void TestShellLexer::deepNesting()
{
    QFETCH(QString, input);
    QFETCH(bool, expectError);
    QElapsedTimer timer;
    timer.start();
    const ShellWordResult r = ShellLexer().processWord(input, {});
    QCOMPARE(!r.ok(), expectError);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
    if (!expectError)
        QCOMPARE(r.result, input.startsWith(QLatin1Char('$')) ? QStringLiteral("x") : QString());
}

QTEST_GUILESS_MAIN(TestShellLexer)
// The graph builder skips the lexer for text it would not change (model/graph/graphbuilder.cpp): a text
// without '$' reads no variable, and one without '$', '<', quotes and the escape token comes out unchanged.
// Checked here on every line of the corpus's Dockerfiles and on the shell test tables, both escape tokens.
void TestShellLexer::plainTextPassesThrough()
{
    QStringList texts;
    QDirIterator it(Test::corpusPath(QString()), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (QFileInfo(path).fileName().contains(QLatin1String("ockerfile"))
            || path.contains(QLatin1String("/shell/")))
            texts += fileLines(path);
    }
    const ShellEnvironment env {
        {QStringLiteral("PWD"), QStringLiteral("/home")}, {QStringLiteral("A"), QStringLiteral("a b")}};
    int unchanged = 0;
    int dollarFree = 0;
    for (const QChar escape : {QLatin1Char('\\'), QLatin1Char('`')}) {
        const ShellLexer lexer(escape);
        for (const QString &text : std::as_const(texts)) {
            if (text.contains(QLatin1Char('$')))
                continue;
            const ShellWordResult r = lexer.processWord(text, env);
            QVERIFY2(r.matched.isEmpty() && r.unmatched.isEmpty(), qPrintable(text));
            ++dollarFree;
            const bool special = std::any_of(text.cbegin(), text.cend(), [escape](QChar c) {
                return c == QLatin1Char('<') || c == QLatin1Char('\'') || c == QLatin1Char('"')
                    || c == escape;
            });
            if (special)
                continue;
            QVERIFY2(r.ok(), qPrintable(text));
            QCOMPARE(r.result, text);
            ++unchanged;
        }
    }
    QVERIFY2(unchanged > 1000 && dollarFree > unchanged,
        qPrintable(QStringLiteral("%1 unchanged of %2").arg(unchanged).arg(dollarFree)));
}

#include "tst_shelllexer.moc"
