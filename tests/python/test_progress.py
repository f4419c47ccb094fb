# SPDX-License-Identifier: MIT
"""Real progress counts of the readers (roster, audience, cascades) and learn_credit from Python:
each phase's `done` never decreases, starts at 0, ends at its total, the total is the real size
(bytes, lines, cascades, edges), and a call gives the same result with and without progress.
The binding passes at most one report per 50 ms of a phase to Python (plus the start and the
end), so the intermediate counts of these fast readers are checked in C++
(tests/cpp/test_reader_progress.cpp)."""
import os

import numpy as np
import pytest

import kolsim
import kolsim.cascades as kcas

N = 6000


@pytest.fixture(scope="module")
def graph():
    rng = np.random.default_rng(5)
    src = rng.integers(0, N, 30_000)
    dst = rng.integers(0, N, 30_000)
    keep = src != dst
    return kolsim.from_edges(src[keep] + 1, dst[keep] + 1, np.full(keep.sum(), 0.1),
                             extra_accounts=np.arange(1, N + 1))


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, phase, done, total):
        self.calls.append((phase, done, total))

    def phases(self):
        out = {}
        for phase, done, total in self.calls:
            out.setdefault(phase, []).append((done, total))
        return out


def check_phase(reports, total):
    """Monotone, one total (the real size), from 0 to it."""
    dones = [d for d, _ in reports]
    assert {t for _, t in reports} == {total}
    assert dones == sorted(dones), dones
    assert dones[0] == 0 and dones[-1] == total


def test_roster_progress_counts_bytes(graph, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("account,fee,risk,platform,tags\n" +
                    "".join(f"{a},{10 + a % 7}.5,0.{a % 5},site,news;local\n" for a in range(1, N + 1)))
    rec = Recorder()
    r = kolsim.read_roster(path, graph, progress=rec)
    assert list(rec.phases()) == ["read"]
    check_phase(rec.phases()["read"], os.path.getsize(path))
    assert r.entries == kolsim.read_roster(path, graph).entries and len(r) == N


def test_audience_progress_counts_bytes(graph, tmp_path):
    path = tmp_path / "audience.csv"
    path.write_text("account,group,weight\n" + "".join(f"{a},g{a % 3},{1 + a % 2}\n" for a in range(1, N + 1)))
    rec = Recorder()
    a = kolsim.read_audience(path, graph, progress=rec)
    check_phase(rec.phases()["read"], os.path.getsize(path))
    b = kolsim.read_audience(path, graph)
    assert np.array_equal(a.weights, b.weights) and a.group_names == b.group_names


def _cascade_lines(n_cascades):
    rng = np.random.default_rng(3)
    out = []
    for c in range(n_cascades):
        who = rng.choice(np.arange(1, N + 1), 4, replace=False)
        out.append([(int(w), float(c + i)) for i, w in enumerate(who)])
    return out


@pytest.mark.parametrize("layout", ["per_line", "long_csv"])
def test_cascade_reader_progress_counts_lines(graph, tmp_path, layout):
    cascades = _cascade_lines(3000)
    if layout == "per_line":
        path = tmp_path / "c.txt"
        path.write_text("".join(",".join(f"{a} {t}" for a, t in c) + "\n" for c in cascades))
    else:
        path = tmp_path / "c.csv"
        path.write_text("cascade_id,account,time\n" +
                        "".join(f"{i},{a},{t}\n" for i, c in enumerate(cascades) for a, t in c))
    lines = path.read_text().count("\n")
    rec = Recorder()
    got = kcas.read_cascades(path, graph, progress=rec)
    phases = rec.phases()
    check_phase(phases["read"], lines)
    if layout == "long_csv":
        assert list(phases) == ["read", "join"]
        check_phase(phases["join"], 3000)
    else:
        assert list(phases) == ["read"]
    plain = kcas.read_cascades(path, graph)
    assert got.report == plain.report and got.report["cascades"] == 3000


def test_learn_credit_progress_counts_cascades_then_edges(graph, tmp_path):
    path = tmp_path / "c.txt"
    cascades = _cascade_lines(2500)
    path.write_text("".join(",".join(f"{a} {t}" for a, t in c) + "\n" for c in cascades))
    cs = kcas.read_cascades(path, graph)
    rec = Recorder()
    learned = kcas.learn_credit(graph, cs, progress=rec)
    phases = rec.phases()
    assert list(phases) == ["evidence", "credit"]
    check_phase(phases["evidence"], 2500)
    check_phase(phases["credit"], graph.num_edges)
    plain = kcas.learn_credit(graph, cs)
    assert np.array_equal(learned.probability, plain.probability)


def test_progress_true_shows_a_bar(graph, tmp_path, capsys):
    pytest.importorskip("tqdm")
    path = tmp_path / "roster.csv"
    path.write_text("account,fee\n" + "".join(f"{a},1\n" for a in range(1, 200)))
    assert len(kolsim.read_roster(path, graph, progress=True)) == 199
    assert "read_roster: read" in capsys.readouterr().err
