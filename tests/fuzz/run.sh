#!/bin/bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each one for SECONDS (default 600), one after
# another at the lowest CPU priority, then prints executions, coverage and findings per target.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET ...]        e.g. tests/fuzz/run.sh 60 fuzz_shell
#
# Seeds are copied from the shared corpus into a scratch directory (STAGELENS_FUZZ_WORK, default
# /tmp/stagelens-fuzz); the shared corpus is only read. The corpus each target grows is kept there between
# runs. Crashing inputs are written to WORK/TARGET/artifacts/. Exit status 1 when any target found something.
set -u

SECONDS_PER_TARGET=${1:-600}
shift || true
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${STAGELENS_CORPUS_DIR:-$SRC/../shared/corpus}
BUILD=${STAGELENS_FUZZ_BUILD:-$SRC/build/fuzz}
WORK=${STAGELENS_FUZZ_WORK:-/tmp/stagelens-fuzz}
LOCK=/tmp/stagelens-build.lock

ALL_TARGETS="fuzz_buildgraph fuzz_dockerfile fuzz_logparsers fuzz_buildlog fuzz_linescanner fuzz_rawjson fuzz_buildrecord fuzz_dockerignore fuzz_shell"
TARGETS=${*:-$ALL_TARGETS}

# The largest input worth mutating for each input type: a Dockerfile is a few KB; a log needs room for
# several vertices and builds; an ignore file plus paths and a shell word are small.
max_len() {
    case "$1" in
    fuzz_dockerfile | fuzz_buildgraph) echo 16384 ;;
    fuzz_shell) echo 2048 ;;
    fuzz_buildlog | fuzz_logparsers | fuzz_linescanner) echo 65536 ;;
    fuzz_rawjson) echo 32768 ;;
    fuzz_buildrecord) echo 131072 ;; # the moby/buildkit record is 110 KB
    fuzz_dockerignore) echo 4096 ;;
    esac
}

if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
        -DSTAGELENS_FUZZ=ON "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -g -O1" >/dev/null ||
        exit 2
fi
# shellcheck disable=SC2086
flock "$LOCK" nice -n 19 cmake --build "$BUILD" --target $TARGETS -j2 || exit 2

# Seeds for one target, written into $2 (file names are numbered, contents copied from the corpus).
# The counter is bumped outside redirections: a redirection of an external command runs in the child.
seed() {
    local target=$1 dir=$2 n=0 f
    mkdir -p "$dir"
    case "$target" in
    fuzz_dockerfile | fuzz_buildgraph)
        for f in "$CORPUS"/dockerfiles/*/*Dockerfile* "$CORPUS"/buildkit-parser-testfiles/*/*/Dockerfile \
            "$CORPUS"/buildkit-parser-testfiles/testfile-line/Dockerfile "$CORPUS"/buildkit-real/project/Dockerfile; do
            [ -f "$f" ] && cp "$f" "$dir/seed$((n++))"
        done
        ;;
    fuzz_shell)
        # Each table row's input, with option byte 0 (defaults) and 0x10 (backtick escape).
        for f in "$CORPUS"/buildkit-parser-testfiles/shell/envVarTest "$CORPUS"/buildkit-parser-testfiles/shell/wordsTest; do
            sed -e 's/^[A-Z]*|//' -e 's/ *|.*$//' "$f" | grep -v '^#' | while IFS= read -r line; do
                printf '\000%s' "$line" >"$dir/seed-$(basename "$f")-$((n++))"
            done
        done
        ;;
    fuzz_buildlog | fuzz_linescanner)
        for f in "$CORPUS"/logs/*.log "$CORPUS"/buildkit-real/*.log; do
            n=$((n + 1))
            head -c "$(max_len "$target")" "$f" >"$dir/seed$n"
        done
        ;;
    fuzz_logparsers)
        # Byte 0 picks the parser: each log is offered to all four.
        for f in "$CORPUS"/logs/*.log "$CORPUS"/buildkit-real/0*.log; do
            for p in 0 1 2 3; do
                { printf "\\00$p"; head -c 16384 "$f"; } >"$dir/seed$((n++))"
            done
        done
        ;;
    fuzz_rawjson)
        for f in $(grep -l '^{' "$CORPUS"/logs/*.log); do
            n=$((n + 1))
            head -c "$(max_len "$target")" "$f" >"$dir/seed$n"
        done
        printf '{"vertexes":[{"digest":"sha256:0","name":"[a 1/2] RUN x","started":"2024-01-01T00:00:00Z"}],"logs":[{"vertex":"sha256:0","data":"aGkK"}]}\n' >"$dir/seed$((n++))"
        ;;
    fuzz_buildrecord)
        # Mode byte (see fuzz_buildrecord.cpp), then: the record files; their tars uncompressed; each
        # record's progress stream; each record JSON with its provenance. All taken out of the corpus files.
        local t blob tmp prov
        tmp=$(mktemp -d)
        for f in "$CORPUS"/dockerbuild/*.dockerbuild; do
            n=$((n + 1))
            { printf '\000'; cat "$f"; } >"$dir/seed$n"
            n=$((n + 1))
            { printf '\001'; gzip -dc "$f"; } | head -c "$(max_len "$target")" >"$dir/seed$n"
            t="$tmp/$n"
            mkdir -p "$t" && tar -xzf "$f" -C "$t"
            prov=$(grep -l '"buildType"' "$t"/blobs/sha256/* | head -1)
            for blob in "$t"/blobs/sha256/*; do
                n=$((n + 1))
                if head -c 200 "$blob" | grep -q '"Ref"'; then
                    { printf '\003'; cat "$blob"; printf '\000'; [ -n "$prov" ] && cat "$prov"; } </dev/null |
                        head -c "$(max_len "$target")" >"$dir/seed$n"
                elif ! head -c 1 "$blob" | grep -q '[{]'; then
                    { printf '\002'; cat "$blob"; } | head -c "$(max_len "$target")" >"$dir/seed$n"
                fi
            done
        done
        rm -rf "$tmp"
        ;;
    fuzz_dockerignore)
        for f in "$CORPUS"/dockerfiles/*/.dockerignore "$CORPUS"/dockerfiles/*/*.dockerignore; do
            [ -f "$f" ] || continue
            { cat "$f"; printf '\000src/main.c\nnode_modules/x/y.js\n.git/HEAD\nvendor/a/b.go\nDockerfile\n'; } >"$dir/seed$((n++))"
        done
        ;;
    esac
}

status=0
declare -a SUMMARY
for target in $TARGETS; do
    bin="$BUILD/tests/fuzz/$target"
    dir="$WORK/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    rm -rf "$dir/seeds"
    seed "$target" "$dir/seeds"
    dict="$SRC/tests/fuzz/$target.dict"
    extra=()
    [ -f "$dict" ] && extra+=("-dict=$dict")
    echo "== $target: ${SECONDS_PER_TARGET}s, max_len $(max_len "$target")"
    before=$(ls "$dir/artifacts" | wc -l)
    # UBSan findings must stop the run like ASan ones do.
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        nice -n 19 "$bin" "$dir/corpus" "$dir/seeds" -max_total_time="$SECONDS_PER_TARGET" \
        -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$target")" -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" "${extra[@]}" >"$dir/run.log" 2>&1
    rc=$?
    after=$(ls "$dir/artifacts" | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/run.log" | tail -1 | awk '{print $2}')
    cov=$(grep -o 'cov: [0-9]*' "$dir/run.log" | tail -1 | awk '{print $2}')
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$dir/run.log" | tail -1 | awk '{print $5}')
    if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
        result=ok
    else
        result="FOUND (exit $rc): $(ls -t "$dir/artifacts" | head -1)"
        status=1
    fi
    SUMMARY+=("$(printf '%-18s %6ss %12s execs  cov %6s  %s' "$target" "${secs:-?}" "${execs:-?}" "${cov:-?}" "$result")")
    echo "${SUMMARY[-1]}"
done

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), ${SECONDS_PER_TARGET}s per target; logs in $WORK/TARGET/run.log)"
printf '%s\n' "${SUMMARY[@]}"
exit $status
