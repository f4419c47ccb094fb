# SPDX-License-Identifier: MIT
"""Readers never answer silently wrong, never crash and never exhaust memory (issue 11)."""
import _thread
import gzip
import os
import threading
import time
import warnings

import pytest

import kolsim


def test_unused_probability_column_warns_and_is_reported(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("1 2 0.9\n1 3 0.9\n1 4 0.9\n")
    with pytest.warns(UserWarning, match=r"column 2 .*probability_column=2"):
        g, report = kolsim.read_edge_list(path, return_report=True)
    assert report.unused_numeric_columns == [2]
    assert not g.has_probabilities
    # Asking for the column uses it, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g, report = kolsim.read_edge_list(path, probability_column=2, return_report=True)
    assert report.unused_numeric_columns == []
    assert g.edge_probs.tolist() == pytest.approx([0.9, 0.9, 0.9])
    assert "unused_numeric_columns=[]" in repr(report)


def test_non_probability_third_column_does_not_warn(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("1 2 1700000000\n1 3 1700000001\n")  # e.g. a timestamp
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g, report = kolsim.read_edge_list(path, return_report=True)
    assert report.unused_numeric_columns == []
    assert g.num_edges == 2


def test_cr_only_lines_and_bom(tmp_path):
    path = tmp_path / "cr.txt"
    path.write_bytes(b"1 2\r2 3\r3 1\r")
    assert kolsim.read_edge_list(path).num_edges == 3
    csv = tmp_path / "bom.csv"
    csv.write_bytes(b"\xef\xbb\xbfsource,target\r\n1,2\r\n2,3\r\n")
    assert kolsim.read_edge_list(csv, csv_header=True).num_edges == 2


def test_builder_error_names_account_ids(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("10 20\n30 40\n10 20\n")
    with pytest.raises(kolsim.ParseError, match=r"duplicate edge 10 -> 20") as err:
        kolsim.read_edge_list(path, duplicates="error")
    assert err.value.line == 3


def test_gzip_bomb_is_a_memory_error_naming_the_file(tmp_path, monkeypatch):
    path = tmp_path / "bomb.txt.gz"
    block = b"1 2\n" * (1 << 20)  # 4 MiB
    with gzip.open(path, "wb", compresslevel=1) as f:
        for _ in range(32):  # 128 MiB of text
            f.write(block)
    assert path.stat().st_size < 4 << 20
    monkeypatch.setenv("KOLSIM_MEMORY_LIMIT", "32M")
    with pytest.raises(MemoryError, match="bomb.txt.gz"):
        kolsim.read_edge_list(path)


def test_endless_device_is_a_memory_error(monkeypatch):
    monkeypatch.setenv("KOLSIM_MEMORY_LIMIT", "16M")
    with pytest.raises(MemoryError, match="/dev/zero"):
        kolsim.read_edge_list("/dev/zero")


def test_ctrl_c_stops_a_read():
    # A stream that never ends (a pipe fed slowly): only Ctrl-C can end the read.
    r, w = os.pipe()
    done = threading.Event()

    def feed():
        while not done.is_set():
            try:
                os.write(w, b"1 2\n")
            except OSError:
                return
            time.sleep(0.005)

    feeder = threading.Thread(target=feed)
    feeder.start()
    delay = 0.3
    timer = threading.Timer(delay, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    raised_in_call = False
    elapsed = None
    try:
        try:
            kolsim.read_edge_list(f"/dev/fd/{r}")
        except KeyboardInterrupt:
            raised_in_call = True
            elapsed = time.perf_counter() - start
        else:
            time.sleep(5)  # the read ended first: absorb the pending interrupt, then fail below
    except KeyboardInterrupt:
        pass
    finally:
        timer.cancel()
        done.set()
        feeder.join()
        os.close(w)
        os.close(r)
    assert raised_in_call, "read_edge_list did not stop on Ctrl-C"
    assert elapsed - delay < 1.0, elapsed
