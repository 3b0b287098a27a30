"""Copy the OpenAPI YAML blocks the vendor published, verbatim, into ``openapi/upstream/``.

Run it after dropping newer documentation pages into ``../shared/reference/api-docs/``
(``make vendor``); then ``make generate`` re-applies ``openapi/patches.yaml`` on top.
A page that carries no YAML block (a rendered HTML page) contributes nothing here: what we
know from it is written into the patch file, each change with its source and reason.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "api-docs"
UPSTREAM = ROOT / "openapi" / "upstream"

# The vendor's pages fence their spec as ````yaml <source path> <method> <route>
_BLOCK = re.compile(r"^````yaml [^\n]*\n(.*?)^````", re.S | re.M)


def extract(page: str) -> str | None:
    """Return the page's fenced OpenAPI YAML block, byte for byte, or None if it has none."""
    match = _BLOCK.search(page)
    return match.group(1) if match else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of the vendor's pages")
    parser.add_argument("--check", action="store_true", help="fail if openapi/upstream/ differs from the pages")
    args = parser.parse_args(argv)

    stale = []
    for page in sorted(args.source.glob("*.txt")):
        block = extract(page.read_text(encoding="utf-8"))
        if block is None:
            continue
        target = UPSTREAM / f"{page.stem}.yaml"
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != block:
                stale.append(target.name)
        else:
            UPSTREAM.mkdir(parents=True, exist_ok=True)
            target.write_text(block, encoding="utf-8")
            print(f"vendored {page.name} -> openapi/upstream/{target.name}")
    if stale:
        print("openapi/upstream/ is out of date with the vendor's pages: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
