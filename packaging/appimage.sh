#!/usr/bin/env bash
# Builds a Stagelens AppImage from the CMake install tree with linuxdeploy and linuxdeploy-plugin-qt.
#
#   packaging/appimage.sh [--appdir-only] [BUILD_DIR [OUT_DIR]]
#
#   BUILD_DIR  a configured and built CMake tree (default: build/release; build it with
#              `cmake --preset release && cmake --build --preset release`)
#   OUT_DIR    where AppDir/ and the .AppImage go (default: BUILD_DIR/appimage)
#   --appdir-only  stop after laying out and checking the AppDir (needs no linuxdeploy)
#
# linuxdeploy is not packaged by Debian. Download linuxdeploy-x86_64.AppImage and
# linuxdeploy-plugin-qt-x86_64.AppImage from the linuxdeploy project's GitHub releases, make them
# executable and put both in the same folder on PATH, or point to them with:
#   LINUXDEPLOY=/path/to/linuxdeploy-x86_64.AppImage   (the plugin is looked up next to it and on PATH)
# Other settings (environment):
#   QMAKE    the Qt 6 qmake whose plugins get bundled (default: qmake6, then /usr/lib/qt6/bin/qmake)
#   ARCH     target architecture for the file name (default: uname -m)
#   APPIMAGE_EXTRACT_AND_RUN=1  lets the linuxdeploy AppImages run where FUSE is missing (containers, CI)
#
# The Graphviz dot layout plugin is linked into the binary and registered as a builtin, so the image
# needs no Graphviz config file; linuxdeploy copies the plugin library like any other dependency.
# Exit status: 0 success, 1 a step failed, 2 usage or a missing tool.
set -euo pipefail

die() {
    echo "appimage.sh: $2" >&2
    exit "$1"
}

appdir_only=0
args=()
for a in "$@"; do
    case $a in
    --appdir-only) appdir_only=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    -*) die 2 "unknown option $a (see --help)" ;;
    *) args+=("$a") ;;
    esac
done
[ ${#args[@]} -le 2 ] || die 2 "too many arguments (see --help)"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${args[0]:-$here/build/release}
[ -f "$build_dir/cmake_install.cmake" ] \
    || die 2 "$build_dir is not a configured CMake build tree; run: cmake --preset release && cmake --build --preset release"
build_dir=$(cd "$build_dir" && pwd)
out_dir=${args[1]:-$build_dir/appimage}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
appdir=$out_dir/AppDir
arch=${ARCH:-$(uname -m)}

# Look the tools up before the (slow) install step so that a missing one fails at once.
linuxdeploy=""
plugin=""
if [ $appdir_only -eq 0 ]; then
    linuxdeploy=${LINUXDEPLOY:-}
    if [ -z "$linuxdeploy" ]; then
        for name in linuxdeploy "linuxdeploy-$arch.AppImage" linuxdeploy.AppImage; do
            if command -v "$name" >/dev/null 2>&1; then
                linuxdeploy=$(command -v "$name")
                break
            fi
        done
    fi
    if [ -z "$linuxdeploy" ] || [ ! -x "$linuxdeploy" ]; then
        die 2 "linuxdeploy not found (Debian does not package it). Download linuxdeploy-$arch.AppImage and
linuxdeploy-plugin-qt-$arch.AppImage from the linuxdeploy GitHub releases, chmod +x both, and put them on
PATH or set LINUXDEPLOY=/path/to/linuxdeploy-$arch.AppImage. Use --appdir-only to lay out the AppDir without it."
    fi
    # linuxdeploy finds its plugins next to itself or on PATH, under these names.
    for candidate in "$(dirname "$linuxdeploy")/linuxdeploy-plugin-qt-$arch.AppImage" \
        "$(dirname "$linuxdeploy")/linuxdeploy-plugin-qt" \
        "$(command -v "linuxdeploy-plugin-qt-$arch.AppImage" 2>/dev/null || true)" \
        "$(command -v linuxdeploy-plugin-qt 2>/dev/null || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            plugin=$candidate
            break
        fi
    done
    [ -n "$plugin" ] || die 2 "linuxdeploy-plugin-qt not found next to $linuxdeploy or on PATH; download
linuxdeploy-plugin-qt-$arch.AppImage from the linuxdeploy-plugin-qt GitHub releases and chmod +x it"

    if [ -z "${QMAKE:-}" ]; then
        QMAKE=$(command -v qmake6 2>/dev/null || true)
        [ -n "$QMAKE" ] || QMAKE=/usr/lib/qt6/bin/qmake
    fi
    [ -x "$QMAKE" ] || die 2 "no Qt 6 qmake at $QMAKE (Debian: qt6-base-dev-tools); set QMAKE"
    export QMAKE
fi

# 1. The AppDir is exactly what `cmake --install` lays out under /usr: same tree as the .deb.
rm -rf "$appdir"
DESTDIR=$appdir cmake --install "$build_dir" --prefix /usr >/dev/null \
    || die 1 "cmake --install $build_dir failed"

desktop=$(find "$appdir/usr/share/applications" -maxdepth 1 -name '*.desktop' -print -quit 2>/dev/null || true)
[ -n "$desktop" ] || die 1 "no .desktop file in the install tree"
icon_name=$(sed -n 's/^Icon=//p' "$desktop" | head -n 1)
icon=$appdir/usr/share/icons/hicolor/256x256/apps/$icon_name.png
[ -f "$icon" ] || die 1 "no 256x256 icon $icon_name.png in the install tree (is rsvg-convert installed?)"
binary=$appdir/usr/bin/stagelens
[ -x "$binary" ] || die 1 "no usr/bin/stagelens in the install tree (build the stagelens target first)"
compgen -G "$appdir/usr/lib*/stagelens/libstagelens_plots.so" >/dev/null \
    || compgen -G "$appdir/usr/lib/*/stagelens/libstagelens_plots.so" >/dev/null \
    || die 1 "no lib*/stagelens/libstagelens_plots.so in the install tree (build the stagelens_plots target first)"

if [ $appdir_only -eq 1 ]; then
    echo "$appdir"
    exit 0
fi

# 2. linuxdeploy copies every shared library the binary needs (including the Graphviz dot plugin reached
#    through its RUNPATH) and rewrites RPATHs; the Qt plugin adds Qt's plugins. The SVG module is
#    loaded only at run time (SVG icons), so it is named explicitly; the offscreen platform keeps
#    `--screenshot` and the headless subcommands working without a display.
platforms=$("$QMAKE" -query QT_INSTALL_PLUGINS)/platforms
extra_platforms="libqoffscreen.so"
for p in libqwayland-egl.so libqwayland-generic.so; do
    [ -f "$platforms/$p" ] && extra_platforms="$extra_platforms;$p"
done
export EXTRA_QT_MODULES="svg"
export EXTRA_QT_PLUGINS="svg" # the name older plugin releases read
export EXTRA_PLATFORM_PLUGINS="$extra_platforms"

version=$(QT_QPA_PLATFORM=offscreen "$binary" --version 2>/dev/null | awk '{print $2; exit}')
output="Stagelens-${version:-unknown}-$arch.AppImage"
export LDAI_OUTPUT="$output" OUTPUT="$output" # names read by the appimage output plugin, new and old
export ARCH="$arch"
plugin_dir=$(dirname "$plugin")
export PATH="$plugin_dir:$PATH"

# Libraries opened on first use (libgit2, libarchive, libcrypto: dlopen by the SONAMEs the binary carries) are
# no NEEDED entries, so linuxdeploy would not see them: named here.
extra_libraries=()
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
runpath=$(readelf -d "$binary" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p' | tr ':' ' ')
for soname in $(strings "$binary" | grep -E '^lib[A-Za-z0-9_+-]+\.so\.[0-9]+(\.[0-9]+)*$' | sort -u); do
    grep -qxF "$soname" <<<"$needed" && continue
    path=$(ldconfig -p | awk -v l="$soname" '$1 == l {print $NF; exit}')
    for dir in $runpath; do # Graphviz's dot plugin lies in its private folder, named by the RUNPATH
        [ -z "$path" ] && [ -e "$dir/$soname" ] && path=$dir/$soname
    done
    [ -n "$path" ] || die 1 "cannot find $soname (ldconfig -p) to bundle"
    extra_libraries+=(--library "$path")
done

# The charts' module stays where the binary looks for it (<bindir>/../<libdir>/stagelens, ui/plots/plotcharts.h);
# linuxdeploy bundles what it links (QCustomPlot, Qt PrintSupport) without moving it.
for module in "$appdir"/usr/lib*/stagelens/libstagelens_plots.so "$appdir"/usr/lib/*/stagelens/libstagelens_plots.so; do
    [ -f "$module" ] && extra_libraries+=(--deploy-deps-only "$module")
done

cd "$out_dir"
"$linuxdeploy" --appdir "$appdir" --plugin qt --output appimage \
    --executable "$binary" --desktop-file "$desktop" --icon-file "$icon" "${extra_libraries[@]}" \
    || die 1 "linuxdeploy failed"
[ -f "$out_dir/$output" ] || die 1 "linuxdeploy did not write $output"
echo "$out_dir/$output"
