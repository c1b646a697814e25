#!/usr/bin/python3
"""make_big_evtx.py - a large EVTX file for bench/evtx.sh: the whole chunks of the
given EVTX files (those with a chunk signature and records), repeated until the file
reaches SIZE_MB, under a file header fixed up for the chunk count (with its CRC-32).

    make_big_evtx.py OUT SIZE_MB FILE...
"""
import struct
import sys
import zlib

out, size_mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
chunks = []
for f in files:
    d = open(f, "rb").read()
    for off in range(4096, len(d) - 65535, 65536):
        c = d[off:off + 65536]
        if c[:8] == b"ElfChnk\0" and struct.unpack_from("<I", c, 48)[0] > 512:
            chunks.append(c)
want = max(1, (size_mb << 20) // 65536)
want = min(want, 65535)
head = bytearray(4096)
head[0:8] = b"ElfFile\0"
struct.pack_into("<QQQIHHHH", head, 8, 0, want - 1, 1, 128, 1, 3, 4096, want)
struct.pack_into("<I", head, 124, zlib.crc32(bytes(head[:120])))
with open(out, "wb") as o:
    o.write(head)
    for i in range(want):
        o.write(chunks[i % len(chunks)])
print("%s: %d chunks (%d distinct), %.2f GB" % (out, want, len(chunks), (4096 + want * 65536) / 1e9))
