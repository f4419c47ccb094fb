# SPDX-License-Identifier: MIT
"""Trust in the campaign inputs (issue 11): a roster or audience is bound to its graph, a roster
file with no rows, numbers outside the decimal grammar and bytes that are not UTF-8 are
ParseErrors with file and line, and any path Python can name (str, bytes, surrogates) works."""
import os

import numpy as np
import pytest

import kolsim
import kolsim.campaign as kc


def _graph(last: int) -> kolsim.FollowerGraph:
    """A path 10 -> 20 -> ... -> 70 -> last, probability 0.5 (eight accounts)."""
    src = np.array([10, 20, 30, 40, 50, 60, 70], dtype=np.uint64)
    dst = np.array([20, 30, 40, 50, 60, 70, last], dtype=np.uint64)
    return kolsim.from_edges(src, dst, np.full(7, 0.5))


def _plan(graph, roster, **kw):
    return kolsim.plan_campaign(kolsim.IndependentCascade(graph), roster, max_kols=1, check_trials=100, epsilon=0.5,
                                threads=1, **kw)


def test_roster_and_audience_are_bound_to_their_graph(tmp_path):
    a, b = _graph(80), _graph(100)  # same size, the last account differs
    roster = kolsim.Roster(a, [70], [1.0])  # dense index 6: account 100 on b
    assert roster.num_vertices == 8 and isinstance(roster.graph_fingerprint, int)
    with pytest.raises(ValueError, match=r"roster was joined to another graph \(8 accounts.*this one \(8 accounts"):
        _plan(b, roster)
    assert _plan(a, roster).seeds.tolist() == [70]
    path = tmp_path / "r.csv"
    path.write_text("account,fee\n70,1\n")
    with pytest.raises(ValueError, match="joined to another graph"):
        _plan(b, kolsim.read_roster(path, a))
    roster_b = kolsim.Roster(b, [10], [1.0])
    for audience in (kc.audience_from_groups(a, [70], ["x"]), kolsim.Audience(weights=np.ones(8), g=a),
                     kolsim.read_audience(_write(tmp_path / "aud.csv", b"account,weight\n70,2\n"), a)):
        assert audience.graph_fingerprint == roster.graph_fingerprint
        with pytest.raises(ValueError, match="audience was joined to another graph"):
            _plan(b, roster_b, audience=audience)
    unbound = kolsim.Audience(weights=np.ones(8))
    assert unbound.graph_fingerprint is None
    assert len(_plan(b, roster_b, audience=unbound).kols) == 1
    with pytest.raises(ValueError, match="expected 8 weights"):
        kolsim.Audience(weights=np.ones(3), g=a)


def test_same_file_read_twice_is_the_same_graph(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("10 20 0.5\n20 30 0.5\n30 10 0.5\n")
    g1 = kolsim.read_edge_list(edges, probability_column=2)
    g2 = kolsim.read_edge_list(edges, probability_column=2)
    roster = kolsim.read_roster(_write(tmp_path / "r.csv", b"account,fee\n20,1\n"), g1)
    assert _plan(g2, roster).seeds.tolist() == [20]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _parse_error(path, graph, *, audience=False):
    with pytest.raises(kolsim.ParseError) as info:
        (kolsim.read_audience if audience else kolsim.read_roster)(path, graph)
    err = info.value
    assert isinstance(str(err), str) and err.line > 0 and os.fsdecode(path) in str(err)
    return err


def test_header_only_roster_is_an_error(tmp_path):
    g = _graph(80)
    err = _parse_error(_write(tmp_path / "h.csv", b"account,fee,risk\n# nobody yet\n"), g)
    assert err.line == 1 and "roster has no rows" in str(err)
    assert len(kolsim.read_roster(tmp_path / "h.csv", g, include_non_roster=True)) == 0
    err = _parse_error(_write(tmp_path / "a.csv", b"account,group\n\n"), g, audience=True)
    assert "audience has no rows" in str(err)
    with pytest.raises(ValueError, match="no rows"):
        kolsim.Roster(g, [], [])


@pytest.mark.parametrize("bad", ["0x10", "inf", "-inf", "nan", "1e", "0x1p4", "1_000"])
def test_roster_numbers_use_the_decimal_grammar(tmp_path, bad):
    g = _graph(80)
    err = _parse_error(_write(tmp_path / "f.csv", f"account,fee\n10,1\n20,{bad}\n".encode()), g)
    assert err.line == 3 and f"fee '{bad}' is not a decimal number" in str(err)
    err = _parse_error(_write(tmp_path / "w.csv", f"account,weight\n10,{bad}\n".encode()), g, audience=True)
    assert err.line == 2 and "weight '" in str(err)


@pytest.mark.parametrize("data, line, fragment", [
    (b"account,fee,platform\n10,1,tw\xffitter\n", 2, r"column 'platform': invalid UTF-8 at byte 3 of 'tw\xffitter'"),
    (b"account,fee,tags\n10,1,a;\xc3(\n", 2, "column 'tags': invalid UTF-8"),
    (b"account,fee\n1\xff0,1\n", 2, r"column 'account': invalid UTF-8 at byte 2 of '1\xff0'"),
    (b"account,fee\n1\x000,1\n", 2, r"control character '\x00' in '1\x000'"),
    (b"account,fee,pl\xe9tform\n10,1,x\n", 1, "invalid UTF-8"),
])
def test_bad_bytes_are_parse_errors_with_file_and_line(tmp_path, data, line, fragment):
    err = _parse_error(_write(tmp_path / "bad.csv", data), _graph(80))
    assert err.line == line and fragment in str(err), str(err)
    assert err.file == os.fsdecode(tmp_path / "bad.csv")


def test_bad_group_name_bytes(tmp_path):
    err = _parse_error(_write(tmp_path / "g.csv", b"account,group\n10,young\n20,\xe9lder\n"), _graph(80),
                       audience=True)
    assert err.line == 3 and r"column 'group': invalid UTF-8 at byte 1 of '\xe9lder'" in str(err)


def test_utf8_text_reaches_the_json_record(tmp_path):
    g = _graph(80)
    roster = kolsim.read_roster(_write(tmp_path / "r.csv", "account,fee,platform,tags\n20,1,微博,café;🎵\n".encode()), g)
    assert roster.entries[0]["platform"] == "微博" and roster.entries[0]["tags"] == ["café", "🎵"]
    assert _plan(g, roster).as_dict()["kols"][0]["platform"] == "微博"


def test_bytes_pathlike_and_undecodable_paths(tmp_path):
    g = _graph(80)
    data = b"account,fee\n10,1\n"
    plain = _write(tmp_path / "plain.csv", data)
    for p in (plain, str(plain), os.fsencode(plain)):
        assert len(kolsim.read_roster(p, g)) == 1
    raw = os.path.join(os.fsencode(tmp_path), b"r\xff\xfe.csv")  # not UTF-8: a str path holds surrogates
    try:
        with open(raw, "wb") as f:
            f.write(data)
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    assert len(kolsim.read_roster(raw, g)) == 1
    assert len(kolsim.read_roster(os.fsdecode(raw), g)) == 1
    with open(raw, "wb") as f:
        f.write(b"account,fee\n10,0x10\n")
    for p in (raw, os.fsdecode(raw)):
        with pytest.raises(kolsim.ParseError) as info:
            kolsim.read_roster(p, g)
        assert info.value.line == 2 and info.value.file == os.fsdecode(raw)
    with pytest.raises(OSError):
        kolsim.read_roster(os.path.join(os.fsencode(tmp_path), b"missing\xff.csv"), g)
