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
    parser = doctest.DocTestParser()
    for page in pages:
        with open(page, encoding="utf-8") as f:
            # A code fence ends an example's expected output (doctest would read it as output).
            text = "".join("\n" if line.lstrip().startswith("```") else line for line in f)
        test = parser.get_doctest(text, {"__name__": "__doc__"}, os.path.basename(page), os.path.abspath(page), 0)
        runner = doctest.DocTestRunner(optionflags=flags)
        runner.run(test)
        r = runner.summarize(verbose=False)
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
