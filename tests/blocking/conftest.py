"""Blocking-client tests: an emulator on a thread of its own, and a blocking client bound to it."""

from tests.blocking.support import client, emulator

__all__ = ["client", "emulator"]
