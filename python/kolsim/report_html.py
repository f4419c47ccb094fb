# SPDX-License-Identifier: MIT
"""A campaign report page: one self-contained HTML file (plots embedded as base64 PNG, the KOL
table, the assumptions and the JSON run record) that an agency can open offline and pass on.

No script runs on the page and nothing is fetched: the file is the whole report. Every number
shown comes from the plan's JSON record and carries it unrounded in ``data-value`` next to a
``data-field`` path (``totals.reach``, ``kols.2.own_reach``), so a reader (or a test) can check
the page against the record, which is embedded as ``<script type="application/json"
id="kolsim-record">``.

Examples
--------
>>> import kolsim, kolsim.campaign as kc, os, tempfile
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
>>> plan = kc.Campaign(kolsim.IndependentCascade(g), kc.generated_roster(g, 40), budget=500.0,
...                    check_trials=200, seed=1).plan()
>>> path = os.path.join(tempfile.mkdtemp(), "report.html")
>>> plan.save_html(path)
>>> open(path, encoding="utf-8").read().startswith("<!DOCTYPE html>")
True
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional

__all__ = ["main", "plan_html", "save_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;color:#222;
line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4;text-align:right}
th{background:#f4f4f4}td.text,th.text{text-align:left}
tr.not-worth td{background:#fff3e0}
.note{color:#b45309;font-weight:600}
.summary{display:flex;flex-wrap:wrap;gap:1em}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:12em}
.card .big{font-size:1.4em;font-weight:600}
figure{display:inline-block;margin:.5em 1em .5em 0}figure img{max-width:34em;width:100%}
figcaption{font-size:.85em;color:#555;max-width:34em}
pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.8em}
.muted{color:#666;font-size:.9em}
"""


def _num(value: Any, field: str, digits: int = 1, suffix: str = "") -> str:
    """A number cell: formatted text, the unrounded JSON value in data-value."""
    if value is None:
        return f'<span data-field="{html.escape(field)}" data-value="null">n/a</span>'
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,d}"
    else:
        text = f"{value:,.{digits}f}"
    return (f'<span data-field="{html.escape(field)}" data-value="{html.escape(json.dumps(value))}" '
            f'data-digits="{digits}">{text}{suffix}</span>')


def _pm(rec_value: Any, rec_se: Any, field: str, se_field: str, digits: int = 1) -> str:
    return f"{_num(rec_value, field, digits)} &plusmn; {_num(rec_se, se_field, digits)}"


def _figure(fig: Any, caption: str, name: str) -> str:
    from .campaign import _pyplot

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    _pyplot().close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure id="plot-{name}"><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _record_of(plan: Any) -> Dict[str, Any]:
    if isinstance(plan, Mapping):  # a run record already (the CLI's --html, a saved plan.json)
        return json.loads(json.dumps(plan))
    core = getattr(plan, "core", plan)
    return json.loads(core.to_json())


def plan_html(plan: Any, *, title: str = "KOL campaign plan", assumptions: Optional[Mapping[str, Any]] = None,
              plots: bool = True) -> str:
    """The report page of a campaign plan as one HTML string (see :func:`save_html`).

    Parameters
    ----------
    plan : kolsim.CampaignPlan, its compiled record, or the run record as a dict
        (``plan.as_dict()``, a ``plan.save_json`` file or ``kolsim plan --record`` loaded with
        :func:`json.load`): the page is made from the record alone, so all give the same page.
    title : str
    assumptions : mapping, optional
        Extra lines for the assumptions table (say where the roster and the probabilities came
        from); the planner's own parameters are always listed.
    plots : bool
        Embed the three campaign plots (PNG, base64).

    Returns
    -------
    str
    """
    from . import campaign as kc

    rec = _record_of(plan)
    core = rec  # the plots read the record too
    par, tot, gua = rec["parameters"], rec["totals"], rec["guarantee"]
    weighted = bool(par["weighted_audience"])
    unit = "weighted reach" if weighted else "accounts reached"
    mc = rec["check_trials_run"] > 0
    out: List[str] = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"]
    out.append(f"<h1>{html.escape(title)}</h1>")
    out.append(f'<p class="muted">{html.escape(rec["model"])} on {_num(rec["graph"]["num_vertices"], "graph.num_vertices")}'
               f' accounts and {_num(rec["graph"]["num_edges"], "graph.num_edges")} follower edges; kolsim '
               f'{html.escape(rec["library_version"])}; seed {_num(par["seed"], "parameters.seed")}.</p>')

    # Summary cards.
    out.append('<h2>Summary</h2><div class="summary">')
    out.append(f'<div class="card">KOLs chosen<div class="big">{len(rec["kols"])}</div>'
               f'total fee {_num(tot["fee"], "totals.fee", 2)}</div>')
    ci = f'95% interval {_num(tot["reach_ci_low"], "totals.reach_ci_low")} .. {_num(tot["reach_ci_high"], "totals.reach_ci_high")}'
    out.append(f'<div class="card">Expected {unit}<div class="big">'
               f'{_pm(tot["reach"], tot["reach_se"], "totals.reach", "totals.reach_se")}</div>'
               f'{ci if mc else "RR estimate (no Monte Carlo check)"}</div>')
    if weighted:
        out.append(f'<div class="card">Accounts reached<div class="big">'
                   f'{_pm(tot["accounts_reached"], tot["accounts_reached_se"], "totals.accounts_reached", "totals.accounts_reached_se")}'
                   f'</div>unweighted</div>')
    out.append(f'<div class="card">Certified ratio<div class="big">{_num(gua["certified_ratio"], "guarantee.certified_ratio", 3)}'
               f'</div>reach &ge; ratio &times; best plan, w.p. &ge; 1 &minus; delta</div>')
    out.append("</div>")
    out.append(f'<p>Selector estimate (RR validation sets): {_num(tot["reach_rr"], "totals.reach_rr")}; rule '
               f'{html.escape(gua["rule"])}. '
               + (f'Monte Carlo check: {_num(rec["check_trials_run"], "check_trials_run")} independent trials.'
                  if mc else "No Monte Carlo check was run (check_trials = 0).") + "</p>")

    # KOL table.
    out.append("<h2>KOLs</h2>")
    out.append('<p class="muted">Marginal reach: what the KOL adds after the ones above it (Monte Carlo on common '
               'worlds). Own reach: the KOL alone, posting surely. "Not worth it": marginal reach within noise '
               'of 0, or a fee per reach over 3&times; the median KOL\'s; the planner spent leftover '
               'budget on them and they can be dropped at little loss.</p>')
    out.append('<table id="kols"><thead><tr><th>#</th><th>account</th><th class="text">platform</th><th>fee</th>'
               "<th>risk</th><th>marginal reach</th><th>own reach</th><th>fee per reach</th><th>risk loss</th>"
               '<th class="text">note</th></tr></thead><tbody>')
    for i, k in enumerate(rec["kols"]):
        f = f"kols.{i}."
        bad = bool(k["not_worth_it"])
        out.append(f'<tr class="{"not-worth" if bad else "kol"}" data-account="{k["account"]}">'
                   f"<td>{i + 1}</td><td>{_num(k['account'], f + 'account')}</td>"
                   f'<td class="text">{html.escape(k["platform"])}</td>'
                   f"<td>{_num(k['fee'], f + 'fee', 2)}</td><td>{_num(k['risk'], f + 'risk', 3)}</td>"
                   f"<td>{_pm(k['marginal_reach'], k['marginal_se'], f + 'marginal_reach', f + 'marginal_se')}</td>"
                   f"<td>{_pm(k['own_reach'], k['own_reach_se'], f + 'own_reach', f + 'own_reach_se')}</td>"
                   f"<td>{_num(k['fee_per_reach'], f + 'fee_per_reach', 2)}</td>"
                   f"<td>{_num(k['risk_loss'], f + 'risk_loss')}</td>"
                   f'<td class="text">{"<span class=note>not worth it</span>" if bad else ""}</td></tr>')
    out.append("</tbody></table>")

    # Groups.
    if rec["groups"]:
        out.append("<h2>Audience groups</h2><table id=\"groups\"><thead><tr><th class=\"text\">group</th><th>size</th>"
                   "<th>reached</th><th>share reached</th><th>minimum</th><th>met</th></tr></thead><tbody>")
        for i, g in enumerate(rec["groups"]):
            f = f"groups.{i}."
            share = g["reach"] / g["size"] if g["size"] else 0.0
            out.append(f'<tr><td class="text">{html.escape(g["name"])}</td><td>{_num(g["size"], f + "size")}</td>'
                       f"<td>{_pm(g['reach'], g['se'], f + 'reach', f + 'se')}</td><td>{share:.1%}</td>"
                       f"<td>{_num(g['minimum'], f + 'minimum')}</td><td>{_num(g['met'], f + 'met')}</td></tr>")
        out.append("</tbody></table>")

    # Plots.
    if plots:
        out.append("<h2>Plots</h2>")
        out.append(_figure(kc.plot_reach_vs_budget(core), "Reach against money spent: the plan's first KOLs and "
                           "plans made at other budgets, each measured by independent Monte Carlo (95% bars).",
                           "reach_vs_budget"))
        out.append(_figure(kc.plot_reach_over_time(core), "Cumulative reach by propagation step (95% bars).",
                           "reach_over_time"))
        if rec["groups"]:
            out.append(_figure(kc.plot_group_reach(core), "Share of each audience group reached (95% bars); "
                               "dashed: the requested minimum.", "group_reach"))

    # Assumptions.
    out.append('<h2>Assumptions</h2><table id="assumptions"><tbody>')
    rows = [("model", html.escape(rec["model"])),
            ("budget", _num(par["budget"], "parameters.budget", 2)),
            ("max KOLs", _num(par["max_kols"], "parameters.max_kols") if par["max_kols"] else "no limit"),
            ("max risk", _num(par["max_risk"], "parameters.max_risk", 2)),
            ("risk", "a KOL posts with probability 1 - risk" if par["risk_mode"] == "expected"
             else "every chosen KOL posts"),
            ("deadline", "none" if par["deadline"] == "none" else _num(par["deadline"], "parameters.deadline") + " steps"),
            ("epsilon", _num(par["epsilon"], "parameters.epsilon", 3)),
            ("audience", "weighted" if weighted else "every account counts 1"),
            ("selection rule", html.escape(par["method"])),
            ("already contracted", str(len(par["contracted"]))), ("excluded", str(len(par["excluded"])))]
    prob = rec.get("probabilities")  # the CLI's record says which edge probabilities were used
    if isinstance(prob, Mapping):
        rows.append(("edge probabilities", html.escape(", ".join(f"{k} {v}" for k, v in prob.items()))))
    for k, v in (assumptions or {}).items():
        rows.append((html.escape(str(k)), html.escape(str(v))))
    for k, v in rows:
        out.append(f'<tr><th class="text">{k}</th><td class="text">{v}</td></tr>')
    out.append("</tbody></table>")

    # Run record.
    record_text = json.dumps(rec, indent=1)
    out.append(f'<h2>Run record</h2><p class="muted">Graph checksum {rec["graph_checksum"]}; RR sets '
               f'{_num(rec["rr_sets"], "rr_sets")}; {_num(rec["seconds"], "seconds", 3)} s.</p>')
    out.append(f"<details><summary>JSON</summary><pre>{html.escape(record_text)}</pre></details>")
    # "</" cannot end the data block early: JSON allows "<\/".
    out.append('<script type="application/json" id="kolsim-record">' + json.dumps(rec).replace("</", "<\\/")
               + "</script>")
    out.append("</body></html>")
    return "\n".join(out)


def save_html(plan: Any, path: "os.PathLike[str] | str", **kw: Any) -> None:
    """Writes :func:`plan_html` to ``path`` atomically (temporary file in the same folder, then
    ``os.replace``): a half-written report never appears under the final name."""
    text = plan_html(plan, **kw).encode("utf-8")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".kolsim-report-", suffix=".html", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        from .plot import _new_file_mode

        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def main(argv: Optional[List[str]] = None) -> int:
    """``python3 -m kolsim.report_html RECORD.json REPORT.html [--title T]``: the report page of a
    saved run record (what ``kolsim plan ... --html REPORT.html`` runs)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python3 -m kolsim.report_html",
                                 description="Write the campaign report page of a plan's JSON run record.")
    ap.add_argument("record", help="the run record (plan.save_json / kolsim plan --record)")
    ap.add_argument("output", help="the HTML file to write (atomically)")
    ap.add_argument("--title", default="KOL campaign plan")
    args = ap.parse_args(argv)
    with open(args.record, encoding="utf-8") as f:
        rec = json.load(f)
    save_html(rec, args.output, title=args.title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
