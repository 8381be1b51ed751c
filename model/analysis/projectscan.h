#pragma once

#include <QString>
#include <QStringList>

namespace Stagelens {

/// What a path given on the command line or dropped on the window is.
enum class PathKind
{
    Missing,
    ProjectFolder,
    Dockerfile,
    BuildLog
};

/// Decides from the name and the first bytes; reads at most a few KiB. Callable from any thread.
PathKind classifyPath(const QString &path);

/// True for the names BuildKit users give Dockerfiles: Dockerfile, *.Dockerfile, Dockerfile.*,
/// Containerfile (not Dockerfile.dockerignore).
bool isDockerfileName(const QString &fileName);

/// The Dockerfiles of a project folder, relative to it, sorted with `Dockerfile` first and then by depth
/// and name. Skips VCS, dependency and build trees (.git, node_modules, vendor, ...), never follows
/// symlinks, and stops after `maxEntries` directory entries so a huge tree cannot stall the caller.
QStringList findDockerfiles(const QString &folder, int maxEntries = 200000);

} // namespace Stagelens
