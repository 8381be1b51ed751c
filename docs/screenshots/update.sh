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
