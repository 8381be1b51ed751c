#include "model/core/diagnostic.h"

#include <QTest>

using namespace Stagelens;

class TestDiagnostic : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void toString_data()
    {
        QTest::addColumn<Diagnostic>("diagnostic");
        QTest::addColumn<QString>("expected");
        QTest::addRow("file line column")
            << Diagnostic {Severity::Error, QStringLiteral("Dockerfile"), 3, 7,
                   QStringLiteral("unknown instruction: FORM")}
            << QStringLiteral("Dockerfile:3:7: error: unknown instruction: FORM");
        QTest::addRow("no column") << Diagnostic {Severity::Warning, QStringLiteral("a.log"), 12, 0,
            QStringLiteral("truncated")}
                                   << QStringLiteral("a.log:12: warning: truncated");
        QTest::addRow("no place") << Diagnostic {Severity::Info, QString(), 0, 0, QStringLiteral("empty")}
                                  << QStringLiteral("info: empty");
    }
    void toString()
    {
        QFETCH(Diagnostic, diagnostic);
        QFETCH(QString, expected);
        QCOMPARE(diagnostic.toString(), expected);
    }
    void hasErrorsOnlyForErrors()
    {
        QList<Diagnostic> list {{Severity::Warning, {}, 1, 1, QStringLiteral("w")}};
        QVERIFY(!hasErrors(list));
        list.append({Severity::Error, {}, 2, 1, QStringLiteral("e")});
        QVERIFY(hasErrors(list));
        QCOMPARE(list.last().toJson().value(QStringLiteral("severity")).toString(), QStringLiteral("error"));
    }
};

QTEST_GUILESS_MAIN(TestDiagnostic)
#include "tst_diagnostic.moc"
