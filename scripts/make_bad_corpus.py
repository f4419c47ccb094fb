#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Regenerates the binary files of tests/data/{good,bad} deterministically (text files are committed as they are).

Run with /usr/bin/python3 from the repository root. tests/data/good/small.kgs (the snapshot of
tests/data/good/probs.txt read with probability_column=2, written by kolsim::save_snapshot) is the
input for the damaged snapshots; regenerate it with save_snapshot if the format version changes.
"""
import gzip
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"
GOOD, BAD = ROOT / "good", ROOT / "bad"


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def main() -> None:
    probs = (GOOD / "probs.txt").read_bytes()
    (GOOD / "probs.txt.gz").write_bytes(gz(probs))
    # Two gzip members (as `cat a.gz b.gz` makes): must read as the concatenation.
    lines = probs.splitlines(keepends=True)
    (GOOD / "probs_two_members.gz").write_bytes(gz(b"".join(lines[:2])) + gz(b"".join(lines[2:])))

    text = b"".join(b"%d %d\n" % (i, i + 1) for i in range(20000))
    packed = gz(text)
    (BAD / "truncated.txt.gz").write_bytes(packed[: len(packed) // 2])
    body = bytearray(packed)
    for k in range(40, 60):  # inside the deflate data, past the 10-byte gzip header
        body[k] ^= 0xFF
    (BAD / "corrupt_gzip.gz").write_bytes(bytes(body))
    # Named .gz but not gzip: read by its magic bytes (none), i.e. as text, so the binary junk is
    # reported as a non-numeric account id on line 1.
    (BAD / "not_gzip.gz").write_bytes(b"\x00\x01PK\x03\x04 binary junk\n1 2\n")

    snap = (GOOD / "small.kgs").read_bytes()
    flipped = bytearray(snap)
    flipped[100] ^= 0x01  # inside out_targets: only the checksum notices
    (BAD / "corrupt_snapshot.kgs").write_bytes(bytes(flipped))
    (BAD / "truncated_snapshot.kgs").write_bytes(snap[:150])
    (BAD / "wrong_magic.kgs").write_bytes(b"KOLSIMXX" + snap[8:])
    version = bytearray(snap)
    struct.pack_into("<I", version, 8, 99)
    (BAD / "unsupported_version.kgs").write_bytes(bytes(version))
    (BAD / "snapshot_trailing_bytes.kgs").write_bytes(snap + b"\x00" * 8)


if __name__ == "__main__":
    main()
