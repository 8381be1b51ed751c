#!/usr/bin/env python3
"""Reproducible benchmark inputs made from the real files in shared/corpus (read-only, never modified).

  gen.py plainlog CORPUS OUT BYTES    real plain BuildKit logs concatenated, #N ids renumbered per copy
  gen.py rawjson CORPUS OUT BYTES     the rawjson stream replicated, vertex digests renumbered per copy
  gen.py dockerfile CORPUS OUT STAGES real multi-stage Dockerfiles replicated, stage names suffixed per copy
  gen.py context CORPUS DIR FILES     the buildkit-real project plus FILES generated files (some ignored)
  gen.py historylog CORPUS OUT BUILDS the plain buildkit-real logs in turn, BUILDS builds in one file
  gen.py record CORPUS OUT BYTES      one .dockerbuild holding the corpus's records, each progress stream
                                      repeated (vertex digests renumbered per copy) to about BYTES of tar
  gen.py dockerfiles CORPUS OUT COPIES the corpus's real Dockerfiles that share no parser directive,
                                      concatenated COPIES times (OUT.files lists them, for the baseline)

Same arguments, same bytes: nothing random, nothing time-dependent.
"""
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile

# Plain-progress logs of several BuildKit generations (see corpus/README.md).
PLAIN_LOGS = [
    "buildkit-real/00-cold.log",
    "buildkit-real/02-edit-src.log",
    "buildkit-real/24-long-multiline-output.log",
    "logs/jokob-sk-NetAlertX-plain-padded-step-counters.log",
    "logs/Verilean-xeus-lean-long-plain-build-with-cr.log",
]
STAGE_SOURCES = [
    "dockerfiles/moby__buildkit__Dockerfile/Dockerfile",
    "dockerfiles/docker__buildx__Dockerfile/Dockerfile",
    "dockerfiles/docker__compose__Dockerfile/Dockerfile",
]


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def segments(block, pattern):
    """Splits block into literal text and the integers matched by pattern's group 1."""
    parts, numbers, pos = [], [], 0
    for m in pattern.finditer(block):
        parts.append(block[pos:m.start(1)])
        numbers.append(int(m.group(1), 0))
        pos = m.end(1)
    parts.append(block[pos:])
    return parts, numbers


def replicate(out, target, parts, numbers, render, step):
    written, copy = 0, 0
    with open(out, "wb") as f:
        while written < target:
            offset = copy * step
            pieces = [parts[0]]
            for i, n in enumerate(numbers):
                pieces.append(render(n + offset))
                pieces.append(parts[i + 1])
            data = "".join(pieces).encode("utf-8", "surrogateescape")
            f.write(data)
            written += len(data)
            copy += 1
    return copy


def plainlog(corpus, out, size):
    texts = []
    for rel in PLAIN_LOGS:
        with open(os.path.join(corpus, rel), "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        if not text.endswith("\n"):
            text += "\n"
        texts.append(text)
    block = "".join(texts)
    parts, numbers = segments(block, re.compile(r"(?m)^#(\d+)(?=[ \n])"))
    step = max(numbers) + 1
    copies = replicate(out, size, parts, numbers, str, step)
    print(f"plainlog {out}: {copies} copies of {len(block)} chars, {len(numbers)} ids each")


def rawjson(corpus, out, size):
    with open(os.path.join(corpus, "logs/bakah-12-rawjson-ndjson.log"), encoding="utf-8") as f:
        # The excerpt ends mid-object: keep only the complete JSON lines so jq and stagelens see valid input.
        lines = [l for l in f.read().split("\n") if l.endswith("]}")]
    block = "\n".join(lines) + "\n"
    digests = {}
    for d in re.findall(r"sha256:([0-9a-f]{64})", block):
        digests.setdefault(d, len(digests))
    # One integer per distinct digest; each copy gets fresh digests, rendered as 64 hex digits.
    template = re.sub(r"sha256:([0-9a-f]{64})", lambda m: "sha256:0x%x" % digests[m.group(1)], block)
    parts, numbers = segments(template, re.compile(r"sha256:(0x[0-9a-f]+)"))
    copies = replicate(out, size, parts, numbers, lambda n: "%064x" % n, len(digests))
    print(f"rawjson {out}: {copies} copies of {len(lines)} lines")


def dockerfile(corpus, out, stages):
    sources = []
    for rel in STAGE_SOURCES:
        with open(os.path.join(corpus, rel), encoding="utf-8") as f:
            sources.append(f.read().replace("\r\n", "\n"))
    from_re = re.compile(r"(?im)^\s*FROM\s.*?\bAS\s+([A-Za-z0-9_.-]+)\s*$")
    result, count, copy = [], 0, 0
    while count < stages:
        text = sources[copy % len(sources)]
        names = sorted(set(from_re.findall(text)), key=len, reverse=True)
        suffix = f"-c{copy}"
        if names:
            alt = "|".join(re.escape(n) for n in names)
            # Rename the stage in its FROM ... AS, in FROM <stage> and in --from=<stage>.
            text = re.sub(r"(?i)(\bAS\s+)(%s)\s*$" % alt, lambda m: m.group(1) + m.group(2) + suffix, text,
                          flags=re.M)
            text = re.sub(r"(?im)^(\s*FROM\s+(?:--platform=\S+\s+)?)(%s)(?=\s)" % alt,
                          lambda m: m.group(1) + m.group(2) + suffix, text)
            text = re.sub(r"(--from=)(%s)(?=[\s,])" % alt, lambda m: m.group(1) + m.group(2) + suffix, text)
        kept = []
        for line in text.split("\n"):
            if re.match(r"(?i)^\s*FROM\s", line):
                if count == stages:
                    break
                count += 1
            kept.append(line)
        result.append("\n".join(kept))
        copy += 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(result) + "\n")
    print(f"dockerfile {out}: {count} stages from {copy} copies")


def context(corpus, root, files):
    if os.path.exists(root):
        shutil.rmtree(root)
    shutil.copytree(os.path.join(corpus, "buildkit-real/project"), root)
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    # 100 files a folder, 10 folders a group: src/ (read by COPY), notes/ (ignored) and docs/*.md (ignored).
    made = 0
    while made < files:
        group, rest = divmod(made, 1000)
        folder, index = divmod(rest, 100)
        top = ("src", "src", "src", "src", "src", "src", "notes", "docs", "assets", "tests")[group % 10]
        ext = ".md" if top == "docs" else (".tmp" if index % 17 == 0 else ".c")
        d = os.path.join(root, top, f"g{group:03d}", f"d{folder}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{index:03d}{ext}"), "w") as f:
            f.write(f"{made}\n")
        made += 1
    print(f"context {root}: {made} generated files")


def historylog(corpus, out, builds):
    # Every plain log of the buildkit-real runs (the tty capture and the client error are left out), each
    # opened by the "#0 building with" line BuildKit prints first, so each copy is one build.
    names = sorted(n for n in os.listdir(os.path.join(corpus, "buildkit-real"))
                   if re.match(r"^(0\d|1\d|2[0-5])-.*\.log$", n))
    texts = []
    for name in names:
        with open(os.path.join(corpus, "buildkit-real", name), "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        texts.append('#0 building with "default" instance using docker driver\n\n' + text.rstrip("\n") + "\n\n")
    with open(out, "wb") as f:
        for i in range(builds):
            f.write(texts[i % len(texts)].encode("utf-8", "surrogateescape"))
    print(f"historylog {out}: {builds} builds from {len(texts)} logs")


# Parser directives that change what the text means: `escape` changes the lexing and `check` the lint rules,
# and only at the top of a file, so a file carrying either would mean something else inside the concatenation.
# `# syntax=` only names the frontend image: inside the concatenation it is a comment, as it is to the parser.
MEANINGFUL_DIRECTIVE = re.compile(r"^#\s*(escape|check)\s*=", re.IGNORECASE)


def dockerfile_directives(text):
    """The parser directives at the top of a Dockerfile (BuildKit stops at the first other line)."""
    found = []
    for line in text.splitlines():
        m = re.match(r"^#\s*([a-z]+)\s*=", line, re.IGNORECASE)
        if not m:
            break
        found.append(line)
    return found


def dockerfiles(corpus, out, copies):
    root = os.path.join(corpus, "dockerfiles")
    paths, skipped = [], []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "Dockerfile")
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        if any(MEANINGFUL_DIRECTIVE.match(d) for d in dockerfile_directives(text)):
            skipped.append(name)
            continue
        paths.append(path)
    texts = []
    for path in paths:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        texts.append(text if text.endswith("\n") else text + "\n")
    if dockerfile_directives(texts[0]):
        raise SystemExit("gen.py dockerfiles: the first file must carry no directive")
    block = "".join(texts).encode("utf-8", "surrogateescape")
    with open(out, "wb") as f:
        for _ in range(copies):
            f.write(block)
    with open(out + ".files", "w") as f:
        f.write("".join(p + "\n" for p in paths))
    print(f"dockerfiles {out}: {len(paths)} files ({len(block)} bytes) x {copies}, skipped {', '.join(skipped)}")


STATUS_LAYER = "application/vnd.buildkit.status.v0"
DIGEST = re.compile(rb"sha256:([0-9a-f]{64})")


def renumbered(stream, copy):
    """The status stream with every sha256 digest changed in its last 8 hex digits (same length, so the
    stream's length prefixes and protobuf lengths stay valid): copy N is another build's vertices."""
    if copy == 0:
        return stream
    def bump(m):
        h = m.group(1)
        tail = (int(h[56:], 16) + copy * 0x9E3779B1) % (1 << 32)
        return b"sha256:" + h[:56] + b"%08x" % tail
    return DIGEST.sub(bump, stream)


def record(corpus, out, size):
    root = os.path.join(corpus, "dockerbuild")
    blobs, top = {}, []
    for name in sorted(n for n in os.listdir(root) if n.endswith(".dockerbuild")):
        with tarfile.open(os.path.join(root, name), "r:*") as t:
            for m in t.getmembers():
                if not m.isfile():
                    continue
                data = t.extractfile(m).read()
                if m.name == "index.json":
                    top += json.loads(data)["manifests"]
                elif m.name.startswith("blobs/sha256/"):
                    blobs["sha256:" + m.name.rsplit("/", 1)[1]] = data

    def descriptors(obj):
        return obj.get("manifests", []) + obj.get("layers", []) + ([obj["config"]] if "config" in obj else [])

    def nests(desc):
        return ("manifest" in desc["mediaType"] or "index" in desc["mediaType"]) and desc["digest"] in blobs

    def walk(desc):
        """desc and every descriptor reachable from it through the manifests and indexes held here."""
        yield desc
        if nests(desc):
            for d in descriptors(json.loads(blobs[desc["digest"]])):
                yield from walk(d)

    statuses = {d["digest"] for t in top for d in walk(t) if d["mediaType"] == STATUS_LAYER}
    status_bytes = sum(len(blobs[d]) for d in statuses)
    other_bytes = sum(len(b) for d, b in blobs.items() if d not in statuses)
    copies = max(1, -(-(size - other_bytes) // status_bytes))
    replaced = {}
    for d in sorted(statuses):
        stream = b"".join(renumbered(blobs[d], c) for c in range(copies))
        nd = "sha256:" + hashlib.sha256(stream).hexdigest()
        blobs[nd] = stream
        replaced[d] = nd

    def rewrite(desc):
        """Points desc at the rewritten blob (a repeated stream, or a manifest/index that refers to one)."""
        d = desc["digest"]
        if d in replaced:
            pass
        elif nests(desc):
            obj = json.loads(blobs[d])
            changed = [rewrite(x) for x in descriptors(obj)]
            if any(changed):
                data = json.dumps(obj, indent=2).encode()
                replaced[d] = "sha256:" + hashlib.sha256(data).hexdigest()
                blobs[replaced[d]] = data
        if d not in replaced:
            return False
        desc["digest"] = replaced[d]
        desc["size"] = len(blobs[replaced[d]])
        return True
    for desc in top:
        rewrite(desc)
    used = {d["digest"] for t in top for d in walk(t)}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": top}
    files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", json.dumps(index).encode())]
    files += [("blobs/sha256/" + d[7:], blobs[d]) for d in sorted(used) if d in blobs]
    # Reproducible: no times, owners or modes from this machine; gzip without a name or time stamp.
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o444
            t.addfile(info, io.BytesIO(data))
    tar_bytes = sum(len(d) for _, d in files)
    print(f"record {out}: {len(top)} records, {len(statuses)} progress streams x {copies}, "
          f"{tar_bytes} bytes of blobs, {os.path.getsize(out)} bytes gzip'd")


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    kind, corpus, out, amount = sys.argv[1:]
    {"plainlog": lambda: plainlog(corpus, out, parse_size(amount)),
     "rawjson": lambda: rawjson(corpus, out, parse_size(amount)),
     "dockerfile": lambda: dockerfile(corpus, out, int(amount)),
     "context": lambda: context(corpus, out, int(amount)),
     "historylog": lambda: historylog(corpus, out, int(amount)),
     "dockerfiles": lambda: dockerfiles(corpus, out, int(amount)),
     "record": lambda: record(corpus, out, parse_size(amount))}[kind]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
