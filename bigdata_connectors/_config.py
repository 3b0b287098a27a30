"""Client configuration: one frozen object, built once by the client constructor, every value checked there.

Environment variables are read here and nowhere else (``ClientConfig.build``), and only when an argument is not
given: ``BIGDATA_API_KEY`` and ``BIGDATA_BASE_URL`` (the names the official Bigdata CLI reads) and ``BIGDATA_LOG``
(``log_level_from_env``). With ``trust_env=True`` (the default), ``HTTPS_PROXY`` / ``HTTP_PROXY`` (the one matching
the base URL's scheme, either case) and ``NO_PROXY`` are read once, through the standard library's
``urllib.request.getproxies`` / ``proxy_bypass``, the rules requests and httpx users know. ``.netrc`` is never read
(the API authenticates by key, and aiohttp's own ``trust_env`` would read that file in a thread on every request).
TLS trust: ``BIGDATA_SSL`` (``system`` for the operating system's trust store, or a CA bundle's path) when ``ssl`` is
not given and the client owns its session; ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured by OpenSSL's default
paths whatever ``trust_env`` says; ``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE`` are not.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import os
import re
import ssl as _ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp

from bigdata_connectors._errors import ConfigurationError

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "ClientConfig",
    "SSLOption",
    "log_level_from_env",
    "redact_url",
]

DEFAULT_BASE_URL = "https://api.bigdata.com"
DEFAULT_TIMEOUT = 30.0  # seconds, per attempt
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_CONNECTIONS = 100
# Bytes one answer may take, counted decompressed: a 10,000-connector list() is about 8 MB.
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024
DEFAULT_POOL_TIMEOUT: float | None = None  # seconds queued for a connection; None: as long as it takes
# Requests a minute. The vendor documents about 500 a minute per key; its own client paces itself at 300 over
# 10-second windows. At most this many in any 60 seconds leaves room for retries elsewhere and a second process.
DEFAULT_RATE_LIMIT = 300.0
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
ENV_SSL = "BIGDATA_SSL"  # "system" or a CA-bundle path, when ssl= is not given
SYSTEM_TRUST = "system"  # ssl="system": the operating system's trust store (truststore)
LOG_LEVELS = ("debug", "info")

# An ssl.SSLContext, "system" (the operating system's trust store, extra [truststore]) or the path of a CA bundle.
SSLOption = _ssl.SSLContext | str | os.PathLike[str] | None

# Host names as resolvers take them (underscores included, as container names use them).
_HOST_LABELS = re.compile(
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?"
)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Validated settings of one client (and its ``with_options`` views). Durations are in seconds, sizes in bytes.

    ``proxy`` carries no credentials (``proxy_auth`` does); ``rate_limit`` is requests a minute (None: no limit).
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    pool_timeout: float | None = DEFAULT_POOL_TIMEOUT
    proxy: str | None = None
    proxy_auth: tuple[str, str] | None = field(default=None, repr=False)
    trust_env: bool = True
    ssl: _ssl.SSLContext | None = None
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    trace_configs: tuple[aiohttp.TraceConfig, ...] = ()

    @classmethod
    def build(
        cls,
        api_key: str | None,
        base_url: str | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLOption = None,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        trace_configs: Any = None,
        borrowed_session: bool = False,
    ) -> ClientConfig:
        """Fill what the caller left out from the environment, then check everything, before anything is sent.

        With a borrowed session (``borrowed_session``) the session decides the proxy, TLS and tracing: passing
        them too is refused. Raises ConfigurationError naming the setting.
        """
        key = _api_key(api_key)
        if base_url is not None and not isinstance(base_url, str):
            raise ConfigurationError(f"base_url must be a str, got {type(base_url).__name__}")
        source, url = "base_url", base_url
        if not url and os.environ.get(ENV_BASE_URL):
            source, url = f"the {ENV_BASE_URL} environment variable", os.environ[ENV_BASE_URL]
        url = _base_url((url or DEFAULT_BASE_URL).strip().rstrip("/"), source)
        if not isinstance(trust_env, bool):
            raise ConfigurationError(f"trust_env must be True or False, got {trust_env!r}")
        trust, trust_source = ssl, "ssl"
        if ssl is None and not borrowed_session and os.environ.get(ENV_SSL, "").strip():
            trust, trust_source = os.environ[ENV_SSL].strip(), f"the {ENV_SSL} environment variable"
        configs, limit = _trace_configs(trace_configs), _rate_limit(rate_limit)
        if borrowed_session and (proxy is not None or ssl is not None or configs):
            raise ConfigurationError(
                "proxy, ssl and trace_configs configure the client's own session; with session=..., set them "
                "on your aiohttp.ClientSession (and its connector) instead"
            )
        context = _ssl_context(trust, trust_source)
        proxy_url, auth = None, None
        if not borrowed_session:  # a borrowed session decides its own proxy
            source = "proxy"
            if proxy is None and trust_env:
                proxy, source = _proxy_from_env(url)
            if proxy is not None:
                proxy_url, auth = _parse_proxy(proxy, source)
        return cls(
            key,
            url,
            _real("timeout", timeout),
            _whole("max_retries", max_retries, 0),
            _whole("max_connections", max_connections, 1),
            _whole("max_response_size", max_response_size, 1),
            None if pool_timeout is None else _real("pool_timeout", pool_timeout),
            proxy_url,
            auth,
            trust_env,
            context,
            limit,
            configs,
        )

    def with_options(self, *, timeout: float | None, max_retries: int | None) -> ClientConfig:
        """This config with another ``timeout`` and/or ``max_retries``, checked as the constructor checks them."""
        return dataclasses.replace(
            self,
            timeout=self.timeout if timeout is None else _real("timeout", timeout),
            max_retries=self.max_retries if max_retries is None else _whole("max_retries", max_retries, 0),
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no message may show: the API key, the proxy's password (or its user, when there is no password:
        ``http://TOKEN@proxy`` carries a token there) and the Basic token that encodes them (it rides on each
        request to an http:// API, and on every CONNECT, as ``Proxy-Authorization``)."""
        token = self.proxy_token()
        if self.proxy_auth is None or token is None:
            return (self.api_key,)
        user, password = self.proxy_auth
        return (self.api_key, password or user, token)

    def proxy_token(self) -> str | None:
        """The Basic token of the proxy's credentials (base64 of ``user:password``), or None without credentials."""
        if self.proxy_auth is None:
            return None
        user, password = self.proxy_auth
        return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def log_level_from_env() -> str | None:
    """``BIGDATA_LOG`` ("debug" or "info", any case), or None when unset or empty.

    Raises ConfigurationError for another value."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    if not value:
        return None
    if value not in LOG_LEVELS:
        raise ConfigurationError(f"{ENV_LOG} must be 'debug' or 'info', got {value!r}")
    return value


def redact_url(url: str) -> str:
    """``url`` with its credentials masked, for messages and reprs: ``https://user:***@host``, and ``***@host``
    for a user alone or with an empty password (a token: ``http://TOKEN@proxy``). Never raises, even for text
    that is not a valid URL: everything before the last ``@`` of the address part counts as credentials."""
    scheme, slashes, rest = url.partition("//")
    if not slashes:
        scheme, rest = "", url
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user, _, password = userinfo.partition(":")
    masked = f"{user}:***" if password and "/" not in user else "***"
    return f"{scheme}{slashes}{masked}@{host}"


# ---------------------------------------------------------------- checks, one per setting


def _api_key(api_key: object) -> str:
    if api_key is not None and not isinstance(api_key, str):
        raise ConfigurationError(f"api_key must be a str, got {type(api_key).__name__}")
    key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
    if not key.strip():
        raise ConfigurationError(f"no API key: pass api_key=... or set the {ENV_API_KEY} environment variable")
    if any(c in key for c in "\r\n\0"):
        raise ConfigurationError("api_key contains a line break or NUL: it cannot be sent as a header")
    return key


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


def _base_url(url: str, source: str) -> str:
    """``url`` checked as a base URL; every refusal names ``source`` and the URL with any password (and any query
    or fragment: a key pasted there) masked."""
    shown = redact_url(url)
    cut = min((i for i in (shown.find("?"), shown.find("#")) if i >= 0), default=-1)
    shown = shown if cut < 0 else shown[: cut + 1] + "***"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port outside 0..65535 or not a number
    except ValueError:
        raise ConfigurationError(f"{source} is not a valid URL (bad host or port): {shown!r}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"{source} must be an absolute http(s) URL, got {shown!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            f"{source} must not carry credentials (the API key authenticates): {shown!r}; remove the user and password"
        )
    if not _valid_host(parts.hostname) or any(c.isspace() for c in parts.netloc):
        raise ConfigurationError(f"{source} has an invalid host name: {shown!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel unencrypted "
            "(http:// is allowed only for loopback hosts, for local testing)"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{source} must not carry a query or fragment: {shown!r}")
    return url


def _rate_limit(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError(
            f"rate_limit must be a positive number of requests a minute (or None to disable), got {value!r}"
        )
    return float(value)


def _ssl_context(value: object, source: str = "ssl") -> _ssl.SSLContext | None:
    if value is None or isinstance(value, _ssl.SSLContext):
        return value
    if not isinstance(value, str | os.PathLike):
        raise ConfigurationError(
            f"ssl must be an ssl.SSLContext, 'system' or a CA-bundle path, got {type(value).__name__}"
        )
    if isinstance(value, str) and value.strip().lower() == SYSTEM_TRUST:
        return _system_trust(source)
    path = os.fspath(value)
    if not os.path.isfile(path):
        raise ConfigurationError(f"{source}: no CA bundle at {path!r} (expected a PEM file of CA certificates)")
    context = _ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=path)
    except (_ssl.SSLError, OSError, ValueError) as err:
        raise ConfigurationError(f"{source}: cannot load CA bundle {path!r}: {err}") from None
    return context


def _system_trust(source: str) -> _ssl.SSLContext:
    """A context verifying against the operating system's trust store (Keychain, the Windows store, OpenSSL's
    store on Linux, where ``SSL_CERT_FILE``/``SSL_CERT_DIR`` apply), through ``truststore``: imported only here."""
    try:
        import truststore
    except ImportError:
        missing = True
    else:
        missing = False
    if missing:  # raised outside the except block: the ImportError does not ride along
        raise ConfigurationError(
            f"{source}='system' verifies against the operating system's trust store through the truststore "
            "package, which is not installed: pip install 'bigdata-connectors[truststore]'"
        )
    return truststore.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)


def _trace_configs(value: object) -> tuple[aiohttp.TraceConfig, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple) and all(isinstance(v, aiohttp.TraceConfig) for v in value):
        return tuple(value)
    raise ConfigurationError("trace_configs must be a list of aiohttp.TraceConfig")


def _proxy_from_env(base_url: str) -> tuple[str | None, str]:
    """The proxy the environment names for ``base_url`` (None: none, or NO_PROXY says not this host), and where it
    came from, for messages: the variable's own name, as set."""
    from urllib.request import getproxies, proxy_bypass  # only with trust_env and no proxy given

    parts = urlsplit(base_url)
    chosen = getproxies().get(parts.scheme)
    wanted = f"{parts.scheme}_proxy"
    names = [n for n in (wanted, wanted.upper()) if os.environ.get(n) == chosen]
    source = f"the {names[0]} environment variable" if names else f"the system's {parts.scheme} proxy setting"
    if chosen is None or parts.hostname is None:
        return None, source
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if proxy_bypass(host) or proxy_bypass(parts.hostname):
        return None, source
    return chosen, source


def _parse_proxy(proxy: object, source: str) -> tuple[str, tuple[str, str] | None]:
    """The proxy URL without credentials, and its credentials (user, password; the password empty for a token
    alone). Every refusal is a ConfigurationError naming ``source``, the URL shown with its credentials masked."""
    if not isinstance(proxy, str):
        raise ConfigurationError(f"{source} must be a URL string like 'http://host:port', got {type(proxy).__name__}")
    try:
        parts = urlsplit(proxy)
        port = parts.port
        host_name = parts.hostname
    except ValueError:
        raise ConfigurationError(f"{source} is not a valid URL: {redact_url(proxy)!r}") from None
    if parts.scheme not in ("http", "https") or not host_name:
        raise ConfigurationError(
            f"{source} must be an http:// or https:// URL like 'http://[user:password@]host:port', "
            f"got {redact_url(proxy)!r}"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(f"{source} must not carry a path, query or fragment: {redact_url(proxy)!r}")
    host = f"[{host_name}]" if ":" in host_name else host_name
    url = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    auth = None
    if parts.username or parts.password:
        auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    return url, auth
