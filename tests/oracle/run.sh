#!/bin/bash
# The differential tester of issue #17: random projects and edits, built twice by a real BuildKit, and
# every step's verdict of `stagelens whatif` compared with what BuildKit did. Developers run it; CI does not.
#
#   usage (root, Debian 12):  nice tests/oracle/run.sh [--cases N] [--seed S] [--only CASE ...] [--shrink-budget B]
#   env:  STAGELENS=path      the binary (default build/dev/app/stagelens)
#         OUT=dir             where contradictions are saved (default tests/data/oracle)
#         ORACLE_KEEP=dir      copy every case's folder there at the end (for debugging)
#         SKIP_INSTALL=1      do not apt-get install docker.io / busybox-static
#
# Like shared/corpus/buildkit-real/regen.sh it starts a private dockerd (vfs storage, no bridge, no iptables,
# its own socket and data root in a temp dir), imports a busybox-only rootfs as local base images (no registry,
# every build runs with --network=none), and stops that dockerd by PID at the end. Debian's docker.io 20.10
# embeds BuildKit 0.8: the verdicts found hold for that version (see docs/fidelity.md).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
STAGELENS=$(realpath "${STAGELENS:-$SRC/build/dev/app/stagelens}")
OUT=$(realpath -m "${OUT:-$SRC/tests/data/oracle}")

if [ "$(id -u)" != 0 ]; then
    echo "run.sh: needs root (it starts its own dockerd)" >&2
    exit 2
fi
[ -x "$STAGELENS" ] || { echo "run.sh: $STAGELENS not built (cmake --build --preset dev --target stagelens)" >&2; exit 2; }
if [ "${SKIP_INSTALL:-0}" != 1 ] && { ! command -v dockerd > /dev/null || [ ! -x /bin/busybox ]; }; then
    apt-get install -y -o DPkg::Lock::Timeout=600 docker.io busybox-static > /dev/null
fi
DOCKER=/usr/bin/docker # Debian's 20.10 client, whatever else is first on PATH

WORK=$(mktemp -d -t stagelens-oracle.XXXXXX)
DPID=
cleanup() {
    set +e
    if [ -n "$DPID" ]; then
        kill "$DPID"
        wait "$DPID"
    fi
    grep -o " $WORK[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
    [ -n "${ORACLE_KEEP:-}" ] && cp -a "$WORK/cases" "$ORACLE_KEEP"
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/data" "$WORK/exec"
dockerd --storage-driver=vfs --bridge=none --iptables=false --ip6tables=false \
    --data-root "$WORK/data" --exec-root "$WORK/exec" \
    --pidfile "$WORK/dockerd.pid" -H "unix://$WORK/docker.sock" > "$WORK/dockerd.log" 2>&1 &
DPID=$!
export DOCKER_HOST="unix://$WORK/docker.sock" DOCKER_BUILDKIT=1
for _ in $(seq 1 120); do $DOCKER version > /dev/null 2>&1 && break; sleep 0.5; done
$DOCKER version > /dev/null || { tail -20 "$WORK/dockerd.log" >&2; exit 1; }

# Base images: a busybox rootfs imported under two tags of the same content, and a variant whose config
# differs only in its Env (issue #17 rule 2).
R="$WORK/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
chmod 1777 "$R/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
echo 'root:x:0:' > "$R/etc/group"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$R" -c . > "$WORK/rootfs.tar"
$DOCKER import -c 'ENV PATH=/bin' - localbase:1 < "$WORK/rootfs.tar" > /dev/null
$DOCKER tag localbase:1 localbase:1b
$DOCKER import -c 'ENV PATH=/bin' -c 'ENV FLAVOR=env' - localbase:env < "$WORK/rootfs.tar" > /dev/null

python3 "$HERE/oracle.py" --docker "$DOCKER" --stagelens "$STAGELENS" --work "$WORK/cases" --out "$OUT" "$@"
