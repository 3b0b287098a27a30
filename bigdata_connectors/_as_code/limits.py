"""How much of a connectors file is read: bounded, so a hostile or broken file is refused fast (ConnectorsFileError,
with a line where there is one) instead of exhausting the stack, the memory or the time of whoever reads it.

At most ``MAX_FILE_CHARS`` characters (read no further: the path may be a pipe or a device), nested at most
``MAX_DEPTH`` levels (PyYAML composes recursively: thousands of levels were a RecursionError), and at most
``MAX_VALUES`` values once its aliases are expanded (``*name`` repeats what ``&name`` marks, so a small file could
otherwise stand for millions of values: they are counted without expanding, so a cycle stops at the limit too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bigdata_connectors._errors import ConnectorsFileError, FileProblem

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_CHARS",
    "MAX_VALUES",
    "TOO_DEEP",
    "compose",
    "read_bounded",
    "too_large",
    "too_many_values",
]

MAX_FILE_CHARS = 1024 * 1024  # about 5,000 connectors
MAX_DEPTH = 20  # a connectors file needs 6 levels
MAX_VALUES = 200_000  # nodes, aliases expanded: far above what MAX_FILE_CHARS holds without aliases
TOO_DEEP = f"the file is nested deeper than {MAX_DEPTH} levels, the most read (a connectors file needs 6)"


def too_large() -> FileProblem:
    return FileProblem(None, "", f"the file is larger than {MAX_FILE_CHARS:,} characters, the most read")


def read_bounded(path: Path) -> bytes:
    """The file's bytes, reading no more than ``MAX_FILE_CHARS`` characters can take in UTF-8 (4 bytes each).
    Raises ConnectorsFileError beyond that, OSError when it cannot be read."""
    limit = 4 * MAX_FILE_CHARS
    with path.open("rb") as stream:
        raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise ConnectorsFileError(str(path), [too_large()])
    return raw


def compose(yaml: Any, text: str) -> Any:
    """PyYAML's node tree of ``text``, refusing (a ComposerError at the line, saying ``TOO_DEEP``) nesting deeper
    than ``MAX_DEPTH``."""

    class Bounded(yaml.SafeLoader):  # type: ignore[misc]
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.depth >= MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, TOO_DEEP, mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader = Bounded(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def too_many_values(root: Any) -> Any | None:
    """The node at which ``root``, aliases expanded, passes ``MAX_VALUES`` nodes, or None. Counts without expanding
    (a node an alias repeats is counted each time), so a cycle or a bomb stops at the limit."""
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_VALUES:
            return node
        if node.id == "sequence":
            stack.extend(node.value)
        elif node.id == "mapping":
            stack.extend(part for pair in node.value for part in pair)
    return None
