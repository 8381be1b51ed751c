// Hostile Dockerfiles through the parser, the graph builder and the shell-word lexer: junk, broken
// encodings, NUL bytes, huge lines, tens of thousands of stages, cycles, deep nesting, unterminated
// constructs. Each case must end with either a clean result or diagnostics that point at a line, and the
// peak memory must stay within a budget proportional to the input size (stated per case).

#include "hostileutils.h"
#include "model/dockerfile/dockerfileparser.h"
#include "model/graph/buildgraph.h"
#include "model/shell/shelllexer.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Stagelens;

namespace {

QByteArray repeated(const QByteArray &unit, int count)
{
    QByteArray out;
    out.reserve(unit.size() * count);
    for (int i = 0; i < count; ++i)
        out += unit;
    return out;
}

QByteArray nestedDefault(int depth)
{
    return repeated("${a:-", depth) + 'x' + repeated("}", depth);
}

QByteArray manyStages(int count, const char *pattern)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out +=
            QByteArray(pattern).replace("%i", QByteArray::number(i)).replace("%p", QByteArray::number(i - 1));
    return out;
}

/// A first stage "s0" and `count - 1` more, each made from `pattern` (%i: its index, %p: the one before).
QByteArray chain(int count, const char *pattern)
{
    QByteArray out("FROM alpine AS s0\n");
    for (int i = 1; i < count; ++i)
        out +=
            QByteArray(pattern).replace("%i", QByteArray::number(i)).replace("%p", QByteArray::number(i - 1));
    return out;
}

/// Diagnostics for a failure message, control characters replaced so that junk input stays readable.
QString describe(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics.mid(0, 8)) {
        QString text = d.toString().left(160);
        for (QChar &c : text) {
            if (c.unicode() < 0x20)
                c = QLatin1Char('?');
        }
        lines << text;
    }
    if (diagnostics.size() > 8)
        lines << QStringLiteral("... %1 more").arg(diagnostics.size() - 8);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestHostileDockerfile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { Test::setCNumericLocale(); }
    void parseAndBuild_data();
    void parseAndBuild();
    void manyStagesScale_data();
    void manyStagesScale();
    void deepShellNesting_data();
    void deepShellNesting();
};

// expect: "clean" (no error diagnostic), "error" (at least one error, at `line` when line > 0) or "any".
// The expectations follow BuildKit's behaviour for that input (noted per row where it is not obvious).
void TestHostileDockerfile::parseAndBuild_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expect");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("perByte"); // memory budget per input byte, on top of a fixed 64 MB

    // dockerfile2llb refuses a file without instructions.
    QTest::addRow("empty") << QByteArray() << QStringLiteral("error") << 0 << 48;
    QTest::addRow("only comments and blank lines")
        << QByteArray("\n\n# nothing\n   \n") << QStringLiteral("error") << 0 << 48;
    QTest::addRow("binary junk 64 KiB") << Test::junkBytes(64 * 1024) << QStringLiteral("error") << 0 << 48;
    QTest::addRow("binary after a FROM")
        << QByteArray("FROM alpine\n") + Test::junkBytes(4096, 7) << QStringLiteral("any") << 0 << 48;
    QTest::addRow("invalid UTF-8 in RUN") << QByteArray("FROM alpine\nRUN echo \xff\xfe\xc3 \xed\xa0\x80\n")
                                          << QStringLiteral("clean") << 0 << 48;
    QTest::addRow("invalid UTF-8 in a stage name")
        << QByteArray("FROM alpine AS b\xff\nRUN x\n") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("NUL in RUN") << QByteArray("FROM alpine\nRUN echo a\0b\n", 24) << QStringLiteral("any")
                                << 0 << 48;
    QTest::addRow("NUL in the keyword")
        << QByteArray("FROM alpine\nR\0N x\n", 18) << QStringLiteral("error") << 2 << 48;
    QTest::addRow("only NUL bytes") << QByteArray(4096, '\0') << QStringLiteral("error") << 0 << 48;
    QTest::addRow("UTF-8 BOM then FROM") << QByteArray("\xef\xbb\xbf"
                                                       "FROM alpine\nRUN x\n")
                                         << QStringLiteral("clean") << 0 << 48;
    // BuildKit's scanner refuses lines over 64 KiB ("dockerfile line greater than max allowed size").
    QTest::addRow("20 MB single RUN line")
        << QByteArray("FROM alpine\nRUN ") + QByteArray(20 << 20, 'a') + '\n'
        << QStringLiteral("error") << 2 << 48;
    QTest::addRow("20 MB line without newline")
        << QByteArray("FROM alpine\nRUN ") + QByteArray(20 << 20, 'b') << QStringLiteral("error") << 2 << 48;
    QTest::addRow("100k-line continuation")
        << QByteArray("FROM alpine\nRUN a") + repeated(" \\\n b", 100000) + '\n'
        << QStringLiteral("clean") << 0 << 48;
    QTest::addRow("continuation at end of file")
        << QByteArray("FROM alpine\nRUN echo \\") << QStringLiteral("any") << 0 << 48;
    // Each 6-byte "RUN a" line becomes a Step record and a ~130-byte JSON object: 400 bytes per input byte.
    QTest::addRow("200k RUN steps in one stage")
        << QByteArray("FROM alpine\n") + repeated("RUN a\n", 200000) << QStringLiteral("clean") << 0 << 400;
    QTest::addRow("EXPOSE with 500k ports")
        << QByteArray("FROM alpine\nEXPOSE ") + repeated("80 ", 500000) + '\n'
        << QStringLiteral("error") << 2 << 48;
    // A stage cannot name itself in FROM: at that point the name is not defined yet, so it is an image.
    QTest::addRow("FROM x AS x") << QByteArray("FROM x AS x\nRUN a\n") << QStringLiteral("clean") << 0 << 48;
    // validateCircularDependency: "circular dependency detected on stage: a".
    QTest::addRow("COPY --from itself")
        << QByteArray("FROM alpine AS a\nCOPY --from=a / /\n") << QStringLiteral("error") << 0 << 48;
    QTest::addRow("two-stage COPY cycle")
        << QByteArray("FROM alpine AS a\nCOPY --from=b / /\nFROM alpine AS b\nCOPY --from=a / /\n")
        << QStringLiteral("error") << 0 << 48;
    QTest::addRow("mount cycle") << QByteArray(
        "FROM alpine AS a\nRUN --mount=from=b,target=/b true\nFROM alpine AS b\n"
        "RUN --mount=type=bind,from=a,target=/a true\n")
                                 << QStringLiteral("error") << 0 << 48;
    QTest::addRow("COPY --from a later stage by index")
        << QByteArray("FROM alpine\nCOPY --from=1 / /\nFROM alpine\nCOPY --from=0 / /\n")
        << QStringLiteral("any") << 0 << 48;
    QTest::addRow("ENV with ${a:-...} 10,000 deep")
        << QByteArray("FROM alpine\nARG a\nENV b=") + nestedDefault(10000) + '\n'
        << QStringLiteral("any") << 0 << 48;
    QTest::addRow("FROM with ${a:-...} 10,000 deep") << QByteArray("FROM ") + nestedDefault(10000) + '\n'
                                                     << QStringLiteral("any") << 0 << 48;
    QTest::addRow("global ARG default 10,000 deep")
        << QByteArray("ARG b=") + nestedDefault(10000) + "\nFROM alpine:${b}\n"
        << QStringLiteral("any") << 0 << 48;
    QTest::addRow("ARG referencing itself")
        << QByteArray("ARG a=${a}${a}\nFROM alpine:${a}\nARG a\nRUN x\n") << QStringLiteral("any") << 0 << 48;
    // ENV values are expanded while the graph is built, and the lexer fails on a quote never closed. LABEL
    // values are expanded only when BuildKit dispatches the stage, which the graph does not model.
    QTest::addRow("unterminated double quote in ENV")
        << QByteArray("FROM alpine\nENV a=\"abc\n") << QStringLiteral("error") << 2 << 48;
    QTest::addRow("unterminated single quote in LABEL")
        << QByteArray("FROM alpine\nLABEL a='abc\n") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("unterminated quote in COPY")
        << QByteArray("FROM alpine\nCOPY \"a b /x\n") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("unterminated JSON array")
        << QByteArray("FROM alpine\nRUN [\"echo\", \"a\n") << QStringLiteral("clean") << 0 << 48;
    QTest::addRow("JSON nested 100k deep") << QByteArray("FROM alpine\nCMD ") + repeated("[", 100000) + '\n'
                                           << QStringLiteral("any") << 0 << 48;
    QTest::addRow("unterminated heredoc")
        << QByteArray("FROM alpine\nRUN <<EOF\necho hi\n") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("unterminated heredoc, 1 MB body")
        << QByteArray("FROM alpine\nRUN <<EOF\n") + repeated("echo hi\n", 131072) << QStringLiteral("any")
        << 0 << 48;
    QTest::addRow("10,000 heredocs on one line")
        << QByteArray("FROM alpine\nRUN ") + manyStages(10000, "<<E%i ") + '\n'
        << QStringLiteral("any") << 0 << 48;
    QTest::addRow("ONBUILD nested 10,000 deep")
        << QByteArray("FROM alpine\n") + repeated("ONBUILD ", 10000) + "RUN x\n"
        << QStringLiteral("error") << 2 << 48;
    QTest::addRow("escape directive with junk")
        << QByteArray("# escape=\xff\nFROM alpine\n") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("CR-only line ends")
        << QByteArray("FROM alpine\rRUN a\rCOPY . .\r") << QStringLiteral("any") << 0 << 48;
    QTest::addRow("100k flags on COPY")
        << QByteArray("FROM alpine\nCOPY ") + repeated("--link ", 100000) + ". .\n"
        << QStringLiteral("any") << 0 << 48;
    QTest::addRow("stage names with markup")
        << QByteArray("FROM alpine AS <b>x</b>\nRUN echo &amp;\n") << QStringLiteral("any") << 0 << 48;
}

void TestHostileDockerfile::parseAndBuild()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expect);
    QFETCH(int, line);
    QFETCH(int, perByte);

    const int lineCount = int(text.count('\n') + text.count('\r')) + 1;
    // Memory bound: `perByte` bytes per input byte (48 by default: the UTF-16 copy, the AST, labels and
    // JSON) plus a fixed 64 MB.
    const qint64 budget = Test::memoryBudget(text.size(), perByte);
    const Test::PeakMemory memory;
    QElapsedTimer timer;
    timer.start();

    const DockerfileAst ast = parseDockerfile(text, QStringLiteral("Dockerfile"));
    const QString dump = dumpAst(ast);
    const BuildGraph graph = buildGraph(text, QStringLiteral("Dockerfile"), BuildOptions());
    QByteArray json;
    appendJsonText(&json, graph);
    const QString dot = toDot(graph);
    qInfo("%lld bytes: %lld ms, %d stages, %d diagnostics, json %lld bytes", qint64(text.size()),
        qint64(timer.elapsed()), int(graph.stages.size()), int(graph.diagnostics.size()),
        qint64(json.size()));

    QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());

    // Diagnostics point into the file (line 0 is allowed only for whole-file problems).
    for (const Diagnostic &d : ast.diagnostics + graph.diagnostics) {
        QVERIFY2(!d.message.isEmpty(), qPrintable(d.toString()));
        QVERIFY2(d.line >= 0 && d.line <= lineCount, qPrintable(d.toString()));
    }
    // Output stays proportional to the input: a few diagnostics per line at most, JSON within 64x.
    QVERIFY2(graph.diagnostics.size() <= 4 * lineCount + 4, qPrintable(describe(graph.diagnostics)));
    QVERIFY2(json.size() <= 64 * text.size() + 4096, qPrintable(QString::number(json.size())));

    // The graph is well formed whatever the input.
    for (const Edge &edge : graph.edges) {
        QVERIFY(edge.from >= 0 && edge.from < graph.stages.size());
        QVERIFY(edge.to >= 0 && edge.to < graph.stages.size());
    }
    for (const Stage &stage : graph.stages) {
        QVERIFY(stage.baseStage < stage.index); // FROM can only name an earlier stage
        for (const Step &step : stage.steps) {
            QVERIFY2(step.line >= 1 && step.line <= step.endLine && step.endLine <= lineCount,
                qPrintable(QStringLiteral("%1: lines %2-%3 of %4")
                               .arg(step.text.left(80))
                               .arg(step.line)
                               .arg(step.endLine)
                               .arg(lineCount)));
            QVERIFY(step.fromStage < graph.stages.size());
        }
    }
    if (!graph.stages.isEmpty() && !hasErrors(graph.diagnostics))
        QVERIFY(graph.targetStage >= 0 && graph.targetStage < graph.stages.size());

    const bool failed = hasErrors(graph.diagnostics) || hasErrors(ast.diagnostics);
    if (expect == QLatin1String("clean")) {
        QVERIFY2(!failed, qPrintable(describe(ast.diagnostics + graph.diagnostics)));
    } else if (expect == QLatin1String("error")) {
        QVERIFY2(failed, "expected an error diagnostic");
        if (line > 0) {
            bool atLine = false;
            for (const Diagnostic &d : ast.diagnostics + graph.diagnostics)
                atLine = atLine || (d.severity == Severity::Error && d.line == line);
            QVERIFY2(atLine,
                qPrintable(QStringLiteral("no error at line %1:\n%2")
                               .arg(line)
                               .arg(describe(ast.diagnostics + graph.diagnostics))));
        }
    }
    QVERIFY(dump.size() >= 0 && dot.size() > 0);
}

// "1 million stages" is checked at 20,000 (the bound stated here): each shape links every stage to the
// one before, so needed-stage marking, cycle checks and name lookups all see a 20,000-long chain. The
// 20,000 stages must all come back, and the last one (the target) must need exactly the chain.
void TestHostileDockerfile::manyStagesScale_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("stages");
    QTest::addColumn<int>("needed");

    const int n = 20000;
    QTest::addRow("20,000 independent stages")
        << manyStages(n, "FROM alpine AS s%i\nRUN echo %i\n") << n << 1;
    QTest::addRow("20,000-stage FROM chain") << chain(n, "FROM s%p AS s%i\n") << n << n;
    QTest::addRow("20,000-stage COPY --from chain")
        << chain(n, "FROM alpine AS s%i\nCOPY --from=s%p / /\n") << n << n;
    QTest::addRow("20,000 unnamed stages by index")
        << chain(n, "FROM alpine\nCOPY --from=%p / /\n") << n << n;
}

void TestHostileDockerfile::manyStagesScale()
{
    QFETCH(QByteArray, text);
    QFETCH(int, stages);
    QFETCH(int, needed);

    const qint64 budget = Test::memoryBudget(text.size(), 400); // per byte: a stage costs ~20 bytes of text
    const Test::PeakMemory memory;
    QElapsedTimer timer;
    timer.start();
    const BuildGraph graph = buildGraph(text, QStringLiteral("Dockerfile"), BuildOptions());
    qInfo("%d stages: %lld ms, %d edges", int(graph.stages.size()), qint64(timer.elapsed()),
        int(graph.edges.size()));
    QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());

    QVERIFY2(!hasErrors(graph.diagnostics), qPrintable(describe(graph.diagnostics)));
    QCOMPARE(graph.stages.size(), stages);
    int neededCount = 0;
    for (const Stage &stage : graph.stages)
        neededCount += stage.needed ? 1 : 0;
    QCOMPARE(neededCount, needed);
    QCOMPARE(graph.targetStage, stages - 1);
}

void TestHostileDockerfile::deepShellNesting_data()
{
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("expected"); // the BuildKit result when the lexer accepts the depth

    QTest::addRow("${a:-...} 10,000 deep")
        << QString::fromLatin1(nestedDefault(10000)) << QStringLiteral("x");
    QTest::addRow("${a:+...} 10,000 deep")
        << QString::fromLatin1(repeated("${a:+", 10000) + 'y' + repeated("}", 10000)) << QString();
    QTest::addRow("unclosed ${ 10,000 deep") << QString::fromLatin1(repeated("${a:-", 10000)) << QString();
    QTest::addRow("100k unterminated quotes") << QString::fromLatin1(repeated("'\"", 50000)) << QString();
    // "$$" is the special parameter "$" (processName's isSpecialParam), unset here: each pair expands to "".
    QTest::addRow("1 MB of $") << QString(1 << 20, QLatin1Char('$')) << QStringLiteral("");
}

// The lexer either returns BuildKit's result or a nesting error; it never recurses 10,000 levels.
void TestHostileDockerfile::deepShellNesting()
{
    QFETCH(QString, word);
    QFETCH(QString, expected);
    const ShellLexer lexer;
    const ShellEnvironment unset; // `a` unset: ${a:-w} yields w, ${a:+w} yields ""
    const Test::PeakMemory memory;
    const ShellWordResult one = lexer.processWord(word, unset);
    const ShellWordResult many = lexer.processWords(word, unset);
    const qint64 budget = Test::memoryBudget(word.size() * 2, 32);
    QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());
    for (const ShellWordResult *r : {&one, &many}) {
        if (r->ok() && !expected.isNull())
            QCOMPARE(r->result.size() < 100 ? r->result : r->result.left(100),
                expected.size() < 100 ? expected : expected.left(100));
        else if (!r->ok())
            QVERIFY2(r->error.size() < 4096 + word.size() * 2, qPrintable(r->error.left(200)));
    }
}

QTEST_GUILESS_MAIN(TestHostileDockerfile)
#include "tst_hostiledockerfile.moc"
