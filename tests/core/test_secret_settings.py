"""Issue 21, items 2 to 4 at the core: secret-named fields of an answer's config are masked on the way in; a base
URL or proxy URL carrying credentials is refused (or used) without its password or token ever shown."""

from __future__ import annotations

import typing
from typing import Any

import pydantic
import pytest

from bigdata_connectors import BigdataClient, ConfigurationError, Connector
from bigdata_connectors._generated import request_models
from tests.conftest import API_KEY, PASSWORD, PROXY_PASSWORD, SESSION_ID, connector_json, secret_leaks

PROXY_ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_ENV, "BIGDATA_BASE_URL", "BIGDATA_SSL"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- item 2: secret-named fields of answers


def test_the_secret_names_are_derived_from_the_request_models() -> None:
    from bigdata_connectors._model_hooks import secret_field_names

    derived = {
        name
        for model in vars(request_models).values()
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel)
        for name, field in model.model_fields.items()
        if pydantic.SecretStr in (field.annotation, *typing.get_args(field.annotation))
    }
    assert derived >= {"user_password", "session_id"}
    assert derived | {"password"} <= secret_field_names()


@pytest.mark.parametrize(
    ("type_", "config"),
    [
        ("investment_research", {"user_id": "me", "user_password": PASSWORD}),
        ("investment_research", {"user_password": PASSWORD}),  # does not fit its class: kept as a plain dict
        ("sharepoint", {"session_id": SESSION_ID}),
        ("email", {"allowed_emails": ["a@b.c"], "Password": PASSWORD}),
        ("google_drive", {"folder": "x", "auth": {"password": PASSWORD, "tokens": [{"session_id": SESSION_ID}]}}),
        ("EMAIL", {"nested": [[{"USER_PASSWORD": PASSWORD}]]}),
    ],
)
def test_secret_named_config_fields_of_an_answer_are_masked_on_the_way_in(type_: str, config: Any) -> None:
    connector = Connector.model_validate(connector_json(type=type_, config=config))
    shown = [repr(connector), str(connector), connector.model_dump_json(), repr(connector.model_dump(mode="json"))]
    for text in shown:
        assert PASSWORD not in text
        assert SESSION_ID not in text
    assert "***" in connector.model_dump_json()


def test_an_answer_without_secrets_is_kept_as_it_is() -> None:
    config = {"user_id": "me", "note": {"passwordless": True, "pass": "word"}}
    connector = Connector.model_validate(connector_json(type="investment_research", config=config))
    assert connector.model_dump(mode="json")["config"] == config


# ---------------------------------------------------------------- item 3: credentials in the base URL


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{PASSWORD}@api.example.test",
        f"https://user:{PASSWORD}@api.example.test:99999",
        f"https://user:{PASSWORD}@api.example.test/?q=1",
        f"https://api.example.test/?api_key={PASSWORD}",
        f"https://api.example.test/#{PASSWORD}",
        f"ftp://user:{PASSWORD}@api.example.test",
        f"https://user:{PASSWORD}@bad_host!.example",
        f"https://user:{PASSWORD}@[::1",
        f"http://user:{PASSWORD}@api.example.test",
        f"https://{PASSWORD}@api.example.test",
        f"https://{PASSWORD}:@api.example.test",
    ],
)
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_every_base_url_error_masks_its_password(url: str, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "environment":
        monkeypatch.setenv("BIGDATA_BASE_URL", url)
    with pytest.raises(ConfigurationError) as info:
        BigdataClient(API_KEY, base_url=url if how == "argument" else None)
    err = info.value
    assert secret_leaks(err) == []
    assert PASSWORD not in str(err) + repr(err)
    assert "***" in str(err) or "plain http://" in str(err)
    if how == "environment" and "***" in str(err):
        assert "BIGDATA_BASE_URL" in str(err)


# ---------------------------------------------------------------- item 4: proxy credentials


@pytest.mark.parametrize(
    "proxy", [f"http://{PROXY_PASSWORD}@127.0.0.1:3128", f"http://{PROXY_PASSWORD}:@127.0.0.1:3128"]
)
def test_a_proxy_token_without_a_password_is_a_secret(proxy: str) -> None:
    import base64

    client = BigdataClient(API_KEY, base_url="http://127.0.0.1:9", proxy=proxy)
    token = base64.b64encode(f"{PROXY_PASSWORD}:".encode()).decode()
    masked = client._http.redactor.text(f"user {PROXY_PASSWORD} Proxy-Authorization: Basic {token}")
    assert masked == "user *** Proxy-Authorization: Basic ***"
    assert PROXY_PASSWORD not in repr(client) + repr(client._config)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HTTPS_PROXY", f"http://user:{PROXY_PASSWORD}@[::1"),
        ("https_proxy", f"http://user:{PROXY_PASSWORD}@[::1"),
        ("HTTPS_PROXY", f"http://user:{PROXY_PASSWORD}@proxy.example:port"),
        ("HTTPS_PROXY", f"socks5://{PROXY_PASSWORD}@proxy.example:1080"),
        ("HTTPS_PROXY", f"http://user:{PROXY_PASSWORD}@proxy.example:3128/path"),
    ],
)
def test_an_unusable_proxy_from_the_environment_names_the_variable_never_the_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as info:
        BigdataClient(API_KEY, base_url="https://api.example.test")
    assert variable in str(info.value)
    assert "***" in str(info.value)
    assert secret_leaks(info.value) == []


def test_an_unparsable_proxy_argument_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"proxy is not a valid URL: 'http://u:\*\*\*@\[::1'") as info:
        BigdataClient(API_KEY, base_url="https://api.example.test", proxy=f"http://u:{PROXY_PASSWORD}@[::1")
    assert secret_leaks(info.value) == []
