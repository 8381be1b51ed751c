#!/usr/bin/env python3
"""The generator and comparator behind tests/oracle/run.sh (issue #17).

For each case: a random project (context files, .dockerignore, a single- or multi-stage Dockerfile) is built
with the plain progress, one random edit is applied, `stagelens whatif` predicts every step's verdict for
that edit (with the first build's log), the project is built again, and each verdict is compared with the
status BuildKit printed: `rerun` must be DONE, `cached` must be CACHED, `maybe` may be either (counted).
A contradiction is saved with its project, edit, logs and prediction under OUT/<seed>-<case>/.

The build logs are read here with a few regular expressions, independently of Stagelens' own reader.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

BASES = ["localbase:1", "localbase:1b", "localbase:env"]


# ---------------------------------------------------------------------------------------------------------
# Project generation


class Project:
    def __init__(self, rng):
        self.rng = rng
        self.files = {}  # path -> (bytes, mode)
        self.links = {}  # path -> target
        self.ignore = []  # .dockerignore lines
        self.dockerfile = []  # lines
        self.args = {}  # build args given on the command line

    def write(self, root):
        for path, (data, mode) in self.files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            os.chmod(full, mode)
        for path, target in self.links.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            os.symlink(target, full)
        if self.ignore:
            with open(os.path.join(root, ".dockerignore"), "w") as f:
                f.write("\n".join(self.ignore) + "\n")
        with open(os.path.join(root, "Dockerfile"), "w") as f:
            f.write("\n".join(self.dockerfile) + "\n")


def ignored(patterns, path):
    """.dockerignore's verdict for a context path (the last matching rule wins, '!' re-includes; a rule
    also covers everything under a directory it matches). Enough for the patterns generated here."""
    def matches(pattern, candidate):
        rx = "^" + re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*") + "$"
        return re.match(rx, candidate) is not None
    result = False
    parts = path.split("/")
    for pattern in patterns:
        neg = pattern.startswith("!")
        pat = pattern[1:] if neg else pattern
        if any(matches(pat, "/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            result = not neg
    return result


def words(rng, n):
    vocab = ["alpha", "beta", "gamma", "delta", "omega", "lambda", "sigma", "kappa", "zeta", "theta"]
    return " ".join(rng.choice(vocab) for _ in range(n))


def generate(rng):
    p = Project(rng)
    for d in ["src", "src/sub", "data", "docs", "assets"]:
        for i in range(rng.randint(1, 3)):
            ext = rng.choice(["txt", "c", "md", "tmp", "css"])
            p.files[f"{d}/f{i}.{ext}"] = ((words(rng, rng.randint(1, 8)) + "\n").encode(), 0o644)
    p.files["notes.txt"] = (b"notes\n", 0o644)
    p.files["build.sh"] = (b"#!/bin/sh\necho built\n", 0o755)
    if rng.random() < 0.3:
        p.links["src/link.txt"] = next(os.path.basename(f) for f in sorted(p.files)
                                       if f.startswith("src/") and f.count("/") == 1)
    if rng.random() < 0.6:
        pool = ["docs", "*.md", "**/*.tmp", "!docs/keep.md", "assets/*.css", "notes.txt", "data/f1.*"]
        p.ignore = rng.sample(pool, rng.randint(1, 3))
        if "!docs/keep.md" in p.ignore:
            p.files["docs/keep.md"] = (b"keep\n", 0o644)

    nstages = rng.choice([1, 1, 2, 2, 3])
    lines = []
    if rng.random() < 0.3:
        lines += ["ARG BASE=localbase:1"]
    names = []
    for s in range(nstages):
        named = nstages > 1 and rng.random() < 0.8
        name = f"s{s}" if named else None
        base = "${BASE}" if lines and lines[0].startswith("ARG BASE") and rng.random() < 0.5 else "localbase:1"
        if s > 0 and rng.random() < 0.3 and names[-1]:
            base = names[-1]
        lines.append(f"FROM {base}" + (f" AS {name}" if name else ""))
        lines.append("RUN mkdir -p /out && echo stage{} > /out/id".format(s))
        earlier = [n for n in names if n]
        for _ in range(rng.randint(2, 6)):
            lines += instruction(rng, p, s, earlier)
        names.append(name)
    p.dockerfile = lines
    return p


def instruction(rng, p, s, earlier):
    kind = rng.choice(["workdir", "arg", "env", "copy", "copy", "copydir", "copyglob", "copyall", "run",
                       "run", "runarg", "bind", "cache", "copyfrom", "bindfrom", "label", "chmod"])
    # Only sources the context has after .dockerignore: a missing source fails the build.
    files = sorted(f for f in p.files if not ignored(p.ignore, f))
    ctx_dirs = [d for d in ["src/", "src/sub/", "data/", "docs/", "assets/"] if any(f.startswith(d) for f in files)]
    globs = [g for g in ["src/*.txt", "src/*.c", "*.txt", "data/*"]
             if any(re.match("^" + g.replace(".", r"\.").replace("*", "[^/]*") + "$", f) for f in files)]
    if not files:
        return [f"RUN echo {words(rng, 1)} > /out/z{rng.randint(0, 99)}"]
    if kind == "copydir" and not ctx_dirs or kind == "copyglob" and not globs:
        kind = "copy"
    if kind == "workdir":
        return [f"WORKDIR /w{s}{rng.randint(0, 9)}"]
    if kind == "arg":
        name = rng.choice(["V1", "V2"])
        p.args.setdefault(name, "a")
        return [f"ARG {name}"]
    if kind == "env":
        return [f"ENV E{rng.randint(0, 3)}={rng.choice(['x', 'y'])}"]
    if kind == "copy":
        f = rng.choice(files)
        return [f"COPY {f} /in/{os.path.basename(f)}"]
    if kind == "chmod":
        f = rng.choice(files)
        return [f"COPY --chmod=755 {f} /in/x{rng.randint(0, 9)}"]
    if kind == "copydir":
        d = rng.choice(ctx_dirs)
        return [f"COPY {d} /in/{d}"]
    if kind == "copyglob":
        return [f"COPY {rng.choice(globs)} /in/g/"]
    if kind == "copyall":
        return ["COPY . /ctx/"]
    if kind == "run":
        return [f"RUN echo {words(rng, 2)} > /out/r{rng.randint(0, 99)}"]
    if kind == "runarg":
        name = rng.choice(["V1", "V2"])
        p.args.setdefault(name, "a")
        return [f"ARG {name}", f"RUN echo ${name} > /out/a{rng.randint(0, 99)}"]
    if kind == "bind":
        d = rng.choice([x for x in ["src", "data", "notes.txt"] if any(f == x or f.startswith(x + "/") for f in files)]
                       or ["."])
        # A fresh target per mount: a file cannot be mounted where an earlier mount left a directory.
        t = f"/m{rng.randint(0, 999)}"
        return [f"RUN --mount=type=bind,source={d},target={t} cat {t} >/dev/null 2>&1 || ls {t} > /out/b"]
    if kind == "cache":
        return ["RUN --mount=type=cache,target=/c echo c > /c/x"]
    if kind == "copyfrom" and earlier:
        return [f"COPY --from={rng.choice(earlier)} /out/ /from/"]
    if kind == "bindfrom" and earlier:
        return [f"RUN --mount=type=bind,from={rng.choice(earlier)},source=/out,target=/m ls /m > /out/m"]
    if kind == "label":
        return [f"LABEL l{rng.randint(0, 9)}=v"]
    return [f"RUN echo {words(rng, 1)} > /out/z{rng.randint(0, 99)}"]


# ---------------------------------------------------------------------------------------------------------
# Edits: (description, whatif arguments, function applying it to the project dir, run whatif after it)


def choose_edit(rng, p, root):
    files = sorted(p.files)
    text = "\n".join(p.dockerfile)
    # Deleting or ignoring a file a COPY names would only make the build fail.
    unnamed = [f for f in files if f not in text] or files
    kinds = ["content", "content", "content", "chmod", "touch", "delete", "add", "arg", "line", "ignore",
             "base"]
    kind = rng.choice(kinds)
    f = rng.choice(files)
    if kind == "content":
        def apply():
            with open(os.path.join(root, f), "ab") as h:
                h.write(b"more\n")
        return f"edit content of {f}", ["--changed", f], apply, False
    if kind == "chmod":
        def apply():
            full = os.path.join(root, f)
            os.chmod(full, os.stat(full).st_mode ^ 0o111)
        return f"chmod +-x {f}", ["--changed", f], apply, False
    if kind == "touch":
        def apply():
            os.utime(os.path.join(root, f), (time.time() + 3600, time.time() + 3600))
        return f"touch {f} (mtime only)", [], apply, False
    if kind == "delete":
        f = rng.choice(unnamed)

        def apply():
            os.remove(os.path.join(root, f))
        return f"delete {f}", ["--changed", f], apply, False
    if kind == "add":
        d = rng.choice(["src", "src/sub", "data", "docs", "assets", "."])
        new = os.path.normpath(f"{d}/new{rng.randint(0, 9)}.{rng.choice(['txt', 'c', 'md', 'tmp'])}")

        def apply():
            os.makedirs(os.path.dirname(os.path.join(root, new)), exist_ok=True)
            with open(os.path.join(root, new), "wb") as h:
                h.write(b"new\n")
        return f"add {new}", ["--changed", new], apply, True
    if kind == "arg" and p.args:
        name = rng.choice(sorted(p.args))
        return f"build-arg {name}=a -> b", ["--changed-arg", name], ("arg", name, "b"), False
    if kind in ("line", "base"):
        candidates = [i for i, l in enumerate(p.dockerfile)
                      if (l.startswith("RUN echo") if kind == "line" else l.startswith("FROM localbase:1"))]
        if candidates:
            i = rng.choice(candidates)
            old = p.dockerfile[i]
            new = old.replace("RUN echo", "RUN echo changed") if kind == "line" else \
                old.replace("localbase:1", rng.choice(["localbase:1b", "localbase:env"]), 1)

            def apply():
                lines = p.dockerfile[:]
                lines[i] = new
                with open(os.path.join(root, "Dockerfile"), "w") as h:
                    h.write("\n".join(lines) + "\n")
            return f"Dockerfile line {i + 1}: {old!r} -> {new!r}", ["--changed-line", str(i + 1)], apply, False
    if kind == "ignore":
        f = rng.choice(unnamed)

        def apply():
            with open(os.path.join(root, ".dockerignore"), "a") as h:
                h.write(f + "\n")
        return f"add '{f}' to .dockerignore", ["--changed", ".dockerignore"], apply, False

    def apply():
        with open(os.path.join(root, f), "ab") as h:
            h.write(b"more\n")
    return f"edit content of {f}", ["--changed", f], apply, False


# ---------------------------------------------------------------------------------------------------------
# Building and reading plain logs

HEADER = re.compile(r"^#(\d+) (.*)$")


def read_plain(text):
    """{vertex name: status} of a plain log: the first header of each #N names it, DONE/CACHED its state."""
    names, status = {}, {}
    for line in text.splitlines():
        m = HEADER.match(line)
        if not m:
            continue
        n, rest = m.groups()
        if rest == "CACHED":
            status[n] = "cached"
        elif rest.startswith("DONE "):
            status.setdefault(n, "done")
            if status[n] != "cached":
                status[n] = "done"
        elif rest.startswith("ERROR"):
            status[n] = "error"
        elif n not in names and not re.match(r"^(sha256:|\d+\.\d+ |\.\.\.)", rest) and rest:
            names[n] = rest
    return {names[n]: status.get(n, "running") for n in names}


def docker_build(docker, root, args, log_path):
    cmd = [docker, "build", "--progress=plain", "--network=none", "-t", "oracle:case", "."]
    for k, v in sorted(args.items()):
        cmd += ["--build-arg", f"{k}={v}"]
    with open(log_path, "wb") as log:
        rc = subprocess.run(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT).returncode
    return rc


def split_label(label):
    """'[stage  2/5] RUN x' -> ('stage', '2/5', 'RUN x'); None for a name that is no Dockerfile step."""
    m = re.match(r"^\[(?:(.*?)\s+)?(\d+/\d+)\] (.*)$", label)
    return (m.group(1) or "", m.group(2), m.group(3)) if m else None


def compare(prediction, statuses):
    """Per predicted step: (label, verdict, BuildKit status or None, outcome). A step is found by its exact
    name, else by stage and k/n with the same keyword (expanded args change the text), else by k/n and text
    (the frontends differ on the stage token of single-stage files)."""
    by_step, by_text, by_counter = {}, {}, {}
    for name, st in statuses.items():
        parts = split_label(name)
        if not parts:
            continue
        token, kn, text = parts
        text = re.sub(r"@sha256:[0-9a-f]+$", "", text)
        by_step.setdefault((token, kn, text.split(" ")[0]), st)
        by_text.setdefault((kn, text), st)
        by_counter.setdefault((kn, text.split(" ")[0]), []).append(st)
        if text.startswith("FROM "):
            by_text.setdefault(("FROM", text), st)
    rows = []
    for step in prediction.get("steps", []):
        label, verdict = step["label"], step["verdict"]
        st = statuses.get(label)
        parts = split_label(label)
        if st is None and parts:
            st = by_step.get((parts[0], parts[1], parts[2].split(" ")[0]), by_text.get((parts[1], parts[2])))
            same_counter = by_counter.get((parts[1], parts[2].split(" ")[0]), [])
            if st is None and len(same_counter) == 1:
                st = same_counter[0]  # a single-stage file whose token and text both differ
            if st is None and parts[2].startswith("FROM "):
                st = by_text.get(("FROM", parts[2]))  # one FROM vertex serves every stage on that image
        from_image = bool(parts) and parts[2].startswith("FROM ")
        if st is None:
            outcome = "unmatched"
        elif from_image and verdict == "cached" and st == "done":
            # Docker 20.10 prints the FROM of a local image "DONE 0.0s" in every build, changed or not.
            outcome = "from-done"
        elif verdict == "maybe":
            outcome = "maybe"
        elif (verdict == "rerun") == (st in ("done", "error")):
            outcome = "ok"
        else:
            outcome = "wrong"
        rows.append((label, verdict, st, outcome))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docker", default="/usr/bin/docker")
    ap.add_argument("--stagelens", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--keep", action="store_true", help="keep every case, not only contradictions")
    opts = ap.parse_args()

    rng = random.Random(opts.seed)
    totals = {"cases": 0, "steps": 0, "wrong": 0, "maybe": 0, "unmatched": 0, "from-done": 0, "failed": 0}
    print(f"seed {opts.seed}", flush=True)
    for case in range(opts.cases):
        p = generate(rng)
        # Every case starts from an empty build cache: a step cached by an earlier case would hide a miss.
        subprocess.run([opts.docker, "builder", "prune", "-af"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        root = os.path.join(opts.work, f"case{case}", "ctx")
        shutil.rmtree(os.path.dirname(root), ignore_errors=True)
        os.makedirs(root)
        p.write(root)
        files_before = sorted(p.files)
        desc, wargs, apply, after = choose_edit(rng, p, root)
        d = os.path.dirname(root)
        log1, log2 = os.path.join(d, "build1.log"), os.path.join(d, "build2.log")
        if docker_build(opts.docker, root, p.args, log1) != 0:
            totals["failed"] += 1
            print(f"case {case}: first build failed ({log1})", flush=True)
            save(opts, case, d, p, desc, None, None, "first build failed")
            continue
        args2 = dict(p.args)
        if isinstance(apply, tuple):  # a build-arg change
            args2[apply[1]] = apply[2]
        whatif_cmd = [opts.stagelens, "whatif", root, "--log", log1, "--json"] + wargs
        for k, v in sorted(p.args.items()):
            whatif_cmd += ["--build-arg", f"{k}={v}"]

        def predict():
            r = subprocess.run(whatif_cmd, capture_output=True, text=True)
            try:
                return json.loads(r.stdout), r
            except json.JSONDecodeError:
                return None, r

        prediction = None
        if not after:
            prediction, run = predict()
        if callable(apply):
            apply()
        if after:
            prediction, run = predict()
        if prediction is None:
            totals["failed"] += 1
            print(f"case {case}: whatif failed: {run.stderr.strip()[:300]}", flush=True)
            save(opts, case, d, p, desc, None, None, "whatif failed: " + run.stderr)
            continue
        if docker_build(opts.docker, root, args2, log2) != 0:
            totals["failed"] += 1
            print(f"case {case}: second build failed ({desc})", flush=True)
            continue
        with open(log2, errors="replace") as f:
            statuses = read_plain(f.read())
        rows = compare(prediction, statuses)
        totals["cases"] += 1
        totals["steps"] += len(rows)
        bad = [r for r in rows if r[3] in ("wrong", "unmatched")]
        for key in ("wrong", "maybe", "unmatched", "from-done"):
            totals[key] += sum(1 for r in rows if r[3] == key)
        if bad or opts.keep:
            save(opts, case, d, p, desc, prediction, rows, None, files_before, wargs, args2)
            for label, verdict, st, outcome in bad:
                print(f"case {case} [{desc}]: {outcome}: {label!r} predicted {verdict}, BuildKit {st}",
                      flush=True)
    print("cases {cases} steps {steps} wrong {wrong} maybe {maybe} unmatched {unmatched} failed {failed} "
          "(FROM of a local image printed DONE, not checkable: {from-done})".format(**totals), flush=True)
    return 0


def save(opts, case, d, p, desc, prediction, rows, error, files=None, wargs=None, args2=None):
    out = os.path.join(opts.out, f"{opts.seed}-{case}")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(d, "ctx"), os.path.join(out, "after"), symlinks=True)
    for name in ("build1.log", "build2.log"):
        if os.path.exists(os.path.join(d, name)):
            shutil.copy(os.path.join(d, name), out)
    with open(os.path.join(out, "Dockerfile.before"), "w") as f:
        f.write("\n".join(p.dockerfile) + "\n")
    summary = {"seed": opts.seed, "case": case, "edit": desc, "whatif_args": wargs, "build_args": p.args,
               "build_args_after": args2, "files_before": files, "error": error,
               "steps": [{"label": r[0], "verdict": r[1], "buildkit": r[2], "outcome": r[3]} for r in rows or []]}
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if prediction is not None:
        with open(os.path.join(out, "whatif.json"), "w") as f:
            json.dump(prediction, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
