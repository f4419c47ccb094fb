# SPDX-License-Identifier: MIT
"""Registry of public follower-network datasets and a one-call loader.

``kolsim.datasets.load(name)`` looks for the files, in order, in

1. ``$KOLSIM_DATA_DIR/<name>/`` (a mirror laid out like ``<name>/<file>``),
2. the cache ``$KOLSIM_CACHE_DIR/<name>/`` (default ``~/.cache/kolsim/<name>/``),
3. the public URL, downloaded into the cache by pooch (Debian python3-pooch: sha256
   verification, temporary file, atomic rename).

Orientation: kolsim reads a line ``a b`` as the edge a -> b, *b follows a* (influence flows
from a to b). Each entry states what its lines mean and the ``flip`` that :func:`load` applies
by default; the IM-benchmark convention (used by the published peers) is to read SNAP files as
they are, so ``flip`` is False unless the source defines the reverse as the information flow.

Examples
--------
>>> import kolsim.datasets as ds
>>> "wiki-Vote" in ds.available()
True
>>> ds.get("wiki-Vote").nodes
7115
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["Dataset", "REGISTRY", "available", "get", "register", "path", "load", "data_dir", "cache_dir"]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """One registered dataset.

    ``nodes``/``edges`` are the published counts (edges = edge lines in the file); ``graph_vertices``
    and ``graph_edges`` are what :func:`load` builds with ``read_options`` (after self-loops are
    dropped, undirected edges doubled, duplicates handled).
    """

    name: str
    description: str
    citation: str
    urls: Tuple[str, ...]
    files: Tuple[str, ...]
    edge_file: str
    sha256: Dict[str, str]
    nodes: int
    edges: int
    graph_vertices: int
    graph_edges: int
    directed: bool
    orientation: str
    read_options: Dict[str, Any]
    probability_column: bool = False

    @property
    def flip(self) -> bool:
        """Whether :func:`load` reverses the file's lines by default."""
        return bool(self.read_options.get("flip", False))


_SNAP = ("Jure Leskovec and Andrej Krevl. SNAP Datasets: Stanford Large Network Dataset Collection. "
         "http://snap.stanford.edu/data, June 2014.")
_GH = "https://raw.githubusercontent.com"

REGISTRY: Dict[str, Dataset] = {}


def register(entry: Dataset) -> None:
    """Add or replace a registry entry (e.g. a private mirror or a test fixture)."""
    REGISTRY[entry.name] = entry


def _one_file(file: str, sha256: Optional[str] = None) -> Dict[str, Any]:
    """The ``files``, ``edge_file`` and ``sha256`` fields of a dataset that is one edge file."""
    return {"files": (file,), "edge_file": file, "sha256": {file: sha256} if sha256 else {}}


def _ms_hgat(topic: str, description: str, citation: str, edges_sha256: str, cascades_sha256: str,
             nodes: int, edges: int) -> Dataset:
    """A StackExchange interaction graph with its cascades, as published with MS-HGAT."""
    files = ("edges.txt", "cascades.txt")
    return Dataset(
        name=f"cascades-{topic}", description=description, citation=citation,
        urls=tuple(f"{_GH}/slingling/MS-HGAT/c57e008ff1507b775e5f99375cc945823681c31d/data/{topic}/{f}"
                   for f in files),
        files=files, edge_file="edges.txt",
        sha256={"edges.txt": edges_sha256, "cascades.txt": cascades_sha256},
        nodes=nodes, edges=edges, graph_vertices=nodes, graph_edges=edges, directed=True,
        orientation="line 'a,b' is the relation a -> b; the information flows b -> a (as in MS-HGAT), so flip=True",
        read_options={"format": "csv", "flip": True})


for _entry in [
    Dataset(
        name="wiki-Vote",
        description="Wikipedia adminship votes (SNAP): A -> B means user A voted on B.",
        citation="J. Leskovec, D. Huttenlocher, J. Kleinberg. Signed Networks in Social Media. CHI 2010. " + _SNAP,
        urls=(f"{_GH}/perfectstorm88/graph_machine_learning_homework/4905990a88c652d2877581396d1ff84cc9d7d138/"
              "wiki-Vote.txt", "https://snap.stanford.edu/data/wiki-Vote.html"),
        **_one_file("wiki-Vote.txt", "b05c0226f5544f0e4a8ac607ae573db42e42716b6dd5aa00e8c769a1219c796f"),
        nodes=7115, edges=103689, graph_vertices=7115, graph_edges=103689, directed=True,
        orientation="voter -> candidate; read as is (IM convention); flip=True makes the voter follow the candidate",
        read_options={"flip": False}),
    Dataset(
        name="soc-Slashdot0902",
        description="Slashdot Zoo friend/foe links, Feb 2009 (SNAP), gzipped.",
        citation="J. Leskovec, K. Lang, A. Dasgupta, M. Mahoney. Community Structure in Large Networks. "
                 "Internet Mathematics 6(1), 2009. " + _SNAP,
        urls=(f"{_GH}/AllenDowney/ProbablyOverthinkingIt/3059bb1925250ef2d53a71da22785f5f022678fb/"
              "soc-Slashdot0902.txt.gz", "https://snap.stanford.edu/data/soc-Slashdot0902.txt.gz"),
        **_one_file("soc-Slashdot0902.txt.gz", "65072f0a2d98a444967bf3b8379a87e03292f2f9f8924f4fe470ddd047c95553"),
        nodes=82168, edges=948464, graph_vertices=82168, graph_edges=870161, directed=True,
        orientation="u -> v: u tagged v (u follows v); read as is as in the IM benchmarks (PERFORMANCE.md); "
                    "78,303 self-loops dropped",
        read_options={"flip": False}),
    Dataset(
        name="ego-Facebook",
        description="Union of 10 Facebook ego networks (SNAP facebook_combined), undirected friendships.",
        citation="J. McAuley, J. Leskovec. Learning to Discover Social Circles in Ego Networks. NIPS 2012. " + _SNAP,
        urls=(f"{_GH}/AllenDowney/ProbablyOverthinkingIt/3059bb1925250ef2d53a71da22785f5f022678fb/"
              "facebook_combined.txt.gz", "https://snap.stanford.edu/data/facebook_combined.txt.gz"),
        **_one_file("facebook_combined.txt.gz", "7cc432d08910b3a940ce90f7da94c13aaf048b04724eafcdf3050b28acc49daf"),
        nodes=4039, edges=88234, graph_vertices=4039, graph_edges=176468, directed=False,
        orientation="undirected: each friendship becomes two follower edges",
        read_options={"undirected": True}),
    Dataset(
        name="email-Eu-core",
        description="Email network of a European research institution (SNAP): u -> v, u emailed v.",
        citation="H. Yin, A. R. Benson, J. Leskovec, D. F. Gleich. Local Higher-order Graph Clustering. KDD 2017. "
                 + _SNAP,
        urls=(f"{_GH}/ebrahimirannezhad/AIi_InSocialNetwork/0c0c4f9aaff96e8f76f946fd935a5a129e6e6230/"
              "email-Eu-core.txt", "https://snap.stanford.edu/data/email-Eu-core.txt.gz"),
        **_one_file("email-Eu-core.txt", "23e0ca0bce21a053025e78f7e9691ac9210ae806a0689bd5edff3c3bac572d4c"),
        nodes=1005, edges=25571, graph_vertices=1005, graph_edges=24929, directed=True,
        orientation="sender -> recipient (information flows with the email); 642 self-loops dropped",
        read_options={"flip": False}),
    Dataset(
        name="soc-Epinions1",
        description="Epinions who-trusts-whom network (SNAP). Not mirrored here (see epinions-d-5-derived).",
        citation="M. Richardson, R. Agrawal, P. Domingos. Trust Management for the Semantic Web. ISWC 2003. " + _SNAP,
        urls=("https://snap.stanford.edu/data/soc-Epinions1.txt.gz",),
        **_one_file("soc-Epinions1.txt.gz"),
        nodes=75879, edges=508837, graph_vertices=75879, graph_edges=508837, directed=True,
        orientation="truster -> trusted; read as is (IM convention)",
        read_options={"flip": False}),
    Dataset(
        name="epinions-d-5-derived",
        description="Subgraph of soc-Epinions1 with weighted-cascade weights 1/indeg(v) (SUSTech IMP project).",
        citation="M. Richardson, R. Agrawal, P. Domingos. ISWC 2003; file from github snowgy/Influence_Maximization.",
        urls=(f"{_GH}/snowgy/Influence_Maximization/a7df248c01a788e110164888eaef4fb961ac9158/"
              "test_data/epinions-d-5.txt",),
        **_one_file("epinions-d-5.txt", "a122be7703bf59ca6680c65a11ea66430d4a70aeeaa1615749e45cd646b594ce"),
        nodes=39008, edges=84002, graph_vertices=39008, graph_edges=83936, directed=True,
        orientation="u v w: edge u -> v with weight w = 1/indeg(v); 66 self-loops dropped",
        read_options={"first_line_counts": True, "probability_column": 2}, probability_column=True),
    Dataset(
        name="NetHEPT",
        description="arXiv hep-th co-authorship 1991-2003, the classic IM benchmark; parallel edges kept "
                    "(one per co-authored paper), each edge in both directions.",
        citation="W. Chen, Y. Wang, S. Yang. Efficient Influence Maximization in Social Networks. KDD 2009.",
        urls=(f"{_GH}/nd7141/influence-maximization/b57dc02f8019334c20fcc3d8236c19c287d98d2c/graphdata/hep.txt",),
        **_one_file("hep.txt", "3d354accc3ba555e37f29e4f4f773c0bae7cda388cf7756fdf4d1b5f6b73230e"),
        nodes=15233, edges=58891, graph_vertices=15233, graph_edges=117704, directed=False,
        orientation="undirected co-authorship; 'n m' header line; 39 self-loop lines dropped",
        read_options={"undirected": True, "first_line_counts": True, "duplicates": "keep"}),
    Dataset(
        name="soc-sign-bitcoinotc",
        description="Bitcoin OTC who-trusts-whom ratings (SNAP): SOURCE,TARGET,RATING,TIME.",
        citation="S. Kumar, F. Spezzano, V.S. Subrahmanian, C. Faloutsos. Edge Weight Prediction in Weighted "
                 "Signed Networks. ICDM 2016. " + _SNAP,
        urls=(f"{_GH}/Lithiumcr/Bitcoin-OTC-Analysis/42d9ad9e0e941f2fa3eb4610dbe5a0caae156f84/"
              "soc-sign-bitcoinotc.csv", "https://snap.stanford.edu/data/soc-sign-bitcoinotc.csv.gz"),
        **_one_file("soc-sign-bitcoinotc.csv", "22b08170d37407697764acabc1b8b361ffad2d71c7c9dc002d3702548c0ca8e1"),
        nodes=5881, edges=35592, graph_vertices=5881, graph_edges=35592, directed=True,
        orientation="rater -> rated; rating and time columns are not read",
        read_options={"format": "csv", "ignore_extra_columns": True}),
    _ms_hgat("android", "StackExchange Android interaction graph (graph part; cascades.txt holds 679 real cascades).",
             "A. Sankar, X. Zhang, A. Krishnan, J. Han. Inf-VAE. WSDM 2020. Raw data: StackExchange (CC BY-SA).",
             "e37f34ae2b6737bf6f99e3cc2569b0c9c020d46e7b11eecece164a0d89270d51",
             "24414efb05781b6a6ad0b9d6eba5790dbcf03c63f522d8e9c223cf1dc93d9f12", nodes=9940, edges=48573),
    _ms_hgat("christianity",
             "StackExchange Christianity interaction graph (graph part; cascades.txt holds 589 cascades).",
             "A. Sankar et al. Inf-VAE. WSDM 2020. Raw data: StackExchange (CC BY-SA).",
             "49f37d25ea925efc496ee321ab3d07220bf3405bc73bd16b762ddc9a54ebb58e",
             "2ae5b168de05b154724612363ba7ddbc9e778a87635dd424cfedace47dee7126", nodes=2897, edges=35624),
]:
    register(_entry)


def available() -> List[str]:
    """Names of the registered datasets.

    Examples
    --------
    >>> import kolsim.datasets as ds
    >>> "NetHEPT" in ds.available()
    True
    """
    return sorted(REGISTRY)


def get(name: str) -> Dataset:
    """The registry entry of ``name`` (KeyError listing the names when unknown)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; available: {', '.join(available())}") from None


def data_dir() -> Optional[pathlib.Path]:
    """The mirror directory from $KOLSIM_DATA_DIR, or None."""
    d = os.environ.get("KOLSIM_DATA_DIR")
    return pathlib.Path(d).expanduser() if d else None


def cache_dir() -> pathlib.Path:
    """The download cache: $KOLSIM_CACHE_DIR, else ~/.cache/kolsim."""
    d = os.environ.get("KOLSIM_CACHE_DIR")
    return pathlib.Path(d).expanduser() if d else pathlib.Path.home() / ".cache" / "kolsim"


def _file_downloader(url: str, output_file: Any, pooch: Any = None) -> None:
    """pooch downloader for file:// URLs (local mirrors and tests)."""
    source = urllib.request.url2pathname(urllib.parse.urlparse(url).path)
    if hasattr(output_file, "write"):
        with open(source, "rb") as src:
            shutil.copyfileobj(src, output_file, 1 << 20)
    else:
        shutil.copyfile(source, output_file)


def _download(entry: Dataset, file: str, target: pathlib.Path) -> None:
    """Fetch `file` of `entry` into `target` with pooch: a temporary file in the same folder,
    sha256 checked (when registered), then renamed; a failed URL leaves nothing behind."""
    import pooch

    urls = [u for u in entry.urls if u.rsplit("/", 1)[-1] == file] or [u for u in entry.urls if u.endswith(file)]
    if not urls:
        raise OSError(f"dataset {entry.name!r}: no download URL for {file!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    want = entry.sha256.get(file)
    errors = []
    for url in urls:
        downloader = _file_downloader if url.startswith("file:") else None
        try:
            pooch.retrieve(url, known_hash=f"sha256:{want}" if want else None, fname=file, path=target.parent,
                           downloader=downloader, progressbar=False)
            return
        except ValueError as exc:  # pooch: the hash does not match (the temporary file is removed)
            errors.append(f"{url}: sha256 mismatch: expected {want} ({exc})")
        except Exception as exc:  # requests/OS errors of one URL: try the next  # noqa: BLE001
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
    raise OSError(
        f"dataset {entry.name!r}: could not download {file!r} ({'; '.join(errors)}). Without internet access, "
        f"put the files in a mirror and set KOLSIM_DATA_DIR so that $KOLSIM_DATA_DIR/{entry.name}/{file} "
        f"exists, or place them in the cache {cache_dir() / entry.name}.")


def path(name: str, file: Optional[str] = None, *, download: bool = True) -> pathlib.Path:
    """Local path of a dataset file (default: its edge file), downloading it if needed.

    Looks in $KOLSIM_DATA_DIR/<name>/, then the cache, then downloads into the cache (sha256
    verified, atomic rename). Raises OSError with instructions when nothing works.
    """
    entry = get(name)
    file = file or entry.edge_file
    if file not in entry.files:
        raise ValueError(f"dataset {name!r} has no file {file!r}; files: {', '.join(entry.files)}")
    mirror = data_dir()
    if mirror is not None and (mirror / name / file).is_file():
        return mirror / name / file
    cached = cache_dir() / name / file
    if cached.is_file():
        return cached
    if not download:
        raise OSError(f"dataset {name!r}: {file!r} is neither in KOLSIM_DATA_DIR nor in the cache {cached.parent}")
    _download(entry, file, cached)
    return cached


def load(name: str, probabilities: Optional[str] = "weighted_cascade", *, seed: int = 0, threads: int = 0,
         return_report: bool = False, **read_options: Any) -> Any:
    """Load a registered dataset as a FollowerGraph in one call.

    Parameters
    ----------
    name : str
        A name from :func:`available`.
    probabilities : str or None
        "weighted_cascade" (default), "trivalency", "random_lt", "constant:<p>" (e.g.
        "constant:0.01"), "file" (the dataset's own probability column), or None (no
        probabilities; a dataset with a probability column keeps it).
    seed : int
        Seed of random schemes.
    return_report : bool
        Also return the EdgeListReport.
    **read_options
        Override the registered read options (e.g. ``flip=True``).

    Examples
    --------
    >>> import kolsim.datasets as ds
    >>> g = ds.load("email-Eu-core")   # doctest: +SKIP
    >>> g.num_vertices                 # doctest: +SKIP
    1005
    """
    from . import constant_probability, random_lt_weights, read_edge_list, trivalency, weighted_cascade

    entry = get(name)
    opts = dict(entry.read_options)
    opts.update(read_options)
    opts.setdefault("threads", threads)
    graph, report = read_edge_list(path(name), return_report=True, **opts)
    if probabilities is None or probabilities == "file":
        if probabilities == "file" and not graph.has_probabilities:
            raise ValueError(f"dataset {name!r} has no probability column")
    elif probabilities == "weighted_cascade":
        graph = weighted_cascade(graph)
    elif probabilities == "trivalency":
        graph = trivalency(graph, seed=seed, threads=threads)
    elif probabilities == "random_lt":
        graph = random_lt_weights(graph, seed=seed, threads=threads)
    elif probabilities.startswith("constant:"):
        graph = constant_probability(graph, float(probabilities.split(":", 1)[1]))
    else:
        raise ValueError(f"unknown probabilities scheme {probabilities!r}; use 'weighted_cascade', "
                         "'trivalency', 'random_lt', 'constant:<p>', 'file' or None")
    return (graph, report) if return_report else graph
