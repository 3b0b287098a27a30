"""Issue 21, item 6: a connectors file nested thousands of levels deep, or whose aliases expand a small file into
millions of values, or simply too large, is refused fast with ConnectorsFileError (a line where there is one),
never a RecursionError or minutes of work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bigdata_connectors import ConnectorsFile, ConnectorsFileError

# 1,000 entries naming the same 1,000 addresses: 25 KB standing for a million values.
ALIAS_BOMB = (
    "emails: &e [" + ", ".join(f"a{i}@x.io" for i in range(1000)) + "]\n"
    "entry: &c {label: L, type: email, config: {allowed_emails: *e}}\n"
    "connectors: [" + ", ".join(["*c"] * 1000) + "]\n"
)
# Nine levels of ten aliases each: a few hundred bytes standing for a billion values.
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    + "connectors: [{label: L, type: email, config: {allowed_emails: *i}}]\n"
)
CYCLE = "a: &a [*a]\nconnectors: *a\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("connectors:\n  - " + "[" * 10_000 + "]" * 10_000 + "\n", "nested deeper than 20 levels"),
        ("connectors:\n" + "".join("  " * i + "- \n" for i in range(1, 400)), "nested deeper than 20 levels"),
        (ALIAS_BOMB, "aliases"),
        (LAUGHS, "aliases"),
        (CYCLE, "aliases"),
    ],
    ids=["flow", "block", "bomb", "laughs", "cycle"],
)
def test_a_hostile_file_is_refused_fast_with_a_line(text: str, said: str) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectorsFileError) as info:
        ConnectorsFile.parse(text, name="hostile.yaml")
    assert time.monotonic() - started < 5  # about 0.2 s; an unbounded walk took minutes, or never ended
    (problem,) = info.value.problems
    assert said in problem.message
    assert problem.line is not None


def test_a_file_too_large_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("connectors: []\n" + "# padding\n" * 200_000)
    with pytest.raises(ConnectorsFileError, match="larger than 1,048,576 characters"):
        ConnectorsFile.read(path)


def test_aliases_that_only_repeat_a_value_are_fine() -> None:
    entries = "".join(f"  - {{label: L{i}, type: email, config: {{allowed_emails: *team}}}}\n" for i in range(1, 200))
    text = "connectors:\n  - {label: L0, type: email, config: {allowed_emails: &team [a@x.io, b@x.io]}}\n" + entries
    loaded = ConnectorsFile.parse(text)
    assert len(loaded.connectors) == 200
    assert all(spec.allowed_emails == ("a@x.io", "b@x.io") for spec in loaded.connectors)
