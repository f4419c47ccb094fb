# SPDX-License-Identifier: MIT
"""Sphinx configuration of the kolsim documentation site (`make docs`; warnings are errors)."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("KOLSIM_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(BUILD, "python"))  # autodoc imports the built kolsim package

project = "kolsim"
author = "kolsim developers"
copyright = "kolsim developers, MIT licence"
try:
    import kolsim

    release = kolsim.__version__
except Exception:  # pragma: no cover - the build says so below when autodoc fails
    release = ""

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "breathe",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Doxyfile", "auto_examples/*.ipynb", "auto_examples/*.py"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "kolsim"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set = set()
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"
# pybind11 signatures name C++ types numpydoc cannot link; the docstrings say them in words.
nitpicky = False
suppress_warnings = ["myst.xref_missing"]

# The examples gallery (sphinx-gallery): examples/python rendered into auto_examples/ (generated,
# not committed). Quick, self-contained examples run during the build and show their output;
# the others (a dataset, files written, the long demo) are shown as code, so the site builds
# offline. Every example runs in the test suite either way (example_python_* tests).
_GALLERY_RUN = ("quickstart", "opinion_dynamics", "counter_narrative", "campaign_plan")
sphinx_gallery_conf = {
    "examples_dirs": "../examples/python",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/(" + "|".join(_GALLERY_RUN) + r")\.py$",
    "download_all_examples": False,
    "remove_config_comments": True,
    "line_numbers": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1e9,
}

# C++ API: doxygen XML for breathe, generated into the build folder on each build.
DOXYGEN_XML = os.path.join(BUILD, "docs", "doxygen", "xml")
breathe_projects = {"kolsim": DOXYGEN_XML}
breathe_default_project = "kolsim"
breathe_default_members = ("members",)


def _run_doxygen(app):  # noqa: ARG001 - Sphinx hook signature
    out = os.path.dirname(DOXYGEN_XML)
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, KOLSIM_SOURCE_DIR=ROOT, KOLSIM_DOXYGEN_OUT=out)
    subprocess.run(["doxygen", os.path.join(HERE, "Doxyfile")], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


_BARS = re.compile(r"(?<!\\)\|(\w+)\|")


def _plain_docstrings(app, what, name, obj, options, lines):  # noqa: ARG001 - Sphinx hook signature
    """Docstrings are written for help() too: ``|R2|`` means a set size, not an rst
    substitution; a module's Examples section is a rubric (numpydoc would give every module page
    the same "examples" label)."""
    for i, line in enumerate(lines):
        lines[i] = _BARS.sub(r"\\|\1\\|", line)
    if what == "module":
        for i in range(len(lines) - 1):
            if lines[i].strip() == "Examples" and set(lines[i + 1].strip()) == {"-"}:
                lines[i], lines[i + 1] = ".. rubric:: Examples", ""


def setup(app):
    app.connect("builder-inited", _run_doxygen)
    app.connect("autodoc-process-docstring", _plain_docstrings, priority=400)
