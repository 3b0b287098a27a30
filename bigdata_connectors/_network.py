"""Network settings of one client: proxy, TLS trust, environment, rate limit, tracing. Validated once.

What ``trust_env=True`` (the default) reads, once, when the client is built: ``HTTPS_PROXY`` /
``HTTP_PROXY`` (the one matching the base URL's scheme, either case) and ``NO_PROXY``, through the
standard library's ``urllib.request.getproxies`` / ``proxy_bypass``, the rules requests and httpx users
know. It does not read ``.netrc`` (see DESIGN.md: the API authenticates by key, never by Basic auth,
and aiohttp's own ``trust_env`` would read that file in a thread on every request). TLS trust:
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured by OpenSSL's default paths whatever ``trust_env`` says;
``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE`` are not.
"""

from __future__ import annotations

import base64
import math
import os
import ssl as _ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bigdata_connectors._errors import ConfigurationError

if TYPE_CHECKING:
    import aiohttp

__all__ = ["DEFAULT_RATE_LIMIT", "NetworkConfig", "SSLOption", "redact_url"]

# Requests a minute. The vendor documents about 500 a minute per key; its own client paces itself at 300 over
# 10-second windows. At most this many in any 60 seconds leaves room for retries elsewhere and a second process.
DEFAULT_RATE_LIMIT = 300.0

SSLOption = _ssl.SSLContext | str | os.PathLike[str] | None


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and reprs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{netloc}").geturl()


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """How the client's own session reaches the API. ``proxy`` carries no credentials (``proxy_auth`` does)."""

    proxy: str | None = None
    proxy_auth: tuple[str, str] | None = field(default=None, repr=False)
    trust_env: bool = True
    ssl: _ssl.SSLContext | None = None
    rate_limit: float | None = DEFAULT_RATE_LIMIT  # requests a minute; None: no client-side limit
    trace_configs: tuple[aiohttp.TraceConfig, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no message may show: the proxy password, and the Basic token that encodes it (it rides on each
        request to an http:// API, and on every CONNECT)."""
        token = self.proxy_token()
        return (self.proxy_auth[1], token) if self.proxy_auth and self.proxy_auth[1] and token else ()

    def proxy_token(self) -> str | None:
        """The Basic token of the proxy's credentials (base64 of ``user:password``), or None without credentials."""
        if self.proxy_auth is None:
            return None
        user, password = self.proxy_auth
        return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    @classmethod
    def build(
        cls,
        base_url: str,
        *,
        proxy: str | None,
        trust_env: bool,
        ssl: SSLOption,
        rate_limit: float | None,
        trace_configs: Any,
    ) -> NetworkConfig:
        """Validate every value; resolve the proxy from the environment when ``trust_env`` and none is given.

        Raises ConfigurationError for a non-URL proxy, a missing or unreadable CA bundle, a non-positive or
        non-finite rate limit, or a trace_configs that is not a sequence of aiohttp.TraceConfig.
        """
        if not isinstance(trust_env, bool):
            raise ConfigurationError(f"trust_env must be True or False, got {trust_env!r}")
        limit = _rate_limit(rate_limit)
        context = _ssl_context(ssl)
        configs = _trace_configs(trace_configs)
        if proxy is None and trust_env:
            proxy = _proxy_from_env(base_url)
            source = "the HTTPS_PROXY/HTTP_PROXY environment variable"
        else:
            source = "proxy"
        url, auth = _parse_proxy(proxy, source) if proxy is not None else (None, None)
        return cls(url, auth, trust_env, context, limit, configs)


def _rate_limit(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError(
            f"rate_limit must be a positive number of requests a minute (or None to disable), got {value!r}"
        )
    return float(value)


def _ssl_context(value: object) -> _ssl.SSLContext | None:
    if value is None or isinstance(value, _ssl.SSLContext):
        return value
    if not isinstance(value, str | os.PathLike):
        raise ConfigurationError(f"ssl must be an ssl.SSLContext or a CA-bundle path, got {type(value).__name__}")
    path = os.fspath(value)
    if not os.path.isfile(path):
        raise ConfigurationError(f"ssl: no CA bundle at {path!r} (expected a PEM file of CA certificates)")
    context = _ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=path)
    except (_ssl.SSLError, OSError, ValueError) as err:
        raise ConfigurationError(f"ssl: cannot load CA bundle {path!r}: {err}") from None
    return context


def _trace_configs(value: object) -> tuple[aiohttp.TraceConfig, ...]:
    if value is None:
        return ()
    import aiohttp

    if isinstance(value, list | tuple) and all(isinstance(v, aiohttp.TraceConfig) for v in value):
        return tuple(value)
    raise ConfigurationError("trace_configs must be a list of aiohttp.TraceConfig")


def _proxy_from_env(base_url: str) -> str | None:
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(base_url)
    proxies = getproxies()
    chosen = proxies.get(parts.scheme)
    if chosen is None or parts.hostname is None:
        return None
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if proxy_bypass(host) or proxy_bypass(parts.hostname):
        return None
    return chosen


def _parse_proxy(proxy: object, source: str) -> tuple[str, tuple[str, str] | None]:
    if not isinstance(proxy, str):
        raise ConfigurationError(f"{source} must be a URL string like 'http://host:port', got {type(proxy).__name__}")
    try:
        parts = urlsplit(proxy)
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"{source} is not a valid URL: {redact_url(proxy)!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{source} must be an http:// or https:// URL like 'http://[user:password@]host:port', "
            f"got {redact_url(proxy)!r}"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(f"{source} must not carry a path, query or fragment: {redact_url(proxy)!r}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    url = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    auth = None
    if parts.username is not None or parts.password is not None:
        from urllib.parse import unquote

        auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    return url, auth
