# SPDX-License-Identifier: MIT
"""One calling convention for every public function: real signatures, seeds, progress, short errors.

:func:`wrap` turns a compiled ``_core`` function into a Python function that

* has a true :func:`inspect.signature` (parsed from pybind11's signature line, overloads joined)
  and a docstring shown once by :func:`help`;
* accepts ``seed`` as None (fresh entropy, recorded in the result's ``seed``), an int or a
  :class:`numpy.random.Generator` (SPEC 7);
* accepts ``progress`` (True: a tqdm bar; a callable: called with (phase, done, total));
* answers an unknown keyword or an argument of the wrong type with a short TypeError naming it
  and the valid arguments instead of pybind11's list of every overload.
"""
from __future__ import annotations

import ast
import contextlib
import difflib
import functools
import inspect
import re
import sys
import warnings
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from . import _core

_MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------------------------
# Seeds (SPEC 7)


def resolve_seed(seed: Any, where: str = "seed") -> int:
    """The integer seed a C++ call uses for ``seed``: an int as given, None a fresh 64-bit
    entropy draw, a :class:`numpy.random.Generator` one draw from it (so the generator advances).

    Examples
    --------
    >>> import numpy as np
    >>> from kolsim._api import resolve_seed
    >>> resolve_seed(7), resolve_seed(np.random.default_rng(1)) == resolve_seed(np.random.default_rng(1))
    (7, True)
    """
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63, dtype=np.int64))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(1, np.uint64)[0])
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{where}: seed must be None, an int or a numpy.random.Generator, got "
                        f"{type(seed).__name__}")
    if not 0 <= int(seed) <= _MASK64:
        raise ValueError(f"{where}: seed must be in [0, 2**64), got {seed}")
    return int(seed)


# ----------------------------------------------------------------------------------------------
# Progress


class _Bar:
    """A tqdm bar per phase: description = phase, total = the phase's total (None when 0)."""

    def __init__(self, label: str):
        self.label = label
        self.bar: Any = None
        self.phase: Optional[str] = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        from tqdm.auto import tqdm

        if self.bar is None or phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total or None, desc=f"{self.label}: {phase}", unit="", dynamic_ncols=True,
                            leave=False, file=sys.stderr)
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.update(max(0, done - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def progress_scope(progress: Any, label: str) -> Iterator[Optional[Callable[[str, int, int], None]]]:
    """Installs ``progress`` (None/False: nothing; True: a tqdm bar; a callable (phase, done,
    total)) for the compiled calls made inside the block; yields the reporter (or None)."""
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        report: Callable[[str, int, int], None] = _Bar(label)
    elif callable(progress):
        report = progress
    else:
        raise TypeError(f"{label}: progress must be True, False, None or a callable (phase, done, total), "
                        f"got {type(progress).__name__}")
    previous = _core._set_progress(report)
    try:
        yield report
    finally:
        _core._set_progress(previous)
        if isinstance(report, _Bar):
            report.close()


# ----------------------------------------------------------------------------------------------
# Signatures parsed from pybind11's docstrings


class _Annotation:
    """An annotation shown as written (``Optional[int]``, ``array_like``)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _Default:
    """A default that is not a Python literal, shown as pybind11 printed it."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


_TYPES: Dict[str, Any] = {"int": int, "float": float, "str": str, "bool": bool, "object": object, "dict": dict,
                          "list": list, "tuple": tuple, "None": None}
_SIG_LINE = re.compile(r"^(?:\d+\. )?(\w+)\((.*)\) -> (.+)$")


def _split_top(text: str) -> List[str]:
    parts, depth, cur, quote = [], 0, [], ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def _annotation(text: str) -> Any:
    text = text.strip()
    if text in ("handle", "object", "numpy.ndarray"):
        return _Annotation("array_like") if text != "object" else object
    if text in _TYPES:
        return _TYPES[text]
    if text.startswith("kolsim._core."):
        return getattr(_core, text[len("kolsim._core."):], _Annotation(text))
    return _Annotation(text.replace("kolsim._core.", "kolsim."))


def _default(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return _Default(text)


def _parse(line: str) -> Optional[Tuple[List[Tuple[str, Any, Any]], Any]]:
    m = _SIG_LINE.match(line.strip())
    if not m or m.group(2).startswith("*args"):
        return None
    params = []
    for p in _split_top(m.group(2)):
        name, _, rest = p.partition(":")
        ann, sep, dflt = rest.partition(" = ")
        params.append((name.strip(), _annotation(ann), _default(dflt.strip()) if sep else inspect.Parameter.empty))
    return params, _annotation(m.group(3))


def core_signature(fn: Any) -> Tuple[inspect.Signature, str]:
    """The signature of a compiled function (overloads: parameter types joined by " | ") and
    its docstring without pybind11's signature lines."""
    doc = fn.__doc__ or ""
    lines = doc.split("\n")
    sigs = [s for s in (_parse(line) for line in lines) if s is not None]
    if not sigs:
        raise ValueError(f"no signature in the docstring of {fn!r}")
    params, ret = sigs[0]
    for other, _ in sigs[1:]:
        for i, (name, ann, dflt) in enumerate(params):
            if i < len(other) and other[i][0] == name and repr(other[i][1]) != repr(ann):
                joined = f"{getattr(ann, '__name__', repr(ann))} | {getattr(other[i][1], '__name__', repr(other[i][1]))}"
                params[i] = (name, _Annotation(joined.replace("kolsim._core.", "kolsim.")), dflt)
    rets = {repr(r) for _, r in sigs}
    if len(rets) > 1:
        ret = _Annotation(" | ".join(sorted(rets)))
    sig = inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a, default=d)
                             for n, a, d in params], return_annotation=ret)
    body = [line for line in lines if _SIG_LINE.match(line.strip()) is None and line.strip() != "Overloaded function."]
    text = "\n".join(body).strip("\n")
    return sig, re.sub(r"\n{3,}", "\n\n", text)


# ----------------------------------------------------------------------------------------------
# The wrapper


def _type_ok(value: Any, ann: Any) -> bool:
    if ann is int:
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if ann is float:
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ann is bool:
        return isinstance(value, (bool, np.bool_))
    if ann is str:
        return isinstance(value, str)
    if isinstance(ann, type) and ann.__module__ == "kolsim._core":
        return isinstance(value, ann)
    if isinstance(ann, _Annotation) and ann.text.startswith("Optional["):
        inner = _annotation(ann.text[len("Optional["):-1])
        return value is None or _type_ok(value, inner)
    if isinstance(ann, _Annotation) and " | " in ann.text:
        names = [t.strip().replace("kolsim.", "") for t in ann.text.split("|")]
        return any(isinstance(value, getattr(_core, t, object)) for t in names)
    return True


def _short_type_error(name: str, sig: inspect.Signature, bound: Dict[str, Any]) -> TypeError:
    for pname, value in bound.items():
        param = sig.parameters.get(pname)
        if param is not None and not _type_ok(value, param.annotation):
            ann = param.annotation
            shown = getattr(ann, "__name__", repr(ann))
            return TypeError(f"{name}(): argument {pname!r} must be {shown}, got {type(value).__name__} "
                             f"({value!r:.60})")
    return TypeError(f"{name}(): incompatible arguments ({', '.join(f'{k}={type(v).__name__}' for k, v in bound.items())}); "
                     f"signature: {name}{sig}")


def bad_keyword(name: str, keyword: str, valid: Sequence[str]) -> TypeError:
    """TypeError for an unknown keyword: names it, the closest valid one and the valid ones."""
    close = difflib.get_close_matches(keyword, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return TypeError(f"{name}() got an unexpected keyword argument {keyword!r}{hint}; valid arguments: "
                     f"{', '.join(valid)}")


def wrap(core_fn: Any, *, name: Optional[str] = None, progress: bool = False, one_phase: bool = False,
         check: Optional[Callable[[Dict[str, Any]], None]] = None,
         after: Optional[Callable[[Dict[str, Any], Any], Any]] = None) -> Callable[..., Any]:
    """A Python function calling ``core_fn`` (see the module docstring). ``progress`` adds the
    ``progress`` keyword (``one_phase``: the compiled call makes no reports of its own, so
    the whole call is one phase, 0 of 1 then 1 of 1); ``check(arguments)`` runs first; ``after(arguments, result)`` may
    replace the result."""
    name = name or core_fn.__name__
    sig, doc = core_signature(core_fn)
    names = list(sig.parameters)
    seeded = "seed" in sig.parameters
    params = list(sig.parameters.values())
    if seeded:
        i = names.index("seed")
        p = params[i]
        params[i] = p.replace(annotation=_Annotation("int | numpy.random.Generator | None"))
    if progress:
        params.append(inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=False,
                                        annotation=_Annotation("bool | Callable[[str, int, int], None]")))
    full = sig.replace(parameters=params)
    valid = names + (["progress"] if progress else [])

    def call(*args: Any, **kwargs: Any) -> Any:
        show = kwargs.pop("progress", False) if progress else False
        if len(args) > len(names):
            raise TypeError(f"{name}() takes at most {len(names)} positional arguments ({len(args)} given)")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in sig.parameters:
                raise bad_keyword(name, key, valid)
            if key in given:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            given[key] = value
        if check is not None:
            check(given)
        if seeded and "seed" in given:
            given["seed"] = resolve_seed(given["seed"], name)
        try:
            with progress_scope(show, name) as report:
                if report is not None and one_phase:
                    report(name, 0, 1)
                result = core_fn(**given)
                if report is not None and one_phase:
                    report(name, 1, 1)
        except TypeError as exc:
            if "incompatible function arguments" not in str(exc):
                raise
            raise _short_type_error(name, sig, given) from None
        return after(given, result) if after is not None else result

    call.__name__ = call.__qualname__ = name
    call.__module__ = "kolsim"
    call.__doc__ = doc
    call.__signature__ = full  # type: ignore[attr-defined]
    call.__wrapped_core__ = core_fn  # type: ignore[attr-defined]
    return call


def with_progress(fn: Callable[..., Any], label: str, *, phased: bool = False) -> Callable[..., Any]:
    """``fn`` (a Python function) with a ``progress`` keyword. ``phased``: ``fn`` makes no
    progress reports of its own, so the whole call is reported as one phase (0 of 1, then 1 of 1)."""
    sig = inspect.signature(fn)
    if "progress" in sig.parameters:
        return fn

    @functools.wraps(fn)
    def call(*args: Any, progress: Any = False, **kwargs: Any) -> Any:
        with progress_scope(progress, label) as report:
            if report is not None and phased:
                report(label, 0, 1)
            result = fn(*args, **kwargs)
            if report is not None and phased:
                report(label, 1, 1)
            return result

    call.__signature__ = sig.replace(parameters=list(sig.parameters.values()) + [  # type: ignore[attr-defined]
        inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=False,
                          annotation=_Annotation("bool | Callable[[str, int, int], None]"))])
    return call


class DeprecatedKeys(dict):
    """A result dict (``OpinionResult.summary``, ``.trajectory``) whose former British key names
    still work for one release: ``d["polarisation"]`` returns ``d["polarization"]`` with a
    DeprecationWarning. Only the American keys are stored (iteration, ``in`` and equality see
    those).

    Examples
    --------
    >>> import warnings
    >>> from kolsim._api import DeprecatedKeys
    >>> d = DeprecatedKeys({"polarization": 2.0})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     d["polarisation"], w[0].category.__name__
    (2.0, 'DeprecationWarning')
    """

    ALIASES = {"polarisation": "polarization"}

    def __init__(self, data: Any = (), **kw: Any):
        items = dict(data, **kw)
        # A record pickled before the rename: its British keys become American ones, in place.
        super().__init__((self.ALIASES[k] if k in self.ALIASES and self.ALIASES[k] not in items else k, v)
                         for k, v in items.items())

    def __missing__(self, key: Any) -> Any:
        new = self.ALIASES.get(key)
        if new is None or new not in self:
            raise KeyError(key)
        warnings.warn(f"the key {key!r} is deprecated; use {new!r} (American spelling, as numpy and networkx)",
                      DeprecationWarning, stacklevel=2)
        return dict.__getitem__(self, new)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return dict.__getitem__(self, key)
        if self.ALIASES.get(key) in self:
            return self[key]
        return default

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


def deprecated_alias(fn: Callable[..., Any], old: str, new: str) -> Callable[..., Any]:
    """``fn`` under its former (British) name: same behaviour plus a DeprecationWarning."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"kolsim.{old} is deprecated; use kolsim.{new} (American spelling, as numpy and networkx)",
                      DeprecationWarning, stacklevel=2)
        return fn(*args, **kwargs)

    call.__name__ = call.__qualname__ = old
    call.__doc__ = f"Deprecated alias of :func:`kolsim.{new}` (will be removed in the next release)."
    return call
