"""Vendor the vendor's spec into ``openapi/upstream/`` and say what changed (``make vendor``).

``vendor_upstream.py --spec FILE_OR_HTTPS_URL``  the published OpenAPI document (JSON or YAML), whole Content API:
                                                 keeps what this SDK wraps, writes ``content-api.yaml``.
``vendor_upstream.py --pages DIR``               documentation pages (``*.txt`` with a fenced YAML block): one
                                                 ``<page>.yaml`` per page, byte for byte.

Either form replaces the other: ``openapi/upstream/`` ends up holding exactly the files written, and writing
the same source again changes no byte. Before writing, the change report of ``spec_diff.py`` (current upstream
against the new one, and what it means for ``openapi/patches.yaml``) is printed. ``--check`` writes nothing and
fails if ``openapi/upstream/`` differs from what the source gives. Then run ``make generate``.
Nothing is read from outside the repository unless named on the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_spec
import spec_diff
import spec_source

UPSTREAM = build_spec.OPENAPI / "upstream"


def source_files(spec: str | None, pages: Path | None) -> dict[str, str]:
    """What ``openapi/upstream/`` should hold for the given source (exactly one of ``spec`` / ``pages``)."""
    if (spec is None) == (pages is None):
        raise spec_source.SourceError(
            "name the vendor's spec: --spec FILE_OR_HTTPS_URL (make vendor SPEC=...) or --pages DIR (make vendor PAGES=...)"
        )
    return spec_source.from_spec(spec) if spec is not None else spec_source.from_pages(pages)  # type: ignore[arg-type]


def stale_files(folder: Path, files: dict[str, str]) -> list[str]:
    """Names in ``folder`` that differ from ``files``: changed, missing, or no longer produced."""
    present = {p.name for p in folder.glob("*.yaml")} if folder.is_dir() else set()
    stale = sorted(present - set(files))
    stale += [n for n in sorted(files) if n not in present or (folder / n).read_text(encoding="utf-8") != files[n]]
    return sorted(stale)


def write(folder: Path, files: dict[str, str]) -> list[str]:
    """Make ``folder`` hold exactly ``files``; return what changed (nothing when the source is the same)."""
    changed = stale_files(folder, files)
    folder.mkdir(parents=True, exist_ok=True)
    for name in changed:
        if name in files:
            (folder / name).write_text(files[name], encoding="utf-8", newline="\n")
        else:
            (folder / name).unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", help="the vendor's OpenAPI document: a file (JSON or YAML) or an https:// URL")
    parser.add_argument("--pages", type=Path, help="a folder of the vendor's documentation pages (*.txt)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if openapi/upstream/ differs")
    parser.add_argument("--no-report", action="store_true", help="do not print the change report")
    parser.add_argument("--openapi", type=Path, default=build_spec.OPENAPI, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    upstream = args.openapi / "upstream"
    try:
        files = source_files(args.spec, args.pages)
        if args.check:
            stale = stale_files(upstream, files)
            if stale:
                print("openapi/upstream/ is out of date with the source: " + ", ".join(stale), file=sys.stderr)
                return 1
            return 0
        if not args.no_report:
            old = build_spec.load_upstream(upstream) if any(upstream.glob("*.yaml")) else {}
            new = build_spec._merge_upstream(spec_source.parse_files(files))
            patches = build_spec.load_patches(args.openapi / "patches.yaml")
            print(spec_diff.render(spec_diff.compare(old, new, patches)))
        changed = write(upstream, files)
    except (spec_source.SourceError, build_spec.SpecError) as err:
        print(f"vendor: {err}", file=sys.stderr)
        return 1
    for name in changed:
        print(f"{'wrote' if name in files else 'removed'} openapi/upstream/{name}")
    print("openapi/upstream/ unchanged" if not changed else "next: make generate, then make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
