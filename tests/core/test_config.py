"""Settings: every one checked at construction, the environment read in one place, unsafe base URLs refused, the
key in no repr."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bigdata_connectors import (
    BigdataClient,
    ConfigurationError,
)
from tests.conftest import (
    API_KEY,
    BASE,
    secret_leaks,
)


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIGDATA_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="BIGDATA_API_KEY"):
        BigdataClient()


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGDATA_API_KEY", API_KEY)
    monkeypatch.setenv("BIGDATA_BASE_URL", "http://127.0.0.1:8787/")
    client = BigdataClient()
    assert client.base_url == "http://127.0.0.1:8787"
    monkeypatch.delenv("BIGDATA_BASE_URL")
    assert BigdataClient().base_url == "https://api.bigdata.com"
    assert BigdataClient(base_url="https://other.test").base_url == "https://other.test"


@pytest.mark.parametrize("url", ["http://api.bigdata.com", "http://10.0.0.5:8080", "ftp://x", "api.bigdata.com"])
def test_unsafe_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        BigdataClient(API_KEY, base_url=url)


@pytest.mark.parametrize("url", ["http://localhost:8787", "http://127.0.0.1:1", "http://[::1]:8787"])
def test_loopback_http_is_allowed(url: str) -> None:
    assert BigdataClient(API_KEY, base_url=url).base_url == url


def test_repr_hides_the_key() -> None:
    client = BigdataClient(API_KEY, base_url=BASE)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(client._http)
    assert API_KEY not in repr(client._config)


BAD_SETTINGS: list[dict[str, Any]] = [
    {"max_retries": math.nan},
    {"max_retries": math.inf},
    {"max_retries": 1.5},
    {"max_retries": True},
    {"max_retries": -1},
    {"timeout": math.inf},
    {"timeout": math.nan},
    {"timeout": "5"},
    {"timeout": 0},
    {"timeout": True},
    {"max_connections": True},
    {"max_connections": 1.5},
    {"max_connections": math.nan},
    {"max_connections": 0},
    {"api_key": 123},
    {"api_key": f"{API_KEY}\r\nX-Evil: 1"},
    {"base_url": "https://api.example.test:99999"},
    {"base_url": "https://api example.test"},
    {"base_url": "https://api.example.test:port"},
    {"base_url": 42},
    {"max_response_size": 0},
    {"max_response_size": 1.5},
    {"pool_timeout": -1},
    {"pool_timeout": math.nan},
    {"session": "not a session"},
    {"sleep": 5},
]


def test_every_setting_is_checked_at_construction() -> None:
    for kwargs in BAD_SETTINGS:
        settings: dict[str, Any] = {"api_key": API_KEY, "base_url": BASE, **kwargs}
        with pytest.raises(ConfigurationError) as info:
            BigdataClient(**settings)
        assert secret_leaks(info.value) == [], kwargs
        assert next(iter(kwargs)) in str(info.value) or "API key" in str(info.value) or "base_url" in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["https://api.example.test:8443", "https://[::1]:443", "https://my_service.internal", "https://bücher.example"],
)
def test_valid_base_urls_pass(url: str) -> None:
    assert BigdataClient(API_KEY, base_url=url).base_url == url
