"""Tables that fit the terminal, drawn without rich (so ``list``, ``get`` and ``documents`` never import it).

A ``Table`` knows its columns' priorities. On a terminal of ``width`` columns it is drawn whole when it fits;
otherwise low-priority columns are abbreviated, then dropped, and text columns (labels, file names) are folded
onto more lines; ids, dates, statuses and counts never wrap. When even the required columns do not fit, each
row becomes a block of ``key  value`` lines instead. Off a terminal (``width`` None) the table is drawn whole,
as wide as its content, so that scripts can split it. Cells must already be ``safe`` text (see ``_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bigdata_connectors.cli._text import cell_len, wrap

__all__ = ["REQUIRED", "Cell", "Column", "Table", "paint", "render_fields"]

REQUIRED = 100  # a column with this priority is never dropped
GAP = 3  # spaces between columns
COMFORTABLE = 24  # columns a text column may keep before lower-priority columns are dropped for it
_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def paint(text: str, style: str | None, color: bool) -> str:
    """``text`` in ``style`` (a name of ``_STYLES``) when colour is on."""
    if not color or not style or not text:
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


@dataclass(frozen=True, slots=True)
class Column:
    """``header`` (upper case in a table; capitalised as a key). ``priority``: the lowest is abbreviated, then
    dropped, first. ``flexible`` columns (free text) may fold onto more lines, down to ``min_width``; the others
    never wrap. ``short``/``abbreviate``: a shorter header and value form, tried before dropping the column."""

    header: str
    priority: int = 50
    right: bool = False
    flexible: bool = False
    min_width: int = 10
    short: str | None = None
    abbreviate: Callable[[str], str] | None = None

    @property
    def key(self) -> str:
        return self.header.capitalize()


@dataclass(frozen=True, slots=True)
class Cell:
    """One value, already ``safe``; ``style`` colours it on a terminal."""

    text: str
    style: str | None = None


@dataclass
class Table:
    """Columns and rows; ``heading`` is the column that titles each block in the key/value layout."""

    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    heading: int = 0

    def add(self, *cells: str | Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([c if isinstance(c, Cell) else Cell(c) for c in cells])

    def render(self, width: int | None, *, color: bool = False) -> list[str]:
        """The lines to print: a table when it fits in ``width`` (None: no limit), else key/value blocks."""
        layout = self._layout(width)
        if layout is None:
            return self._blocks(width or 80, color)
        return self._draw(layout, color)

    # ---------------------------------------------------------------- choosing what to show

    def _natural(self, index: int, short: bool) -> int:
        column = self.columns[index]
        header = column.short if short and column.short else column.header
        cells = (self._value(row[index].text, index, short) for row in self.rows)
        return max([cell_len(header), *(cell_len(c) for c in cells)])

    def _value(self, text: str, index: int, short: bool) -> str:
        abbreviate = self.columns[index].abbreviate
        return abbreviate(text) if short and abbreviate is not None else text

    def _layout(self, width: int | None) -> list[tuple[int, int, bool]] | None:
        """(column index, width, abbreviated) per shown column, or None when only key/value blocks fit."""
        every = range(len(self.columns))
        full = [(i, self._natural(i, False), False) for i in every]
        if width is None or _total(w for _, w, _ in full) <= width:
            return full
        short = [(i, self._natural(i, True), True) for i in every]
        shown = sorted(every, key=lambda i: self.columns[i].priority)  # the first is the first to go

        def need(indices: Sequence[int], floor: Callable[[int, int], int]) -> int:
            return _total(floor(i, short[i][1]) for i in indices)

        def comfortable(i: int, natural: int) -> int:
            return min(natural, max(COMFORTABLE, self.columns[i].min_width)) if self.columns[i].flexible else natural

        def minimal(i: int, natural: int) -> int:
            return min(natural, self.columns[i].min_width) if self.columns[i].flexible else natural

        while need(shown, comfortable) > width and self.columns[shown[0]].priority < REQUIRED:
            shown.pop(0)
        if need(shown, minimal) > width or len(shown) < len(self.columns) / 2:
            return None  # what would be left is not the table any more: one block per row instead
        kept = sorted(shown)
        widths = {i: short[i][1] for i in kept}
        excess = _total(widths.values()) - width
        for i in sorted(kept, key=lambda i: -widths[i]):  # shrink the widest text columns first
            if excess <= 0:
                break
            if self.columns[i].flexible:
                cut = min(excess, widths[i] - minimal(i, widths[i]))
                widths[i] -= cut
                excess -= cut
        return [(i, widths[i], True) for i in kept]

    # ---------------------------------------------------------------- drawing

    def _draw(self, layout: list[tuple[int, int, bool]], color: bool) -> list[str]:
        def line(parts: list[str]) -> str:
            return (" " * GAP).join(parts).rstrip()

        headers = []
        for i, w, short in layout:
            column = self.columns[i]
            text = column.short if short and column.short else column.header
            headers.append(_pad(text, w, column.right, "bold", color))
        lines = [line(headers), "─" * _total(w for _, w, _ in layout)]
        for row in self.rows:
            folded = [wrap(self._value(row[i].text, i, short), w) for i, w, short in layout]
            for n in range(max(len(f) for f in folded)):
                parts = []
                for (i, w, _), pieces in zip(layout, folded, strict=True):
                    text = pieces[n] if n < len(pieces) else ""
                    parts.append(_pad(text, w, self.columns[i].right, row[i].style, color))
                lines.append(line(parts))
        return lines

    def _blocks(self, width: int, color: bool) -> list[str]:
        lines: list[str] = []
        for row in self.rows:
            if lines:
                lines.append("")
            lines.append(paint(row[self.heading].text, "bold", color))
            pairs = [(c.key, row[i]) for i, c in enumerate(self.columns) if i != self.heading]
            lines += render_fields(pairs, width, color=color, indent=2)
        return lines


def render_fields(pairs: Sequence[tuple[str, Cell]], width: int | None, *, color: bool, indent: int = 0) -> list[str]:
    """``key  value`` lines, keys aligned; a long value folds under itself. Empty values are left out."""
    shown = [(k, c) for k, c in pairs if c.text]
    if not shown:
        return []
    keys = max(cell_len(k) for k, _ in shown)
    room = None if width is None else max(width - indent - keys - 2, 20)
    lines = []
    for key, cell in shown:
        pieces = [cell.text] if room is None else wrap(cell.text, room)
        head = " " * indent + _pad(key, keys, False, "dim", color) + "  "
        lines.append(head + paint(pieces[0], cell.style, color))
        lines += [" " * (indent + keys + 2) + paint(p, cell.style, color) for p in pieces[1:]]
    return lines


def _total(widths: Iterable[int]) -> int:
    values = list(widths)
    return sum(values) + GAP * max(len(values) - 1, 0)


def _pad(text: str, width: int, right: bool, style: str | None = None, color: bool = False) -> str:
    """``text`` painted, then padded to ``width`` with plain spaces (so a line's trailing spaces can go)."""
    space = " " * max(width - cell_len(text), 0)
    painted = paint(text, style, color)
    return space + painted if right else painted + space
