#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a public header includes a header of a higher layer (STYLE.md: data flows one way).

Layers, bottom up: core < graph < io, diffusion < detail < estimate < learn, select <
campaign, opinion < distributed. A header may include its own folder and any lower layer;
the umbrella header kolsim.hpp is exempt. Prints every violation as file:line.
"""
import pathlib
import re
import sys

RANK = {"core": 0, "graph": 1, "io": 2, "diffusion": 2, "detail": 3, "estimate": 4, "learn": 5, "select": 5,
        "campaign": 6, "opinion": 6, "distributed": 7}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]kolsim/([a-z_]+)/')


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    include = root / "include" / "kolsim"
    bad = []
    for header in sorted(include.rglob("*.hpp")):
        rel = header.relative_to(include)
        if len(rel.parts) < 2:
            continue  # kolsim.hpp
        layer = rel.parts[0]
        if layer not in RANK:
            bad.append(f"{header}:1: folder '{layer}' has no layer rank in tests/layers/check_layers.py")
            continue
        for n, line in enumerate(header.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) == layer:
                continue
            target = m.group(1)
            if target not in RANK or RANK[target] >= RANK[layer]:
                bad.append(f"{header}:{n}: layer '{layer}' includes '{target}' "
                           f"({'same' if RANK.get(target) == RANK[layer] else 'higher'} layer): {line.strip()}")
    for b in bad:
        print(b)
    print(f"{len(bad)} layer violation(s) in {sum(1 for _ in include.rglob('*.hpp'))} headers")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
