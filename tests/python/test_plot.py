# SPDX-License-Identifier: MIT
"""kolsim.plot writes PNG files atomically with the Agg backend."""
import pytest

import kolsim

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import kolsim.plot  # noqa: E402


def test_reach_over_time_png(tmp_path):
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 800, seed=1))
    model = kolsim.IndependentCascade(g)
    est = kolsim.estimate_spread(model, [0, 1], trials=200, seed=2)
    exact_like = kolsim.simulate(model, [0, 1], seed=2)
    out = tmp_path / "reach.png"
    fig = kolsim.plot.reach_over_time([est, exact_like], labels=["mean", "one cascade"], path=out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["reach.png"]
    matplotlib.pyplot.close(fig)


def test_spread_vs_k_png(tmp_path):
    out = tmp_path / "k.png"
    fig = kolsim.plot.spread_vs_k([1, 2, 4], [[5.0, 8.0, 11.0], [4.0, 6.0, 9.0]], [[0.1] * 3, [0.2] * 3],
                                  labels=["imm", "degree"], path=str(out))
    assert out.stat().st_size > 1000
    matplotlib.pyplot.close(fig)
