# SPDX-License-Identifier: MIT
"""The campaign report page (plan.save_html): one self-contained HTML file, checked in a real
headless browser (Debian `chromium`): it renders, logs no console error, and every number on the
page equals the plan's JSON record."""
import base64
import html.parser
import inspect
import io
import json
import os
import re
import shutil
import subprocess

import pytest

import kolsim
import kolsim.campaign as kc
from kolsim.report_html import plan_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/install_deps.sh --docs)")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def plan():
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(3000, 3, seed=2))
    roster = kc.generated_roster(g, 120, seed=4, base_fee=30.0)
    aud = kc.audience_from_groups(g, g.accounts, ["north" if a % 3 else "south" for a in g.accounts.tolist()],
                                  {"south": 2.0})
    return kc.Campaign(kolsim.IndependentCascade(g), roster, budget=2500.0, deadline=3, audience=aud,
                       group_minimums={"south": 30.0}, check_trials=500, seed=9, budget_curve=[600.0]).plan()


class _Numbers(html.parser.HTMLParser):
    """Collects (field, json value, digits, shown text) of every data-field element, the images,
    external references and the embedded record."""

    def __init__(self):
        super().__init__()
        self.numbers, self.images, self.external = [], [], []
        self._open = None
        self._in_record = False
        self.record_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-field" in a:
            self._open = [a["data-field"], a["data-value"], a.get("data-digits"), ""]
        if tag == "img":
            self.images.append(a.get("src", ""))
        for key in ("src", "href"):
            if key in a and re.match(r"^(https?:)?//", a[key] or ""):
                self.external.append(a[key])
        if tag == "script":
            assert a.get("type") == "application/json", "the page runs no script"
            self._in_record = a.get("id") == "kolsim-record"

    def handle_endtag(self, tag):
        if tag == "span" and self._open is not None:
            self.numbers.append(tuple(self._open))
            self._open = None
        if tag == "script":
            self._in_record = False

    def handle_data(self, data):
        if self._open is not None:
            self._open[3] += data
        if self._in_record:
            self.record_text += data


def _lookup(rec, field):
    x = rec
    for part in field.split("."):
        x = x[int(part)] if isinstance(x, list) else x[part]
    return x


def check_numbers(page, rec):
    """Every number shown equals the record: data-value exactly, the text as it formats."""
    p = _Numbers()
    p.feed(page)
    assert json.loads(p.record_text) == rec
    assert len(p.numbers) > 30
    for field, value, digits, text in p.numbers:
        truth = _lookup(rec, field)
        assert json.loads(value) == truth, field
        if truth is None:
            assert text == "n/a"
        elif isinstance(truth, bool):
            assert text == ("yes" if truth else "no"), field
        elif isinstance(truth, int):
            assert text == f"{truth:,d}", field
        else:
            assert text == f"{truth:,.{int(digits)}f}", field
    return p


def test_page_content_equals_record(plan, tmp_path):
    rec = json.loads(plan.to_json())
    out = tmp_path / "report.html"
    plan.save_html(out, assumptions={"roster": "generated, 120 KOLs"})
    page = out.read_text(encoding="utf-8")
    assert page == plan_html(plan, assumptions={"roster": "generated, 120 KOLs"})
    assert os.listdir(tmp_path) == ["report.html"]  # written atomically, no temporary left
    p = check_numbers(page, rec)
    assert not p.external  # self-contained: nothing fetched
    assert len(p.images) == 3
    import matplotlib.image

    for src in p.images:  # each embedded plot decodes as a PNG image
        assert src.startswith("data:image/png;base64,")
        img = matplotlib.image.imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png")
        assert img.shape[0] > 100 and img.shape[1] > 100
    assert "roster" in page and "generated, 120 KOLs" in page
    flagged = [k for k in rec["kols"] if k["not_worth_it"]]
    assert page.count('class="not-worth"') == len(flagged)


def test_number_check_can_fail(plan):
    rec = json.loads(plan.to_json())
    page = plan_html(plan, plots=False)
    shown = f'{rec["totals"]["reach"]:,.1f}'
    wrong = page.replace(f'data-field="totals.reach" data-value="{json.dumps(rec["totals"]["reach"])}" '
                         f'data-digits="1">{shown}<', f'data-field="totals.reach" data-value='
                         f'"{json.dumps(rec["totals"]["reach"])}" data-digits="1">{shown}9<', 1)
    assert wrong != page
    with pytest.raises(AssertionError):
        check_numbers(wrong, rec)


def _chromium(tmp_path, url, *extra):
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _console_errors(stderr):
    """Console messages chromium logged (`...:INFO:CONSOLE:1] "text", source: ...`). The log
    level is not in the line, so any message counts: the report page runs no script at all."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@needs_browser
def test_renders_in_headless_chromium(plan, tmp_path):
    rec = json.loads(plan.to_json())
    out = tmp_path / "report.html"
    plan.save_html(out)
    run = _chromium(tmp_path, out.as_uri(), "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert "<h1>KOL campaign plan</h1>" in dom and 'id="kols"' in dom
    check_numbers(dom, rec)  # the numbers the browser shows are the record's
    assert not _console_errors(run.stderr), _console_errors(run.stderr)
    shot = tmp_path / "shot.png"
    run = _chromium(tmp_path, out.as_uri(), f"--screenshot={shot}", "--window-size=1200,1600")
    assert run.returncode == 0 and shot.stat().st_size > 10_000  # a rendered page, not a blank one


@needs_browser
def test_console_error_detection_can_fail(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); undefined_fn();</script></body></html>")
    run = _chromium(tmp_path, bad.as_uri(), "--dump-dom")
    errors = _console_errors(run.stderr)
    assert any('"boom"' in e for e in errors) and any("Uncaught ReferenceError" in e for e in errors)


# ----------------------------------------------------------------------------------------------
# One plan type, one page writer: plan_campaign, Campaign.plan() and `kolsim plan --html`.


def test_plan_campaign_returns_the_same_rich_plan_as_campaign(plan, tmp_path):
    model, roster = plan.model, plan.roster
    direct = kolsim.plan_campaign(model, roster, budget=2500.0, deadline=3, check_trials=200, seed=9)
    via = kc.Campaign(model, roster, budget=2500.0, deadline=3, check_trials=200, seed=9).plan()
    assert type(direct) is type(via) is type(plan) is kolsim.CampaignPlan is kc.Plan
    assert direct.seeds.tolist() == via.seeds.tolist() and direct.reach == via.reach
    for name in ("save_html", "table", "replan_without", "plot_reach_vs_budget", "save_plots", "groups",
                 "budget_curve", "to_json", "save_json"):
        assert hasattr(direct, name), name
    assert direct.table() == str(direct) == direct.core.to_table()
    out = tmp_path / "direct.html"
    direct.save_html(out)
    check_numbers(out.read_text(encoding="utf-8"), json.loads(direct.to_json()))
    # The module-level replan_without takes the rich plan too, and agrees with the method.
    dropped = int(direct.seeds[0])
    a, b = kolsim.replan_without(model, roster, direct, dropped), direct.replan_without(dropped)
    assert a.dropped == b.dropped == dropped and a.reach_lost == b.reach_lost
    assert inspect.signature(kolsim.plan_campaign).return_annotation is kolsim.CampaignPlan


def test_page_from_the_record_is_the_page_of_the_plan(plan):
    assert plan_html(plan) == plan_html(plan.as_dict()) == plan_html(json.loads(plan.to_json()))


def _cli():
    exe = os.environ.get("KOLSIM_CLI") or os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(kolsim.__file__)))), "kolsim")
    return exe if os.path.isfile(exe) and os.access(exe, os.X_OK) else None


needs_cli = pytest.mark.skipif(_cli() is None, reason="the kolsim CLI is not built next to build/python (KOLSIM_CLI)")


def _cli_inputs(tmp_path):
    (tmp_path / "g.txt").write_text("".join(f"{u} {v} 0.4\n" for u in range(1, 30) for v in (u + 1, u + 3)))
    (tmp_path / "roster.csv").write_text("account,fee,risk,platform\n1,5,0,x\n4,3,0.2,y\n10,2,0,x\n20,4,0,y\n")
    return ["plan", "g.txt", "--probability-column", "2", "--roster", "roster.csv", "--budget", "9",
            "--check-trials", "300", "--epsilon", "0.2", "--seed", "3"]


@needs_cli
def test_cli_plan_html_writes_the_same_page(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(kolsim.__file__))))
    args = _cli_inputs(tmp_path)
    run = subprocess.run([_cli(), *args, "--html", "report.html", "--record", "plan.json", "--quiet"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    assert "wrote report page report.html" in run.stderr
    assert sorted(os.listdir(tmp_path)) == ["g.txt", "plan.json", "report.html", "roster.csv"]  # no temporary left
    rec = json.loads((tmp_path / "plan.json").read_text())
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page == plan_html(rec)  # the one page writer: what plan.save_html writes for this record
    check_numbers(page, rec)
    assert "edge probabilities" in page and page.count("data:image/png;base64,") == 2  # no groups: 2 plots
    # An output folder that does not exist fails before the computation; a missing interpreter
    # fails with a message and leaves no page behind.
    run = subprocess.run([_cli(), *args, "--html", "no/such/dir/r.html"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env=env)
    assert run.returncode == 1 and "no/such/dir" in run.stderr and "KOL campaign plan" not in run.stdout
    run = subprocess.run([_cli(), *args, "--html", "other.html"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, env=dict(env, KOLSIM_PYTHON="/nonexistent/python3"))
    assert run.returncode == 1 and "KOLSIM_PYTHON" in run.stderr, run.stderr
    assert not (tmp_path / "other.html").exists()
    assert sorted(os.listdir(tmp_path)) == ["g.txt", "plan.json", "report.html", "roster.csv"]
