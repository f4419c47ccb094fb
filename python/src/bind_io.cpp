// SPDX-License-Identifier: MIT
/// Python bindings of the I/O layer: text edge lists, binary snapshots and graph checksums.
#include "bind_common.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/io/snapshot.hpp"

namespace kolsim::python {

namespace {

/// The spellings of EdgeFormat.
constexpr Choice<EdgeFormat> edge_format_choices[] = {
    {"auto", EdgeFormat::auto_detect}, {"whitespace", EdgeFormat::whitespace}, {"csv", EdgeFormat::csv}};

/// EdgeListReport: what read_edge_list did.
void bind_edge_list_report(py::module_& m) {
  py::class_<EdgeListReport>(m, "EdgeListReport", "What read_edge_list did: line counts, build report, timings.")
      .def_readonly("path", &EdgeListReport::path)
      .def_readonly("build", &EdgeListReport::build, "BuildReport: self-loops, duplicates, vertices, edges.")
      .def_readonly("lines", &EdgeListReport::lines)
      .def_readonly("comment_lines", &EdgeListReport::comment_lines)
      .def_readonly("blank_lines", &EdgeListReport::blank_lines)
      .def_readonly("edge_lines", &EdgeListReport::edge_lines)
      .def_readonly("parse_seconds", &EdgeListReport::parse_seconds)
      .def_readonly("build_seconds", &EdgeListReport::build_seconds)
      .def_readonly("unused_numeric_columns", &EdgeListReport::unused_numeric_columns,
                    "0-based columns (>= 2) present on every data line, all numbers in [0, 1], not used: probably "
                    "a probability column that was not asked for (pass probability_column=<c>).")
      .def("__repr__", [](const EdgeListReport& r) {
        return detail::concat("EdgeListReport(path='", r.path, "', lines=", r.lines, ", edge_lines=", r.edge_lines,
                              ", comment_lines=", r.comment_lines, ", self_loops=", r.build.self_loops,
                              ", duplicates=", r.build.duplicates, ", vertices=", r.build.vertices,
                              ", edges=", r.build.edges, ", unused_numeric_columns=[",
                              [&] {
                                std::string s;
                                for (int c : r.unused_numeric_columns) s += (s.empty() ? "" : ", ") + std::to_string(c);
                                return s;
                              }(),
                              "])");
      });
}

/// read_edge_list: a text edge list (optionally gzipped) to a graph and its report.
void bind_read_edge_list(py::module_& m) {
  m.def(
      "read_edge_list",
      [](py::handle path, bool undirected, bool flip, const std::string& self_loops, const std::string& duplicates,
         int threads, const std::string& format, int probability_column, bool ignore_extra_columns,
         bool first_line_counts, bool check_lt_weights, const std::string& comment_chars, bool csv_header) {
        EdgeListOptions opt;
        opt.build = build_options(undirected, flip, self_loops, duplicates, threads);
        opt.format = parse_choice("format", format, edge_format_choices);
        opt.probability_column = probability_column;
        opt.ignore_extra_columns = ignore_extra_columns;
        opt.first_line_counts = first_line_counts;
        opt.check_lt_weights = check_lt_weights;
        opt.comment_chars = comment_chars;
        opt.csv_header = csv_header;
        opt.stop = python_stop_token();  // Ctrl-C stops the read within a fraction of a second
        opt.progress = python_progress();
        const std::string p = to_path(path);
        EdgeListReport report;
        FollowerGraph g = without_gil([&] { return read_edge_list(p, opt, &report); });
        return py::make_tuple(std::move(g), std::move(report));
      },
      py::arg("path"), py::arg("undirected") = false, py::arg("flip") = false, py::arg("self_loops") = "drop",
      py::arg("duplicates") = "first", py::arg("threads") = 0, py::arg("format") = "auto",
      py::arg("probability_column") = -1, py::arg("ignore_extra_columns") = false,
      py::arg("first_line_counts") = false, py::arg("check_lt_weights") = false, py::arg("comment_chars") = "#%",
      py::arg("csv_header") = false, R"doc(Reads a text edge list (optionally gzipped). Use :func:`kolsim.read_edge_list`.

A data line "a b" is the edge a -> b: *b follows a*. SNAP who-follows-whom files that list the
follower first need ``flip=True``.

Returns
-------
(FollowerGraph, EdgeListReport)

Raises
------
kolsim.ParseError
    Malformed data (``.file`` and ``.line`` locate it).
OSError
    The file cannot be read.
MemoryError
    The (decompressed) text would not fit in the usable memory.
KeyboardInterrupt
    Ctrl-C during the read.

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "e.txt")
>>> _ = open(path, "w").write("# a follows-graph\n1 2\n2 3\n")
>>> g, report = kolsim._core.read_edge_list(path)
>>> g.num_edges, report.comment_lines
(2, 1)
)doc");
}

/// Writing edge lists, binary snapshots (save and load) and graph checksums.
void bind_graph_files(py::module_& m) {
  m.def(
      "write_edge_list",
      [](const FollowerGraph& graph, py::handle path, bool with_probabilities) {
        const std::string p = to_path(path);
        without_gil([&] { write_edge_list(graph, p, with_probabilities); return 0; });
      },
      py::arg("graph"), py::arg("path"), py::arg("with_probabilities") = true,
      R"doc(Writes one "u v [p]" line per edge (account ids), atomically. Isolated accounts are lost.

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "e.txt")
>>> kolsim.write_edge_list(kolsim.erdos_renyi(10, 20, seed=1), path)
>>> kolsim.read_edge_list(path).num_edges
20
)doc");
  m.def(
      "save_snapshot",
      [](const FollowerGraph& graph, py::handle path) {
        const std::string p = to_path(path);
        without_gil([&] { save_snapshot(graph, p); return 0; });
      },
      py::arg("graph"), py::arg("path"),
      R"doc(Saves the whole graph (ids, topology, probabilities) as a checksummed binary snapshot, atomically.

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "g.kgs")
>>> g = kolsim.erdos_renyi(10, 20, seed=1)
>>> kolsim.save_snapshot(g, path)
>>> kolsim.graph_checksum(kolsim.load_snapshot(path)) == kolsim.graph_checksum(g)
True
)doc");
  m.def(
      "load_snapshot",
      [](py::handle path) {
        const std::string p = to_path(path);
        return without_gil([&] { return load_snapshot(p); });
      },
      py::arg("path"), R"doc(Loads a snapshot written by save_snapshot (ParseError if corrupt, OSError if unreadable).

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "g.kgs")
>>> kolsim.save_snapshot(kolsim.erdos_renyi(10, 20, seed=1), path)
>>> kolsim.load_snapshot(path).num_edges
20
)doc");
  m.def("graph_checksum", [](const FollowerGraph& graph) { return graph_checksum(graph); }, py::arg("graph"),
        py::call_guard<py::gil_scoped_release>(),
        R"doc(64-bit checksum of a graph's content (ids, topology, probabilities); thread-count independent.

Examples
--------
>>> import kolsim
>>> a = kolsim.erdos_renyi(10, 20, seed=1)
>>> kolsim.graph_checksum(a) == kolsim.graph_checksum(kolsim.erdos_renyi(10, 20, seed=1))
True
)doc");
}

}  // namespace

void bind_io(py::module_& m) {
  bind_edge_list_report(m);
  bind_read_edge_list(m);
  bind_graph_files(m);
}

}  // namespace kolsim::python
