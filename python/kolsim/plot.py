# SPDX-License-Identifier: MIT
"""matplotlib helpers for kolsim results: reach over time and spread versus number of KOLs.

Every function works with the non-interactive Agg backend, returns the matplotlib Figure, and
with ``path`` saves a PNG atomically (see :func:`save_png`), so a half-written image never
appears under the final name.

Examples
--------
>>> import kolsim, kolsim.plot, os, tempfile
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 800, seed=1))
>>> est = kolsim.estimate_spread(kolsim.IndependentCascade(g), [0, 1], trials=200, seed=2)
>>> fig = kolsim.plot.reach_over_time(est, path=os.path.join(tempfile.mkdtemp(), "reach.png"))
"""
from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from typing import Any, Optional, Sequence, Union

import numpy as np

__all__ = ["reach_over_time", "spread_vs_k", "save_png"]


def _pyplot() -> Any:
    import matplotlib

    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _follow_links(path: str) -> str:
    """``path`` with symbolic links of its last component followed (the target may not exist)."""
    p = path
    for _ in range(40):
        if not os.path.islink(p):
            return p
        link = os.readlink(p)
        p = link if os.path.isabs(link) else os.path.join(os.path.dirname(p), link)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)


def _new_file_mode() -> int:
    """0666 & ~umask: the mode a plain open() gives a new file."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def save_png(fig: Any, path: "Union[str, os.PathLike[str]]", dpi: int = 120) -> None:
    """Save ``fig`` as PNG at ``path`` atomically.

    The image is rendered in memory first (the slow part: a crash there leaves nothing on disk),
    then written to a temporary ``.kolsim-plot-*.png`` in the target's folder, fsynced, given the
    existing target's permission bits (a new file gets ``0o666 & ~umask``) and moved over the
    target. A symbolic link is written through (its target is replaced, the link stays). On any
    error the target is untouched and no temporary is left behind.
    """
    path = os.fspath(path)
    target = _follow_links(path)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"no such directory {folder!r}", path)
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=dpi, bbox_inches="tight")  # slow part: nothing on disk yet
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=".kolsim-plot-", suffix=".png", dir=folder)
    done: Optional[str] = None
    try:
        data = memoryview(image.getbuffer())
        while data:
            data = data[os.write(fd, data):]
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.replace(tmp, target)
        done = target
    finally:
        os.close(fd)
        if done is None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
    try:  # make the rename durable
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _cumulative(result: Any) -> np.ndarray:
    """Cumulative reach per step from a result's new_per_step."""
    return np.cumsum(np.asarray(result.new_per_step, dtype=np.float64))


def _finish(fig: Any, ax: Any, xlabel: str, ylabel: str, title: str, legend: bool, path: Any) -> Any:
    """Axis labels, title, legend and grid; saves the figure when a path is given."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend:
        ax.legend()
    ax.grid(True, alpha=0.3)
    if path is not None:
        save_png(fig, path)
    return fig


def reach_over_time(results: Any, labels: Optional[Sequence[str]] = None, *, path: Any = None, ax: Any = None,
                    title: str = "Reach over time", ylabel: str = "accounts reached (cumulative)") -> Any:
    """Cumulative accounts reached per step for one or more results.

    Parameters
    ----------
    results : SpreadEstimate, ExactResult or Trace, or a sequence of them
        Anything with ``new_per_step``. A SpreadEstimate also draws its final 95% interval.
    labels : sequence of str, optional
    path : str or os.PathLike, optional
        Save a PNG here (atomically).
    ax : matplotlib Axes, optional
    ylabel : str
        The y-axis label (say so when the reach is weighted).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import kolsim, kolsim.plot
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(100, 400, seed=1))
    >>> est = kolsim.estimate_spread(kolsim.IndependentCascade(g), [0], trials=100, seed=2)
    >>> fig = kolsim.plot.reach_over_time([est], labels=["KOL 0"])
    """
    plt = _pyplot()
    if hasattr(results, "new_per_step"):
        results = [results]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    for i, r in enumerate(results):
        cum = _cumulative(r)
        label = labels[i] if labels is not None else None
        line, = ax.plot(np.arange(len(cum)), cum, marker="o", label=label)
        if hasattr(r, "ci_low") and len(cum):
            ax.errorbar([len(cum) - 1], [r.mean], yerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]],
                        color=line.get_color(), capsize=4)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    return _finish(fig, ax, "step", ylabel, title, labels is not None, path)


def spread_vs_k(ks: Sequence[int], spreads: Any, errors: Any = None, labels: Optional[Sequence[str]] = None, *,
                path: Any = None, ax: Any = None, title: str = "Spread versus number of KOLs") -> Any:
    """Spread as a function of the number of seeds, one line per method.

    Parameters
    ----------
    ks : sequence of int
    spreads : array_like, shape (len(ks),) or (methods, len(ks))
    errors : array_like of the same shape, optional
        Standard errors, drawn as a 95% band (+-1.96 se).
    labels : sequence of str, optional
        One per method.

    Examples
    --------
    >>> import kolsim.plot
    >>> fig = kolsim.plot.spread_vs_k([1, 2, 3], [[10, 15, 18]], [[1, 1, 1]], labels=["imm"])
    """
    plt = _pyplot()
    y = np.atleast_2d(np.asarray(spreads, dtype=np.float64))
    err = None if errors is None else np.atleast_2d(np.asarray(errors, dtype=np.float64))
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    x = np.asarray(ks)
    for i in range(y.shape[0]):
        label = labels[i] if labels is not None else None
        line, = ax.plot(x, y[i], marker="o", label=label)
        if err is not None:
            ax.fill_between(x, y[i] - 1.96 * err[i], y[i] + 1.96 * err[i], color=line.get_color(), alpha=0.2)
    return _finish(fig, ax, "number of KOLs (k)", "expected spread", title, labels is not None, path)
