#include "projectscan.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace Stagelens {

namespace {

// Trees a user never keeps their own Dockerfiles in, and that can hold thousands of files.
bool isSkippedDirectory(const QString &name)
{
    static const QStringList skipped {QStringLiteral(".git"), QStringLiteral(".hg"), QStringLiteral(".svn"),
        QStringLiteral("node_modules"), QStringLiteral("vendor"), QStringLiteral("third_party"),
        QStringLiteral(".venv"), QStringLiteral("__pycache__"), QStringLiteral("target"),
        QStringLiteral(".cache"), QStringLiteral(".tox"), QStringLiteral("bower_components")};
    return skipped.contains(name);
}

// A Dockerfile starts, after comments and blank lines, with a known instruction; a log does not.
bool looksLikeDockerfile(const QByteArray &head)
{
    static const QRegularExpression instruction(
        QStringLiteral("^\\s*(FROM|ARG|RUN|COPY|ADD|ENV|LABEL|WORKDIR|ENTRYPOINT|CMD|USER|EXPOSE|VOLUME|"
                       "SHELL|ONBUILD|HEALTHCHECK|STOPSIGNAL|MAINTAINER)\\s"),
        QRegularExpression::CaseInsensitiveOption);
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &raw : lines) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        return instruction.match(QString::fromUtf8(line)).hasMatch();
    }
    return false;
}

} // namespace

bool isDockerfileName(const QString &fileName)
{
    const QString lower = fileName.toLower();
    if (lower.endsWith(QLatin1String(".dockerignore")))
        return false;
    return lower == QLatin1String("dockerfile") || lower == QLatin1String("containerfile")
        || lower.endsWith(QLatin1String(".dockerfile")) || lower.startsWith(QLatin1String("dockerfile."))
        || lower.startsWith(QLatin1String("containerfile."));
}

PathKind classifyPath(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return PathKind::Missing;
    if (info.isDir())
        return PathKind::ProjectFolder;
    const QString name = info.fileName();
    if (name.endsWith(QLatin1String(".log"), Qt::CaseInsensitive)
        || name.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive)
        || name.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return PathKind::BuildLog;
    if (isDockerfileName(name))
        return PathKind::Dockerfile;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return PathKind::BuildLog; // the log reader reports the error with the path
    return looksLikeDockerfile(file.read(8192)) ? PathKind::Dockerfile : PathKind::BuildLog;
}

QStringList findDockerfiles(const QString &folder, int maxEntries)
{
    QStringList found;
    QStringList pending {QString()};
    int seen = 0;
    const QDir root(folder);
    while (!pending.isEmpty() && seen < maxEntries) {
        const QString relative = pending.takeFirst();
        const QDir dir(relative.isEmpty() ? folder : root.filePath(relative));
        const QFileInfoList entries = dir.entryInfoList(
            QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
        for (const QFileInfo &entry : entries) {
            if (++seen > maxEntries)
                break;
            if (entry.isSymLink())
                continue;
            const QString rel =
                relative.isEmpty() ? entry.fileName() : relative + QLatin1Char('/') + entry.fileName();
            if (entry.isDir()) {
                if (!isSkippedDirectory(entry.fileName()))
                    pending.append(rel);
            } else if (isDockerfileName(entry.fileName())) {
                found.append(rel);
            }
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const QString &a, const QString &b) {
        const bool aMain = a == QLatin1String("Dockerfile");
        const bool bMain = b == QLatin1String("Dockerfile");
        if (aMain != bMain)
            return aMain;
        const int aDepth = a.count(QLatin1Char('/'));
        const int bDepth = b.count(QLatin1Char('/'));
        if (aDepth != bDepth)
            return aDepth < bDepth;
        return a < b;
    });
    return found;
}

} // namespace Stagelens
