#!/usr/bin/env python3
"""flip.py: damages a stopped server's data.mdb for t_checksums.sh.

  flip.py FILE all TEXT       flips one bit in the middle of every
                              occurrence of TEXT (UTF-8); prints how many
  flip.py FILE page1-txnid    lowers the txnid of LMDB's meta page 1, so
                              that LMDB picks meta page 0 (in a compacted
                              backup: an empty database)
  flip.py FILE random SEED N  flips one random bit of the file, the Nth
                              draw of SEED; prints the offset
  flip.py - utf8              reads stdin; exit 1 if it is not UTF-8
"""
import random
import struct
import sys


def main():
    path, what = sys.argv[1], sys.argv[2]
    if what == "utf8":
        data = sys.stdin.buffer.read()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            print("not UTF-8: %s" % e)
            return 1
        return 0
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if what == "all":
            needle = sys.argv[3].encode("utf-8")
            n, at = 0, data.find(needle)
            while at >= 0:
                data[at + len(needle) // 2] ^= 0x40
                n += 1
                at = data.find(needle, at + 1)
            print(n)
        elif what == "page1-txnid":
            # MDB_page header (16 bytes), then MDB_meta: magic u32,
            # version u32, address ptr, mapsize, two MDB_db of 48 bytes,
            # last_pg, txnid (64-bit little-endian, Linux amd64).
            psize = struct.unpack_from("<I", data, 16 + 4 + 4 + 8 + 8)[0]
            off = psize + 16 + 4 + 4 + 8 + 8 + 48 * 2 + 8
            txnid = struct.unpack_from("<Q", data, off)[0]
            struct.pack_into("<Q", data, off, 0)
            print(txnid)
        elif what == "random":
            rng = random.Random(int(sys.argv[3]))
            for _ in range(int(sys.argv[4])):
                at, bit = rng.randrange(len(data)), rng.randrange(8)
            data[at] ^= 1 << bit
            print(at)
        f.seek(0)
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
