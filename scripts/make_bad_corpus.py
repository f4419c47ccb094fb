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


# The snapshot checksum (src/io/snapshot.cpp): xxHash64-style rounds over 1 MiB blocks per
# section, combined in order. Needed to craft files whose checksum is valid but whose structure
# is not (the checksum is not a security boundary: the loader must check the structure itself).
M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                      0x27D4EB2F165667C5)


def rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & M64


def mix_round(acc: int, w: int) -> int:
    acc = (acc + w * P2) & M64
    return (rotl(acc, 31) * P1) & M64


def avalanche(h: int) -> int:
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def block_hash(p: bytes, seed: int) -> int:
    v1, v2, v3, v4 = (seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64
    i, n = 0, len(p)
    while n - i >= 32:
        w = struct.unpack_from("<4Q", p, i)
        v1, v2, v3, v4 = mix_round(v1, w[0]), mix_round(v2, w[1]), mix_round(v3, w[2]), mix_round(v4, w[3])
        i += 32
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) & M64
    while n - i >= 8:
        h ^= mix_round(0, struct.unpack_from("<Q", p, i)[0])
        h = (rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i < n:
        w = int.from_bytes(p[i:], "little")
        h ^= mix_round(0, w ^ (((n - i) << 59) & M64))
        h = (rotl(h, 27) * P1 + P4) & M64
    return avalanche(h ^ n)


def section_hash(data: bytes) -> int:
    block = 1 << 20
    blocks = max(1, (len(data) + block - 1) // block)
    h = P5 ^ len(data)
    for b in range(blocks):
        h = mix_round(h, block_hash(data[b * block:(b + 1) * block], b))
    return avalanche(h)


def snapshot_checksum(sections) -> int:
    h, count = (1 * P3 + P4) & M64, 0
    for sec in sections:
        count += 1
        h = mix_round(h ^ count, section_hash(sec))
    return avalanche(h ^ count)


def snapshot_sections(snap: bytes):
    """Splits a snapshot into its checksummed sections (header and arrays)."""
    _, _, flags, n, m = struct.unpack_from("<8sIIQQ", snap, 0)
    sizes = [64, 8 * (n + 1), 4 * m, 8 * (n + 1), 4 * m, 8 * n] + ([4 * m, 4 * m] if flags & 1 else [])
    out, at = [], 0
    for size in sizes:
        out.append(bytearray(snap[at:at + size]))
        at += size
    return out


def reseal(sections) -> bytes:
    body = b"".join(bytes(s) for s in sections)
    return body + struct.pack("<Q", snapshot_checksum(sections))


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

    # Valid checksums, invalid structure. small.kgs: accounts 1, 2, 3; out-rows 0: [1, 2],
    # 1: [2], 2: [0]; in-rows 0: [2], 1: [0], 2: [0, 1].
    sections = snapshot_sections(snap)
    assert reseal(sections) == snap, "the Python checksum no longer matches src/io/snapshot.cpp"
    not_transpose = snapshot_sections(snap)
    struct.pack_into("<I", not_transpose[4], 4, 2)  # in-row of vertex 1 claims source 2, not 0
    (BAD / "snapshot_not_transpose.kgs").write_bytes(reseal(not_transpose))
    probs = snapshot_sections(snap)
    in_p = probs[7]
    in_p[0:4], in_p[4:8] = bytes(in_p[4:8]), bytes(in_p[0:4])  # two in-order probabilities swapped
    (BAD / "snapshot_probs_mismatch.kgs").write_bytes(reseal(probs))


if __name__ == "__main__":
    main()
