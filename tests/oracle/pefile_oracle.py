#!/usr/bin/python3
"""The PE oracle: what python3-pefile reads from each PE file, in the shape sakimori's
identity has, so that the two can be compared field by field without running pefile
in every CI run.

usage: pefile_oracle.py ROOT... > oracle.jsonl
Each line: {"path": relative to its root with the root's label, "sha256", and, where
pefile parses the file: "sections" [{name, virtual_size, raw_size}], "imphash",
"version_info" {lang: {key: value}}}; "pefile_error" otherwise. A root is given as
LABEL=DIR.
"""
import hashlib, json, os, sys
import pefile

def entry(path):
    data = open(path, "rb").read()
    r = {"sha256": hashlib.sha256(data).hexdigest()}
    if data[:2] != b"MZ":
        return None
    try:
        pe = pefile.PE(data=data, fast_load=True)
        pe.parse_data_directories(directories=[
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
    except Exception as e:  # pefile refuses it: nothing to compare
        r["pefile_error"] = str(e)[:200]
        return r
    r["sections"] = [{"name": s.Name.rstrip(b"\0").decode("utf-8", "surrogateescape"), "virtual_size": s.Misc_VirtualSize,
                      "raw_size": s.SizeOfRawData} for s in pe.sections]
    try:
        r["imphash"] = pe.get_imphash()
    except Exception as e:
        r["imphash_error"] = str(e)[:200]
    vi = {}
    for fi in getattr(pe, "FileInfo", []) or []:
        for f in fi:
            if getattr(f, "Key", b"") == b"StringFileInfo":
                for st in f.StringTable:
                    lang = st.LangID.decode("latin-1").lower()
                    d = vi.setdefault(lang, {})
                    for k, v in st.entries.items():
                        d.setdefault(k.decode("utf-8", "replace"), v.decode("utf-8", "replace"))
    r["version_info"] = vi
    return r

out = sys.stdout
for spec in sys.argv[1:]:
    label, root = spec.split("=", 1)
    for dp, dn, fn in os.walk(root):
        dn.sort()
        for f in sorted(fn):
            p = os.path.join(dp, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            r = entry(p)
            if r is None:
                continue
            r = {"path": label + "/" + os.path.relpath(p, root), **r}
            out.write(json.dumps(r, sort_keys=True) + "\n")
