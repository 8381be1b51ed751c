#include "model/dockerfile/dockerfileparser.h"
#include "testutils.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Stagelens;

namespace {

QString errorsOf(const DockerfileAst &ast, Severity severity = Severity::Error)
{
    QStringList out;
    for (const Diagnostic &d : ast.diagnostics) {
        if (d.severity == severity)
            out.append(d.toString());
    }
    return out.join(QLatin1Char('\n'));
}

QStringList caseDirs(const QString &relative)
{
    QDir dir(Test::corpusPath(relative));
    return dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

/// Turns the `\\`, `\n` and `\t` escapes of our .tsv fixtures into the characters.
QByteArray unescape(const QString &s)
{
    QString out;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s.at(i) == QLatin1Char('\\') && i + 1 < s.size()) {
            const QChar next = s.at(i + 1);
            if (next == QLatin1Char('n') || next == QLatin1Char('t') || next == QLatin1Char('\\')) {
                if (next == QLatin1Char('n'))
                    out.append(QLatin1Char('\n'));
                else if (next == QLatin1Char('t'))
                    out.append(QLatin1Char('\t'));
                else
                    out.append(next);
                ++i;
                continue;
            }
        }
        out.append(s.at(i));
    }
    return out.toUtf8();
}

QList<QStringList> readTsv(const QString &relative)
{
    QList<QStringList> rows;
    const QStringList lines = QString::fromUtf8(Test::readAll(Test::dataPath(relative)))
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (!line.startsWith(QLatin1Char('#')))
            rows.append(line.split(QLatin1Char('\t')));
    }
    return rows;
}

} // namespace

class TestDockerfileParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void buildkitCases_data();
    void buildkitCases();
    void buildkitNegativeCases_data();
    void buildkitNegativeCases();
    void lineNumbers();
    void realDockerfiles_data();
    void realDockerfiles();
    void buildkitOracle_data();
    void buildkitOracle();
    void heredocs();
    void emptyContinuationWarnings();
    void instructionErrors_data();
    void instructionErrors();
    void lintRules_data();
    void lintRules();
    void directivesAndEscape_data();
    void directivesAndEscape();
    void hostileInput_data();
    void hostileInput();
    void syntaxOnlyThenChecks_data();
    void syntaxOnlyThenChecks();
};

void TestDockerfileParser::initTestCase()
{
    Test::setCNumericLocale();
    QVERIFY2(QDir(Test::corpusPath(QStringLiteral("buildkit-parser-testfiles"))).exists(),
        qPrintable(Test::corpusDir()));
}

void TestDockerfileParser::buildkitCases_data()
{
    QTest::addColumn<QString>("dir");
    const QStringList dirs = caseDirs(QStringLiteral("buildkit-parser-testfiles/testfiles"));
    QVERIFY(!dirs.isEmpty());
    for (const QString &d : dirs)
        QTest::addRow("%s", qPrintable(d))
            << Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/testfiles/") + d);
}

void TestDockerfileParser::buildkitCases()
{
    QFETCH(QString, dir);
    const QByteArray input = Test::readAll(dir + QStringLiteral("/Dockerfile"));
    const QString expected = QString::fromUtf8(Test::readAll(dir + QStringLiteral("/result")));
    const DockerfileAst ast = parseDockerfile(input, QStringLiteral("Dockerfile"));
    const QString actual = dumpAst(ast);
    if (actual != expected) {
        qWarning().noquote() << "actual:\n" << actual << "\nexpected:\n" << expected;
        QCOMPARE(actual, expected);
    }
    // The parse-only entry point is what BuildKit's parser test runs: same dump, accepted.
    const DockerfileAst syntaxOnly = parseDockerfileSyntax(input, QStringLiteral("Dockerfile"));
    QCOMPARE(dumpAst(syntaxOnly), expected);
    QVERIFY2(syntaxOnly.parserAccepted, qPrintable(errorsOf(syntaxOnly)));
    // BuildKit's parser accepts all of these; the later instruction checks (unknown flags in `flags`,
    // HEALTHCHECK without a command in `health`) are not part of its test and may still report errors.
    QVERIFY2(ast.parserAccepted, qPrintable(errorsOf(ast)));
    for (const Diagnostic &d : ast.diagnostics) {
        QVERIFY2(d.line >= 1, qPrintable(d.toString()));
    }
}

void TestDockerfileParser::buildkitNegativeCases_data()
{
    QTest::addColumn<QString>("path");
    const QStringList dirs = caseDirs(QStringLiteral("buildkit-parser-testfiles/testfiles-negative"));
    QVERIFY(!dirs.isEmpty());
    for (const QString &d : dirs)
        QTest::addRow("%s", qPrintable(d))
            << Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/testfiles-negative/") + d
                   + QStringLiteral("/Dockerfile"));
}

void TestDockerfileParser::buildkitNegativeCases()
{
    QFETCH(QString, path);
    const DockerfileAst ast = parseDockerfile(Test::readAll(path), path);
    QVERIFY2(hasErrors(ast.diagnostics),
        qPrintable(QStringLiteral("no error for %1; AST:\n%2").arg(path, dumpAst(ast))));
    QVERIFY2(!ast.parserAccepted, "BuildKit's parser itself rejects these");
}

void TestDockerfileParser::lineNumbers()
{
    const QString path =
        Test::corpusPath(QStringLiteral("buildkit-parser-testfiles/testfile-line/Dockerfile"));
    const DockerfileAst ast = parseDockerfile(Test::readAll(path), path);
    QVERIFY2(!hasErrors(ast.diagnostics), qPrintable(errorsOf(ast)));
    QList<QPair<int, int>> expected;
    const QStringList lines =
        QString::fromUtf8(Test::readAll(Test::dataPath(QStringLiteral("dockerfile/testfile-line.expected"))))
            .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList parts = line.split(QLatin1Char(' '));
        expected.append({parts.at(0).toInt(), parts.at(1).toInt()});
    }
    QCOMPARE(ast.instructions.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const Instruction &ins = ast.instructions.at(i);
        const QPair<int, int> actual(ins.startLine, ins.endLine);
        if (actual != expected.at(i)) {
            qWarning() << "instruction" << i << "actual" << actual << "expected" << expected.at(i);
            QCOMPARE(actual, expected.at(i));
        }
    }
}

void TestDockerfileParser::realDockerfiles_data()
{
    QTest::addColumn<QString>("path");
    QDirIterator it(Test::corpusPath(QStringLiteral("dockerfiles")), {QStringLiteral("*Dockerfile*")},
        QDir::Files, QDirIterator::Subdirectories);
    QStringList paths;
    while (it.hasNext()) {
        const QString p = it.next();
        if (!p.endsWith(QLatin1String(".dockerignore")))
            paths.append(p);
    }
    paths.sort();
    QVERIFY(!paths.isEmpty());
    for (const QString &p : paths)
        QTest::addRow(
            "%s", qPrintable(QDir(Test::corpusPath(QStringLiteral("dockerfiles"))).relativeFilePath(p)))
            << p;
}

void TestDockerfileParser::realDockerfiles()
{
    QFETCH(QString, path);
    const QByteArray text = Test::readAll(path);
    const DockerfileAst ast = parseDockerfile(text, path);
    QVERIFY2(!hasErrors(ast.diagnostics), qPrintable(errorsOf(ast)));
    QVERIFY(!ast.instructions.isEmpty());
    // Line bookkeeping: instructions are ordered, ranges are sane and inside the file.
    const int lineCount = int(text.count('\n')) + (text.endsWith('\n') ? 0 : 1);
    int previousEnd = 0;
    for (const Instruction &ins : ast.instructions) {
        QVERIFY2(ins.startLine > previousEnd && ins.endLine >= ins.startLine && ins.endLine <= lineCount,
            qPrintable(QStringLiteral("%1: %2-%3 after %4")
                           .arg(ins.original)
                           .arg(ins.startLine)
                           .arg(ins.endLine)
                           .arg(previousEnd)));
        previousEnd = ins.endLine;
    }
}

void TestDockerfileParser::buildkitOracle_data()
{
    QTest::addColumn<QString>("path");
    QDir dir(Test::dataPath(QStringLiteral("dockerfile/buildkit-oracle")));
    const QStringList files = dir.entryList({QStringLiteral("*.Dockerfile")}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 10);
    for (const QString &f : files)
        QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
}

void TestDockerfileParser::buildkitOracle()
{
    QFETCH(QString, path);
    QString expectedPath = path;
    expectedPath.replace(QLatin1String(".Dockerfile"), QLatin1String(".expected.json"));
    const QJsonObject expected = QJsonDocument::fromJson(Test::readAll(expectedPath)).object();
    QVERIFY2(!expected.isEmpty(), qPrintable(expectedPath));
    const DockerfileAst ast = parseDockerfile(Test::readAll(path), path);
    QVERIFY2(ast.parserAccepted, qPrintable(errorsOf(ast)));

    const QString dump = dumpAst(ast);
    const QString expectedDump = expected.value(QLatin1String("dump")).toString();
    if (dump != expectedDump) {
        qWarning().noquote() << "actual:\n" << dump << "\nexpected:\n" << expectedDump;
        QCOMPARE(dump, expectedDump);
    }
    const QJsonArray lines = expected.value(QLatin1String("lines")).toArray();
    const QJsonArray heredocs = expected.value(QLatin1String("heredocs")).toArray();
    QCOMPARE(ast.instructions.size(), lines.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const Instruction &ins = ast.instructions.at(i);
        const QJsonArray range = lines.at(i).toArray();
        QCOMPARE(ins.startLine, range.at(0).toInt());
        QCOMPARE(ins.endLine, range.at(1).toInt());
        const QJsonArray docs = heredocs.at(i).toArray();
        QCOMPARE(ins.heredocs.size(), docs.size());
        for (qsizetype j = 0; j < docs.size(); ++j) {
            const QJsonObject doc = docs.at(j).toObject();
            QCOMPARE(ins.heredocs.at(j).name, doc.value(QLatin1String("Name")).toString());
            QCOMPARE(ins.heredocs.at(j).content, doc.value(QLatin1String("Content")).toString());
            QCOMPARE(ins.heredocs.at(j).expand, doc.value(QLatin1String("Expand")).toBool());
            QCOMPARE(ins.heredocs.at(j).chomp, doc.value(QLatin1String("Chomp")).toBool());
        }
    }
}

void TestDockerfileParser::heredocs()
{
    const QString path = Test::dataPath(QStringLiteral("dockerfile/heredocs/Dockerfile"));
    const DockerfileAst ast = parseDockerfile(Test::readAll(path), path);
    const QJsonArray expected = QJsonDocument::fromJson(
        Test::readAll(Test::dataPath(QStringLiteral("dockerfile/heredocs/expected.json"))))
                                    .array();
    QVERIFY(!expected.isEmpty());
    QCOMPARE(ast.instructions.size(), expected.size() + 1);
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const Instruction &ins = ast.instructions.at(i + 1);
        const QJsonArray docs = expected.at(i).toArray();
        QStringList actualText;
        QStringList expectedText;
        for (const Heredoc &h : ins.heredocs)
            actualText.append(
                QStringLiteral("%1|%2|%3|%4").arg(h.name, h.content).arg(h.expand).arg(h.chomp));
        for (const QJsonValue &v : docs) {
            const QJsonObject o = v.toObject();
            expectedText.append(QStringLiteral("%1|%2|%3|%4")
                                    .arg(o.value(QLatin1String("name")).toString(),
                                        o.value(QLatin1String("content")).toString())
                                    .arg(o.value(QLatin1String("expand")).toBool())
                                    .arg(o.value(QLatin1String("chomp")).toBool()));
        }
        if (actualText != expectedText) {
            qWarning() << ins.original << "actual" << actualText << "expected" << expectedText;
            QCOMPARE(actualText, expectedText);
        }
    }
}

void TestDockerfileParser::emptyContinuationWarnings()
{
    const DockerfileAst ast = parseDockerfile(
        Test::readAll(Test::dataPath(QStringLiteral("dockerfile/empty-continuation/Dockerfile"))),
        QStringLiteral("Dockerfile"));
    QVERIFY2(!hasErrors(ast.diagnostics), qPrintable(errorsOf(ast)));
    const QStringList expected = QString::fromUtf8(
        Test::readAll(Test::dataPath(QStringLiteral("dockerfile/empty-continuation/expected.txt"))))
                                     .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QList<Diagnostic> warnings;
    for (const Diagnostic &d : ast.diagnostics) {
        if (d.severity == Severity::Warning)
            warnings.append(d);
    }
    QCOMPARE(warnings.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        for (const QString &part : expected.at(i).split(QLatin1Char('\t')))
            QVERIFY2(warnings.at(i).message.contains(part),
                qPrintable(warnings.at(i).message + QStringLiteral(" lacks ") + part));
    }
}

void TestDockerfileParser::instructionErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    const QList<QStringList> rows = readTsv(QStringLiteral("dockerfile/instruction-errors.tsv"));
    QVERIFY(rows.size() > 10);
    for (const QStringList &cols : rows) {
        QVERIFY2(cols.size() == 3, qPrintable(cols.join(QLatin1Char('|'))));
        QTest::addRow("%s", qPrintable(cols.at(0))) << unescape(cols.at(0)) << cols.at(1);
    }
}

void TestDockerfileParser::instructionErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    const DockerfileAst ast = parseDockerfile(input, QStringLiteral("Dockerfile"));
    const QString errors = errorsOf(ast);
    if (expected.isEmpty()) {
        QVERIFY2(errors.isEmpty(), qPrintable(errors));
    } else {
        QVERIFY2(errors.contains(expected),
            qPrintable(QStringLiteral("actual: %1\nexpected: %2").arg(errors, expected)));
        for (const Diagnostic &d : ast.diagnostics)
            QVERIFY2(d.line >= 1 && d.column >= 1, qPrintable(d.toString()));
    }
}

void TestDockerfileParser::lintRules_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("expectations");
    const QList<QStringList> rows = readTsv(QStringLiteral("dockerfile/lint-cases.tsv"));
    QVERIFY(rows.size() > 10);
    for (const QStringList &cols : rows) {
        QVERIFY2(cols.size() == 3, qPrintable(cols.join(QLatin1Char('|'))));
        QTest::addRow("%s", qPrintable(cols.at(2) + QLatin1Char(' ') + cols.at(1)))
            << unescape(cols.at(0)) << cols.at(1).split(QLatin1Char(','));
    }
}

void TestDockerfileParser::lintRules()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, expectations);
    const DockerfileAst ast = parseDockerfile(input, QStringLiteral("Dockerfile"));
    QStringList warned;
    QStringList errored;
    for (const Diagnostic &d : ast.diagnostics) {
        const QString rule = d.message.section(QLatin1Char(':'), 0, 0);
        (d.severity == Severity::Error ? errored : warned).append(rule);
    }
    const QString actual = QStringLiteral("warnings %1; errors %2")
                               .arg(warned.join(QLatin1Char(',')), errored.join(QLatin1Char(',')));
    for (const QString &e : expectations) {
        const QString rule = e.mid(1);
        if (e.startsWith(QLatin1Char('+')))
            QVERIFY2(warned.contains(rule), qPrintable(actual));
        else if (e.startsWith(QLatin1Char('-')))
            QVERIFY2(!warned.contains(rule) && !errored.contains(rule), qPrintable(actual));
        else
            QVERIFY2(errored.contains(rule), qPrintable(actual));
    }
}

void TestDockerfileParser::directivesAndEscape_data()
{
    // Each case states its expectation from BuildKit's directive rules (directives.go): directives only
    // before the first non-directive line, keys case-insensitive, `#syntax` without a space is fine.
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("syntax");
    QTest::addColumn<QString>("check");
    QTest::addColumn<QString>("escape");
    QTest::addRow("syntax with space")
        << QByteArray("# syntax=docker/dockerfile:1\nFROM a\n") << QStringLiteral("docker/dockerfile:1")
        << QString() << QStringLiteral("\\");
    QTest::addRow("syntax without space")
        << QByteArray("#syntax=docker/dockerfile:1.7\nFROM a\n") << QStringLiteral("docker/dockerfile:1.7")
        << QString() << QStringLiteral("\\");
    QTest::addRow("check and escape")
        << QByteArray("# check=skip=JSONArgsRecommended\n# ESCAPE = `\nFROM a\n") << QString()
        << QStringLiteral("skip=JSONArgsRecommended") << QStringLiteral("`");
    QTest::addRow("after an instruction")
        << QByteArray("FROM a\n# escape=`\n") << QString() << QString() << QStringLiteral("\\");
    QTest::addRow("after a blank line")
        << QByteArray("\n# escape=`\nFROM a\n") << QString() << QString() << QStringLiteral("\\");
    QTest::addRow("after a plain comment")
        << QByteArray("# hello\n# escape=`\nFROM a\n") << QString() << QString() << QStringLiteral("\\");
    QTest::addRow("BOM and CRLF") << QByteArray("\xEF\xBB\xBF# escape=`\r\nFROM a\r\n") << QString()
                                  << QString() << QStringLiteral("`");
}

void TestDockerfileParser::directivesAndEscape()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, syntax);
    QFETCH(QString, check);
    QFETCH(QString, escape);
    const DockerfileAst ast = parseDockerfile(input, QStringLiteral("Dockerfile"));
    QVERIFY2(!hasErrors(ast.diagnostics), qPrintable(errorsOf(ast)));
    QCOMPARE(ast.syntax, syntax);
    QCOMPARE(ast.check, check);
    QCOMPARE(QString(ast.escapeToken), escape);
    QCOMPARE(ast.instructions.size(), 1);
    QCOMPARE(ast.instructions.first().keyword, QStringLiteral("from"));
}

void TestDockerfileParser::hostileInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expectedError"); // empty: any diagnostics are fine, only no crash
    QTest::addColumn<int>("expectedInstructions"); // -1: not checked

    QByteArray binary;
    for (int i = 0; i < 4096; ++i)
        binary.append(char((i * 7919) & 0xFF));
    QTest::addRow("binary bytes and NUL") << binary << QString() << -1;
    QTest::addRow("invalid UTF-8") << QByteArray(
        "FROM \xC3\x28 AS \xFF\xFE\nRUN \xED\xA0\x80 --x=\xE0\xA0\xA9\nCOPY --chown=\xC3\xA0 a b\n")
                                   << QString() << 3;
    // 10 MB on one line: BuildKit's scanner refuses lines over 64 KiB; the parser must stop there, not
    // build a 10 MB instruction.
    QTest::addRow("10 MB single line")
        << (QByteArray("FROM a\nLABEL x=") + QByteArray(10 * 1024 * 1024, 'a'))
        << QStringLiteral("dockerfile line greater than max allowed size of 65535") << 1;
    QTest::addRow("unterminated heredoc")
        << QByteArray("FROM a\nRUN <<EOF\necho\n") << QStringLiteral("unterminated heredoc") << 2;
    QTest::addRow("unterminated quotes")
        << QByteArray("FROM a\nENV a=\"b\nLABEL 'x\nCOPY --from=\"x a b\nCMD [\"a\n") << QString() << -1;
    QByteArray continuation = "FROM a\nRUN a \\\n";
    for (int i = 0; i < 100000; ++i)
        continuation.append(i % 3 == 0 ? "\\\n" : (i % 3 == 1 ? "# c\n" : " b \\\n"));
    continuation.append("end\n");
    QTest::addRow("100k continuation lines") << continuation << QString() << 2;
    QByteArray onbuild = "FROM a\n";
    for (int i = 0; i < 5000; ++i)
        onbuild.append("ONBUILD ");
    onbuild.append("RUN x\n");
    QTest::addRow("deep ONBUILD nesting") << onbuild << QString() << -1;
    QByteArray dollars = "FROM a\nRUN <<E";
    for (int i = 0; i < 10000; ++i)
        dollars.append("${a:-");
    dollars.append("\n");
    QTest::addRow("deep ${ nesting in a heredoc word") << dollars << QString() << -1;
    QByteArray json = "FROM a\nCMD ";
    json.append(QByteArray(30000, '['));
    json.append(QByteArray(30000, ']'));
    QTest::addRow("deep JSON nesting") << json << QString() << -1;
    QByteArray manyHeredocs = "FROM a\nRUN";
    for (int i = 0; i < 5000; ++i)
        manyHeredocs.append(" <<E").append(QByteArray::number(i));
    manyHeredocs.append("\n");
    QTest::addRow("many heredocs, none closed")
        << manyHeredocs << QStringLiteral("unterminated heredoc") << 2;
    QTest::addRow("empty") << QByteArray() << QStringLiteral("file with no instructions") << 0;
    QTest::addRow("only a continuation") << QByteArray("\\\n\\\n\\") << QString() << -1;
}

void TestDockerfileParser::hostileInput()
{
    // Bound: every input here is at most ~10 MB and the parser is linear in its size; none of these
    // may crash, recurse without limit or grow memory beyond a small multiple of the input.
    QFETCH(QByteArray, input);
    QFETCH(QString, expectedError);
    QFETCH(int, expectedInstructions);
    const DockerfileAst ast = parseDockerfile(input, QStringLiteral("Dockerfile"));
    const QString dump = dumpAst(ast);
    QVERIFY(dump.size() <= input.size() * 8 + 16);
    if (!expectedError.isEmpty())
        QVERIFY2(errorsOf(ast).contains(expectedError), qPrintable(errorsOf(ast).left(2000)));
    if (expectedInstructions >= 0)
        QCOMPARE(ast.instructions.size(), expectedInstructions);
}

void TestDockerfileParser::syntaxOnlyThenChecks_data()
{
    QTest::addColumn<QByteArray>("input");
    for (const QString &file :
        {QStringLiteral("dockerfile/lint-cases.tsv"), QStringLiteral("dockerfile/instruction-errors.tsv")}) {
        for (const QStringList &cols : readTsv(file))
            QTest::addRow("%s", qPrintable(cols.at(0))) << unescape(cols.at(0));
    }
    QTest::addRow("empty continuation and a directive error")
        << QByteArray("# escape=x\nFROM a\nRUN a \\\n\n  b\nCOPY --nope x y\n");
    QTest::addRow("no instructions") << QByteArray("# just a comment\n");
}

// parseDockerfileSyntax() is BuildKit's parser.Parse alone: the same AST and the parser's own diagnostics
// as parseDockerfile(), none of the later checks; checkDockerfile() then adds exactly those.
void TestDockerfileParser::syntaxOnlyThenChecks()
{
    QFETCH(QByteArray, input);
    const DockerfileAst full = parseDockerfile(input, QStringLiteral("Dockerfile"));
    DockerfileAst ast = parseDockerfileSyntax(input, QStringLiteral("Dockerfile"));
    QCOMPARE(dumpAst(ast), dumpAst(full));
    QCOMPARE(ast.parserAccepted, full.parserAccepted);
    QCOMPARE(ast.instructions.size(), full.instructions.size());
    for (qsizetype i = 0; i < ast.instructions.size(); ++i) {
        QCOMPARE(ast.instructions.at(i).startLine, full.instructions.at(i).startLine);
        QCOMPARE(ast.instructions.at(i).endLine, full.instructions.at(i).endLine);
        QCOMPARE(ast.instructions.at(i).startColumn, full.instructions.at(i).startColumn);
        QCOMPARE(ast.instructions.at(i).original, full.instructions.at(i).original);
        QCOMPARE(ast.instructions.at(i).prevComments, full.instructions.at(i).prevComments);
    }
    QVERIFY(ast.diagnostics.size() <= full.diagnostics.size());
    for (qsizetype i = 0; i < ast.diagnostics.size(); ++i)
        QCOMPARE(ast.diagnostics.at(i).toString(), full.diagnostics.at(i).toString());
    // No lint rule ("Rule: message") and no instruction check comes from the parser itself.
    for (const Diagnostic &d : ast.diagnostics) {
        QVERIFY2(!d.message.contains(QLatin1String("requires")), qPrintable(d.toString()));
        QVERIFY2(!QRegularExpression(QStringLiteral("^[A-Z][A-Za-z]+: ")).match(d.message).hasMatch(),
            qPrintable(d.toString()));
    }
    checkDockerfile(ast, QStringLiteral("Dockerfile"));
    QCOMPARE(ast.diagnostics.size(), full.diagnostics.size());
    for (qsizetype i = 0; i < ast.diagnostics.size(); ++i)
        QCOMPARE(ast.diagnostics.at(i).toString(), full.diagnostics.at(i).toString());
}

QTEST_GUILESS_MAIN(TestDockerfileParser)
#include "tst_dockerfileparser.moc"
