# SPDX-License-Identifier: MIT
"""String options parsed by one mechanism (core/choice.hpp): every accepted name of every option
works, and an unknown one raises ValueError that names the option and lists every choice."""
import re

import pytest

import kolsim
from kolsim import cascades as kc


@pytest.fixture(scope="module")
def g():
    return kolsim.weighted_cascade(kolsim.from_edges([0, 0, 1, 2], [1, 2, 3, 3]))


@pytest.fixture(scope="module")
def cascades(g):
    return kc.Cascades.from_lists(g, [[(0, 0.0), (1, 1.0), (3, 2.0)], [(0, 0.0), (2, 1.5)]])


def _edge_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("choices") / "g.txt"
    p.write_text("0 1\n1 1\n0 1\n")
    return p


def _csv(f):
    p = f.with_suffix(".csv")
    p.write_text("0,1\n")
    return p


# (option named in the message, call taking the value, every accepted name)
CHOICES = [
    ("bound_phase", lambda g, c, f, v: kolsim.imm(kolsim.IndependentCascade(g), 1, epsilon=0.5, bound_phase=v),
     ["validated", "classic"]),
    ("TriggeringModel: kind", lambda g, c, f, v: kolsim.TriggeringModel(g, v), ["ic", "lt", "uniform"]),
    ("ComplexContagion: rule", lambda g, c, f, v: kolsim.ComplexContagion(g, v), ["count", "fraction"]),
    ("time_critical_imm: method", lambda g, c, f, v: kolsim.time_critical_imm(g, 60.0, 1, method=v, epsilon=0.5),
     ["imm", "opim-c"]),
    ("self_loops", lambda g, c, f, v: kolsim.read_edge_list(f, self_loops=v, duplicates="keep"),
     ["drop", "keep"]),  # "error" refuses this file's self-loop (it is accepted as a choice)
    ("duplicates", lambda g, c, f, v: kolsim.read_edge_list(f, duplicates=v),
     ["first", "keep", "max", "combine", "sum"]),
    ("format", lambda g, c, f, v: kolsim.read_edge_list(_csv(f) if v == "csv" else f, format=v),
     ["auto", "whitespace", "csv"]),
    ("scheme", lambda g, c, f, v: kc.learn_credit(g, c, v), ["bernoulli", "jaccard", "lt"]),
    ("delay", lambda g, c, f, v: kc.learn_netrate(g, c, delay=v), ["exponential", "power_law", "rayleigh"]),
    ("method", lambda g, c, f, v: kolsim.friedkin_johnsen(g, [0.1, 0.2, 0.3, 0.4], 0.5, method=v),
     ["direct", "bicgstab", "sparse_lu", "iterate"]),
]


@pytest.mark.parametrize("option, call, names", CHOICES, ids=[c[0] for c in CHOICES])
def test_every_choice_parses_and_an_unknown_one_lists_them(option, call, names, g, cascades, tmp_path_factory):
    f = _edge_file(tmp_path_factory)
    for name in names:
        call(g, cascades, f, name)  # accepted
    with pytest.raises(ValueError) as info:
        call(g, cascades, f, "no-such-choice")
    msg = str(info.value)
    assert msg.startswith(option + " must be one of ") or (option + " must be one of ") in msg, msg
    assert "got 'no-such-choice'" in msg, msg
    listed = re.search(r"must be one of (.*), got", msg).group(1)
    for name in names:
        assert name in listed.split(" | ") or any(p.startswith(name + " (=") for p in listed.split(" | ")), (name, msg)


def test_self_loops_error_is_a_choice(tmp_path_factory):
    with pytest.raises(ValueError, match="self-loop"):
        kolsim.read_edge_list(_edge_file(tmp_path_factory), self_loops="error")
