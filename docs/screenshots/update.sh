#!/usr/bin/env bash
# Regenerates the screenshots referenced by the AppStream metainfo (packaging/stagelens.metainfo.xml.in)
# with the GUI's own --screenshot, on the bundled example project and one of its real BuildKit logs.
#   docs/screenshots/update.sh [BINARY]     (default: build/dev/app/stagelens)
# Needs no display: the offscreen platform renders the window.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=${1:-$root/build/dev/app/stagelens}
[ -x "$binary" ] || { echo "update.sh: no stagelens binary at $binary (build it, or pass its path)" >&2; exit 2; }

example=$root/resources/example
QT_QPA_PLATFORM=offscreen "$binary" "$example/project" "$example/logs/02-edit-src.log" \
    --screenshot "$here/main-window.png" --size 1600x1000
echo "wrote $here/main-window.png"

# The History view with a real trend: the 26 plain runs of the corpus's buildkit-real project (cold build,
# edits, build-arg changes, failures), added in the order they were built to a temporary database, tagged
# with a repository and branch as a CI job would. Needs the shared corpus (CORPUS=.../shared/corpus).
corpus=${CORPUS:-$root/../shared/corpus}
if [ -d "$corpus/buildkit-real" ]; then
    db=$(mktemp -d)/history.sqlite
    for log in "$corpus"/buildkit-real/[0-2][0-9]-*.log; do
        case $(basename "$log") in 26-* | 27-*) continue ;; esac # the tty capture, the unsupported rawjson run
        "$binary" history add --db "$db" --repo example/buildkit-real --branch main "$log" > /dev/null
    done
    QT_QPA_PLATFORM=offscreen "$binary" --db "$db" --history "$corpus/buildkit-real/project" \
        "$corpus/buildkit-real/25-revert-all-to-initial.log" --screenshot "$here/history-buildkit-real-1280x800.png" \
        --size 1280x800
    rm -rf "$(dirname "$db")"
    echo "wrote $here/history-buildkit-real-1280x800.png"
fi
