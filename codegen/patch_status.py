"""What a new upstream means for each patch of ``openapi/patches.yaml``.

The patches are replayed in order on both the current upstream and the new one (each applied where it fits, as
the build would), and each is judged where it lands:

- ``covered by upstream``: the new upstream already says what the patch says (applying it changes nothing,
  ``nullable: true`` and a ``"null"`` type counting as the same), or, for an ``add``, upstream now publishes the
  target itself. Drop the patch; an ``add`` over a published target would fail the build anyway.
- ``no longer fits``: its target (or a field it merges into) is gone from the new upstream.
- ``contradicts``: it still applies, but the vendor changed the very thing it overrides (e.g. upstream added an
  enum value a ``replace`` would throw away). Rewrite the patch from the new upstream, or drop it.
- ``still needed``: it applies and upstream did not touch what it changes.
"""

from __future__ import annotations

import contextlib
import copy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_spec

COVERED = "covered by upstream"
NO_LONGER_FITS = "no longer fits"
CONTRADICTS = "contradicts"
STILL_NEEDED = "still needed"
_ABSENT = object()


@dataclass(frozen=True)
class PatchStatus:
    index: int  # position in patches.yaml, from 1
    op: str
    path: str
    status: str
    detail: str


def _get(node: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _norm(node: Any) -> Any:
    return _ABSENT if node is _ABSENT else build_spec.to_31_nullable(copy.deepcopy(node))


def _summary(before: Any, after: Any, limit: int = 4) -> str:
    """A short list of what differs, by path: ``+`` added, ``-`` removed, ``~`` changed."""
    if before is _ABSENT or after is _ABSENT:
        return "added" if before is _ABSENT else "removed"
    tree = DeepDiff(_norm(before), _norm(after), ignore_order=True, view="tree")
    marks = {"added": "+", "removed": "-"}
    items = []
    for kind, levels in tree.items():
        mark = next((m for word, m in marks.items() if word in kind), "~")
        for level in levels:
            path = "/".join(str(p) for p in level.path(output_format="list")) or "(whole)"
            value = level.t2 if mark == "+" else level.t1 if mark == "-" else level.t2
            if isinstance(value, dict) and "$ref" in value:
                shown = str(value["$ref"]).rsplit("/", 1)[-1]
            else:
                shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            items.append(f"{mark}{path}" + (f" {shown}" if mark != "-" else ""))
    items.sort()
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def _short(value: Any, limit: int = 60) -> str:
    text = "nothing" if value is _ABSENT else "removed" if value is None else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _leaves(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The paths a merge patch sets (a dict merges key by key; anything else, null included, is a leaf)."""
    if isinstance(value, dict) and value:
        return [leaf for key, sub in value.items() for leaf in _leaves(sub, (*prefix, key))]
    return [prefix]


def _judge_merge(old: Any, new: Any, value: Any) -> tuple[str, str]:
    if new is not _ABSENT and _norm(build_spec._merge_patch(new, value)) == _norm(new):
        return COVERED, "the new upstream already says this: drop the patch"
    if new is _ABSENT and old is not _ABSENT:
        return NO_LONGER_FITS, "its target is gone from the new upstream (a merge would create a stub)"
    gone, changed = [], []
    for leaf in _leaves(value):
        for cut in range(1, len(leaf)):
            prefix = list(leaf[:cut])
            if _get(old, prefix) is not _ABSENT and _get(new, prefix) is _ABSENT:
                gone.append("/".join(prefix))
                break
        else:
            was, now, ours = _get(old, list(leaf)), _get(new, list(leaf)), _get(value, list(leaf))
            if _norm(was) != _norm(now) and _norm(now) != _norm(ours):
                told = f"now {_short(now)}" if was is _ABSENT else _summary(was, now)
                changed.append("/".join(leaf) + f" ({told}; the patch sets {_short(ours)})")
    if gone:
        return NO_LONGER_FITS, "upstream removed " + ", ".join(sorted(set(gone))) + ", which it merges into"
    if changed:
        return CONTRADICTS, "upstream changed what it sets: " + "; ".join(changed)
    return STILL_NEEDED, ""


def judge(old_doc: dict[str, Any], new_doc: dict[str, Any], patch: dict[str, Any]) -> tuple[str, str]:
    """The status of one patch given the current and the new upstream (each with the earlier patches applied)."""
    op, parts = patch["op"], build_spec._pointer(patch["path"])
    old, new = _get(old_doc, parts), _get(new_doc, parts)
    if op == "merge":
        return _judge_merge(old, new, patch.get("value"))
    if _get(new_doc, parts[:-1]) is _ABSENT:
        return NO_LONGER_FITS, "/" + "/".join(parts[:-1]) + " is not in the new upstream"
    if op == "add":
        if new is _ABSENT:
            return STILL_NEEDED, ""
        if _norm(new) == _norm(patch["value"]):
            return COVERED, "upstream now publishes it, identically: drop the patch"
        return COVERED, (
            "upstream now publishes it: drop the add (it would fail the build) and keep what you still need as a"
            f" merge; differences from the patch: {_summary(patch['value'], new)}"
        )
    if op == "remove":
        if new is _ABSENT:
            return COVERED, "upstream no longer has it: drop the patch"
        if _norm(old) != _norm(new):
            return CONTRADICTS, f"upstream changed what it removes: {_summary(old, new)}"
        return STILL_NEEDED, ""
    if op == "replace":
        if new is _ABSENT:
            return NO_LONGER_FITS, "its target is gone from the new upstream"
        if _norm(new) == _norm(patch["value"]):
            return COVERED, "upstream now says the same: drop the patch"
        if _norm(old) != _norm(new):
            return CONTRADICTS, f"upstream changed what it replaces: {_summary(old, new)}"
        return STILL_NEEDED, ""
    return NO_LONGER_FITS, f"unknown op {op!r}"


def classify(old: dict[str, Any], new: dict[str, Any], patches: list[dict[str, Any]]) -> list[PatchStatus]:
    """Judge every patch against the move from upstream ``old`` to upstream ``new``."""
    old_doc, new_doc = copy.deepcopy(old), copy.deepcopy(new)
    statuses = []
    for index, patch in enumerate(patches, start=1):
        status, detail = judge(old_doc, new_doc, patch)
        statuses.append(PatchStatus(index, patch["op"], patch["path"], status, detail))
        for doc in (old_doc, new_doc):
            with contextlib.suppress(build_spec.SpecError, KeyError, TypeError):
                build_spec.apply_patch(doc, patch)
    return statuses
