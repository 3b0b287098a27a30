"""Client configuration: one frozen object, built once by the client constructor.

Environment variables are read here and nowhere else (``from_env``), and only when an argument is
not given: ``BIGDATA_API_KEY`` and ``BIGDATA_BASE_URL``, the names the official Bigdata CLI reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bigdata_connectors._errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.bigdata.com"
DEFAULT_TIMEOUT = 30.0  # seconds, per attempt
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_CONNECTIONS = 100
BACKOFF_INITIAL = 0.5  # seconds before the first retry, doubling each time ...
BACKOFF_MAX = 8.0  # ... up to this many seconds
BACKOFF_JITTER = 0.5  # seconds of random spread added, so a crowd of clients does not retry in step
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After raises RateLimitError at once instead of sleeping
ENV_API_KEY = "BIGDATA_API_KEY"
ENV_BASE_URL = "BIGDATA_BASE_URL"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # only for a plain-http base URL

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Validated settings of one client. Durations are in seconds."""

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @classmethod
    def from_env(
        cls,
        api_key: str | None,
        base_url: str | None,
        *,
        timeout: float,
        max_retries: int,
        max_connections: int,
    ) -> ClientConfig:
        """Fill what the caller left out from the environment, then validate everything."""
        key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
        if not key.strip():
            raise ConfigurationError(f"no API key: pass api_key=... or set the {ENV_API_KEY} environment variable")
        url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {url!r}")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ConfigurationError(
                f"refusing plain http:// to {parts.hostname}: the API key would travel unencrypted "
                "(http:// is allowed only for loopback hosts, for local testing)"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigurationError("base_url must not carry a query, fragment or credentials")
        if not timeout > 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries!r}")
        if max_connections < 1:
            raise ConfigurationError(f"max_connections must be >= 1, got {max_connections!r}")
        return cls(key, url, float(timeout), max_retries, max_connections)
