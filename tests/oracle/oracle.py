#!/usr/bin/env python3
"""The generator and comparator behind tests/oracle/run.sh (issue #17).

For each case: a random project (context files, .dockerignore, a single- or multi-stage Dockerfile) is built
with the plain progress, one random edit is applied, `stagelens whatif` predicts every step's verdict for
that edit (with the first build's log), the project is built again, and each verdict is compared with the
status BuildKit printed: `rerun` must be DONE, `cached` must be CACHED, `maybe` may be either (counted).
Each contradiction is shrunk (files nobody names, .dockerignore rules, Dockerfile lines are dropped while a
contradiction remains) and saved with its real logs under OUT/<seed>-<case>/ as a case that
tests/cache/tst_oraclecases replays without Docker: `project/` is the context exactly as `stagelens whatif`
saw it, `case.json` holds the whatif arguments and BuildKit's status of every step, `daemon.json` the
`docker image inspect` answers a --resolve-images prediction used.

The build logs are read here with a few regular expressions, independently of Stagelens' own reader.
"""

import argparse
import copy
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
    if rng.random() < 0.6:
        pool = ["docs", "*.md", "**/*.tmp", "!docs/keep.md", "assets/*.css", "notes.txt", "data/f1.*",
                "src/**/*.c", "!src/sub/f0.c"]
        p.ignore = rng.sample(pool, rng.randint(1, 3))
        if "!docs/keep.md" in p.ignore:
            p.files["docs/keep.md"] = (b"keep\n", 0o644)
    # A symlink to a file of src/ (issue #17 rule 4), and a twin with the target's bytes, so that a retarget
    # to the twin changes nothing for a COPY that follows the link.
    targets = [f for f in sorted(p.files) if f.startswith("src/") and f.count("/") == 1 and not ignored(p.ignore, f)]
    if targets and rng.random() < 0.4:
        target = rng.choice(targets)
        p.files["src/twin.txt"] = (p.files[target][0], 0o644)
        p.links["src/link.txt"] = os.path.basename(target)

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
                       "run", "runarg", "bind", "cache", "copyfrom", "bindfrom", "label", "chmod", "copylink"])
    # Only sources the context has after .dockerignore: a missing source fails the build.
    files = sorted(f for f in p.files if not ignored(p.ignore, f))
    ctx_dirs = [d for d in ["src/", "src/sub/", "data/", "docs/", "assets/"] if any(f.startswith(d) for f in files)]
    globs = [g for g in ["src/*.txt", "src/*.c", "*.txt", "data/*"]
             if any(re.match("^" + g.replace(".", r"\.").replace("*", "[^/]*") + "$", f) for f in files)]
    if not files:
        return [f"RUN echo {words(rng, 1)} > /out/z{rng.randint(0, 99)}"]
    if kind == "copydir" and not ctx_dirs or kind == "copyglob" and not globs:
        kind = "copy"
    if kind == "copylink" and p.links:
        return [f"COPY src/link.txt /in/link{rng.randint(0, 9)}.txt"]
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
# Edits, as data: {"kind", ...}. Data (not closures) so that a shrunk project can take the same edit.


def choose_edit(rng, p):
    files = sorted(p.files)
    text = "\n".join(p.dockerfile)
    # Deleting or ignoring a file a COPY names would only make the build fail.
    # Nor deleting or ignoring what a link points at (a COPY of the link would fail).
    pointed = {f"src/{t}" for t in p.links.values()} | {"src/twin.txt"}
    unnamed = [f for f in files if f not in text and f not in pointed] or files
    kinds = ["content", "content", "content", "chmod", "touch", "delete", "add", "arg", "line", "ignore",
             "base", "base", "retarget", "retarget", "basearg"]
    kind = rng.choice(kinds)
    f = rng.choice(files)
    if kind == "delete":
        return {"kind": "delete", "path": rng.choice(unnamed)}
    if kind == "add":
        d = rng.choice(["src", "src/sub", "data", "docs", "assets", "."])
        return {"kind": "add", "path": os.path.normpath(f"{d}/new{rng.randint(0, 9)}.{rng.choice(['txt', 'c', 'md', 'tmp'])}")}
    if kind == "arg" and p.args:
        return {"kind": "arg", "name": rng.choice(sorted(p.args)), "value": "b"}
    if kind == "basearg" and "ARG BASE=localbase:1" in p.dockerfile and "${BASE}" in text:
        return {"kind": "basearg", "name": "BASE", "value": rng.choice(["localbase:1b", "localbase:env"])}
    if kind in ("line", "base"):
        candidates = [l for l in p.dockerfile
                      if (l.startswith("RUN echo") if kind == "line" else l.startswith("FROM localbase:1"))]
        if candidates:
            old = rng.choice(candidates)
            new = old.replace("RUN echo", "RUN echo changed") if kind == "line" else \
                old.replace("localbase:1", rng.choice(["localbase:1b", "localbase:env"]), 1)
            return {"kind": kind, "old": old, "new": new}
    if kind == "retarget" and p.links:
        link = sorted(p.links)[0]
        current = p.links[link]
        others = [os.path.basename(x) for x in files
                  if x.startswith("src/") and x.count("/") == 1 and os.path.basename(x) != current
                  and not ignored(p.ignore, x)]
        if others:
            # Half the time the twin: the same bytes behind another name.
            new = "twin.txt" if "twin.txt" in others and rng.random() < 0.5 else rng.choice(others)
            return {"kind": "retarget", "path": link, "target": new}
    if kind == "ignore":
        return {"kind": "ignore", "path": rng.choice(unnamed)}
    if kind in ("chmod", "touch"):
        return {"kind": kind, "path": f}
    return {"kind": "content", "path": f}


def describe_edit(e):
    k = e["kind"]
    if k == "content":
        return f"edit content of {e['path']}"
    if k == "chmod":
        return f"chmod +-x {e['path']}"
    if k == "touch":
        return f"touch {e['path']} (mtime only)"
    if k in ("delete", "add"):
        return f"{k} {e['path']}"
    if k in ("arg", "basearg"):
        return f"build-arg {e['name']} -> {e['value']}"
    if k in ("line", "base"):
        return f"Dockerfile line {e['old']!r} -> {e['new']!r}"
    if k == "retarget":
        return f"retarget symlink {e['path']} -> {e['target']}"
    if k == "ignore":
        return f"add '{e['path']}' to .dockerignore"
    return k


def edit_valid(e, p):
    """Whether a (shrunk) project can still take the edit."""
    k = e["kind"]
    if k in ("content", "chmod", "touch", "delete", "ignore"):
        return e["path"] in p.files
    if k in ("line", "base"):
        return e["old"] in p.dockerfile
    if k == "arg":
        return e["name"] in p.args
    if k == "basearg":
        return "ARG BASE=localbase:1" in p.dockerfile
    if k == "retarget":
        return e["path"] in p.links and f"src/{e['target']}" in p.files
    return True


def predicted_after(e):
    """Predict after the edit: a new file must exist to be found; a base swap and a retarget are judged
    against the edited project (the log names the previous base, the daemon what both are)."""
    return e["kind"] in ("add", "base", "basearg", "retarget")


def uses_daemon(e):
    return e["kind"] in ("base", "basearg")


def whatif_args(e, p):
    k = e["kind"]
    if k in ("content", "delete", "add", "ignore", "retarget"):
        return ["--changed", ".dockerignore" if k == "ignore" else e["path"]]
    if k == "chmod":
        return ["--chmod", e["path"]]
    if k == "touch":
        return ["--touched", e["path"]]
    if k == "arg":
        return ["--changed-arg", e["name"]]
    if k == "basearg":
        return ["--changed-arg", e["name"], "--resolve-images"]
    if k in ("line", "base"):
        return ["--changed-line", str(p.dockerfile.index(e["old"]) + 1)] + (["--resolve-images"] if k == "base" else [])
    return []


def apply_edit(e, p, root):
    k = e["kind"]
    full = os.path.join(root, e.get("path", ""))
    if k == "content":
        with open(full, "ab") as h:
            h.write(b"more\n")
    elif k == "chmod":
        os.chmod(full, os.stat(full).st_mode ^ 0o111)
    elif k == "touch":
        os.utime(full, (time.time() + 3600, time.time() + 3600))
    elif k == "delete":
        os.remove(full)
    elif k == "add":
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as h:
            h.write(b"new\n")
    elif k in ("line", "base"):
        lines = p.dockerfile[:]
        lines[lines.index(e["old"])] = e["new"]
        with open(os.path.join(root, "Dockerfile"), "w") as h:
            h.write("\n".join(lines) + "\n")
    elif k == "ignore":
        with open(os.path.join(root, ".dockerignore"), "a") as h:
            h.write(e["path"] + "\n")
    elif k == "retarget":
        os.remove(full)
        os.symlink(e["target"], full)


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


def run_case(opts, p, e, d):
    """Builds, predicts, edits, rebuilds, compares. Returns a dict with status "ok" or the failure."""
    shutil.rmtree(d, ignore_errors=True)
    root = os.path.join(d, "ctx")
    os.makedirs(root)
    # Every case starts from an empty build cache: a step cached by an earlier case would hide a miss.
    subprocess.run([opts.docker, "builder", "prune", "-af"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.write(root)
    log1, log2 = os.path.join(d, "build1.log"), os.path.join(d, "build2.log")
    result = {"status": "ok", "dir": d, "rows": [], "prediction": None}
    if docker_build(opts.docker, root, p.args, log1) != 0:
        return dict(result, status="first build failed")
    args2 = dict(p.args)
    if e["kind"] in ("arg", "basearg"):
        args2[e["name"]] = e["value"]
    wargs = whatif_args(e, p)
    for k, v in sorted((args2 if e["kind"] == "basearg" else p.args).items()):
        wargs += ["--build-arg", f"{k}={v}"]
    result["whatif_args"], result["build_args_after"] = wargs, args2

    def predict():
        shutil.copytree(root, os.path.join(d, "project"), symlinks=True)
        r = subprocess.run([opts.stagelens, "whatif", root, "--log", log1, "--json"] + wargs,
                           capture_output=True, text=True)
        try:
            return json.loads(r.stdout), r.stderr
        except json.JSONDecodeError:
            return None, r.stderr

    if not predicted_after(e):
        prediction, err = predict()
    apply_edit(e, p, root)
    if predicted_after(e):
        prediction, err = predict()
    if prediction is None:
        return dict(result, status="whatif failed: " + err.strip()[:300])
    result["prediction"] = prediction
    if docker_build(opts.docker, root, args2, log2) != 0:
        return dict(result, status="second build failed")
    with open(log2, errors="replace") as f:
        result["rows"] = compare(prediction, read_plain(f.read()))
    return result


def maybe_cause(step):
    """Why a step is "maybe", by its root reason: what decides it is bytes BuildKit hashes, or rules."""
    reasons = step.get("reasons") or [""]
    root = reasons[0]
    # A maybe reaches a step through a content-keyed hop (COPY --from, mount from=) after an upstream re-run.
    if any("COPY --from=" in r or "RUN --mount from=" in r for r in reasons):
        return "upstream-bytes"
    if "follows the symlink" in root:
        return "symlink-target-bytes"
    if "dockerignore changed" in root:
        return "ignore-rules"
    if "base image" in root:
        return "base-unresolved"
    return "other"


def is_bad(rows):
    return any(r[3] in ("wrong", "unmatched") for r in rows)


def mentioned(p, e):
    text = "\n".join(p.dockerfile + p.ignore)
    keep = {e.get("path", "")} | {f"src/{t}" for t in p.links.values()} | {"src/twin.txt"} if p.links else {e.get("path", "")}
    return lambda f: f in keep or f in text or os.path.dirname(f) + "/" in text


def shrink(opts, p, e, best, work, budget):
    """Greedy one-pass reductions, each kept when the smaller case still contradicts BuildKit: whole stages
    nobody names, the files nobody names, each .dockerignore rule, each Dockerfile line (never a FROM, the
    edited line or ARG BASE)."""
    trials = [0]

    def attempt(candidate):
        if trials[0] >= budget or not edit_valid(e, candidate):
            return None
        trials[0] += 1
        r = run_case(opts, candidate, e, os.path.join(work, f"shrink{trials[0]}"))
        return r if r["status"] == "ok" and is_bad(r["rows"]) else None

    # Whole stages first (cheapest big cut): one no other stage names, never the target (last) one nor the
    # one holding the edited line.
    starts = [i for i, l in enumerate(p.dockerfile) if l.startswith("FROM ")]
    for k in reversed(range(len(starts) - 1)):
        block = p.dockerfile[starts[k]:starts[k + 1]]
        name = block[0].split(" AS ")[1] if " AS " in block[0] else None
        rest = "\n".join(p.dockerfile[:starts[k]] + p.dockerfile[starts[k + 1]:])
        if e.get("old") in block or (name and (f"from={name}" in rest or f"FROM {name}" in rest)):
            continue
        c = copy.deepcopy(p)
        c.dockerfile = p.dockerfile[:starts[k]] + p.dockerfile[starts[k + 1]:]
        if (r := attempt(c)):
            p, best = c, r
    named = mentioned(p, e)
    c = copy.deepcopy(p)
    c.files = {f: v for f, v in p.files.items() if named(f)}
    if len(c.files) < len(p.files) and (r := attempt(c)):
        p, best = c, r
    for pattern in list(p.ignore):
        c = copy.deepcopy(p)
        c.ignore.remove(pattern)
        if (r := attempt(c)):
            p, best = c, r
    for line in reversed(list(p.dockerfile)):
        if line.startswith("FROM ") or line == e.get("old") or line.startswith("ARG BASE"):
            continue
        c = copy.deepcopy(p)
        c.dockerfile.remove(line)
        if (r := attempt(c)):
            p, best = c, r
    return p, best, trials[0]


def daemon_facts(opts):
    """`docker image inspect` of the base images, keyed as Stagelens asks for them (normalised names)."""
    facts = {}
    for tag in BASES:
        r = subprocess.run([opts.docker, "image", "inspect", tag], capture_output=True, text=True)
        if r.returncode == 0:
            facts["docker.io/library/" + tag] = json.loads(r.stdout)[0]
    return facts


def save(opts, case, p, e, r, shrunk_from, trials):
    out = os.path.join(opts.out, f"{opts.seed}-{case}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copytree(os.path.join(r["dir"], "project"), os.path.join(out, "project"), symlinks=True)
    for name in ("build1.log", "build2.log"):
        shutil.copy(os.path.join(r["dir"], name), out)
    summary = {"seed": opts.seed, "case": case, "edit": describe_edit(e), "edit_data": e,
               "whatif_args": r["whatif_args"], "build_args": p.args, "build_args_after": r["build_args_after"],
               "shrunk": {"from_lines": shrunk_from[0], "from_files": shrunk_from[1],
                          "lines": len(p.dockerfile), "files": len(p.files), "trials": trials},
               "steps": [{"label": x[0], "verdict": x[1], "buildkit": x[2], "outcome": x[3]} for x in r["rows"]]}
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(out, "whatif.json"), "w") as f:
        json.dump(r["prediction"], f, indent=1)
    if uses_daemon(e):
        with open(os.path.join(out, "daemon.json"), "w") as f:
            json.dump(daemon_facts(opts), f, indent=1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docker", default="/usr/bin/docker")
    ap.add_argument("--stagelens", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--only", type=int, nargs="*", help="run only these case numbers of the seed")
    ap.add_argument("--shrink-budget", type=int, default=30, help="builds spent shrinking one contradiction")
    opts = ap.parse_args()

    # One generator per case, seeded from the run's seed: a case can be replayed alone, and shrinking
    # (which draws nothing) never shifts the cases after it.
    totals = {"cases": 0, "steps": 0, "wrong": 0, "maybe": 0, "unmatched": 0, "from-done": 0, "failed": 0}
    causes = {}
    print(f"seed {opts.seed}", flush=True)
    for case in (opts.only if opts.only else range(opts.cases)):
        rng = random.Random(opts.seed * 100003 + case)
        p = generate(rng)
        e = choose_edit(rng, p)
        d = os.path.join(opts.work, f"case{case}")
        r = run_case(opts, copy.deepcopy(p), e, d)
        if r["status"] != "ok":
            totals["failed"] += 1
            print(f"case {case} [{describe_edit(e)}]: {r['status']}", flush=True)
            continue
        rows = r["rows"]
        totals["cases"] += 1
        totals["steps"] += len(rows)
        for key in ("wrong", "maybe", "unmatched", "from-done"):
            totals[key] += sum(1 for x in rows if x[3] == key)
        steps = {st["label"]: st for st in r["prediction"].get("steps", [])}
        printed = set()
        for x in rows:
            if x[1] == "maybe":
                cause = maybe_cause(steps.get(x[0], {}))
                causes[cause] = causes.get(cause, 0) + 1
                if cause == "base-unresolved" and x[0] not in printed:
                    printed.add(x[0])
                    for b in r["prediction"].get("base_images", []):
                        if b.get("verdict") == "maybe":
                            print(f"case {case} [{describe_edit(e)}]: base of {b['stage']} unresolved: "
                                  f"{b['previous']} -> {b['next']} ({b['rests_on']}): {b['detail']}", flush=True)
                            break
                if cause == "other":
                    print(f"case {case} [{describe_edit(e)}]: maybe for another cause: {x[0]!r}: "
                          f"{steps.get(x[0], {}).get('reason')}", flush=True)
        if is_bad(rows):
            for label, verdict, st, outcome in rows:
                if outcome in ("wrong", "unmatched"):
                    print(f"case {case} [{describe_edit(e)}]: {outcome}: {label!r} predicted {verdict}, "
                          f"BuildKit {st}", flush=True)
            small, best, trials = shrink(opts, copy.deepcopy(p), e, r, d + "-shrink", opts.shrink_budget)
            out = save(opts, case, small, e, best, (len(p.dockerfile), len(p.files)), trials)
            print(f"case {case}: shrunk from {len(p.dockerfile)} lines/{len(p.files)} files to "
                  f"{len(small.dockerfile)}/{len(small.files)} in {trials} builds: {out}", flush=True)
        if not os.environ.get("ORACLE_KEEP"):
            shutil.rmtree(d, ignore_errors=True)
            shutil.rmtree(d + "-shrink", ignore_errors=True)
        if (case + 1) % 25 == 0:
            print(f"after {case + 1}: " + summary(totals), flush=True)
    print(summary(totals), flush=True)
    print("unmatched {unmatched} failed {failed} (FROM of a local image printed DONE, not checkable: "
          "{from-done})".format(**totals), flush=True)
    print("maybe by cause: " + ", ".join(f"{k} {v}" for k, v in sorted(causes.items())), flush=True)
    return 1 if totals["wrong"] or totals["unmatched"] else 0


def summary(t):
    share = 100.0 * t["maybe"] / t["steps"] if t["steps"] else 0.0
    return f"cases {t['cases']} steps {t['steps']} wrong {t['wrong']} maybe {t['maybe']} ({share:.1f}%)"


if __name__ == "__main__":
    sys.exit(main())
