#include "symlinkresolver.h"

#include "contextindex.h"

#include <QFile>
#include <QSet>

#include <algorithm>

namespace Stagelens {

namespace {

// continuity's fs.RootPath gives up after this many links ("too many links").
constexpr int MaxLinks = 255;
constexpr int ChainShown = 6; // a loop message names the first few links only

QString joinPath(const QString &dir, const QString &name)
{
    return dir.isEmpty() ? name : dir + QLatin1Char('/') + name;
}

QString parentOf(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : path.left(slash);
}

QString chainText(const QStringList &chain)
{
    QStringList shown = chain.mid(0, ChainShown);
    if (chain.size() > ChainShown)
        shown.append(QStringLiteral("..."));
    return shown.join(QStringLiteral(" -> "));
}

} // namespace

LinkResolution resolveSymlinks(const ContextIndex &index, const QString &path, bool followFinal)
{
    LinkResolution out;
    // Components still to walk, the last one first (so a link target is pushed in front cheaply).
    QStringList pending = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    std::reverse(pending.begin(), pending.end());
    QString resolved; // "" = the context root
    QStringList chain; // "a -> b" steps, for messages
    // A link met again with the same components left means the walk repeats forever.
    QSet<QString> seen;
    while (!pending.isEmpty()) {
        const QString name = pending.takeLast();
        if (name == QLatin1String("."))
            continue;
        if (name == QLatin1String("..")) {
            resolved = parentOf(resolved); // clamped at the root, like BuildKit's scoped join
            continue;
        }
        const QString candidate = joinPath(resolved, name);
        const int at = index.indexOf(candidate);
        if (at < 0) {
            out.path = candidate;
            for (auto it = pending.crbegin(); it != pending.crend(); ++it)
                out.path = joinPath(out.path, *it);
            return out;
        }
        const ContextEntry &entry = index.entries().at(at);
        if (entry.ignored) {
            out.path = candidate;
            out.error = QStringLiteral("%1 is excluded by the ignore file").arg(candidate);
            return out;
        }
        if (entry.type != EntryType::Symlink || (pending.isEmpty() && !followFinal)) {
            resolved = candidate;
            continue;
        }
        const std::optional<QByteArray> target = index.linkTarget(at);
        if (!target || target->isEmpty()) {
            out.path = candidate;
            out.error = QStringLiteral("cannot read symlink %1").arg(candidate);
            return out;
        }
        const QString targetText = QFile::decodeName(*target);
        chain.append(candidate);
        const QString state = candidate + QChar(0) + pending.join(QLatin1Char('/'));
        if (seen.contains(state) || out.links.size() >= MaxLinks) {
            out.path = candidate;
            out.error = seen.contains(state)
                ? QStringLiteral("symlink loop: %1").arg(chainText(chain))
                : QStringLiteral("more than %1 symlinks: %2").arg(MaxLinks).arg(chainText(chain));
            out.links.clear();
            return out;
        }
        seen.insert(state);
        out.links.append(at);
        if (targetText.startsWith(QLatin1Char('/')))
            resolved.clear();
        // else: resolved is still the link's folder
        QStringList parts = targetText.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        for (auto it = parts.crbegin(); it != parts.crend(); ++it)
            pending.append(*it);
    }
    out.path = resolved.isEmpty() ? QStringLiteral(".") : resolved;
    // The root has no entry of its own: callers treat "." as the whole context.
    out.entry = resolved.isEmpty() ? -1 : index.indexOf(resolved);
    return out;
}

} // namespace Stagelens
