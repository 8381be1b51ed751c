#pragma once

#include <QDir>
#include <QFile>
#include <QString>

#include <clocale>

namespace Stagelens::Test {

/// The read-only shared corpus (shared/corpus next to the repository).
inline QString corpusDir()
{
    return QDir::cleanPath(QStringLiteral(STAGELENS_CORPUS_DIR));
}

inline QString corpusPath(const QString &relative)
{
    return corpusDir() + QLatin1Char('/') + relative;
}

/// Our own fixtures and golden files in tests/data.
inline QString dataPath(const QString &relative)
{
    return QStringLiteral(STAGELENS_TEST_DATA_DIR) + QLatin1Char('/') + relative;
}

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/// A log of `copies` builds in `dir`: the real cold build of buildkit-real again and again, big enough to be
/// read in several chunks. Returns its path (empty when it cannot be written).
inline QString writeRepeatedColdBuild(const QString &dir, int copies)
{
    const QByteArray build = readAll(corpusPath(QStringLiteral("buildkit-real/00-cold.log")));
    const QString path = dir + QStringLiteral("/many.log");
    QFile file(path);
    if (build.isEmpty() || !file.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < copies; ++i)
        file.write(build + '\n');
    return path;
}

/// Graphviz and our number printing expect the C numeric locale, as main() sets it.
inline void setCNumericLocale()
{
    std::setlocale(LC_NUMERIC, "C");
}

} // namespace Stagelens::Test
