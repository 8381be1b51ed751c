#pragma once

// What the advice rules know about package managers: which shell commands install dependencies, which
// files in the context decide what they install (manifests and lockfiles), where they keep downloads (the
// target of a cache mount) and what their output says about downloading. The knowledge comes from each
// tool's documentation and Docker's "Optimize cache usage" guide; see docs/advice.md. QtCore only.

#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

struct PackageManager
{
    QString id; ///< "npm", "pip", "apt", ...
    QString name; ///< as people write it: "npm", "pip", "apt-get"
    /// Files whose content decides what is installed, relative to the folder the install runs in.
    QStringList manifests;
    /// Cache mount targets (for a root user), and whether the cache needs sharing=locked (apt, which holds a
    /// lock on its cache and fails when two builds share it).
    QStringList cacheTargets;
    bool locked = false;
    /// The install only downloads and installs dependencies (it does not build the project's own sources),
    /// so it can run before the sources are copied.
    bool dependenciesOnly = true;
    /// An option that turns the tool's cache off (a cache mount is useless with it).
    QString noCacheOption;
};

/// The install commands in a RUN's shell text, in order of appearance (one entry per tool found).
QList<PackageManager> installsIn(const QString &command);

/// The shell command of a RUN step's text ("RUN --mount=... npm ci" -> "npm ci"); exec form is joined.
QString runCommand(const QString &stepText);

/// Lines of a step's output that show it downloading, and the seconds apt says it spent ("Fetched 45.2 MB
/// in 4s"), when it says so.
struct DownloadEvidence
{
    QStringList lines; ///< at most a few, for the evidence list
    int downloads = 0; ///< number of download lines seen
    std::optional<double> seconds;
};
DownloadEvidence downloadEvidence(const QString &output);

} // namespace Stagelens
