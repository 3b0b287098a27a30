"""The generated models: spec examples, round trips, tolerance of responses, strictness of requests."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pydantic
import pytest
import yaml
from openapi_spec_validator import validate

from bigdata_connectors import (
    Connector,
    ConnectorCreatePayload,
    ConnectorSyncResponse,
    ConnectorUpdatePayload,
    EmailConnectorResponseConfig,
    InvestmentResearchConnectorConfig,
    InvestmentResearchConnectorResponseConfig,
    SharepointConnectorResponseConfig,
)
from bigdata_connectors._generated import models, request_models
from bigdata_connectors._transport.wire import encode_body
from tests.conftest import connector_json

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "connectors.yaml"
SPEC = yaml.safe_load(SPEC_PATH.read_text())


def test_effective_spec_is_valid_openapi_31() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)
    assert "nullable" not in SPEC_PATH.read_text()


def test_spec_covers_the_eight_operations() -> None:
    ops = {(method.upper(), route) for route, item in SPEC["paths"].items() for method in item}
    assert ops == {
        ("GET", "/contents/v1/connectors"),
        ("POST", "/contents/v1/connectors"),
        ("GET", "/contents/v1/connectors/{connector_id}"),
        ("PUT", "/contents/v1/connectors/{connector_id}"),
        ("DELETE", "/contents/v1/connectors/{connector_id}"),
        ("POST", "/contents/v1/connectors/{connector_id}/sync"),
        ("GET", "/contents/v1/documents"),
        ("GET", "/contents/v1/documents/{content_id}"),
    }
    delete = SPEC["paths"]["/contents/v1/connectors/{connector_id}"]["delete"]
    assert any(p.get("name") == "force_delete" and p["in"] == "query" for p in delete["parameters"])


def _examples() -> list[tuple[str, str, Any]]:
    """(where, schema ref, example) for every request and response example in the spec."""
    found = []
    for route, item in SPEC["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            values = [body["example"]] if "example" in body else []
            values += [e["value"] for e in body.get("examples", {}).values()]
            found += [(f"{method} {route} request", body["schema"]["$ref"], v) for v in values]
            for status, response in op.get("responses", {}).items():
                media = response.get("content", {}).get("application/json", {})
                if "example" in media:
                    found.append((f"{method} {route} {status}", media["schema"]["$ref"], media["example"]))
    return found


@pytest.mark.parametrize(("where", "ref", "example"), _examples(), ids=[e[0] for e in _examples()])
def test_every_spec_example_validates_and_round_trips(where: str, ref: str, example: Any) -> None:
    # A request body's model lives in request_models, an answer's in models (codegen/generate.py).
    model: type[pydantic.BaseModel] = getattr(request_models if "request" in where else models, ref.rsplit("/", 1)[1])
    # The examples are JSON: validated as JSON, where a strict request model takes "2026-01-01" for a date.
    parsed = model.model_validate_json(json.dumps(example))
    wire = json.loads(encode_body(parsed)) if "request" in where else parsed.model_dump(mode="json", by_alias=True)
    again = model.model_validate_json(json.dumps(wire))
    assert again == parsed
    for key, value in (example if isinstance(example, dict) else {}).items():
        assert key in wire, f"{where}: {key} lost in the round trip"
        if value is not None and not isinstance(value, dict) and "password" not in key:
            assert wire[key] == value or str(wire[key]) == str(value)


def test_example_counts_cover_requests_and_responses() -> None:
    wheres = [w for w, _, _ in _examples()]
    assert sum("request" in w for w in wheres) >= 5
    assert sum("request" not in w for w in wheres) >= 3


# ---------------------------------------------------------------- responses tolerate growth


def test_unknown_type_status_and_field_parse_and_read_back() -> None:
    body = connector_json(
        type="google_drive", config={"folder": "x"}, last_sync_status="PARTIAL", brand_new_field={"a": 1}
    )
    connector = Connector.model_validate_json(json.dumps(body))
    assert connector.type == "google_drive"
    assert connector.config == {"folder": "x"}
    assert connector.last_sync_status == "PARTIAL"
    assert connector.model_extra == {"brand_new_field": {"a": 1}}
    assert connector.model_dump(mode="json")["brand_new_field"] == {"a": 1}


def test_list_with_one_unknown_connector_still_parses() -> None:
    page = models.ConnectorList.model_validate(
        {"results": [connector_json(), connector_json(type="slack", config=None)], "next": None}
    )
    assert [c.type for c in page.results] == ["email", "slack"]
    assert page.model_extra == {"next": None}


@pytest.mark.parametrize(
    ("type_", "config", "cls"),
    [
        ("email", {"allowed_emails": ["a@b.c"], "email": "x@corp.local"}, EmailConnectorResponseConfig),
        ("investment_research", {"user_id": "API@broker.com"}, InvestmentResearchConnectorResponseConfig),
        ("sharepoint", {}, SharepointConnectorResponseConfig),
        ("email", {}, EmailConnectorResponseConfig),
    ],
)
def test_config_class_follows_type(type_: str, config: dict[str, Any], cls: type[pydantic.BaseModel]) -> None:
    connector = Connector.model_validate(connector_json(type=type_, config=config))
    assert type(connector.config) is cls


def test_response_config_keeps_unknown_fields() -> None:
    connector = Connector.model_validate(connector_json(config={"email": "a@b.c", "quota": 5}))
    assert isinstance(connector.config, EmailConnectorResponseConfig)
    assert connector.config.model_extra == {"quota": 5}


def test_email_addresses_are_plain_strings_on_responses() -> None:
    connector = Connector.model_validate(
        connector_json(config={"allowed_emails": ["not-an-email"], "email": "x@corp.local"})
    )
    assert isinstance(connector.config, EmailConnectorResponseConfig)
    assert connector.config.email == "x@corp.local"
    assert connector.config.allowed_emails == ["not-an-email"]


def test_formats_map_to_python_types() -> None:
    connector = Connector.model_validate(connector_json(last_sync_at="2026-04-07T09:36:34.195040Z"))
    assert isinstance(connector.connector_id, UUID)
    assert isinstance(connector.created_at, datetime)
    assert connector.created_at.tzinfo is not None
    assert connector.last_sync_at is not None
    assert connector.last_sync_at.tzinfo is not None
    ack = ConnectorSyncResponse.model_validate(
        {"connector_id": str(connector.connector_id), "date_limit": "2026-01-01", "status": "accepted"}
    )
    assert ack.date_limit == date(2026, 1, 1)


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError):
        Connector.model_validate(connector_json(created_at="2026-02-11T11:01:09"))


# ---------------------------------------------------------------- requests are strict


def _create(**fields: Any) -> ConnectorCreatePayload:
    return ConnectorCreatePayload.model_validate(fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "email", "config": None},  # no label
        {"type": "google_drive", "label": "x", "config": {}},  # unknown type
        {"type": "investment_research", "label": "x", "config": {"allowed_emails": ["a@b.c"]}},  # email config
        {"type": "email", "label": "x", "config": None, "share_with_orgg": True},  # misspelled field
        {"type": "email", "label": "x", "config": {"allowed_email": ["a@b.c"]}},  # misspelled config field
        {"type": "sharepoint", "label": "x", "config": {}},  # sharepoint needs session_id
        {"type": "email", "label": "x"},  # config must be sent explicitly
    ],
)
def test_invalid_create_payloads_are_rejected(fields: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        _create(**fields)


def test_create_does_not_need_email_hash() -> None:
    payload = _create(type="email", label="x", config={"allowed_emails": ["a@b.c"]})
    assert json.loads(encode_body(payload)) == {"type": "email", "label": "x", "config": {"allowed_emails": ["a@b.c"]}}


def test_update_payload_is_strict() -> None:
    with pytest.raises(pydantic.ValidationError):
        ConnectorUpdatePayload.model_validate({"label": "x", "type": "email"})
    with pytest.raises(pydantic.ValidationError):
        ConnectorUpdatePayload.model_validate({"description": "no label"})


def test_password_is_hidden_in_repr_but_sent_on_the_wire() -> None:
    secret = "pw-CANARY-91c2"
    config = InvestmentResearchConnectorConfig(user_id="me@broker.com", user_password=pydantic.SecretStr(secret))
    payload = _create(type="investment_research", label="x", config=config)
    assert secret not in repr(payload)
    assert secret not in str(payload)
    # pydantic's own JSON mode masks it, which is why the SDK never uses that for request bodies:
    assert secret not in payload.model_dump_json()
    assert json.loads(encode_body(payload))["config"] == {"user_id": "me@broker.com", "user_password": secret}


def test_models_generated_elsewhere_do_not_replace_the_packages_own() -> None:
    """The codegen tests import models generated into temporary folders; their classes share the names of ours and
    must not change which class a connector's config is read as (``_model_base.MODELS``, used by the hook)."""
    from bigdata_connectors._model_base import MODELS, APIModel

    type("EmailConnectorResponseConfig", (APIModel,), {"__module__": "tmp_generated.models"})
    assert MODELS["EmailConnectorResponseConfig"] is models.EmailConnectorResponseConfig
    connector = models.Connector.model_validate(connector_json())
    assert type(connector.config) is models.EmailConnectorResponseConfig
