# SPDX-License-Identifier: MIT
"""FollowerGraph from Python: dtypes, zero-copy views, reports, conversions, files and pickling."""
import pickle

import numpy as np
import pytest

import kolsim


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint32, np.uint64])
def test_integer_id_dtypes(dtype):
    g = kolsim.from_edges(np.array([1, 2], dtype=dtype), np.array([2, 3], dtype=dtype))
    assert g.accounts.dtype == np.uint64
    assert g.accounts.tolist() == [1, 2, 3]
    assert g.num_edges == 2


def test_python_int_lists():
    big = 2**64 - 2
    g = kolsim.from_edges([big, 5], [5, big])  # numpy alone would make this list float64
    assert g.accounts.tolist() == [5, big]
    g2 = kolsim.from_edges((np.int16(3), 4), [4, np.uint64(3)])
    assert g2.accounts.tolist() == [3, 4]
    with pytest.raises(TypeError, match="2.5"):
        kolsim.from_edges([1, 2.5], [2, 3])
    with pytest.raises(TypeError, match="True"):
        kolsim.from_edges([True], [2])
    with pytest.raises(IndexError, match="-7"):
        kolsim.from_edges([-7], [2])
    with pytest.raises(IndexError, match="2\\*\\*64"):
        kolsim.from_edges([2**64], [2])


def test_large_ids():
    big = 2**64 - 2
    g = kolsim.from_edges(np.array([big, 5], dtype=np.uint64), np.array([5, big], dtype=np.uint64))
    assert g.accounts.tolist() == [5, big]
    assert g.index_of(big) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probability_dtypes(dtype):
    p = np.array([0.5, 0.125], dtype=dtype)
    g = kolsim.from_edges([0, 1], [1, 2], p)
    assert g.edge_probs.dtype == np.float32
    np.testing.assert_array_equal(g.edge_probs, p.astype(np.float32))
    g64 = kolsim.from_edges([0, 1], [1, 2], [0.1, 0.2])
    np.testing.assert_array_equal(g64.edge_probs, np.array([0.1, 0.2], dtype=np.float32))


def test_wrong_dtypes_error_clearly():
    with pytest.raises(TypeError, match="integers"):
        kolsim.from_edges(np.array([0.5, 1.0]), [1, 2])
    with pytest.raises(TypeError, match="integers"):
        kolsim.from_edges(["a", "b"], [1, 2])
    with pytest.raises(TypeError, match="real numbers"):
        kolsim.from_edges([0, 1], [1, 2], ["x", "y"])
    with pytest.raises(TypeError, match="real numbers"):
        kolsim.from_edges([0, 1], [1, 2], np.array([1 + 1j, 0j]))
    with pytest.raises(ValueError, match="one-dimensional"):
        kolsim.from_edges(np.zeros((2, 2), dtype=np.int64), [1, 2])
    with pytest.raises(IndexError, match="-3"):
        kolsim.from_edges([-3, 1], [1, 2])
    with pytest.raises(ValueError, match="sources"):
        kolsim.from_edges([0, 1, 2], [1, 2])


def test_zero_copy_views():
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(50, 200, seed=1))
    for name in ["accounts", "out_offsets", "out_targets", "in_offsets", "in_sources", "edge_probs", "in_edge_probs"]:
        a, b = getattr(g, name), getattr(g, name)
        assert np.shares_memory(a, b), name
        assert not a.flags.writeable, name
        with pytest.raises(ValueError):
            a[0] = 1
    assert g.out_targets.dtype == np.uint32 and g.out_offsets.dtype == np.uint64
    # A view keeps the graph alive.
    view = kolsim.weighted_cascade(kolsim.erdos_renyi(50, 200, seed=1)).out_targets
    assert view.sum() == g.out_targets.sum()
    # The model's graph shares the same arrays.
    model = kolsim.IndependentCascade(g)
    assert np.shares_memory(model.graph.out_targets, g.out_targets)


def test_csr_consistency_and_lookup():
    g = kolsim.from_edges([10, 10, 20], [20, 30, 30], [0.1, 0.2, 0.3])
    assert g.out_offsets.tolist() == [0, 2, 3, 3]
    assert g.out_targets.tolist() == [1, 2, 2]
    assert g.in_offsets.tolist() == [0, 0, 1, 3]
    assert g.in_sources.tolist() == [0, 0, 1]
    assert g.in_edge_probs.tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert g.out_neighbors(10).tolist() == [20, 30]
    assert g.in_neighbors(30).tolist() == [10, 20]
    assert g.account(2) == 30 and g.index_of(30) == 2
    assert 20 in g and 40 not in g
    assert g.out_degrees.tolist() == [2, 1, 0] and g.in_degrees.tolist() == [0, 1, 2]
    with pytest.raises(IndexError, match="40"):
        g.index_of(40)
    with pytest.raises(IndexError):
        g.account(3)


def test_build_report_and_policies():
    g, rep = kolsim.from_edges([1, 1, 2, 3], [2, 2, 2, 4], [0.5, 0.5, 0.1, 0.2], duplicates="combine",
                               return_report=True)
    assert (rep.input_edges, rep.self_loops, rep.duplicates, rep.edges, rep.vertices) == (4, 1, 1, 2, 4)
    assert g.edge_probs[0] == pytest.approx(0.75)
    assert "duplicates=1" in repr(rep)
    g2 = kolsim.from_edges([1, 2], [2, 3], undirected=True)
    assert g2.num_edges == 4
    g3 = kolsim.from_edges([1, 2], [2, 3], flip=True)
    assert g3.out_neighbors(3).tolist() == [2]
    g4 = kolsim.from_edges([1], [2], extra_accounts=[7])
    assert g4.accounts.tolist() == [1, 2, 7]
    with pytest.raises(ValueError, match="self_loops"):
        kolsim.from_edges([1], [1], self_loops="error")
    with pytest.raises(ValueError, match="self_loops must be"):
        kolsim.from_edges([1], [2], self_loops="nope")


def test_with_probabilities_and_schemes():
    g = kolsim.erdos_renyi(40, 160, seed=3)
    assert not g.has_probabilities and g.edge_probs is None
    g2 = g.with_probabilities(np.full(g.num_edges, 0.25))
    assert g2.has_probabilities and np.all(g2.edge_probs == np.float32(0.25))
    assert np.shares_memory(g.out_targets, g2.out_targets)  # topology is shared
    with pytest.raises(ValueError):
        g.with_probabilities(np.full(g.num_edges, 1.5))
    with pytest.raises(ValueError):
        g.with_probabilities([0.1])
    wc = kolsim.weighted_cascade(g)
    sums = np.zeros(g.num_vertices)
    np.add.at(sums, np.asarray(g.out_targets), np.asarray(wc.edge_probs, dtype=np.float64))
    assert np.allclose(sums[np.asarray(g.in_degrees) > 0], 1.0, atol=1e-5)
    lt = kolsim.random_lt_weights(g, seed=1)
    kolsim.LinearThreshold(lt)
    tv = kolsim.trivalency(g, seed=1)
    values = np.array([0.1, 0.01, 0.001], dtype=np.float32)
    assert np.all(np.isin(tv.edge_probs, values))


def test_generators_seeded():
    for make in [lambda s: kolsim.erdos_renyi(100, 300, seed=s),
                 lambda s: kolsim.preferential_attachment(200, 2, seed=s),
                 lambda s: kolsim.chung_lu(500, 4.0, 2.5, 2.1, seed=s),
                 lambda s: kolsim.watts_strogatz(100, 4, 0.2, seed=s),
                 lambda s: kolsim.rmat(8, 1000, seed=s)]:
        assert kolsim.graph_checksum(make(1)) == kolsim.graph_checksum(make(1))
        assert kolsim.graph_checksum(make(1)) != kolsim.graph_checksum(make(2))
    g, block = kolsim.stochastic_block_model([30, 20], [[0.3, 0.0], [0.0, 0.3]], seed=1)
    assert block.dtype == np.uint32 and len(block) == 50
    assert np.all(block[np.asarray(g.out_targets)] ==
                  np.repeat(block, np.diff(np.asarray(g.out_offsets)).astype(np.int64)))


def test_summary():
    s = kolsim.from_edges([0, 1, 2, 0], [1, 2, 0, 3]).summary()
    assert s["vertices"] == 4 and s["edges"] == 4
    assert s["strong_components"] == 2 and s["largest_strong_component"] == 3
    assert s["sinks"] == 1 and s["max_out_degree"] == 2


def test_scipy_round_trip():
    sp = pytest.importorskip("scipy.sparse")
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(30, 90, seed=2))
    a = kolsim.to_scipy(g)
    assert a.shape == (30, 30) and a.nnz == 90
    g2 = kolsim.from_scipy(a, probabilities=True)
    assert kolsim.graph_checksum(g2) == kolsim.graph_checksum(g)
    g3 = kolsim.from_scipy(sp.csr_matrix((5, 5)))
    assert g3.num_vertices == 5 and g3.num_edges == 0
    with pytest.raises(TypeError):
        kolsim.from_scipy(np.eye(3))
    with pytest.raises(ValueError, match="square"):
        kolsim.from_scipy(sp.csr_matrix((2, 3)))


def test_networkx_round_trip():
    nx = pytest.importorskip("networkx")
    G = nx.DiGraph()
    G.add_edge(3, 7, p=0.5)
    G.add_edge(7, 9, p=0.25)
    G.add_node(100)
    g = kolsim.from_networkx(G, probability="p")
    assert g.accounts.tolist() == [3, 7, 9, 100]
    assert g.edge_probs.tolist() == [0.5, 0.25]
    H = kolsim.to_networkx(g)
    assert sorted(H.edges(data="p")) == [(3, 7, 0.5), (7, 9, 0.25)]
    assert 100 in H.nodes
    assert kolsim.from_networkx(nx.path_graph(3)).num_edges == 4
    with pytest.raises(TypeError, match="convert_node_labels_to_integers"):
        G = nx.DiGraph()
        G.add_edge("a", "b")
        kolsim.from_networkx(G)


def test_pickle_round_trip():
    g = kolsim.trivalency(kolsim.from_edges([5, 5, 9], [9, 11, 11]), seed=1)
    g2 = pickle.loads(pickle.dumps(g))
    assert kolsim.graph_checksum(g2) == kolsim.graph_checksum(g)
    assert g2.in_sources.tolist() == g.in_sources.tolist()
    assert np.array_equal(g2.in_edge_probs, g.in_edge_probs)
    plain = kolsim.erdos_renyi(20, 50, seed=1)
    assert kolsim.graph_checksum(pickle.loads(pickle.dumps(plain))) == kolsim.graph_checksum(plain)
    model = pickle.loads(pickle.dumps(kolsim.IndependentCascade(g)))
    assert model.graph.num_edges == g.num_edges
    with pytest.raises(ValueError):
        kolsim.FollowerGraph.__new__(kolsim.FollowerGraph).__setstate__(
            (np.array([1, 2], dtype=np.uint64), np.array([0, 1, 1], dtype=np.uint64),
             np.array([7], dtype=np.uint32), None))



def test_pickle_keeps_implicit_probabilities():
    # Issue 15: a weighted-cascade or constant graph pickles its kind, not 4 bytes per edge, and
    # comes back implicit with the same probabilities bit for bit.
    base = kolsim.erdos_renyi(2000, 20000, seed=3)
    m = base.num_edges
    for g in (kolsim.weighted_cascade(base), kolsim.constant_probability(base, 0.125)):
        blob = pickle.dumps(g)
        g2 = pickle.loads(blob)
        assert g2.probability_kind == g.probability_kind
        assert kolsim.graph_checksum(g2) == kolsim.graph_checksum(g)
        explicit = base.with_probabilities(g.edge_probs)
        assert explicit.probability_kind == "per_edge"
        explicit_blob = pickle.dumps(explicit)
        assert len(blob) + 4 * m <= len(explicit_blob), (len(blob), len(explicit_blob), m)
        assert np.array_equal(g2.edge_probs.view(np.uint32), g.edge_probs.view(np.uint32))
        assert np.array_equal(g2.in_edge_probs.view(np.uint32), g.in_edge_probs.view(np.uint32))
        # Per-edge graphs keep the 4-item state earlier builds wrote, and such a state (an old
        # pickle of this graph, whose probabilities were then stored per edge) still loads.
        old_state = explicit.__getstate__()
        assert len(old_state) == 4
        old = kolsim.FollowerGraph.__new__(kolsim.FollowerGraph)
        old.__setstate__(old_state)
        assert old.probability_kind == "per_edge"
        assert np.array_equal(old.edge_probs.view(np.uint32), g.edge_probs.view(np.uint32))
        assert kolsim.graph_checksum(old) == kolsim.graph_checksum(g)
    state = kolsim.constant_probability(base, 0.5).__getstate__()
    assert len(state) == 6 and state[3] is None and state[4] == "constant" and state[5] == 0.5
    for bad in (state[:4] + ("bogus", 0.5), state[:4] + ("constant", 1.5),
                state[:3] + (np.zeros(m, dtype=np.float32), "weighted_cascade", 0.0), state[:5]):
        with pytest.raises(ValueError):
            kolsim.FollowerGraph.__new__(kolsim.FollowerGraph).__setstate__(bad)

def test_edge_list_and_snapshot_files(tmp_path):
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(60, 240, seed=4))
    txt = tmp_path / "g.txt"
    kolsim.write_edge_list(g, txt)
    back, report = kolsim.read_edge_list(txt, probability_column=2, return_report=True)
    assert back.num_edges == 240 and report.edge_lines == 240 and report.path == str(txt)
    assert np.array_equal(back.edge_probs, g.edge_probs)
    snap = tmp_path / "g.kgs"
    kolsim.save_snapshot(g, snap)
    loaded = kolsim.load_snapshot(str(snap))
    assert kolsim.graph_checksum(loaded) == kolsim.graph_checksum(g)
    csv = tmp_path / "g.csv"
    csv.write_text("a,b\n1,2\n2,3\n")
    assert kolsim.read_edge_list(csv, csv_header=True).num_edges == 2
