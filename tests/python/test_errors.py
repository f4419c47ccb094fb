# SPDX-License-Identifier: MIT
"""Every C++ exception kind arrives as the documented Python exception, never as a crash."""
import os
import pathlib

import numpy as np
import pytest

import kolsim

BAD = pathlib.Path(__file__).resolve().parents[1] / "data" / "bad"


def test_invalid_argument_is_value_error():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        kolsim.from_edges([0], [1], [1.5])
    with pytest.raises(ValueError, match="probabilities"):
        kolsim.IndependentCascade(kolsim.erdos_renyi(10, 20, seed=1))
    with pytest.raises(ValueError, match="sum"):
        kolsim.LinearThreshold(kolsim.from_edges([0, 1], [2, 2], [0.8, 0.8]))
    with pytest.raises(ValueError, match="exceeds"):
        kolsim.erdos_renyi(3, 100, seed=1)
    with pytest.raises(ValueError, match="unknown method"):
        kolsim.select_seeds(kolsim.IndependentCascade(kolsim.weighted_cascade(kolsim.erdos_renyi(10, 20))), 1,
                            method="nope")


def test_out_of_range_is_index_error():
    g = kolsim.weighted_cascade(kolsim.from_edges([10, 20], [20, 30]))
    model = kolsim.IndependentCascade(g)
    with pytest.raises(IndexError, match="account 99 is not in the graph"):
        kolsim.estimate_spread(model, [10, 99], trials=10)
    with pytest.raises(IndexError, match="99"):
        kolsim.simulate(model, [99])
    with pytest.raises(IndexError, match="-1"):
        kolsim.exact_spread(model, [-1])
    with pytest.raises(IndexError):
        kolsim.select_seeds(model, 1, candidates=[5])


def test_parse_error_is_value_error_with_location():
    path = BAD / "non_numeric_id.txt"
    with pytest.raises(kolsim.ParseError) as info:
        kolsim.read_edge_list(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.file == str(path)
    assert err.line >= 1
    assert f"{path}:{err.line}" in str(err)
    with pytest.raises(kolsim.ParseError):
        kolsim.load_snapshot(BAD / "wrong_magic.kgs")


def test_io_error_is_os_error(tmp_path):
    with pytest.raises(OSError, match="does-not-exist"):
        kolsim.read_edge_list(tmp_path / "does-not-exist.txt")
    with pytest.raises(OSError):
        kolsim.load_snapshot(tmp_path / "does-not-exist.kgs")
    with pytest.raises(OSError):
        kolsim.save_snapshot(kolsim.erdos_renyi(5, 5, seed=1), tmp_path / "no" / "such" / "dir" / "g.kgs")


def test_memory_limit_is_memory_error():
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(2000, 10000, seed=1))
    with pytest.raises(MemoryError):
        kolsim.imm(kolsim.IndependentCascade(g), 10, epsilon=0.05, memory_limit=1000)


def test_type_errors_for_wrong_objects():
    with pytest.raises(TypeError):
        kolsim.estimate_spread("not a model", [0])
    with pytest.raises(TypeError):
        kolsim.weighted_cascade(None)
    with pytest.raises(TypeError):
        kolsim.read_edge_list(12.5)


def test_empty_inputs_do_not_crash():
    g = kolsim.from_edges(np.array([], dtype=np.int64), [])
    assert g.num_vertices == 0 and g.num_edges == 0
    assert g.accounts.tolist() == [] and g.out_offsets.tolist() == [0]
    model = kolsim.IndependentCascade(kolsim.weighted_cascade(kolsim.from_edges([0], [1])))
    est = kolsim.estimate_spread(model, [], trials=10)
    assert est.mean == 0.0
    assert os.fspath(BAD).endswith("bad")


def _undecodable(tmp_path, name: bytes) -> bytes:
    """A path whose file name is not valid UTF-8 (bytes, as os.fsencode gives)."""
    return os.path.join(os.fsencode(tmp_path), name)


def test_bytes_and_surrogate_paths_name_the_same_file(tmp_path):
    good = _undecodable(tmp_path, b"edges-\xff.txt")
    with open(good, "wb") as f:
        f.write(b"1 2\n2 3\n")
    as_str = os.fsdecode(good)  # a str with a lone surrogate, as os.listdir returns it
    assert "\udcff" in as_str
    for path in (good, as_str, pathlib.Path(as_str)):
        assert kolsim.read_edge_list(path).num_edges == 2
    g = kolsim.weighted_cascade(kolsim.read_edge_list(as_str))
    snap = _undecodable(tmp_path, b"snap-\xfe.kgs")
    kolsim.save_snapshot(g, os.fsdecode(snap))
    assert kolsim.load_snapshot(snap).num_edges == 2
    roster = _undecodable(tmp_path, b"roster-\xfa.csv")
    with open(roster, "wb") as f:
        f.write(b"account,fee\n1,2.5\n")
    for path in (roster, os.fsdecode(roster)):
        assert [e["fee"] for e in kolsim.read_roster(path, g).entries] == [2.5]
    audience = _undecodable(tmp_path, b"audience-\xfb.csv")
    with open(audience, "wb") as f:
        f.write(b"account,group\n1,young\n")
    assert kolsim.read_audience(os.fsdecode(audience), g).group_names == ["young"]


def test_undecodable_bytes_in_errors_are_translated(tmp_path):
    bad = _undecodable(tmp_path, b"bad-\xff.txt")
    with open(bad, "wb") as f:
        f.write(b"1 2\n3 x\n")
    for path in (bad, os.fsdecode(bad)):
        with pytest.raises(kolsim.ParseError) as info:
            kolsim.read_edge_list(path)
        assert info.value.file == os.fsdecode(bad)  # os.fsencode(e.file) gives the bytes back
        assert os.fsencode(info.value.file) == bad
        assert info.value.line == 2
        assert "bad-\\xff.txt:2" in str(info.value)  # the message shows the byte, never fails to decode
    missing = _undecodable(tmp_path, b"missing-\xff.txt")
    for path in (missing, os.fsdecode(missing)):
        with pytest.raises(OSError, match=r"missing-\\xff\.txt"):
            kolsim.read_edge_list(path)
        with pytest.raises(OSError):
            kolsim.read_roster(path, kolsim.from_edges([1], [2]))
    junk = tmp_path / "junk.txt"  # undecodable bytes inside the data, quoted by the message
    junk.write_bytes(b"1 2\n\xff\xfe 3\n")
    with pytest.raises(kolsim.ParseError) as info:
        kolsim.read_edge_list(junk)
    assert info.value.line == 2
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"account,fee\n\xff\xfe,1\n")
    with pytest.raises(ValueError):
        kolsim.read_roster(roster, kolsim.from_edges([1], [2]))


def test_bad_path_types_are_type_errors(tmp_path):
    with pytest.raises(TypeError, match="path"):
        kolsim.read_edge_list(12.5)
    with pytest.raises(TypeError, match="path"):
        kolsim.read_roster(None, kolsim.from_edges([1], [2]))
    with pytest.raises(ValueError, match="NUL"):
        kolsim.read_edge_list(str(tmp_path / "a\0b.txt"))
