#include "buildcomparison.h"

#include "model/compare/gitrevisions.h"
#include "model/context/dockerignore.h"
#include "model/context/patternmatcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Stagelens {

QString revisionOf(const BuildRun &run)
{
    if (run.record && !run.record->vcsRevision.isEmpty())
        return run.record->vcsRevision;
    return run.revision;
}

bool addRevisionChanges(CompareContext *context, const QString &project, const QString &dockerfile,
    const QString &from, const QString &to, const QString &note, QString *error)
{
    const QString root = repositoryRoot(project);
    const std::optional<QStringList> changed = changedPaths(project, from, to, error);
    if (!changed)
        return false;
    const QString contextDir = QDir(project).absolutePath();
    const QString prefix = QDir(root).relativeFilePath(contextDir);
    QStringList ignorePatterns;
    const QString ignoreFile = findDockerignore(contextDir, dockerfile);
    if (!ignoreFile.isEmpty()) {
        QFile f(ignoreFile);
        if (f.open(QIODevice::ReadOnly))
            ignorePatterns = parseDockerignore(f.readAll());
    }
    const PatternMatcher ignore(ignorePatterns);
    bool dockerfileChanged = false;
    const QString dockerfileRelative = dockerfile.isEmpty()
        ? QString()
        : QDir(root).relativeFilePath(QFileInfo(dockerfile).absoluteFilePath());
    QStringList files;
    for (const QString &path : *changed) {
        if (path == dockerfileRelative)
            dockerfileChanged = true;
        QString relative = path;
        if (!prefix.isEmpty() && prefix != QLatin1String(".")) {
            if (!path.startsWith(prefix + QLatin1Char('/')))
                continue;
            relative = path.mid(prefix.size() + 1);
        }
        if (ignore.isValid() && !ignore.isEmpty() && ignore.matchesOrParentMatches(relative))
            continue;
        files.append(relative);
    }
    context->changedFiles = files;
    context->dockerfileChanged = dockerfileChanged;
    context->revisionsNote = note;
    return true;
}

BuildComparison compareForDisplay(const BuildGraph &graph, const BuildRun &before, const BuildRun &after,
    const CompareContext &context, const QString &project, const QString &dockerfile)
{
    BuildComparison c;
    c.beforeRevision = revisionOf(before);
    c.afterRevision = revisionOf(after);
    CompareContext withHistory = context;
    QString error;
    if (!project.isEmpty() && !c.beforeRevision.isEmpty() && !c.afterRevision.isEmpty()
        && !repositoryRoot(project).isEmpty())
        addRevisionChanges(&withHistory, project, dockerfile, c.beforeRevision, c.afterRevision,
            QStringLiteral("the builds' revisions %1..%2")
                .arg(c.beforeRevision.left(12), c.afterRevision.left(12)),
            &error); // a revision the clone does not have: compared without history
    c.result = compareBuilds(before, after, withHistory);
    c.before = before;
    c.after = after;
    c.beforeAnalysis = analyseBuild(graph, before);
    c.afterAnalysis = analyseBuild(graph, after);
    c.changedFiles = withHistory.changedFiles;
    return c;
}

} // namespace Stagelens
