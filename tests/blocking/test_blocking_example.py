"""examples/blocking_quickstart.py, interrupted: Ctrl-C while it waits for a sync cancels that wait, and the same
client then cleans up what the program created. (Run to the end it is one of tests/test_e2e.py's examples.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_blocking_quickstart_cleans_up_when_interrupted() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BIGDATA_API_KEY", "BIGDATA_BASE_URL")}
    env["PYTHONWARNINGS"] = "error"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "blocking_quickstart.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # interrupt once the sync is being waited for
        seen.append(line)
        if "sync: " in line:
            proc.send_signal(signal.SIGINT)
            break
    rest, errors = proc.communicate(timeout=60)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output + errors
    assert "Cleaned up 2 connector(s)." in output
    assert "Interrupted; cleaned up." in output
    assert "Done." not in output
    assert errors == ""
