"""`cfgo-tui doctor` against the real server: a good profile passes; each broken one fails at
the right step with the code's name, a cause and the key to change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.localserver import CentrifugoServer

CHANNELS = ["chat:doctor", {"name": "$secret:doctor"}]


def _doctor(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["-c", str(config), "doctor", "--format", "ndjson", *extra])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_doctor_passes_a_good_profile(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    config = write_config(good=make_profile(centrifugo, channels=CHANNELS))
    code, checks = _doctor(config, capsys)
    assert code == 0, checks
    assert [c["status"] for c in checks] == ["ok"] * len(checks)
    steps = [(c["step"], c["target"]) for c in checks]
    assert steps[:5] == [
        ("dns", "127.0.0.1"),
        ("tcp", f"127.0.0.1:{centrifugo.port}"),
        ("websocket", centrifugo.ws_url),
        ("token", "connection"),
        ("connect", centrifugo.ws_url),
    ]
    for channel in ("chat:doctor", "$secret:doctor"):
        assert [s for s, t in steps if t == channel] == ["subscribe", "presence", "history"]
    assert steps[-1] == ("api", centrifugo.api_url)


BROKEN: dict[str, tuple[dict[str, Any], str, str, int | None, str]] = {
    # name: (profile changes, failing step, target, code, a word of the fix)
    "wrong secret": (
        {"auth": {"hmac": {"secret": "not-the-server-secret", "user": "alice"}}},
        "connect",
        "{ws_url}",
        3500,
        "hmac_secret_key",
    ),
    "unknown namespace": (
        {"channels": ["nosuchns:room"]},
        "subscribe",
        "nosuchns:room",
        102,
        "channel.namespaces",
    ),
    "presence off": (
        {"channels": ["plain:room"]},
        "presence",
        "plain:room",
        108,
        "presence: true",
    ),
    "$ channel without a token source": (
        {"channels": ["$secret:room"], "subscription_tokens": None},
        "subscribe",
        "$secret:room",
        103,
        "subscription_tokens",
    ),
    "wrong API key": (
        {"api": {"url": "{api_url}", "key": "wrong-api-key-42"}},
        "api",
        "{api_url}",
        401,
        "api.key",
    ),
    "expired literal token": (
        {"auth": {"token": "{expired}"}, "subscription_tokens": None},
        "token",
        "connection",
        109,
        "exp",
    ),
    "nothing listening": (
        {"url": "ws://127.0.0.1:{closed_port}/connection/websocket", "api": None},
        "tcp",
        "127.0.0.1:{closed_port}",
        None,
        "url",
    ),
    "wrong path": (
        {"url": "{http_url_ws}/websocket"},
        "websocket",
        "{http_url_ws}/websocket",
        None,
        "/connection/websocket",
    ),
}


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.mark.parametrize("case", list(BROKEN))
def test_doctor_names_the_failing_step(
    case: str,
    centrifugo: CentrifugoServer,
    write_config,
    make_profile,
    capsys: pytest.CaptureFixture[str],
):
    from cfgo_tui.localserver import free_port
    from cfgo_tui.tokens import mint_connection_token

    changes, step, target, code, fix_word = BROKEN[case]
    names = {
        "ws_url": centrifugo.ws_url,
        "api_url": centrifugo.api_url,
        "closed_port": str(free_port()),
        "http_url_ws": f"ws://127.0.0.1:{centrifugo.port}",
        "expired": mint_connection_token(centrifugo.hmac_secret, "alice", ttl=1, now=0),
    }
    changes = _fill(changes, names)
    profile = make_profile(centrifugo, **{"channels": CHANNELS[:1], **changes})
    config = write_config(broken=profile)
    exit_code, checks = _doctor(config, capsys)
    assert exit_code == 1
    failed = [c for c in checks if c["status"] == "fail"]
    assert failed, checks
    first = failed[0]
    assert (first["step"], first["target"]) == (step, _fill(target, names))
    assert first.get("code") == code
    if code is not None:
        assert first["code_name"]
    assert first["cause"]
    assert fix_word in first["fix"]
    assert "not-the-server-secret" not in json.dumps(checks)
    assert "wrong-api-key-42" not in json.dumps(checks)


def test_doctor_text_checklist_is_readable(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    config = write_config(presence_off=make_profile(centrifugo, channels=["plain:room"]))
    assert main(["-c", str(config), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] presence plain:room" in out
    assert "code:  108 not available" in out
    assert "fix:   set `presence: true` in namespace `plain`" in out
    assert out.strip().splitlines()[-1].endswith("first failure: presence plain:room")


def test_doctor_names_a_token_endpoint_refusal(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    from cfgo_tui.localserver import TokenEndpoint

    with TokenEndpoint(
        centrifugo.hmac_secret, user="alice", refuse={"$secret:refused"}
    ) as endpoint:
        profile = make_profile(
            centrifugo,
            channels=["$secret:allowed", "$secret:refused"],
            subscription_tokens={"endpoint": endpoint.subscription_url},
        )
        code, checks = _doctor(write_config(refusing=profile), capsys)
    assert code == 1
    by_target = {(c["step"], c["target"]): c for c in checks}
    assert by_target[("subscribe", "$secret:allowed")]["status"] == "ok"
    refused = by_target[("subscribe", "$secret:refused")]
    assert refused["status"] == "fail"
    assert "403" in refused["detail"]
    assert "token endpoint" in refused["fix"]


def test_doctor_warns_when_tls_verification_is_off(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    config = write_config(insecure=make_profile(centrifugo, tls={"verify": False}))
    code, checks = _doctor(config, capsys)
    assert code == 0  # a warning, not a failure
    tls = next(c for c in checks if c["step"] == "tls")
    assert tls["status"] == "warn"
    assert "ca_file" in tls["fix"]
