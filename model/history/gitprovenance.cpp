#include "gitprovenance.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace Stagelens {

namespace {

// Git's own files are small; anything past this is not one of them and is not read.
constexpr qint64 MaxSmallFile = 64 * 1024;
constexpr qint64 MaxPackedRefs = 16 * 1024 * 1024;
constexpr int MaxParents = 64;

QByteArray readSmall(const QString &path, qint64 limit = MaxSmallFile)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > limit)
        return {};
    return file.readAll();
}

bool isSha(const QByteArray &text)
{
    static const QRegularExpression Sha(QStringLiteral("^[0-9a-f]{40}([0-9a-f]{24})?$"));
    return Sha.match(QString::fromLatin1(text)).hasMatch();
}

// The git directory of `folder`'s repository, and the common directory that holds refs and config (a
// linked worktree's .git is a file naming its own git dir, whose "commondir" names the main one).
bool findGitDir(const QString &folder, QString *gitDir, QString *commonDir)
{
    QDir dir(QFileInfo(folder).isDir() ? folder : QFileInfo(folder).absolutePath());
    for (int i = 0; i < MaxParents; ++i) {
        const QFileInfo dotGit(dir.filePath(QStringLiteral(".git")));
        if (dotGit.isDir()) {
            *gitDir = dotGit.absoluteFilePath();
        } else if (dotGit.isFile()) {
            const QByteArray text = readSmall(dotGit.absoluteFilePath()).trimmed();
            if (!text.startsWith("gitdir:"))
                return false;
            *gitDir = QDir(dir).absoluteFilePath(QString::fromUtf8(text.mid(7).trimmed()));
        }
        if (!gitDir->isEmpty()) {
            const QByteArray common = readSmall(*gitDir + QStringLiteral("/commondir")).trimmed();
            *commonDir = common.isEmpty()
                ? *gitDir
                : QDir::cleanPath(QDir(*gitDir).absoluteFilePath(QString::fromUtf8(common)));
            return QFileInfo(*gitDir + QStringLiteral("/HEAD")).isFile();
        }
        if (!dir.cdUp())
            return false;
    }
    return false;
}

QString resolveRef(const QString &gitDir, const QString &commonDir, const QString &ref)
{
    // Refs are paths under the git dir: refuse anything that could walk out of it.
    if (ref.contains(QLatin1String("..")) || !ref.startsWith(QLatin1String("refs/")))
        return {};
    for (const QString &base : {gitDir, commonDir}) {
        const QByteArray sha = readSmall(base + QLatin1Char('/') + ref).trimmed();
        if (isSha(sha))
            return QString::fromLatin1(sha);
    }
    const QByteArray packed = readSmall(commonDir + QStringLiteral("/packed-refs"), MaxPackedRefs);
    const QByteArray suffix = ' ' + ref.toUtf8();
    for (const QByteArray &line : packed.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.endsWith(suffix) && isSha(trimmed.left(trimmed.size() - suffix.size())))
            return QString::fromLatin1(trimmed.left(trimmed.size() - suffix.size()));
    }
    return {};
}

// "owner/name" from the origin remote's URL (https://host/owner/name.git, git@host:owner/name.git).
QString repositoryName(const QString &commonDir)
{
    const QString config = QString::fromUtf8(readSmall(commonDir + QStringLiteral("/config")));
    bool inOrigin = false;
    for (const QString &raw : config.split(QLatin1Char('\n'))) {
        const QString line = raw.trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            inOrigin = line == QLatin1String("[remote \"origin\"]");
            continue;
        }
        if (!inOrigin || !line.startsWith(QLatin1String("url")))
            continue;
        QString url = line.section(QLatin1Char('='), 1).trimmed();
        if (url.endsWith(QLatin1String(".git")))
            url.chop(4);
        url.replace(QLatin1Char(':'), QLatin1Char('/'));
        const QStringList parts = url.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (parts.size() >= 2)
            return parts.at(parts.size() - 2) + QLatin1Char('/') + parts.last();
        return {};
    }
    return {};
}

} // namespace

HistoryProvenance readGitProvenance(const QString &folder)
{
    HistoryProvenance provenance;
    QString gitDir;
    QString commonDir;
    if (folder.isEmpty() || !findGitDir(folder, &gitDir, &commonDir))
        return provenance;
    const QByteArray head = readSmall(gitDir + QStringLiteral("/HEAD")).trimmed();
    if (head.startsWith("ref:")) {
        const QString ref = QString::fromUtf8(head.mid(4).trimmed());
        if (ref.startsWith(QLatin1String("refs/heads/")))
            provenance.branch = ref.mid(11);
        provenance.commit = resolveRef(gitDir, commonDir, ref); // empty on a branch without commits
    } else if (isSha(head)) {
        provenance.commit = QString::fromLatin1(head);
    }
    provenance.repo = repositoryName(commonDir);
    if (provenance.repo.isEmpty())
        provenance.repo = QFileInfo(commonDir).dir().dirName(); // the folder holding .git
    return provenance;
}

} // namespace Stagelens
