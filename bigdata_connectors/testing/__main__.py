"""``python -m bigdata_connectors.testing``: serve the emulator on loopback (the same options as
``bigdata-connectors emulator``: ``EMULATOR_OPTIONS``). ``--env`` serves in the background and prints the
export lines: ``eval "$(python -m bigdata_connectors.testing --env)"``."""

from __future__ import annotations

import sys

from bigdata_connectors.testing._options import parser
from bigdata_connectors.testing._serve import serve

PROG = "python -m bigdata_connectors.testing"


def main(argv: list[str] | None = None) -> None:
    args = parser(PROG).parse_args(argv)
    sys.exit(serve(vars(args), prog=PROG))


if __name__ == "__main__":
    main()
