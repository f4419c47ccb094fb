# SPDX-License-Identifier: MIT
"""Files kolsim writes: JSON run records (any text round-trips, floats in shortest form) and
atomic PNG saving (permission bits kept, symbolic links written through, no stray temporaries)."""
import json
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kolsim
import kolsim.plot

WEIRD = 'q"uo\\te\\\\ \t\n\r\x01\x1f\x7f caf\u00e9 \u2713 \U0001F600 \u2028'


def test_run_record_round_trips_any_text(tmp_path):
    g = kolsim.weighted_cascade(kolsim.from_edges(np.array([10, 30], dtype=np.uint64),
                                                  np.array([20, 40], dtype=np.uint64)))
    accounts = np.array([10, 30], dtype=np.uint64)
    tags = [["a\\b", 'c"d', "\x02\u00fc"], [WEIRD]]
    roster = kolsim.Roster(g, accounts, [1.0, 1.0], [0.0, 0.0], platforms=[WEIRD, "x"], tags=tags)
    plan = kolsim.plan_campaign(kolsim.IndependentCascade(g), roster, max_kols=2, check_trials=50, seed=1,
                                epsilon=0.1)
    out = tmp_path / "plan.json"
    plan.save_json(out)
    raw = out.read_bytes()
    with open(out, encoding="utf-8") as f:
        rec = json.load(f)
    by_account = {k["account"]: k for k in rec["kols"]}
    assert by_account[10]["platform"] == WEIRD and by_account[10]["tags"] == tags[0]
    assert by_account[30]["platform"] == "x" and by_account[30]["tags"] == tags[1]
    assert rec == json.loads(plan.to_json()) == plan.as_dict()
    assert b'"epsilon":0.1,' in raw, raw  # shortest round-trip form, not 0.10000000000000001
    assert rec["parameters"]["epsilon"] == 0.1


def _figure():
    plt = kolsim.plot._pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 1, 4])
    return fig


def _names(folder):
    return sorted(os.listdir(folder))


def test_save_png_keeps_permission_bits(tmp_path):
    target = tmp_path / "reach.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    kolsim.plot.save_png(_figure(), target)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    old = os.umask(0o027)
    try:
        kolsim.plot.save_png(_figure(), tmp_path / "new.png")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.png").st_mode) == 0o640
    assert _names(tmp_path) == ["new.png", "reach.png"]


def test_save_png_writes_through_a_symbolic_link(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "plot.png"
    real.write_bytes(b"old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.png"
    link.symlink_to(os.path.join("real", "plot.png"))
    kolsim.plot.save_png(_figure(), link)
    assert link.is_symlink() and real.read_bytes().startswith(b"\x89PNG")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert _names(tmp_path) == ["link.png", "real"] and _names(tmp_path / "real") == ["plot.png"]


def test_save_png_leaves_nothing_behind_after_an_error(tmp_path):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")

    class Broken(Exception):
        pass

    fig = _figure()

    def explode(*args, **kwargs):
        raise Broken()

    fig.axes[0].draw = explode
    with pytest.raises(Broken):
        kolsim.plot.save_png(fig, target)
    assert target.read_bytes() == b"old" and _names(tmp_path) == ["plot.png"]
    with pytest.raises(FileNotFoundError):
        kolsim.plot.save_png(_figure(), tmp_path / "missing" / "x.png")
    with pytest.raises(IsADirectoryError):
        kolsim.plot.save_png(_figure(), tmp_path)
    assert _names(tmp_path) == ["plot.png"]


def test_save_png_leaves_nothing_behind_when_killed_while_rendering(tmp_path):
    # The process dies inside savefig (as on SIGKILL): no finally block runs.
    code = textwrap.dedent(f"""
        import os, kolsim.plot
        plt = kolsim.plot._pyplot()
        fig, ax = plt.subplots()
        ax.draw = lambda *a, **k: os._exit(7)
        kolsim.plot.save_png(fig, {str(tmp_path / "plot.png")!r})
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert p.returncode == 7, p.stderr.decode()
    assert _names(tmp_path) == []
