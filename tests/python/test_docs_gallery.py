# SPDX-License-Identifier: MIT
"""The examples gallery of the documentation site (sphinx-gallery, docs/conf.py): every
examples/python/*.py is a gallery page (a title, then text), the examples the site runs exist and
need no data, and the gallery is part of the site's table of contents. The whole site, gallery
included, is built with warnings as errors by the docs_site test (`make docs`)."""
import glob
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "python", "*.py")))

# sphinx-gallery 0.10 (Debian 12) still compares versions with distutils.
pytestmark = pytest.mark.filterwarnings("ignore:distutils Version classes are deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def _gallery():
    pytest.importorskip("sphinx_gallery", reason="python3-sphinx-gallery is not installed "
                        "(scripts/install_deps.sh --docs)")


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def _conf():
    spec = importlib.util.spec_from_file_location("kolsim_docs_conf", os.path.join(ROOT, "docs", "conf.py"))
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_every_example_is_a_gallery_page(path):
    from sphinx_gallery.gen_rst import extract_intro_and_title
    from sphinx_gallery.py_source_parser import split_code_and_text_blocks

    _, blocks = split_code_and_text_blocks(path)
    assert blocks[0][0] == "text", "the example must start with its docstring"
    intro, title = extract_intro_and_title(path, blocks[0][1])  # raises when there is no title
    assert title and intro and intro != title


def test_gallery_configuration():
    conf = _conf()
    assert "sphinx_gallery.gen_gallery" in conf.extensions
    cfg = conf.sphinx_gallery_conf
    assert os.path.normpath(os.path.join(ROOT, "docs", cfg["examples_dirs"])) == os.path.join(ROOT, "examples", "python")
    assert os.path.isfile(os.path.join(ROOT, "examples", "python", "README.txt"))
    names = {os.path.splitext(os.path.basename(p))[0] for p in EXAMPLES}
    assert set(conf._GALLERY_RUN) <= names
    import re

    run = {n for n in names if re.search(cfg["filename_pattern"], f"/x/{n}.py")}
    assert run == set(conf._GALLERY_RUN)
    for name in run:  # run at build time: no dataset, no file written, no command line
        text = _read("examples", "python", name + ".py")
        assert "KOLSIM_DATA_DIR" not in text or "else" in text, name
        assert "argparse" not in text and "open(" not in text and "path=" not in text, name
    assert "auto_examples/index" in _read("docs", "index.md")
