"""Properties of `${VAR}` interpolation over arbitrary strings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cfgo_tui.config import ConfigError
from cfgo_tui.config.interpolate import interpolate
from cfgo_tui.config.yamltree import YamlDocument

ENV = {"A": "alpha", "EMPTY": ""}
text = st.text(alphabet="ab$:{}-_ AE\n", max_size=30)


def run(value: str) -> object:
    doc = YamlDocument(None, {"k": value})
    interpolate(doc, ENV)
    return doc.data["k"]


@given(text)
def test_strings_without_dollar_are_untouched(value: str):
    plain = value.replace("$", "")
    assert run(plain) == plain


@given(text)
def test_result_or_a_located_error(value: str):
    try:
        result = run(value)
    except ConfigError as error:
        assert error.key == "k"
    else:
        assert isinstance(result, str)  # quoted (non-plain) values stay strings


@given(st.text(alphabet="abc:/ ", max_size=20), st.text(alphabet="abc:/ ", max_size=20))
def test_known_reference_and_escape(prefix: str, suffix: str):
    assert run(f"{prefix}${{A}}{suffix}") == f"{prefix}alpha{suffix}"
    assert run(f"{prefix}$${{A}}{suffix}") == f"{prefix}${{A}}{suffix}"
    assert run(f"{prefix}${{EMPTY:-d}}{suffix}") == f"{prefix}d{suffix}"
    assert run(f"{prefix}${{EMPTY-d}}{suffix}") == f"{prefix}{suffix}"
    assert run(f"{prefix}${{UNSET-d}}{suffix}") == f"{prefix}d{suffix}"
