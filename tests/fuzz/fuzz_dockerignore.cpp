// libFuzzer target: .dockerignore reading and matching. The input is an ignore file, then a NUL byte, then
// paths (one per line) that are matched against it with every entry point: patternmatcher, the walker's
// view, filepath.Match/Clean and COPY source resolution.

#include "model/context/dockerignore.h"
#include "model/context/pathmatch.h"
#include "model/context/patternmatcher.h"
#include "model/context/sourcematcher.h"

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype split = bytes.indexOf('\0');
    const QByteArray ignoreText = split < 0 ? bytes : bytes.left(split);
    QStringList paths = split < 0 ? QStringList {QStringLiteral("a/b/c"), QStringLiteral("src/main.c")}
                                  : QString::fromUtf8(bytes.mid(split + 1)).split(QLatin1Char('\n'));
    // Keep the work per input bounded: the pairwise Match below is patterns x paths.
    if (paths.size() > 32)
        paths.resize(32);

    const QStringList patterns = parseDockerignore(ignoreText);
    const PatternMatcher matcher(patterns);
    for (const QString &path : paths) {
        const QString cleaned = goCleanPath(path);
        if (matcher.isValid()) {
            (void)matcher.matchesOrParentMatches(cleaned);
            (void)matcher.excludedAsWalked(cleaned);
            (void)matcher.canSkipExcludedDir(cleaned);
        }
        int pairs = 0;
        for (const QString &pattern : patterns) {
            if (++pairs > 32)
                break;
            (void)goPathMatch(pattern, cleaned);
            (void)hasGlobMeta(pattern);
        }
    }

    // The same patterns as COPY sources and --exclude patterns.
    CopySpec spec;
    spec.sources = patterns.mid(0, 8);
    spec.excludes = patterns.mid(8, 8);
    spec.parents = !patterns.isEmpty() && patterns.first().contains(QLatin1String("**"));
    const SourceMatcher sources(spec);
    for (const QString &path : paths) {
        (void)sources.reads(goCleanPath(path), false);
        (void)sources.reads(goCleanPath(path), true);
    }
    (void)sources.readsWholeContext();
    return 0;
}
