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

# The set the issues ask for, each at 1280x800 and 1920x1080 (#15: CI logs opened alone, one failed;
# #16: Docker's own big Dockerfiles, the example with a what-if, the dark palette, the welcome page).
corpus=${STAGELENS_CORPUS:-$root/../shared/corpus}
# A fresh settings folder: no recent files, theme or window geometry of whoever runs this.
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
shot() { # NAME SIZE ARGS...
    local name=$1 size=$2
    shift 2
    QT_QPA_PLATFORM=offscreen "$binary" "$@" --screenshot "$here/$name-$size.png" --size "$size" 2>/dev/null
    echo "wrote $here/$name-$size.png"
}
for size in 1280x800 1920x1080; do
    shot welcome "$size"
    shot whatif-util-c "$size" "$example/project" "$example/logs/02-edit-src.log" --changed src/util.c
    if [ -d "$corpus" ]; then
        shot ci-log-alone-multistage "$size" "$corpus/logs/LFDT-Paladin-paladin-desktop-linux-long-multistage.log"
        shot ci-log-alone-github-actions "$size" \
            "$corpus/logs/jesuuslopeez-2526_DAW_u2_springboot-gha-full-job-git-context-push.log"
        shot ci-log-alone-failed "$size" "$corpus/logs/langkebo-synapse-rust-context-transfer-progress-run-error.log"
        for name in moby__buildkit docker__cli docker__buildx; do
            shot "dockerfile-${name/__/-}" "$size" "$corpus/dockerfiles/${name}__Dockerfile/Dockerfile"
        done
    fi
done
shot edit-src-dark 1280x800 "$example/project" "$example/logs/02-edit-src.log" --changed src/util.c --theme dark
# The History view with a real trend: the 26 plain runs of the corpus's buildkit-real project (cold build,
# edits, build-arg changes, failures), added in the order they were built to a temporary database, tagged
# with a repository and branch as a CI job would. Needs the shared corpus (CORPUS=.../shared/corpus).
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
# Compare mode (#19): 02-edit-src against 01-nochange of buildkit-real, as a CI job would give them. The
# project's history is rebuilt as regen.sh made it (one commit before, then its 02 edit of src/util.c), and
# each log is put behind the GitHub checkout lines that name its commit, so the window reads the revisions
# from the logs and names the changed file from the history (libgit2).
if [ -d "$corpus/buildkit-real" ] && command -v git > /dev/null; then
    work=$(mktemp -d)
    cp -r "$corpus/buildkit-real/project" "$work/project"
    git -C "$work/project" init -q
    git -C "$work/project" -c user.email=shots@example.com -c user.name=shots add -A
    git -C "$work/project" -c user.email=shots@example.com -c user.name=shots commit -qm "01-nochange"
    before=$(git -C "$work/project" rev-parse HEAD)
    echo 'int helper(void) { return 1; }' >> "$work/project/src/util.c" # regen.sh's edit for case 02
    git -C "$work/project" -c user.email=shots@example.com -c user.name=shots commit -qam "02-edit-src"
    after=$(git -C "$work/project" rev-parse HEAD)
    for pair in "01-nochange:$before" "02-edit-src:$after"; do
        printf '[command]/usr/bin/git log -1 --format=%%H\n%s\n' "${pair#*:}" > "$work/${pair%%:*}.log"
        cat "$corpus/buildkit-real/${pair%%:*}.log" >> "$work/${pair%%:*}.log"
    done
    for size in 1280x800 1920x1080; do
        shot compare-edit-src "$size" "$work/project" "$work/01-nochange.log" "$work/02-edit-src.log" --compare
    done
    shot compare-edit-src-dark 1280x800 "$work/project" "$work/01-nochange.log" "$work/02-edit-src.log" --compare \
        --theme dark
    rm -rf "$work"
fi
