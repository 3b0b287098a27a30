"""Client configuration: one frozen object, built once by the client constructor.

Environment variables are read here and nowhere else (``from_env``), and only when an argument is
not given: ``BIGDATA_API_KEY`` and ``BIGDATA_BASE_URL``, the names the official Bigdata CLI reads;
``BIGDATA_LOG`` (``log_level_from_env``). The proxy variables are read by ``_network`` through the
standard library, when ``trust_env`` allows it.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bigdata_connectors._errors import ConfigurationError
from bigdata_connectors._network import NetworkConfig

DEFAULT_BASE_URL = "https://api.bigdata.com"
DEFAULT_TIMEOUT = 30.0  # seconds, per attempt
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_CONNECTIONS = 100
# Bytes one answer may take, counted decompressed: a 10,000-connector list() is about 8 MB.
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024
DEFAULT_POOL_TIMEOUT: float | None = None  # seconds queued for a connection; None: as long as it takes
BACKOFF_INITIAL = 0.5  # seconds before the first retry, doubling each time ...
BACKOFF_MAX = 8.0  # ... up to this many seconds
BACKOFF_JITTER = 0.5  # seconds of random spread added, so a crowd of clients does not retry in step
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After raises RateLimitError at once instead of sleeping
DEFAULT_CONSISTENCY_TIMEOUT = 5.0  # seconds ensure looks a label up for after a lost create answer
DEFAULT_SYNC_TIMEOUT = 1800.0  # seconds a sync wait lasts, trigger included
DEFAULT_POLL_INTERVAL = 2.0  # seconds before the second poll, growing x1.5 ...
DEFAULT_MAX_POLL_INTERVAL = 30.0  # ... up to this many seconds
ENV_API_KEY = "BIGDATA_API_KEY"
ENV_BASE_URL = "BIGDATA_BASE_URL"
ENV_LOG = "BIGDATA_LOG"
LOG_LEVELS = ("debug", "info")


# Host names as resolvers take them (underscores included, as container names use them).
_HOST_LABELS = re.compile(
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # only for a plain-http base URL

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _valid_host(host: str) -> bool:
    if ":" in host:  # an IPv6 literal (urlsplit drops the brackets)
        import ipaddress

        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return _HOST_LABELS.fullmatch(ascii_host) is not None


def _real(name: str, value: object) -> float:
    """A finite, positive number of seconds (bool and str refused: ``timeout="5"`` is a mistake)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a finite, positive number of seconds, got {value!r}")
    return float(value)


def _whole(name: str, value: object, minimum: int) -> int:
    """An int >= minimum (bool, float and str refused: ``max_retries=1.5`` is a mistake)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a port outside 0..65535 or not a number
    except ValueError:
        raise ConfigurationError(f"base_url has an invalid port: {url!r}") from None
    if not _valid_host(parts.hostname) or any(c.isspace() for c in parts.netloc):
        raise ConfigurationError(f"base_url has an invalid host name: {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel unencrypted "
            "(http:// is allowed only for loopback hosts, for local testing)"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError("base_url must not carry a query, fragment or credentials")
    return url


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Validated settings of one client. Durations are in seconds, sizes in bytes."""

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    pool_timeout: float | None = DEFAULT_POOL_TIMEOUT
    network: NetworkConfig = field(default_factory=NetworkConfig)

    @classmethod
    def from_env(
        cls,
        api_key: str | None,
        base_url: str | None,
        *,
        timeout: float,
        max_retries: int,
        max_connections: int,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
    ) -> ClientConfig:
        """Fill what the caller left out from the environment, then validate everything
        (ConfigurationError naming the setting, before anything is sent)."""
        if api_key is not None and not isinstance(api_key, str):
            raise ConfigurationError(f"api_key must be a str, got {type(api_key).__name__}")
        key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
        if not key.strip():
            raise ConfigurationError(f"no API key: pass api_key=... or set the {ENV_API_KEY} environment variable")
        if any(c in key for c in "\r\n\0"):
            raise ConfigurationError("api_key contains a line break or NUL: it cannot be sent as a header")
        if base_url is not None and not isinstance(base_url, str):
            raise ConfigurationError(f"base_url must be a str, got {type(base_url).__name__}")
        url = _base_url((base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/"))
        return cls(
            key,
            url,
            _real("timeout", timeout),
            _whole("max_retries", max_retries, 0),
            _whole("max_connections", max_connections, 1),
            _whole("max_response_size", max_response_size, 1),
            None if pool_timeout is None else _real("pool_timeout", pool_timeout),
        )


def log_level_from_env() -> str | None:
    """``BIGDATA_LOG`` ("debug" or "info", any case), or None when unset or empty.

    Raises ConfigurationError for another value."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    if not value:
        return None
    if value not in LOG_LEVELS:
        raise ConfigurationError(f"{ENV_LOG} must be 'debug' or 'info', got {value!r}")
    return value
