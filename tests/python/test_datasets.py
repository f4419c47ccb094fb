# SPDX-License-Identifier: MIT
"""The dataset registry: mirrored datasets match their registered counts (when KOLSIM_DATA_DIR is
set), and the download path (file:// URL, sha256 check, atomic cache) really runs."""
import dataclasses
import hashlib
import os
import pathlib

import pytest

import kolsim
import kolsim.datasets as ds

REQUIRED = ["wiki-Vote", "soc-Slashdot0902", "ego-Facebook", "email-Eu-core", "soc-Epinions1", "NetHEPT",
            "soc-sign-bitcoinotc", "cascades-android", "cascades-christianity"]


def test_registry_entries_complete():
    assert set(REQUIRED) <= set(ds.available())
    for name in ds.available():
        e = ds.get(name)
        assert e.name == name and e.description and e.citation and e.urls and e.files
        assert e.edge_file in e.files and e.nodes > 0 and e.edges > 0 and e.orientation
        assert all(u.startswith("https://") for u in e.urls)
        for f, digest in e.sha256.items():
            assert f in e.files and len(digest) == 64
    with pytest.raises(KeyError, match="available"):
        ds.get("no-such-dataset")


def mirrored():
    root = os.environ.get("KOLSIM_DATA_DIR")
    if not root:
        return []
    return [n for n in ds.available() if (pathlib.Path(root) / n / ds.get(n).edge_file).is_file()]


@pytest.mark.parametrize("name", mirrored() or ["<none>"])
def test_mirrored_dataset_counts(name):
    if name == "<none>":
        pytest.skip("KOLSIM_DATA_DIR is not set (or holds no registered dataset)")
    e = ds.get(name)
    graph, report = ds.load(name, probabilities=None, return_report=True)
    assert report.edge_lines == e.edges
    assert graph.num_vertices == e.graph_vertices
    assert graph.num_edges == e.graph_edges
    for f in e.files:
        p = ds.path(name, f, download=False)
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        assert digest == e.sha256[f], f


@pytest.fixture
def fake_entry(tmp_path, monkeypatch):
    src = tmp_path / "remote"
    src.mkdir()
    body = b"# fake follower graph\n1 2\n2 3\n3 1\n3 4\n"
    (src / "edges.txt").write_bytes(body)
    entry = ds.Dataset(
        name="fake-net", description="test fixture", citation="none",
        urls=((src / "edges.txt").as_uri(),), files=("edges.txt",), edge_file="edges.txt",
        sha256={"edges.txt": hashlib.sha256(body).hexdigest()}, nodes=4, edges=4, graph_vertices=4, graph_edges=4,
        directed=True, orientation="u -> v", read_options={})
    ds.register(entry)
    monkeypatch.delenv("KOLSIM_DATA_DIR", raising=False)
    monkeypatch.setenv("KOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    yield entry, src
    ds.REGISTRY.pop("fake-net", None)
    ds.REGISTRY.pop("fake-bad", None)


def test_download_verify_and_cache(fake_entry, tmp_path):
    entry, src = fake_entry
    g = ds.load("fake-net")
    assert g.num_vertices == 4 and g.num_edges == 4 and g.has_probabilities
    cached = tmp_path / "cache" / "fake-net" / "edges.txt"
    assert cached.is_file()
    assert not [p for p in cached.parent.iterdir() if p.name != "edges.txt"]  # no temp files left
    (src / "edges.txt").unlink()  # the second load must come from the cache
    assert ds.load("fake-net", probabilities=None).num_edges == 4
    assert ds.path("fake-net") == cached


def test_mirror_takes_precedence(fake_entry, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror" / "fake-net"
    mirror.mkdir(parents=True)
    (mirror / "edges.txt").write_text("7 8\n")
    monkeypatch.setenv("KOLSIM_DATA_DIR", str(tmp_path / "mirror"))
    assert ds.load("fake-net", probabilities="constant:0.1").accounts.tolist() == [7, 8]


def test_checksum_mismatch_leaves_nothing(fake_entry, tmp_path):
    entry, _ = fake_entry
    ds.register(dataclasses.replace(entry, name="fake-bad", sha256={"edges.txt": "0" * 64}))
    with pytest.raises(OSError, match="sha256 mismatch"):
        ds.load("fake-bad")
    folder = tmp_path / "cache" / "fake-bad"
    assert not folder.exists() or not list(folder.iterdir())


def test_unreachable_download_explains_data_dir(fake_entry, tmp_path):
    entry, src = fake_entry
    (src / "edges.txt").unlink()
    with pytest.raises(OSError, match="KOLSIM_DATA_DIR"):
        ds.load("fake-net")
    with pytest.raises(OSError, match="neither"):
        ds.path("fake-net", download=False)


def test_probability_schemes(fake_entry):
    lt = ds.load("fake-net", probabilities="random_lt", seed=3)
    kolsim.LinearThreshold(lt)
    assert ds.load("fake-net", probabilities="trivalency").has_probabilities
    with pytest.raises(ValueError, match="unknown probabilities"):
        ds.load("fake-net", probabilities="bogus")
    with pytest.raises(ValueError, match="no probability column"):
        ds.load("fake-net", probabilities="file")


def test_download_goes_through_pooch(fake_entry, monkeypatch):
    import pooch

    calls = []
    real = pooch.retrieve

    def spy(url, known_hash, **kw):
        calls.append((url, known_hash, kw["fname"]))
        return real(url, known_hash, **kw)

    monkeypatch.setattr(pooch, "retrieve", spy)
    entry, _ = fake_entry
    assert ds.load("fake-net").num_edges == 4
    assert calls == [(entry.urls[0], "sha256:" + entry.sha256["edges.txt"], "edges.txt")]
