# SPDX-License-Identifier: MIT
"""Runs the `>>>` examples of the documentation pages (docs/*.md and docs/guide/*.md) with doctest.

Usage: run_doctests.py DOCS_DIR [PAGE ...]. Exit status 1 when an example fails (doctest prints
which page, line and output), 2 when no page has an example (the guide lost its examples).
"""
import doctest
import glob
import os
import sys


def main(argv):
    docs = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "docs")
    pages = argv[2:] or sorted(glob.glob(os.path.join(docs, "*.md")) + glob.glob(os.path.join(docs, "guide", "*.md")))
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    failed = attempted = 0
    for page in pages:
        r = doctest.testfile(os.path.abspath(page), module_relative=False, optionflags=flags, encoding="utf-8")
        if r.attempted:
            print(f"{os.path.relpath(page, docs)}: {r.attempted} examples, {r.failed} failed")
        failed += r.failed
        attempted += r.attempted
    if attempted == 0:
        print("no examples found", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
