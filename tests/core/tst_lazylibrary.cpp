// Libraries opened on first use (libgit2, libarchive, libcrypto, Graphviz): a missing library or symbol is an
// error message for the feature that needs it, never a crash.
#include "model/core/lazylibrary.h"

#include <QTest>

#include <cstring>

using namespace Stagelens;

class TestLazyLibrary : public QObject
{
    Q_OBJECT

private slots:
    void resolvesFunctions()
    {
        LazyLibrary libc("libc.so.6");
        QVERIFY2(libc.error().isEmpty(), qPrintable(libc.error()));
        const auto length = libc.resolve<decltype(&std::strlen)>("strlen");
        QVERIFY(length);
        QCOMPARE(length("stagelens"), size_t(9));
        QVERIFY(!libc.resolve<void (*)()>("stagelens_no_such_function"));
        QCOMPARE(libc.error(), QStringLiteral("libc.so.6 lacks stagelens_no_such_function"));
    }

    void missingLibrary()
    {
        LazyLibrary none("libstagelens-missing.so.0");
        QVERIFY2(none.error().startsWith(QLatin1String("libstagelens-missing.so.0 is not available: ")),
            qPrintable(none.error()));
        QVERIFY(!none.resolve<void (*)()>("anything"));
    }

    // A library outside every search path (Graphviz's dot plugin in a build tree) is opened from the file
    // named as the fallback; when that fails too, the error names both attempts.
    void fallbackPath()
    {
        const QByteArray real = QByteArrayLiteral(STAGELENS_TEST_GVPLUGIN_DOT_LAYOUT_FILE);
        LazyLibrary found("libstagelens-missing.so.0", real);
        QVERIFY2(found.error().isEmpty(), qPrintable(found.error()));
        QVERIFY(found.resolve<void *>("gvplugin_dot_layout_LTX_library"));
        LazyLibrary neither(
            "libstagelens-missing.so.0", QByteArrayLiteral("/nonexistent/libstagelens-missing.so.0"));
        QVERIFY2(neither.error().startsWith(QLatin1String("libstagelens-missing.so.0 is not available: "))
                && neither.error().contains(QLatin1String("/nonexistent/libstagelens-missing.so.0")),
            qPrintable(neither.error()));
        QVERIFY(!neither.resolve<void (*)()>("anything"));
    }

    // The libraries the program opens on first use load, with every function it asks of them.
    void theProgramsLibraries_data()
    {
        QTest::addColumn<QString>("soname");
        QTest::addColumn<QStringList>("functions");
        QTest::newRow("libgit2") << QStringLiteral(STAGELENS_TEST_LIBGIT2_SONAME)
                                 << QStringList {QStringLiteral("git_libgit2_init"),
                                        QStringLiteral("git_diff_tree_to_tree")};
        QTest::newRow("libarchive") << QStringLiteral(STAGELENS_TEST_LIBARCHIVE_SONAME)
                                    << QStringList {QStringLiteral("archive_read_new"),
                                           QStringLiteral("archive_read_support_format_zip")};
        QTest::newRow("libcrypto") << QStringLiteral(STAGELENS_TEST_LIBCRYPTO_SONAME)
                                   << QStringList {QStringLiteral("SHA256")};
        QTest::newRow("libcgraph") << QStringLiteral(STAGELENS_TEST_LIBCGRAPH_SONAME)
                                   << QStringList {QStringLiteral("agopen"), QStringLiteral("Agdirected")};
        QTest::newRow("libgvc") << QStringLiteral(STAGELENS_TEST_LIBGVC_SONAME)
                                << QStringList {
                                       QStringLiteral("gvContextPlugins"), QStringLiteral("gvLayout")};
    }
    void theProgramsLibraries()
    {
        QFETCH(QString, soname);
        QFETCH(QStringList, functions);
        const QByteArray name = soname.toLatin1();
        LazyLibrary library(name.constData());
        for (const QString &function : functions)
            QVERIFY2(
                library.resolve<void (*)()>(function.toLatin1().constData()), qPrintable(library.error()));
        QVERIFY2(library.error().isEmpty(), qPrintable(library.error()));
    }
};

QTEST_GUILESS_MAIN(TestLazyLibrary)
#include "tst_lazylibrary.moc"
