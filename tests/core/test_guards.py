"""The guards of tests/guards.py can fail: a test that leaks a canary, or leaves a session open, is failed.

Each case runs in a pytest of its own (a subprocess, with only the guards loaded), so what is proved is what a
real run does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CASES = """
import logging

import aiohttp
import pytest

from bigdata_connectors import APIConnectionError
from tests.guards import API_KEY, PASSWORD, PROXY_PASSWORD, SESSION_ID


def test_caught():
    with pytest.raises(APIConnectionError):
        raise APIConnectionError(f"echoed {API_KEY}")


def test_caught_foreign():
    with pytest.raises(ValueError):
        raise ValueError(PASSWORD)


def test_chained():
    with pytest.raises(RuntimeError):
        try:
            raise KeyError(SESSION_ID)
        except KeyError:
            raise RuntimeError("clean")


def test_logged():
    logging.getLogger("bigdata_connectors").debug("proxy %s", PROXY_PASSWORD)


async def test_open_session():
    global kept
    kept = aiohttp.ClientSession()


async def test_clean():
    async with aiohttp.ClientSession():
        pass
    with pytest.raises(ValueError):
        raise ValueError("nothing secret")
"""
LEAKING = ("test_caught", "test_caught_foreign", "test_chained", "test_logged", "test_open_session")


def test_the_guards_fail_a_leaking_test_and_pass_a_clean_one(tmp_path: Path) -> None:
    test = tmp_path / "test_cases.py"
    test.write_text(CASES)
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rE", "-p", "no:cacheprovider", "-p", "tests.guards", str(test)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errored = {line.split("::")[1].split(" ")[0] for line in result.stdout.splitlines() if line.startswith("ERROR ")}
    assert errored == set(LEAKING), result.stdout + result.stderr  # each failed at its teardown, with why
    assert "6 passed, 5 errors" in result.stdout, result.stdout
