#!/usr/bin/env python3
"""layers: every include points downward (cli -> analysis -> rules -> formats -> core).

Each public header has a layer (tests/lint/layers.txt); each source directory has the
set of layers it may include (ALLOWED below); a public header may include only headers
its own layer may include; a private header (src/<dir>/*.h) may be included only from
the directories PRIVATE names. The simulator reaches core and the writers only, so its
ground truth cannot come from the readers it is used to measure.

  layers.py ROOT            check the tree at ROOT
  layers.py --self-test ROOT  check that the lint catches planted violations in a copy
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# layer -> the layers code of that layer may include (itself included)
ALLOWED = {
    "core": {"core"},
    "writers": {"core", "writers"},
    "formats": {"core", "writers", "formats"},
    "os": {"core", "os"},
    "evtx": {"core", "writers", "formats", "evtx"},
    "collect": {"core", "writers", "formats", "os", "collect"},
    "sim": {"core", "writers", "sim"},
    "store": {"core", "writers", "formats", "store"},
    "rules": {"core", "writers", "formats", "rules"},
    "analysis": {"core", "writers", "formats", "rules", "analysis"},
    "report": {"core", "writers", "formats", "rules", "analysis", "report"},
    "cli": {"core", "writers", "formats", "os", "evtx", "collect", "sim", "store", "rules", "analysis", "report", "cli"},
}
# source directory -> its layer (src/formats/*_write.c are writers, the rest readers)
DIR_LAYER = {"core": "core", "os": "os", "evtx": "evtx", "collect": "collect", "sim": "sim",
             "rules": "rules", "analysis": "analysis", "report": "report", "store": "store", "cli": "cli"}
# private header (relative to src/) -> directories that may include it
PRIVATE = {"os/os.h": {"os", "collect"}}

INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of_source(rel):
    d = rel.split("/")[0]
    if d == "formats":
        return "writers" if re.search(r"_write\.[ch]$", rel) else "formats"
    return DIR_LAYER.get(d)


def check(root):
    problems, checked = [], 0
    table = {}
    for ln, line in enumerate(open(os.path.join(root, "tests/lint/layers.txt"), encoding="utf-8"), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) != 2 or line[1] not in ALLOWED:
            problems.append(f"tests/lint/layers.txt:{ln}: want 'header layer' with a known layer")
            continue
        table[line[0]] = line[1]
    incdir = os.path.join(root, "include/sakimori")
    headers = sorted(f for f in os.listdir(incdir) if f.endswith(".h"))
    for h in headers:
        if h not in table:
            problems.append(f"include/sakimori/{h}: no layer (add it to tests/lint/layers.txt)")
    for h in table:
        if h not in headers:
            problems.append(f"tests/lint/layers.txt: {h} is not a header")

    def check_file(path, rel, layer, private_dir):
        nonlocal checked
        text = open(path, encoding="utf-8", errors="replace").read()
        checked += 1
        for m in INC.finditer(text):
            kind, name = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            where = f"{rel}:{line}"
            if kind == "<" and name.startswith("sakimori/"):
                h = name[len("sakimori/"):]
                hl = table.get(h)
                if hl is None:
                    problems.append(f"{where}: includes {name}, which has no layer")
                elif hl not in ALLOWED[layer]:
                    problems.append(f"{where}: {layer} code includes {name} ({hl}): layers point downward")
            elif kind == '"':
                if private_dir is None:  # a public header
                    h = os.path.basename(name)
                    hl = table.get(h)
                    if hl is None:
                        problems.append(f"{where}: includes \"{name}\", not a public header")
                    elif hl not in ALLOWED[layer]:
                        problems.append(f"{where}: {layer} header includes {h} ({hl}): layers point downward")
                    continue
                if "/" in name:
                    owner = PRIVATE.get(name)
                    if owner is None or private_dir not in owner:
                        problems.append(f"{where}: src/{private_dir} includes \"{name}\", private to another directory")
                # a plain "x.h": the directory's own private header or a generated file; fine

    for h in headers:
        if h in table:
            check_file(os.path.join(incdir, h), f"include/sakimori/{h}", table[h], None)
    src = os.path.join(root, "src")
    for d in sorted(os.listdir(src)):
        if not os.path.isdir(os.path.join(src, d)):
            continue
        for dp, _, files in os.walk(os.path.join(src, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(dp, f), src)
                layer = layer_of_source(rel)
                if layer is None:
                    problems.append(f"src/{rel}: src/{d} has no layer (add it to tests/lint/layers.py)")
                    continue
                check_file(os.path.join(dp, f), "src/" + rel, layer, d)
    return problems, checked


def self_test(root):
    """Plant one violation of each rule in a copy of the tree; each must be caught."""
    plants = [
        ("src/core/buf.c", "#include <sakimori/case.h>", "core code includes sakimori/case.h"),
        ("src/sim/out.c", "#include <sakimori/event.h>", "sim code includes sakimori/event.h"),
        ("src/sim/out.c", "#include <sakimori/pe.h>", "sim code includes sakimori/pe.h"),
        ("src/formats/inventory_write.c", "#include <sakimori/pe.h>", "writers code includes sakimori/pe.h"),
        ("include/sakimori/json.h", '#include "case.h"', "core header includes case.h"),
        ("src/evtx/dump.c", '#include "os/os.h"', "private to another directory"),
        ("src/formats/pe.c", "#include <sakimori/collect.h>", "formats code includes sakimori/collect.h"),
    ]
    ok = True
    for path, line, want in plants:
        with tempfile.TemporaryDirectory() as t:
            for part in ("include", "src", "tests/lint"):
                shutil.copytree(os.path.join(root, part), os.path.join(t, part))
            p = os.path.join(t, path)
            text = open(p, encoding="utf-8").read()
            # after the first include, so that it is a real include line
            i = text.index("#include")
            open(p, "w", encoding="utf-8").write(text[:i] + line + "\n" + text[i:])
            problems, _ = check(t)
            hit = any(want in pr for pr in problems)
            print(("ok   " if hit else "FAIL ") + f"caught: {line} in {path}")
            ok &= hit
    with tempfile.TemporaryDirectory() as t:
        for part in ("include", "src", "tests/lint"):
            shutil.copytree(os.path.join(root, part), os.path.join(t, part))
        open(os.path.join(t, "include/sakimori/newthing.h"), "w").write("/* x */\n")
        problems, _ = check(t)
        hit = any("newthing.h: no layer" in pr for pr in problems)
        print(("ok   " if hit else "FAIL ") + "caught: a header without a layer")
        ok &= hit
    return ok


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        ok = self_test(sys.argv[2])
        print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
        return 0 if ok else 1
    problems, checked = check(sys.argv[1])
    for p in problems:
        print("FAIL " + p)
    print(f"{checked} files checked: {'0 passed, 1 failed' if problems else '1 passed, 0 failed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
