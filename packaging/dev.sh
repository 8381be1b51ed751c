#!/usr/bin/env bash
# Developer entry point: install what is missing (Debian 12, as root), build, and run or test.
#   packaging/dev.sh run     build (dev preset) and open the GUI on the bundled example
#   packaging/dev.sh test    build the asan preset and run the whole test suite with CTest under ASan+UBSan
#   packaging/dev.sh deps    only install the Debian packages
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-svg-dev libgl-dev
    libgraphviz-dev graphviz libqcustomplot-dev libsimdjson-dev
    libarchive-dev libprotobuf-dev protobuf-compiler libgit2-dev libssl-dev patch
    clang libclang-rt-14-dev clang-format lld
    xvfb xauth poppler-utils fonts-dejavu-core
    desktop-file-utils appstream dpkg-dev file jq librsvg2-bin help2man bash-completion
    libqt6sql6-sqlite libqt6sql6-psql postgresql-15 sqlite3
)

install_deps() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "dev.sh: installing ${missing[*]}" >&2
        if [ "$(id -u)" -ne 0 ]; then
            echo "dev.sh: missing packages and not root; run as root or install: ${missing[*]}" >&2
            exit 2
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

build() {
    local preset=$1
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
}

cmd=${1:-run}
case "$cmd" in
deps)
    install_deps
    ;;
run)
    install_deps
    build dev
    example="$here/resources/example"
    args=("$example/project" "$example/logs/02-edit-src.log")
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
        # No display (a fresh server or container): run inside a virtual X server.
        exec xvfb-run -a -s "-screen 0 1600x1000x24" "$here/build/dev/app/stagelens" "${args[@]}"
    fi
    exec "$here/build/dev/app/stagelens" "${args[@]}"
    ;;
test)
    # One build for the whole suite, under the sanitizers: a second, plain build of the same tests found
    # nothing more and doubled CI's time (20 minutes on 2 cores). `ctest --preset dev` runs them without.
    install_deps
    build asan
    QT_QPA_PLATFORM=offscreen ctest --preset asan -j2
    ;;
*)
    echo "usage: packaging/dev.sh run|test|deps" >&2
    exit 2
    ;;
esac
