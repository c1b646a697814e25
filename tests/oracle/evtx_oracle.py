#!/usr/bin/python3
"""evtx_oracle.py - what python3-evtx (evtx_dump.py's library) reads in EVTX files.

    evtx_oracle.py ROOT FILE... > oracle.jsonl

One JSON line per record python-evtx yields, in its order (every whole chunk after the
header, each chunk's records up to its free-space offset, as evtx_dump.py does):
{"file": path relative to ROOT, "offset": record offset, "record": header record
number, "xml": the record's XML as python-evtx renders it} or, when python-evtx fails
on a record, {"file", "offset", "record", "error"}; and one {"file", "records": N,
"error"?} line per file. The XML is kept as python-evtx writes it: the comparison
(compare_evtx.py) normalises both sides and documents how.
"""
import json
import os
import sys

import Evtx.Evtx as evtx


def main():
    root = sys.argv[1]
    out = sys.stdout
    for path in sys.argv[2:]:
        rel = os.path.relpath(path, root)
        n = 0
        ferr = None
        try:
            with evtx.Evtx(path) as log:
                it = log.records()
                while True:
                    try:
                        rec = next(it)
                    except StopIteration:
                        break
                    except Exception as e:  # the iteration itself broke: python-evtx stops here
                        ferr = "%s: %s" % (type(e).__name__, e)
                        break
                    row = {"file": rel, "offset": rec.offset(), "record": rec.record_num()}
                    try:
                        row["xml"] = rec.xml()
                    except Exception as e:
                        row["error"] = "%s: %s" % (type(e).__name__, e)
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    n += 1
        except Exception as e:
            ferr = "%s: %s" % (type(e).__name__, e)
        summary = {"file": rel, "records": n}
        if ferr:
            summary["error"] = ferr
        out.write(json.dumps(summary, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
