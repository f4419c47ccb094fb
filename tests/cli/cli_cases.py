# SPDX-License-Identifier: MIT
"""Command-line tests of the kolsim tool: each case checks the exit status AND the output.

Usage: cli_cases.py --list | cli_cases.py KOLSIM_EXE DATA_DIR SOURCE_DIR CASE
Exit 0 = pass, 1 = fail (with the reason), 77 = skipped (ctest reports it as skipped, with the
reason on stdout). ctest registers one test per name printed by --list.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Skip(Exception):
    pass


class Ctx:
    def __init__(self, exe, data, source, tmp):
        self.exe, self.data, self.source, self.tmp = exe, data, source, tmp

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, content):
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(self.path(name), mode) as f:
            f.write(content)
        return self.path(name)

    def run(self, *args, rc, out=None, err=None, no_err=None, stdin=None, env=None):
        """Runs kolsim; checks the exit status and that stdout/stderr match the regexes."""
        full_env = None if env is None else {**os.environ, **env}
        p = subprocess.run([self.exe, *args], input=stdin, capture_output=True, timeout=120, cwd=self.tmp,
                           env=full_env)
        o, e = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        shown = f"kolsim {' '.join(args)}\n--- exit {p.returncode}\n--- stdout\n{o}--- stderr\n{e}"
        print(shown)
        assert p.returncode == rc, f"exit status {p.returncode}, expected {rc}"
        if out is not None:
            assert re.search(out, o), f"stdout does not match {out!r}"
        if err is not None:
            assert re.search(err, e), f"stderr does not match {err!r}"
        if no_err is not None:
            assert not re.search(no_err, e), f"stderr matches {no_err!r}"
        return o, e

P_TXT = "1 2 0.9\n1 3 0.9\n1 4 0.9\n"


# --- item 1: which probabilities are used, always said ------------------------------------------
@case
def default_scheme_is_reported(c):
    c.write("p.txt", P_TXT)
    o, _ = c.run("spread", "p.txt", "--seeds", "1", "--trials", "2000", "--json", rc=0,
                 err=r"probabilities: weighted cascade \(1/in-degree\), the default")
    rec = json.loads(o)
    assert rec["probabilities"] == {"source": "scheme", "scheme": "wc", "default": True, "replaced_stored": False,
                                    "mean": 1.0}, rec
    assert rec["spread"] == 4.0


@case
def probability_column_implies_column(c):
    c.write("p.txt", P_TXT)
    o, _ = c.run("spread", "p.txt", "--seeds", "1", "--probability-column", "2", "--trials", "4000", "--json",
                 rc=0, err=r"probabilities: from column 2 of p\.txt; mean 0\.9")
    rec = json.loads(o)
    assert rec["probabilities"] == {"source": "column", "column": 2, "mean": 0.9}, rec
    assert abs(rec["spread"] - 3.7) < 6 * rec["std_error"] + 1e-9, rec  # 1 + 3 * 0.9


@case
def snapshot_probabilities_are_used(c):
    c.write("p.txt", P_TXT)
    c.run("convert", "p.txt", "p.kgs", "-p", "column", "--probability-column", "2", rc=0,
          err=r"wrote p\.kgs \(with probabilities")
    c.run("info", "p.kgs", rc=0, out=r"mean probability: +0\.9", err=r"probabilities: stored in the snapshot p\.kgs")
    o, _ = c.run("spread", "p.kgs", "--seeds", "1", "--trials", "4000", "--json", rc=0,
                 err=r"probabilities: stored in the snapshot p\.kgs; mean 0\.9")
    rec = json.loads(o)
    assert rec["probabilities"]["source"] == "snapshot" and abs(rec["spread"] - 3.7) < 0.1, rec
    # Asking for a scheme replaces the stored probabilities, and says so.
    o, _ = c.run("spread", "p.kgs", "--seeds", "1", "--trials", "100", "-p", "wc", "--json", rc=0,
                 err=r"weighted cascade \(1/in-degree\), replacing the probabilities stored in p\.kgs")
    rec = json.loads(o)
    assert rec["probabilities"]["replaced_stored"] is True and rec["spread"] == 4.0, rec
    c.run("select", "p.kgs", "-k", "1", "--method", "degree", "--check-trials", "0", rc=0,
          err=r"probabilities: stored in the snapshot")


@case
def column_and_scheme_conflict(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "--probability-column", "2", "-p", "wc", rc=2,
          err=r"--probability-column 2 .*-p wc")
    c.run("spread", "p.txt", "--seeds", "1", "-p", "column", rc=2, err=r"-p column needs --probability-column")


@case
def unused_numeric_column_warns(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "--trials", "100", rc=0,
          err=r"warning: column 2 of p\.txt .*not used.*--probability-column 2")
    c.run("spread", "p.txt", "--seeds", "1", "--trials", "100", "--probability-column", "2", rc=0,
          no_err=r"warning")


# --- item 5: options that were silently ignored -------------------------------------------------
@case
def snapshot_rejects_edge_list_options(c):
    c.write("p.txt", P_TXT)
    c.run("convert", "p.txt", "p.kgs", rc=0)
    for opt in (["--flip"], ["--undirected"], ["--self-loops", "keep"], ["--probability-column", "2"]):
        c.run("spread", "p.kgs", "--seeds", "1", *opt, rc=2, err=opt[0] + r" applies only to edge lists; p\.kgs is a snapshot")


@case
def negative_deadline(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "--deadline", "-5", rc=2, err=r"--deadline must be an integer from 0")
    c.run("spread", "p.txt", "--seeds", "1", "--deadline", "0", "--trials", "10", rc=0, out=r"spread 1\.00")


@case
def empty_seed_lists(c):
    c.write("p.txt", P_TXT)
    for seeds in ("", ",", "1,", "1,,2"):
        c.run("spread", "p.txt", "--seeds", seeds, rc=2, err=r"--seeds needs a comma-separated list of account ids")
    c.run("spread", "p.txt", "--seeds", "1x", rc=2, err=r"--seeds: '1x' is not an account id")


@case
def k_must_be_positive(c):
    c.write("p.txt", P_TXT)
    c.run("select", "p.txt", "-k", "0", rc=2, err=r"-k must be an integer from 1 to")
    c.run("select", "p.txt", "-k", "-1", rc=2, err=r"-k must be an integer from 1 to [0-9]+, got -1\n",
          no_err=r"18446744073709551615")


# --- item 7: threads ----------------------------------------------------------------------------
@case
def too_many_threads(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "--threads", "100000", rc=2,
          err=r"--threads must be an integer from 0 to [0-9]+, got 100000")
    c.run("spread", "p.txt", "--seeds", "1", "--threads", "-1", rc=2, err=r"--threads must be")


# --- item 10: standard input --------------------------------------------------------------------
@case
def graph_from_standard_input(c):
    c.run("info", "-", rc=0, out=r"accounts: +2", stdin=b"1 2\n")


# --- item 12: JSON ------------------------------------------------------------------------------
@case
def run_record_round_trips_text(c):
    c.write("g.txt", "10 20\n30 40\n")
    # Quotes, backslashes and non-ASCII round-trip; control characters are refused at read (below).
    platform = 'q"uo\\te and caf\u00e9 \u2713 \U0001F600'
    tags = ["a\\b", 'c"d', "\u00fc\u00f1\u00ee"]
    quoted = '"' + platform.replace('"', '""') + '"'
    c.write("roster.csv", ("account,fee,risk,platform,tags\n" f"10,1,0,{quoted},{';'.join(tags)}\n"
                           f"30,1,0,{quoted},{';'.join(tags)}\n").encode("utf-8"))
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "2", "--check-trials", "50", "--epsilon", "0.1",
          "--record", "plan.json", rc=0, err=r"wrote run record plan\.json")
    with open(c.path("plan.json"), "rb") as f:
        raw = f.read()
    with open(c.path("plan.json"), encoding="utf-8") as f:
        rec = json.load(f)
    assert sorted(k["account"] for k in rec["kols"]) == [10, 30], rec["kols"]
    for k in rec["kols"]:
        assert k["platform"] == platform, (k["platform"], platform)
        assert k["tags"] == tags, k["tags"]
    assert b'"epsilon":0.1,' in raw, raw  # shortest round-trip form, not 0.10000000000000001
    assert rec["probabilities"]["source"] == "scheme" and rec["probabilities"]["default"] is True, rec
    c.write("bad.csv", "account,fee,risk,platform\n10,1,0,del\x7fhere\n".encode("utf-8"))
    c.run("plan", "g.txt", "--roster", "bad.csv", "--max-kols", "1", "--record", "bad.json", rc=1,
          err=r"bad\.csv:2: .*control character")


@case
def select_json(c):
    o, _ = c.run("select", os.path.join(c.data, "good", "probs.txt"), "-p", "column", "--probability-column", "2",
                 "-k", "1", "--method", "imm", "--check-trials", "200", "--json", rc=0)
    rec = json.loads(o)
    assert rec["seeds"] == [3] and rec["probabilities"]["source"] == "column", rec


# --- item 14: output paths ----------------------------------------------------------------------
@case
def plan_checks_output_directory_first(c):
    c.write("g.txt", "10 20\n30 40\n")
    c.write("roster.csv", "account,fee\n10,1\n30,1\n")
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--record", "/no/such/dir/x.json", rc=1,
          out=r"^$", err=r"cannot write '/no/such/dir/x\.json': directory '/no/such/dir'", no_err=r"probabilities:")
    c.run("convert", "g.txt", "/no/such/dir/x.kgs", rc=1, err=r"cannot write '/no/such/dir/x\.kgs'",
          no_err=r"read g\.txt")


# --- item 16: wording and exit status -----------------------------------------------------------
@case
def number_wording(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "-p", "const:abc", rc=2,
          err=r"-p const:P must be a number from 0 to 1, got 'abc'", no_err=r"stof")
    c.run("spread", "p.txt", "--seeds", "1", "-p", "const:1.5", rc=2, err=r"-p const:P must be a number from 0 to 1")
    c.run("spread", "p.txt", "--seeds", "1", "-p", "uniform:0.5", rc=2, err=r"-p uniform:A:B needs two numbers")
    c.run("spread", "p.txt", "--seeds", "1", "--trials", "-1", rc=2,
          err=r"--trials must be an integer from 1 to [0-9]+, got -1", no_err=r"2\^38")
    c.run("spread", "p.txt", "--seeds", "1", "--trials", "0x10", rc=2, err=r"--trials must be .*got '0x10'")
    c.run("select", "p.txt", "--epsilon", "nan", rc=2, err=r"--epsilon must be a number")
    c.run("spread", "p.txt", "--seeds", "1", "--seed", "-3", rc=2, err=r"--seed must be an integer >= 0, got -3")
    c.write("roster.csv", "account,fee\n1,1\n")
    c.run("plan", "p.txt", "--roster", "roster.csv", "--budget", "-1", rc=2,
          err=r"--budget must be a finite number >= 0, got -1")
    c.run("plan", "p.txt", "--roster", "roster.csv", "--max-kols", "-2", rc=2,
          err=r"--max-kols must be an integer >= 0, got -2")


@case
def usage_errors_exit_2(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", rc=2, err=r"--seeds is required")
    c.run("spread", "p.txt", "--seeds", "1", "--no-such-option", rc=2, err=r"--no-such-option")
    c.run(rc=2, err=r"subcommand")
    c.run("select", "p.txt", "--method", "magic", rc=2, err=r"--method")
    c.run("--help", rc=0, out=r"info")
    c.run("--version", rc=0, out=r"[0-9]+\.[0-9]+")


@case
def runtime_errors_exit_1(c):
    c.run("spread", os.path.join(c.data, "bad", "prob_nan.txt"), "--probability-column", "2", "--seeds", "1", rc=1,
          err=r"prob_nan\.txt:[0-9]+: ")
    c.run("info", os.path.join(c.data, "bad", "wrong_magic.kgs"), rc=1, err=r"wrong_magic\.kgs")
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "9", rc=1, err=r"account 9 is not in the graph")


@case
def info_summary(c):
    c.run("info", os.path.join(c.data, "good", "probs.txt"), rc=0, out=r"accounts: +3",
          err=r"probabilities: none")

# --- issue 13: the CLI speaks Python's names, shows defaults, one --json ------------------------
# A small graph: 1 and 5 are hubs, 2..4 and 6..8 their followers, 9 follows 2.
HUBS = "1 2\n1 3\n1 4\n5 6\n5 7\n5 8\n2 9\n"


def python_methods(source):
    """The method names Python's select_seeds registers (python/kolsim/__init__.py)."""
    with open(os.path.join(source, "python", "kolsim", "__init__.py"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("for _name, _fn, _uses, _options in ["):]
    table = table[:table.index("]:\n")]
    names = re.findall(r'^\s*\("([a-z+-]+)",', table, re.M)
    assert len(names) >= 10, names
    return names


@case
def every_python_method_is_a_cli_method(c):
    c.write("g.txt", HUBS)
    for m in python_methods(c.source):
        o, _ = c.run("select", "g.txt", "-k", "2", "--method", m, "--check-trials", "200", "--json", rc=0)
        rec = json.loads(o)
        assert rec["method"] == m, rec
        assert len(rec["seeds"]) == 2, rec
        if m not in ("core", "katz", "eigenvector", "pagerank"):  # the hubs by any spread-aware or degree rule
            assert sorted(rec["seeds"]) == [1, 5], rec
    o, _ = c.run("select", "--help", rc=0)
    for m in python_methods(c.source):
        assert m in o, (m, o)


@case
def celf_and_celf_plus_plus_are_both_offered(c):
    c.write("g.txt", HUBS)
    o, _ = c.run("select", "g.txt", "-k", "2", "--method", "celf", "--trials", "200", "--check-trials", "0", rc=0,
                 out=r"^celf: 2 seeds")
    o2, _ = c.run("select", "g.txt", "-k", "2", "--method", "celf++", "--trials", "200", "--check-trials", "0",
                  rc=0, out=r"^celf\+\+: 2 seeds")
    c.run("select", "g.txt", "--method", "degree", "--trials", "10", rc=2,
          err=r"--trials applies to --method greedy, celf and celf\+\+, not degree")
    c.run("select", "g.txt", "--method", "celf", "--epsilon", "0.2", rc=2, err=r"--epsilon applies to")


@case
def help_shows_defaults(c):
    o, _ = c.run("select", "--help", rc=0)
    for opt, default in (("-k", "10"), ("--method", "opim-c"), ("--epsilon", "0.1"), ("--trials", "1000"),
                         ("--check-trials", "10000"), ("--seed", "0"), ("--threads", "0"), ("--model", "ic"),
                         ("-p,--probabilities", "auto"), ("--self-loops", "drop")):
        line = next((l for l in o.splitlines() if l.strip().startswith(opt + " ")), None)
        assert line is not None, (opt, o)
        assert re.search(r"\[" + re.escape(default) + r"\]|=" + re.escape(default) + r"\b", line), (opt, line)
    o, _ = c.run("spread", "--help", rc=0, out=r"--trials[^\n]*10000")
    o, _ = c.run("plan", "--help", rc=0, out=r"--max-risk[^\n]*\b1\b")


@case
def info_and_convert_list_only_what_they_use(c):
    for cmd in ("info", "convert"):
        o, _ = c.run(cmd, "--help", rc=0)
        for ignored in ("--model", "--trials", "--epsilon", "--check-trials", "--method", "--roster"):
            assert ignored not in o, (cmd, ignored)
    c.write("g.txt", HUBS)
    c.run("info", "g.txt", "--seed", "3", rc=2, err=r"--seed 3 is used only by a random -p scheme")
    c.run("convert", "g.txt", "g.kgs", "--seed", "3", rc=2, err=r"--seed 3 is used only by a random -p scheme")
    c.run("info", "g.txt", "-p", "trivalency", "--seed", "3", rc=0, out=r"mean probability")


@case
def json_means_one_object_on_stdout_everywhere(c):
    c.write("g.txt", HUBS)
    c.write("roster.csv", "account,fee\n1,1\n5,1\n2,1\n")
    runs = {
        "info": ["info", "g.txt"],
        "convert": ["convert", "g.txt", "g.kgs"],
        "spread": ["spread", "g.txt", "--seeds", "1", "--trials", "100"],
        "select": ["select", "g.txt", "-k", "1", "--check-trials", "100"],
        "plan": ["plan", "g.txt", "--roster", "roster.csv", "--max-kols", "2", "--check-trials", "200"],
        "replan": ["replan", "g.txt", "--roster", "roster.csv", "--max-kols", "2", "--check-trials", "200",
                   "--drop", "1"],
    }
    for name, args in runs.items():
        o, _ = c.run(*args, "--json", rc=0)
        assert o.count("\n") == 1 and o.startswith("{"), (name, o)
        rec = json.loads(o)
        assert "probabilities" in rec or "probabilities" in rec.get("plan", {}), (name, rec)
        h, _ = c.run(args[0], "--help", rc=0)
        assert re.search(r"--json\s+print the (result|run record) as one JSON object on stdout", h), (name, h)
    o, _ = c.run("info", "g.txt", "--json", rc=0)
    assert json.loads(o)["accounts"] == 9, o
    # The file form of the plan record is --record; --json takes no file name.
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--json", "x.json", rc=2, err=r"x\.json")
    o, _ = c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--check-trials", "100",
                 "--record", "r.json", rc=0, out=r"KOL|account", err=r"wrote run record r\.json")
    with open(c.path("r.json"), encoding="utf-8") as f:
        assert json.load(f)["kols"], "record without KOLs"


@case
def plan_with_audience(c):
    c.write("g.txt", HUBS)
    c.write("roster.csv", "account,fee\n1,1\n5,1\n")
    # Only 6, 7, 8 (followers of 5) are the audience: the one KOL must be 5.
    c.write("aud.csv", "account,group\n6,young\n7,young\n8,young\n")
    o, _ = c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--audience", "aud.csv",
                 "--other-weight", "0", "--check-trials", "500", "--json", rc=0)
    rec = json.loads(o)
    assert [k["account"] for k in rec["kols"]] == [5], rec["kols"]
    # Every account weighing 1 (the default), 1 reaches more (5 accounts against 4).
    o, _ = c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--audience", "aud.csv",
                 "--check-trials", "500", "--json", rc=0)
    assert [k["account"] for k in json.loads(o)["kols"]] == [1], o
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--other-weight", "0", rc=2,
          err=r"--other-weight needs --audience")
    assert [g["name"] for g in rec["groups"]] == ["young"], rec["groups"]
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--group-min", "young=2", rc=2,
          err=r"--group-min needs --audience")
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--audience", "aud.csv", "--group-min",
          "young", rc=2, err=r"--group-min must be GROUP=COUNT")
    c.run("plan", "g.txt", "--roster", "roster.csv", "--max-kols", "1", "--audience", "nope.csv", rc=2,
          err=r"nope\.csv")


@case
def replan_without_a_kol(c):
    c.write("g.txt", HUBS)
    c.write("roster.csv", "account,fee\n1,1\n5,1\n2,1\n6,1\n")
    o, _ = c.run("replan", "g.txt", "--roster", "roster.csv", "--budget", "2", "--check-trials", "1000",
                 "--drop", "5", "--json", rc=0)
    rec = json.loads(o)
    assert sorted(k["account"] for k in rec["plan"]["kols"]) == [1, 5], rec["plan"]["kols"]
    r = rec["replan"]
    assert r["dropped"] == 5 and r["replacements"] == [6], r  # 6 adds itself; 2 adds nothing
    assert abs(r["reach_lost"] - 4.0) < 1e-9, r  # 5 and its three followers, p = 1 under wc here
    o, _ = c.run("replan", "g.txt", "--roster", "roster.csv", "--budget", "2", "--check-trials", "1000",
                 "--drop", "5", rc=0, out=r"dropping account 5 .*loses")
    c.run("replan", "g.txt", "--roster", "roster.csv", "--budget", "2", "--drop", "9", rc=2,
          err=r"--drop 9 is not one of the plan's KOLs \([15], [15]\)")
    c.run("replan", "g.txt", "--roster", "roster.csv", "--budget", "2", rc=2, err=r"--drop is required")


@case
def csv_header(c):
    c.write("e.csv", "source,target\n1,2\n1,3\n")
    c.run("info", "e.csv", rc=1, err=r"e\.csv:1: ")
    c.run("info", "e.csv", "--csv-header", rc=0, out=r"accounts: +3")
    c.run("info", "-", "--csv-header", rc=0, out=r"accounts: +3", stdin=b"from,to\n1,2\n1,3\n")
    c.write("p.txt", P_TXT)
    c.run("convert", "p.txt", "p.kgs", rc=0)
    c.run("info", "p.kgs", "--csv-header", rc=2, err=r"--csv-header applies only to edge lists")


@case
def heuristics_print_no_gain_or_zero_spread(c):
    c.write("g.txt", HUBS)
    for m, col in (("degree", "followers"), ("degree-discount", "discounted degree"), ("pagerank", "pagerank"),
                   ("core", "core number"), ("katz", "katz"), ("eigenvector", "eigenvector")):
        o, _ = c.run("select", "g.txt", "-k", "2", "--method", m, "--check-trials", "100", rc=0,
                     out=r"rank +account +" + col)
        assert "marginal gain" not in o and "spread estimate 0" not in o, o
        assert "no spread estimate of its own" in o, o
        o, _ = c.run("select", "g.txt", "-k", "2", "--method", m, "--check-trials", "0", "--json", rc=0)
        rec = json.loads(o)
        assert rec["spread_estimate"] is None and "marginal_gains" not in rec and len(rec["scores"]) == 2, rec
    o, _ = c.run("select", "g.txt", "-k", "2", "--method", "degree", "--check-trials", "0", rc=0)
    assert re.search(r"^ +1 +[15] +3$", o, re.M), o  # follower counts, not 3.0
    o, _ = c.run("select", "g.txt", "-k", "2", "--method", "imm", "--check-trials", "0", rc=0,
                 out=r"rank +account +marginal gain")
    assert "selector's spread estimate" in o, o


# --- issue 13: progress on stderr: shown on a terminal, forced by --progress, silenced by --quiet ---
# KOLSIM_PROGRESS_SECONDS=0 prints a line at every poll, so what the line says is checked without
# depending on how fast the machine is (a run of half a second printed nothing on a fast machine).
EVERY_POLL = {"KOLSIM_PROGRESS_SECONDS": "0"}


def _long_spread(c, *flags):
    import random

    rnd = random.Random(13)
    c.write("big.txt", "".join(f"{rnd.randrange(3000)} {rnd.randrange(3000)}\n" for _ in range(30000)))
    return c.run(*flags, "spread", "big.txt", "--seeds", "1,2,3", "--trials", "200000", "--threads", "1",
                 "--json", rc=0, env=EVERY_POLL)


@case
def progress_is_forced_by_flag(c):
    _, e = _long_spread(c, "--progress")
    assert re.search(r"estimating spread: trials \d+/200000 \(\d+%\)", e), "no progress line with --progress"
    assert e.endswith("\r\033[K"), "the progress line is not cleared at the end"


@case
def progress_interval_from_the_environment_is_checked(c):
    c.write("p.txt", P_TXT)
    for bad in ("-1", "soon", "1e9", "nan"):
        c.run("--progress", "spread", "p.txt", "--seeds", "1", "--trials", "64", rc=2,
              err="KOLSIM_PROGRESS_SECONDS", env={"KOLSIM_PROGRESS_SECONDS": bad})
    # a long interval: nothing printed during a short run, only the final clear
    _, e = c.run("--progress", "spread", "p.txt", "--seeds", "1", "--trials", "64", rc=0,
                 env={"KOLSIM_PROGRESS_SECONDS": "3600"})
    assert "estimating" not in e, e


@case
def progress_flag_may_follow_the_subcommand(c):
    c.write("p.txt", P_TXT)
    c.run("spread", "p.txt", "--seeds", "1", "--trials", "64", "--quiet", rc=0, no_err="estimating")


@case
def progress_is_silent_without_a_terminal_or_with_quiet(c):
    for flags in ((), ("--quiet",)):
        o, e = _long_spread(c, *flags)
        assert "estimating spread" not in e and "\r" not in e, f"progress shown with {flags}"
        json.loads(o)


@case
def progress_and_quiet_exclude_each_other(c):
    c.write("p.txt", P_TXT)
    c.run("--progress", "--quiet", "spread", "p.txt", "--seeds", "1", rc=2, err="excludes")


# --- competitive commands: compete (race) and block (blocking selection), competitive IC and LT ---
# f=10 -> b=11 (1.0); b -> leaves 20..24 (0.6); decoy hub h=30 -> leaves (0.4) and -> 40..45 (1.0).
BRIDGE_TXT = "10 11 1.0\n" + "".join(f"11 {x} 0.6\n30 {x} 0.4\n" for x in range(20, 25)) + \
    "".join(f"30 {x} 1.0\n" for x in range(40, 46))


@case
def compete_ic_and_lt(c):
    c.write("b.txt", BRIDGE_TXT)
    for model in ("ic", "lt"):
        # Both models: F reaches f, b and each leaf with 0.6 * 0.6 against C at the hub: 3.8; 5 alone.
        o, _ = c.run("compete", "b.txt", "--probability-column", "2", "--model", model, "--misleading", "10",
                     "--corrective", "30", "--trials", "20000", "--seed", "3", "--json", rc=0)
        rec = json.loads(o)
        m, alone = rec["misleading"], rec["misleading_alone"]
        assert abs(m["mean"] - 3.8) <= 6 * m["std_error"], rec
        assert abs(alone["mean"] - 5.0) <= 6 * alone["std_error"], rec
        assert rec["model"] == f"competitive_{model}" and rec["corrective"]["mean"] > 7, rec
    c.run("compete", "b.txt", "--probability-column", "2", "--model", "lt", "--misleading", "10", "--corrective",
          "30", "--tie-rule", "random", rc=2, err=r"--tie-rule and --delay apply to --model ic")
    c.run("compete", "b.txt", "--probability-column", "2", "--misleading", "10", "--corrective", "10", rc=1,
          err=r"both a misleading and a corrective seed")


@case
def block_ic_and_lt(c):
    c.write("b.txt", BRIDGE_TXT)
    for model, method, extra in (("lt", "celf", ["--trials", "300"]), ("ic", "celf", ["--trials", "300"]),
                                 ("ic", "rr", ["--worlds", "500"])):
        o, _ = c.run("block", "b.txt", "--probability-column", "2", "--model", model, "--method", method,
                     "--misleading", "10", "-k", "1", "--evaluation-trials", "2000", "--seed", "4", "--json", *extra,
                     rc=0)
        rec = json.loads(o)
        assert rec["seeds"] == [11], rec  # the bridge: F then reaches only its seed
        assert rec["reach_after"]["mean"] == 1.0 and rec["saved"]["mean"] > 3, rec
    o, _ = c.run("block", "b.txt", "--probability-column", "2", "--model", "lt", "--method", "degree",
                 "--misleading", "10", "-k", "1", "--json", rc=0)
    assert json.loads(o)["seeds"] == [30]
    o, _ = c.run("block", "b.txt", "--probability-column", "2", "--model", "lt", "--method", "celf",
                 "--misleading", "10", "-k", "2", "--trials", "100", rc=0, out=r"rank\s+account")
    c.run("block", "b.txt", "--probability-column", "2", "--model", "lt", "--method", "rr", "--misleading", "10",
          rc=2, err=r"--method rr needs --model ic")
    c.run("block", "b.txt", "--probability-column", "2", "--method", "degree", "--worlds", "5", "--misleading",
          "10", rc=2, err=r"--worlds does not apply")


# --- continuous time: reach over hours, first-reach times, time-critical selection and plans -----
CT_TXT = "1 2 1.0\n1 3 0.5\n"
# Hub 1 has three followers; 10 heads a path of six: 4 against 7 without a deadline (and about 7 by
# 24 h), but within 15 minutes (mean delay 1 h per edge) 1 + 3 F(0.25) = 1.66 against about 1.25.
HUBS_TXT = "1 2\n1 3\n1 4\n10 11\n11 12\n12 13\n13 14\n14 15\n15 16\n"


def _expo(h):
    return 1.0 - math.exp(-h)


@case
def continuous_spread_curve(c):
    c.write("ct.txt", CT_TXT)
    o, _ = c.run("spread", "ct.txt", "-p", "column", "--probability-column", "2", "--seeds", "1", "--hours",
                 "0.5,1,4", "--delay-hours", "1", "--track", "2,3", "--trials", "20000", "--json", rc=0)
    rec = json.loads(o)
    assert rec["model"] == "continuous_ic" and rec["hours"] == [0.5, 1, 4] and rec["trials"] == 20000, rec
    for j, h in enumerate(rec["hours"]):
        f = _expo(h)
        exact = 1 + f + 0.5 * f
        sd = math.sqrt(f * (1 - f) + 0.5 * f * (1 - 0.5 * f))
        assert abs(rec["reach"][j] - exact) < 6 * sd / math.sqrt(20000), (j, rec["reach"][j], exact)
        assert abs(rec["std_error"][j] - sd / math.sqrt(20000)) < 0.1 * sd / math.sqrt(20000), rec["std_error"]
        assert rec["q05"][j] <= rec["reach"][j] <= rec["q95"][j], rec
    a2, a3 = rec["first_reach"]
    assert a2["account"] == 2 and a3["account"] == 3, rec["first_reach"]
    for j, h in enumerate(rec["hours"]):
        for row, p in ((a2, 1.0), (a3, 0.5)):
            q = p * _expo(h)
            assert abs(row["probability"][j] - q) < 6 * math.sqrt(q * (1 - q) / 20000), (row, j)
    # Given reached by 4 h, the first-reach time is an exponential (mean 1 h) truncated at 4 h.
    mean = 1 - 4 * math.exp(-4) / (1 - math.exp(-4))
    assert abs(a2["mean_hours"] - mean) < 6 * a2["mean_se_hours"], a2
    median = -math.log(1 - _expo(4) / 2)
    assert abs(a2["median_hours"] - median) < 6 * a2["median_se_hours"], a2
    c.run("spread", "ct.txt", "-p", "column", "--probability-column", "2", "--seeds", "1", "--hours", "0.5,4",
          "--track", "3", "--trials", "2000", rc=0,
          out=r"(?s)continuous-time IC, mean delay 1\.00 h per live edge.*hours +mean reach.*\n +0\.50 .*\n +4\.00 .*"
              r"account 3: P\(by 0\.50 h\) 0\.\d+ \+/- 0\.\d+, P\(by 4\.00 h\) .* mean \d\.\d+ \+/- ")


@case
def continuous_spread_usage(c):
    c.write("ct.txt", CT_TXT)
    base = ("spread", "ct.txt", "--seeds", "1")
    c.run(*base, "--hours", "2,1", rc=2, err=r"--hours must be increasing")
    c.run(*base, "--hours", "1,,2", rc=2, err=r"--hours needs a comma-separated list of hours")
    c.run(*base, "--track", "2", rc=2, err=r"--track needs --hours")
    c.run(*base, "--delay-hours", "2", rc=2, err=r"--delay-hours needs --hours")
    c.run(*base, "--hours", "1", "--deadline", "2", rc=2, err=r"--deadline counts steps")
    c.run(*base, "--hours", "1", "--delay-hours", "0", rc=2, err=r"--delay-hours must be > 0")
    c.run(*base, "--hours", "1", "--model", "lt", rc=2, err=r"continuous time .* runs the IC model")
    c.run(*base, "--hours", "1", "--track", "99", rc=1, err=r"99")


@case
def time_critical_select(c):
    c.write("hubs.txt", HUBS_TXT)
    picks = {}
    for hours in ("0.25", "24"):
        o, _ = c.run("select", "hubs.txt", "-p", "const:1", "-k", "1", "--method", "imm", "--deadline-hours", hours,
                     "--check-trials", "20000", "--json", rc=0)
        rec = json.loads(o)
        assert rec["model"] == "continuous_ic" and rec["deadline_hours"] == float(hours), rec
        picks[hours] = rec["seeds"]
        if hours == "0.25":
            exact = 1 + 3 * _expo(0.25)
            sd = math.sqrt(3 * _expo(0.25) * (1 - _expo(0.25)))
            chk = rec["spread_check"]
            assert abs(chk["mean"] - exact) < 6 * sd / math.sqrt(20000), chk
    assert picks == {"0.25": [1], "24": [10]}, picks
    c.run("select", "hubs.txt", "-p", "const:1", "-k", "1", "--method", "opim-c", "--deadline-hours", "0.25",
          "--check-trials", "1000", rc=0, out=r"opim-c within 0\.250 h .*\n.*\n.*\nrank +account +marginal gain\n +1 +1 ")
    c.run("select", "hubs.txt", "-k", "1", "--method", "degree", "--deadline-hours", "1", rc=2,
          err=r"--deadline-hours applies to --method imm and opim-c")
    c.run("select", "hubs.txt", "-k", "1", "--delay-hours", "2", rc=2, err=r"--delay-hours needs --deadline-hours")


@case
def plan_deadline_hours(c):
    c.write("hubs.txt", HUBS_TXT)
    c.write("roster.csv", "account,fee,risk,platform\n1,1,0,slow\n10,1,0,fast\n")
    base = ("plan", "hubs.txt", "-p", "const:1", "--roster", "roster.csv", "--max-kols", "1", "--check-trials", "4000")
    picks = {}
    for hours in ("0.25", "24"):
        o, _ = c.run(*base, "--deadline-hours", hours, "--json", rc=0)
        rec = json.loads(o)
        assert rec["model"] == "continuous_ic" and rec["parameters"]["deadline_hours"] == float(hours), rec
        picks[hours] = [k["account"] for k in rec["kols"]]
    assert picks == {"0.25": [1], "24": [10]}, picks
    # Hub 1's platform is slow (mean 100 h): within 15 minutes hub 10 is now better.
    o, _ = c.run(*base, "--deadline-hours", "0.25", "--platform-delay", "slow=100", "--json", rc=0)
    assert [k["account"] for k in json.loads(o)["kols"]] == [10], o
    c.run(*base, "--deadline-hours", "0.25", rc=0, out=r"deadline 0\.25 hours")
    o, _ = c.run("replan", *base[1:], "--deadline-hours", "0.25", "--drop", "1", "--json", rc=0)
    rec = json.loads(o)
    assert rec["replan"]["replacements"] == [10], rec["replan"]
    c.run(*base, "--deadline-hours", "1", "--deadline", "2", rc=2, err=r"not both")
    c.run(*base, "--delay-hours", "2", rc=2, err=r"--delay-hours needs --deadline-hours")
    c.run(*base, "--deadline-hours", "1", "--model", "lt", rc=2, err=r"runs the IC model")
    c.run(*base, "--deadline-hours", "1", "--platform-delay", "radio=1", rc=1, err=r"no roster KOL is on platform 'radio'")
    c.run(*base, "--deadline-hours", "1", "--platform-delay", "slow", rc=2, err=r"PLATFORM=HOURS")


# --- multiplex networks (docs/multiplex.md) ----------------------------------------------------
@case
def multiplex_reach_and_select(c):
    # Platform x: 1 -> 2 (p = 1); platform y: 10 -> 20 (p = 1). Person 100 owns x:1 and y:10,
    # person 200 owns x:2 and y:20; x -> y cross-posting 1: every account is reached, 2 people.
    c.write("x.txt", "1 2\n")  # weighted cascade: p = 1
    c.write("y.txt", "10 20\n")
    c.write("people.txt", "# person platform account\n100 x 1\n100,y,10\n200 x 2\n200 y 20\n")
    base = ["multiplex", "--layer", "x=x.txt", "--layer", "y=y.txt", "--identity", "people.txt", "--cross", "x:y=1"]
    o, _ = c.run(*base, "--seeds", "100@x", "--trials", "50", rc=0,
                 out=r"2 people, 4 accounts on 2 platforms \(2 people on two or more; 2 cross-post edges\)")
    assert re.search(r"people reached 2\.00 \+/- 0\.00", o) and re.search(r"y: 2\.00 \+/- 0\.00 accounts", o), o
    assert re.search(r"\n +2 +0\.00 +0\.00 +1\.00\n", o), o  # y:20 at step 2, after the last new person
    o, _ = c.run(*base, "--select", "1", "--trials", "50", "--json", rc=0)
    rec = json.loads(o)
    assert rec["seeds"] == [{"person": 100, "platform": "x", "account": 1}], rec
    assert rec["people_reached"] == 2.0 and rec["per_platform"]["y"]["accounts_reached"] == 2.0, rec
    assert rec["people_per_platform"] == [2, 2], rec


@case
def multiplex_errors(c):
    c.write("x.txt", "1 2 0.5\n")
    c.write("bad.txt", "100 x 1\n100 z 2\n")
    c.run("multiplex", "--layer", "x=x.txt", "--identity", "bad.txt", "--seeds", "100@x", rc=1,
          err=r"bad\.txt:2: platform 'z' is not a --layer")
    c.write("twice.txt", "100 x 1\n100 x 2\n")
    c.run("multiplex", "--layer", "x=x.txt", "--identity", "twice.txt", "--seeds", "100@x", rc=1,
          err=r"person 100 has two accounts on layer 'x'")
    c.run("multiplex", "--layer", "x=x.txt", "--seeds", "0@y", rc=2, err=r"no --layer is named 'y'")
    c.run("multiplex", "--layer", "x=x.txt", rc=2, err=r"exactly one of --seeds and --select")
    c.run("multiplex", "--layer", "x=x.txt", "--seeds", "9@x", rc=1, err=r"person 9 is not in the multiplex")


@case
def multiplex_plan(c):
    # Person 100 owns x:1 and y:10, 200 owns x:2, 300 owns y:20; x: 1 -> 2, y: 10 -> 20 (p = 1),
    # x -> y cross-posting 1. 100 on x (fee 5) reaches all three people; 100 on y and 200 on x
    # (fee 1 + 1) do too, more cheaply.
    c.write("x.txt", "1 2\n")
    c.write("y.txt", "10 20\n")
    c.write("people.txt", "100 x 1\n100 y 10\n200 x 2\n300 y 20\n")
    c.write("roster.csv", "person,platform,fee,risk\n100,x,5,0\n100,y,1,0\n200,x,1,0\n")
    base = ["multiplex", "--layer", "x=x.txt", "--layer", "y=y.txt", "--identity", "people.txt", "--cross", "x:y=1"]
    o, _ = c.run(*base, "--roster", "roster.csv", "--budget", "5", "--check-trials", "200", "--json",
                 "--record", "plan.json", rc=0)
    rec = json.loads(o)
    assert [(k["account"], k["platform"]) for k in rec["kols"]] == [(100, "y"), (200, "x")], rec["kols"]
    assert rec["totals"]["reach"] == 3.0 and rec["totals"]["fee"] == 2.0, rec["totals"]
    assert rec["multiplex"]["people"] == 3 and rec["multiplex"]["counting"] == "people", rec["multiplex"]
    assert [p["reach"] for p in rec["multiplex"]["platforms"]] == [1.0, 2.0], rec["multiplex"]
    with open(c.path("plan.json"), encoding="utf-8") as f:
        assert json.load(f)["multiplex"] == rec["multiplex"]
    o, _ = c.run(*base, "--roster", "roster.csv", "--max-kols", "1", "--check-trials", "200", rc=0,
                 out=r"people reached per platform")
    c.write("bad.csv", "person,platform,fee\n100,x,1\n200,y,1\n")
    c.run(*base, "--roster", "bad.csv", "--budget", "2", rc=1,
          err=r"bad\.csv:3: column 'platform': person 200 has no account on platform 'y'")
    c.run(*base, "--roster", "roster.csv", rc=2, err=r"--budget and/or --max-kols")


@case
def multiplex_race_and_block(c):
    # x: 1 -> 2, 1 -> 3, 3 -> 4; y: 5 -> 6 (weighted cascade: p = 1). Person 7 owns x:3 and y:5,
    # x -> y cross-posting 1; the unlisted accounts x:1, x:2, x:4, y:6 are people 8, 9, 10, 11.
    # F from x:1 alone reaches all 5 people; C on y:5 keeps y:6 (person 11); C on x:3 saves 7,
    # 10 and 11 (x:3 -> x:4, x:3 => y:5 -> y:6), the best single correction.
    c.write("x.txt", "1 2\n1 3\n3 4\n")
    c.write("y.txt", "5 6\n")
    c.write("people.txt", "7 x 3\n7 y 5\n")
    base = ["multiplex", "--layer", "x=x.txt", "--layer", "y=y.txt", "--identity", "people.txt", "--cross", "x:y=1",
            "--misleading", "8@x"]
    o, _ = c.run(*base, "--corrective", "7@y", "--trials", "20", rc=0, out=r"people saved 1\.00 \+/- 0\.00")
    assert re.search(r"without correction 5\.00", o) and re.search(r"y: misleading 0\.00, corrective 2\.00", o), o
    o, _ = c.run(*base, "--corrective", "7@y", "--trials", "20", "--json", rc=0)
    rec = json.loads(o)
    assert rec["misleading_people"]["mean"] == 4.0 and rec["corrective_people"]["mean"] == 2.0, rec
    # y:5 and y:6 are both saved as accounts, but person 7 still hears F on x: 1 person saved.
    assert rec["per_platform"]["y"]["saved_accounts"]["mean"] == 2.0 and rec["saved_people"]["mean"] == 1.0, rec
    o, _ = c.run(*base, "--block", "1", "--block-trials", "10", "--evaluation-trials", "20", "--json", rc=0)
    rec = json.loads(o)
    assert rec["seeds"] == [{"person": 7, "platform": "x", "account": 3}], rec
    assert rec["reach_before"]["mean"] == 5.0 and rec["saved"]["mean"] == 3.0, rec
    c.run(*base, "--block", "2", "--block-method", "degree", rc=0, out=r"method degree: 2 corrective accounts")
    c.run(*base, "--block", "1", "--block-method", "rr", rc=2, err=r"not available on a multiplex")
    c.run(*base, rc=2, err=r"exactly one of --corrective and --block")
    c.run(*base, "--seeds", "7@x", rc=2, err=r"does not combine with --seeds")
    c.run("multiplex", "--layer", "x=x.txt", "--block", "1", rc=2, err=r"need --misleading")
    c.run(*base, "--corrective", "8@x", rc=1, err=r"both a misleading and a corrective seed")

def main(argv):
    if argv[1:] == ["--list"]:
        print(";".join(CASES))
        return 0
    exe, data, source, name = argv[1:5]
    with tempfile.TemporaryDirectory(prefix="kolsim_cli_") as tmp:
        try:
            CASES[name](Ctx(exe, data, source, tmp))
        except Skip as s:
            print(f"SKIPPED: {s}")
            return 77
        except (AssertionError, KeyError, ValueError) as e:
            print(f"FAILED: {type(e).__name__}: {e}")
            return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
