// Inputs the fuzz targets (tests/fuzz) found to crash, hang or exhaust memory, fed again through the
// same entry points. tests/data/hostile/<target>/ holds them; each must now finish with a result or an
// error, within the bound stated per target.

#include "hostileutils.h"
#include "model/shell/shelllexer.h"
#include "testutils.h"

#include <QDir>
#include <QTest>

using namespace Stagelens;

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void shell_data();
    void shell();
};

void TestFuzzRegressions::shell_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(Test::dataPath(QStringLiteral("hostile/shell")));
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), qPrintable(dir.path()));
    for (const QString &file : files)
        QTest::addRow("%s", qPrintable(file)) << dir.filePath(file);
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

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzzregressions.moc"
