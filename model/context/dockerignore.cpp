#include "dockerignore.h"

#include "pathmatch.h"

#include <QFileInfo>

namespace Stagelens {

QStringList parseDockerignore(const QByteArray &text)
{
    QStringList patterns;
    QByteArray data = text;
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);
    // bufio.Scanner splits on \n and drops one \r before it.
    const QList<QByteArray> lines = data.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (i == lines.size() - 1 && line.isEmpty())
            break;
        if (line.endsWith('\r'))
            line.chop(1);
        // Comments are recognised before trimming: " # x" is a pattern, "# x" is not.
        if (line.startsWith('#'))
            continue;
        QString pattern = QString::fromUtf8(line).trimmed();
        if (pattern.isEmpty())
            continue;
        const bool invert = pattern.startsWith(QLatin1Char('!'));
        if (invert)
            pattern = pattern.mid(1).trimmed();
        if (!pattern.isEmpty()) {
            pattern = goCleanPath(pattern);
            if (pattern.size() > 1 && pattern.startsWith(QLatin1Char('/')))
                pattern.remove(0, 1);
        }
        patterns.append(invert ? QLatin1Char('!') + pattern : pattern);
    }
    return patterns;
}

QString findDockerignore(const QString &contextDir, const QString &dockerfilePath)
{
    if (!dockerfilePath.isEmpty()) {
        const QString specific = dockerfilePath + QStringLiteral(".dockerignore");
        if (QFileInfo(specific).isFile())
            return specific;
    }
    const QString general = contextDir + QStringLiteral("/.dockerignore");
    return QFileInfo(general).isFile() ? general : QString();
}

} // namespace Stagelens
