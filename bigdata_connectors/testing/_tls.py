"""TLS for the emulator: a private CA minted at start (with trustme), and a certificate for loopback.

``Emulator(tls=True)`` serves ``https://``; ``emu.ca_path`` is the CA's PEM file, which a client trusts
with ``BigdataClient(ssl=emu.ca_path)`` (or ``SSL_CERT_FILE``), the way it would trust a corporate CA.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from pathlib import Path

__all__ = ["EmulatorTLS"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class EmulatorTLS:
    """A throwaway CA and a server certificate for the loopback names; the CA file lives until ``cleanup()``."""

    def __init__(self) -> None:
        try:
            import trustme  # type: ignore[import-not-found,unused-ignore]  # the [testing] extra
        except ImportError:
            raise RuntimeError(
                "Emulator(tls=True) needs trustme to mint its certificates: pip install 'bigdata-connectors[testing]'"
            ) from None
        self._ca = trustme.CA()
        self._cert = self._ca.issue_cert(*LOOPBACK_NAMES)
        self._dir = Path(tempfile.mkdtemp(prefix="bigdata-emulator-ca-"))
        self.ca_path = str(self._dir / "emulator-ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting only this emulator's CA."""
        context = ssl.create_default_context()
        self._ca.configure_trust(context)
        return context

    def cleanup(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
