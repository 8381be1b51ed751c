// Inputs the fuzz targets (tests/fuzz) found to crash, hang or exhaust memory, fed again through the
// same entry points. tests/data/hostile/<target>/ holds them; each must now finish with a result or an
// error, within the bound stated per target.

#include "hostileutils.h"
#include "model/buildlog/buildlogreader.h"
#include "model/shell/shelllexer.h"
#include "testutils.h"

#include <QBuffer>
#include <QDir>
#include <QTest>

using namespace Stagelens;

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void shell_data();
    void shell();
    void linescanner_data();
    void linescanner();
};

namespace {

// A buffer that remembers the largest read it was asked for: QIODevice::read(n) allocates n bytes first.
class ReadSizeBuffer : public QBuffer
{
public:
    using QBuffer::QBuffer;
    qint64 largestRead = 0;

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        largestRead = std::max(largestRead, maxSize);
        return QBuffer::readData(data, maxSize);
    }
};

// One row per input that fuzz target `target` found, from tests/data/hostile/<target>/.
void addInputsOf(const QString &target)
{
    QTest::addColumn<QString>("path");
    const QDir dir(Test::dataPath(QStringLiteral("hostile/") + target));
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), qPrintable(dir.path()));
    for (const QString &file : files)
        QTest::addRow("%s", qPrintable(file)) << dir.filePath(file);
}

} // namespace

void TestFuzzRegressions::shell_data()
{
    addInputsOf(QStringLiteral("shell"));
}

// As fuzz_shell: byte 0 selects the options, the rest is the word, with the same variables set. Bound:
// a substitution result is capped at 1M characters, so memory stays under the budget below.
void TestFuzzRegressions::shell()
{
    QFETCH(QString, path);
    const QByteArray bytes = Test::readAll(path);
    QVERIFY(!bytes.isEmpty());
    const quint8 flags = quint8(bytes.at(0));
    ShellLexer lexer((flags & 0x10) ? QLatin1Char('`') : QLatin1Char('\\'));
    lexer.setRawQuotes(flags & 0x01);
    lexer.setRawEscapes(flags & 0x02);
    lexer.setSkipProcessQuotes(flags & 0x04);
    lexer.setSkipUnsetEnv(flags & 0x08);
    const QString word = QString::fromUtf8(bytes.mid(1));
    const ShellEnvironment env {{QStringLiteral("a"), QStringLiteral("x y")},
        {QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin")}, {QStringLiteral("empty"), QString()},
        {QStringLiteral("v"), QStringLiteral("1.2.3-rc1")}};

    const qint64 budget = Test::memoryBudget(0, 0) + (64ll << 20);
    const Test::PeakMemory memory;
    const ShellWordResult one = lexer.processWord(word, env);
    const ShellWordResult many = lexer.processWords(word, env);
    QVERIFY2(memory.growth() <= budget, Test::describeMemory(memory.growth(), budget).constData());
    QVERIFY2(one.ok() || !one.error.isEmpty(), "a failure must say why");
    QVERIFY2(one.result.size() <= word.size() * (1 << 20), qPrintable(QString::number(one.result.size())));
    QVERIFY2(many.ok() || !many.error.isEmpty(), "a failure must say why");
    qInfo("%s",
        qPrintable(
            one.ok() ? QStringLiteral("ok, %1 characters").arg(one.result.size()) : one.error.right(120)));
}

void TestFuzzRegressions::linescanner_data()
{
    addInputsOf(QStringLiteral("linescanner"));
}

// As fuzz_linescanner reads them from memory: a ZIP-looking log read from a buffer went to the record
// reader, which asked the device for its whole cap (1 GiB) at once. Bound: no read larger than 1 MiB.
void TestFuzzRegressions::linescanner()
{
    QFETCH(QString, path);
    QByteArray bytes = Test::readAll(path);
    QVERIFY(!bytes.isEmpty());
    ReadSizeBuffer buffer(&bytes);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    BuildLogReadOptions options;
    options.chunkSize = 4096;
    options.maxLineBytes = 1024;
    const BuildLogResult result = readBuildLogDevice(buffer, options);
    QVERIFY2(buffer.largestRead <= (1 << 20), qPrintable(QString::number(buffer.largestRead)));
    QVERIFY2(!result.builds.isEmpty() || !result.diagnostics.isEmpty(), "a failure must say why");
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzzregressions.moc"
