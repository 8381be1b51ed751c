#include "changeoptions.h"

#include "model/context/contextindex.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace Stagelens::Cli {

ChangeOptions::ChangeOptions(const QString &purpose)
    : m_changed(QStringLiteral("changed"),
        QStringLiteral(
            "a context path (relative to the context folder) whose content, mode or presence changes%1")
            .arg(purpose),
        QStringLiteral("PATH"))
    , m_chmod(QStringLiteral("chmod"), QStringLiteral("a context path whose mode changes%1").arg(purpose),
          QStringLiteral("PATH"))
    , m_touched(QStringLiteral("touched"),
          QStringLiteral("a context path whose mtime only changes (never counts)%1").arg(purpose),
          QStringLiteral("PATH"))
    , m_changedArg(QStringLiteral("changed-arg"),
          QStringLiteral("a build argument whose value changes%1").arg(purpose), QStringLiteral("NAME"))
    , m_changedLine(QStringLiteral("changed-line"),
          QStringLiteral("a Dockerfile line whose text changes%1").arg(purpose), QStringLiteral("N"))
    , m_changedBase(QStringLiteral("changed-base"),
          QStringLiteral("a stage whose base image gets other layers under the same name (a moved tag)%1")
              .arg(purpose),
          QStringLiteral("STAGE"))
{ }

QList<QCommandLineOption> ChangeOptions::options() const
{
    return {m_changed, m_chmod, m_touched, m_changedArg, m_changedLine, m_changedBase};
}

QString ChangeOptions::read(
    const QCommandLineParser &parser, const QString &contextDir, WhatIfChanges *changes) const
{
    changes->args = parser.values(m_changedArg);
    changes->movedBases = parser.values(m_changedBase);
    for (const QString &line : parser.values(m_changedLine)) {
        bool ok = false;
        const int n = line.toInt(&ok);
        if (!ok || n < 1)
            return QStringLiteral("--changed-line takes a line number, not \"%1\"").arg(line);
        changes->lines.append(n);
    }
    const std::pair<const QCommandLineOption *, ChangeKind> kinds[] = {
        {&m_changed, ChangeKind::Content}, {&m_chmod, ChangeKind::Mode}, {&m_touched, ChangeKind::Touched}};
    for (const auto &[option, kind] : kinds) {
        for (const QString &path : parser.values(*option)) {
            bool inside = false;
            const QString relative = ContextIndex::relativePath(path, contextDir, &inside);
            if (!inside || path.isEmpty())
                return QStringLiteral("%1 is not inside %2").arg(path, contextDir);
            // A path that is gone was deleted: the reasons say so.
            const QFileInfo info(contextDir + QLatin1Char('/') + relative);
            const bool gone = !info.exists() && !info.isSymLink();
            changes->paths.append(
                {relative, kind == ChangeKind::Content && gone ? ChangeKind::Deleted : kind});
        }
    }
    return QString();
}

} // namespace Stagelens::Cli
