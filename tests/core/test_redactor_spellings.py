"""The spelling pass (issue 21): for any password, every way an encoder, a URL, an HTML page or a Python repr may
spell it is matched, mixed or not; text without it is left alone; and a cut never keeps half of it."""

from __future__ import annotations

import html
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from bigdata_connectors._redact import Redactor
from tests.echoes import ENCODERS

_CHARS = st.sampled_from("&<>/\"\\'+% äÄé😀\u2028\n\t\x1babcXYZ019-_")
_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def _forms(secret: str) -> dict[str, str]:
    forms = {name: encode(secret)[1:-1] for name, encode in ENCODERS.items()}
    forms |= {
        "raw": secret,
        "upper": secret.upper(),
        "quote": quote(secret, safe=""),
        "quote-lower-hex": quote(secret, safe="").lower(),
        "quote_plus": quote_plus(secret),
        "html": html.escape(secret),
        "html-numeric": "".join(f"&#{ord(c)};" for c in secret),
        "html-hex": "".join(f"&#x{ord(c):X};" for c in secret),
        "repr": repr(secret)[1:-1],
        "ascii": ascii(secret)[1:-1],
        "bytes": repr(secret.encode())[2:-1],
        "json-in-json": ENCODERS["python"](ENCODERS["go"](secret)[1:-1])[1:-1],
    }
    return forms


@_SETTINGS
@given(secret=st.text(alphabet=_CHARS, min_size=6, max_size=16))
def test_every_spelling_of_a_secret_is_matched(secret: str) -> None:
    redactor = Redactor([secret])
    for name, form in _forms(secret).items():
        assert redactor.text(f"[{form}]") == "[***]", name


@_SETTINGS
@given(secret=st.text(alphabet=_CHARS, min_size=6, max_size=16), mix=st.lists(st.booleans(), min_size=16, max_size=16))
def test_a_mix_of_spellings_within_one_echo_is_matched(secret: str, mix: list[bool]) -> None:
    """Each character spelled its own way (as a lax encoder or a hand-made message might)."""
    spelled = "".join(
        ENCODERS["dotnet"](char)[1:-1] if escaped else quote(char, safe="")
        for char, escaped in zip(secret, mix, strict=False)
    )
    assert Redactor([secret]).text(f"x{spelled}y") == "x***y"


def test_text_without_the_secret_is_left_alone() -> None:
    redactor = Redactor(["Tr0ub4dor&3"])
    text = 'Tr0ub4dor 3 "Tr0ub4dor" &amp; %26 \\u0026 tr0ub4dor&'
    assert redactor.text(text) == text


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(secret=st.text(alphabet=_CHARS, min_size=6, max_size=16), at=st.integers(min_value=1, max_value=200))
def test_a_cut_never_keeps_the_start_of_a_secret(secret: str, at: int) -> None:
    redactor = Redactor([secret])
    for form in _forms(secret).values():
        text = "z" * at + form + "z" * 50
        for limit in range(at, at + len(form)):
            kept = redactor.excerpt(text, limit)
            assert form[: max(1, len(form) // 2)] not in kept or len(form) < 2


def test_matching_stays_linear_on_hostile_text() -> None:
    """A server controls the text: long runs of what escapes start with must not make the pattern backtrack."""
    import time

    redactor = Redactor(["\\" * 12 + 'Tr0ub4dor&3/ä😀"', "a\\b\\c\\d\\e\\f\\g", "test-key-CANARY-7f3a9c"])
    for text in ("\\" * 65536, "\\u" * 32768, "%" * 65536, "&#" * 32768, "a\\\\b\\\\" * 10000):
        started = time.monotonic()
        redactor.text(text)
        assert time.monotonic() - started < 2, text[:8]  # about 0.2 s for the worst; exponential took minutes
