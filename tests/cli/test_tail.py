"""`cfgo-tui tail` against the real server: exactly what the API published, in order."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cfgo_tui.cli.common import close_debug_log
from cfgo_tui.cli.main import main
from cfgo_tui.client import Client
from cfgo_tui.localserver import CentrifugoServer, derive_config
from cfgo_tui.tokens import mint_connection_token

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]


def _api(server: CentrifugoServer, method: str, params: dict) -> dict:
    reply = httpx.post(
        f"{server.api_url}/{method}",
        headers={"X-API-Key": server.api_key},
        json=params,
        trust_env=False,
    )
    reply.raise_for_status()
    body = reply.json()
    assert "error" not in body, body
    return body["result"]


def _finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """The rest of the output, read through the same buffered pipes the test already read from
    (`communicate()` reads the raw descriptors and would lose what is buffered)."""
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=timeout)
    return out, err


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_tail_count_receives_exactly_what_the_api_published_in_order(
    centrifugo: CentrifugoServer, good_config: Path, unique: str
):
    channel = f"chat:tail-{unique}"
    payloads = [{"n": n, "text": f"message {n}"} for n in range(20)]
    proc = subprocess.Popen(
        [
            *CFGO,
            "-c",
            str(good_config),
            "tail",
            channel,
            "--count",
            "20",
            "--events",
            "--timeout",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    # Publish once tail reports its subscription (an event line), not after a guessed delay.
    for line in proc.stdout:
        record = json.loads(line)
        if record.get("event") == "subscribed" and record["channel"] == channel:
            break
    for payload in payloads:
        _api(centrifugo, "publish", {"channel": channel, "data": payload, "tags": {"k": "v"}})
    out, err = _finish(proc)
    assert proc.returncode == 0, err
    pubs = [r for r in _lines(out) if r.get("event") == "publication"]
    assert [p["data"] for p in pubs] == payloads
    assert [p["offset"] for p in pubs] == list(range(1, 21))
    first = pubs[0]
    assert first["channel"] == channel
    assert first["tags"] == {"k": "v"}
    assert first["recovered"] is False
    assert first["info"] is None  # API publications have no publisher
    assert set(first) >= {"channel", "offset", "data", "info", "tags", "time", "recovered"}


def test_tail_history_then_live_without_gap_or_duplicate(
    centrifugo: CentrifugoServer, good_config: Path, unique: str
):
    channel = f"chat:hist-{unique}"
    for n in range(10):
        _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    argv = ["tail", channel, "--history", "4", "--count", "9", "--events", "--timeout", "30"]
    proc = subprocess.Popen(
        [*CFGO, "-c", str(good_config), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    records = []
    for line in proc.stdout:
        records.append(json.loads(line))
        if records[-1].get("event") == "subscribed" and records[-1]["channel"] == channel:
            break
    for n in range(10, 15):
        _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    out, err = _finish(proc)
    assert proc.returncode == 0, err
    pubs = [r for r in records + _lines(out) if r.get("event") == "publication"]
    assert [r["data"]["n"] for r in pubs] == list(range(6, 15))
    assert [r["offset"] for r in pubs] == list(range(7, 16))
    assert [r.get("source") for r in pubs] == ["history"] * 4 + [None] * 5


def test_tail_since_recovers_from_a_position(
    centrifugo: CentrifugoServer, good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    channel = f"chat:since-{unique}"
    epoch = ""
    for n in range(6):
        epoch = _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})["epoch"]
    code = main(["-c", str(good_config), "tail", channel, "--since", f"3:{epoch}", "--count", "3"])
    records = _lines(capsys.readouterr().out)
    assert code == 0
    assert [r["offset"] for r in records] == [4, 5, 6]
    assert all(r["recovered"] for r in records)


def test_tail_timeout_with_count_not_reached_fails_cleanly(
    good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    code = main(
        ["-c", str(good_config), "tail", f"chat:quiet-{unique}", "--count", "1", "--timeout", "0.2"]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "0 of 1 publications" in captured.err
    assert captured.out == ""


def test_tail_unknown_namespace_names_the_code(
    good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    code = main(["-c", str(good_config), "tail", f"nope:{unique}", "--count", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "102 unknown channel" in err
    assert "Traceback" not in err


def test_tail_pretty_format_is_one_readable_line(
    centrifugo: CentrifugoServer, good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    channel = f"chat:pretty-{unique}"
    _api(centrifugo, "publish", {"channel": channel, "data": {"text": "hello"}})
    argv = ["-c", str(good_config), "tail", channel, "--history", "1", "--count", "1"]
    code = main([*argv, "--format", "pretty"])
    out = capsys.readouterr().out
    assert code == 0
    assert f'{channel} #1 api (history) {{"text":"hello"}}' in out
    code = main([*argv, "--format", "pretty", "--events"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert any(f"-- subscribed {channel}" in line for line in lines)
    assert any(f"{channel} #1 api (history)" in line for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tail", "x", "--since", "nope"], "expected OFFSET:EPOCH"),
        (["tail", "x", "--count", "0"], "not a whole number >= 1"),
        (["tail", "x", "--format", "xml"], "invalid choice"),
    ],
)
def test_tail_bad_arguments_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_tail_missing_profile_is_a_config_error(
    good_config: Path, capsys: pytest.CaptureFixture[str]
):
    code = main(["-c", str(good_config), "-p", "nosuch", "tail", "x"])
    assert code == 2
    assert "nosuch" in capsys.readouterr().err


def test_tail_is_gapless_across_a_forced_reconnect(
    centrifugo: CentrifugoServer, write_config, make_profile, unique: str
):
    user = f"tail-{unique}"
    config = write_config(
        solo=make_profile(
            centrifugo, user=user, auth={"hmac": {"secret": centrifugo.hmac_secret, "user": user}}
        )
    )
    channel = f"chat:gapless-{unique}"
    proc = subprocess.Popen(
        [*CFGO, "-c", str(config), "tail", channel, "--count", "30", "--events", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    records = []

    def read_until(event: str) -> None:
        for line in proc.stdout:
            records.append(json.loads(line))
            if records[-1].get("event") == event and records[-1].get("channel") in (None, channel):
                return
        raise AssertionError(f"tail ended before {event}")

    read_until("subscribed")
    for n in range(10):
        _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    # 4000-4499: an application code that tells the client to reconnect.
    _api(centrifugo, "disconnect", {"user": user, "disconnect": {"code": 4000, "reason": "test"}})
    for n in range(10, 20):
        _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    read_until("connected")
    for n in range(20, 30):
        _api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    out, err = _finish(proc)
    assert proc.returncode == 0, err
    pubs = [r for r in records + _lines(out) if r.get("event") == "publication"]
    assert [r["data"]["n"] for r in pubs] == list(range(30)), (
        "\n".join(map(json.dumps, records)) + out + err
    )
    assert [r["offset"] for r in pubs] == list(range(1, 31))
    assert "connection lost (4000" in err
    assert "reconnected" in err


def test_tail_debug_log_has_frames_and_no_secrets(
    centrifugo: CentrifugoServer,
    good_config: Path,
    unique: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    channel = f"chat:debug-{unique}"
    _api(centrifugo, "publish", {"channel": channel, "data": {"n": 1}})
    log = tmp_path / "debug.log"
    argv = ["-c", str(good_config), "tail", channel, "--history", "1", "--count", "1"]
    try:
        assert main([*argv, "--debug", str(log)]) == 0
    finally:
        close_debug_log()
    capsys.readouterr()
    text = log.read_text()
    assert "frame out" in text
    assert '"connect"' in text
    assert "event ConnectedEvent" in text
    assert centrifugo.hmac_secret not in text
    assert centrifugo.api_key not in text
    assert "eyJ" not in text


def test_tail_history_in_a_subscriber_only_namespace_with_user_template(
    centrifugo: CentrifugoServer, good_config: Path, capsys: pytest.CaptureFixture[str]
):
    # `user:` allows history to subscribers only, and `user:#alice` only to alice: tail
    # subscribes first, then reads the page; `{user}` comes from the profile.
    stamp = {"stamp": uuid.uuid4().hex}
    _api(centrifugo, "publish", {"channel": "user:#alice", "data": stamp})
    code = main(["-c", str(good_config), "tail", "user:#{user}", "--history", "1", "--count", "1"])
    records = _lines(capsys.readouterr().out)
    assert code == 0
    assert [(r["channel"], r["data"], r["source"]) for r in records] == [
        ("user:#alice", stamp, "history")
    ]


def test_tail_timeout_without_count_ends_cleanly(
    good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    code = main(["-c", str(good_config), "tail", f"chat:idle-{unique}", "--timeout", "0.3"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""


def test_tail_history_while_publishing_is_consecutive(
    centrifugo: CentrifugoServer, good_config: Path, unique: str
):
    """Whenever tail starts during a burst, history + live must be consecutive offsets."""
    channel = f"chat:burst-{unique}"
    for n in range(5):
        _api(centrifugo, "publish", {"channel": channel, "data": n})
    stop = threading.Event()

    def burst() -> None:
        with httpx.Client(trust_env=False) as http:
            n = 5
            while not stop.is_set() and n < 2000:
                http.post(
                    f"{centrifugo.api_url}/publish",
                    headers={"X-API-Key": centrifugo.api_key},
                    json={"channel": channel, "data": n},
                )
                n += 1

    thread = threading.Thread(target=burst)
    thread.start()
    try:
        result = subprocess.run(
            [*CFGO, "-c", str(good_config), "tail", channel, "--history", "5", "--count", "60"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    offsets = [r["offset"] for r in _lines(result.stdout)]
    assert len(offsets) == 60
    assert offsets == list(range(offsets[0], offsets[0] + 60))
    assert [r["data"] for r in _lines(result.stdout)] == [o - 1 for o in offsets]


def test_tail_ends_with_failure_when_the_server_unsubscribes(
    centrifugo: CentrifugoServer, write_config, make_profile, unique: str
):
    user = f"unsub-{unique}"
    config = write_config(
        solo=make_profile(
            centrifugo, user=user, auth={"hmac": {"secret": centrifugo.hmac_secret, "user": user}}
        )
    )
    channel = f"chat:unsub-{unique}"
    proc = subprocess.Popen(
        [*CFGO, "-c", str(config), "tail", channel, "--events", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        record = json.loads(line)
        if record.get("event") == "subscribed" and record["channel"] == channel:
            break
    _api(centrifugo, "unsubscribe", {"channel": channel, "user": user})
    _, err = _finish(proc)
    assert proc.returncode == 1
    assert f"{channel}: unsubscribed: 2000" in err


def test_tail_with_no_server_fails_once_with_the_reason(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    from cfgo_tui.localserver import free_port

    url = f"ws://127.0.0.1:{free_port()}/connection/websocket"
    config = write_config(down=make_profile(centrifugo, url=url, timeout="500ms"))
    code = main(["-c", str(config), "tail", "chat:x", "--count", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1  # one line: no "connection lost" chatter before the first connect
    assert err == (
        f"cfgo-tui: tail: cannot connect to {url}: connection refused (gave up after 2s)\n"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["a", "b", "--since", "1:e"], "give a single CHANNEL"),
        (["a", "--since", "1:e", "--history", "2"], "use one of them"),
    ],
)
def test_tail_conflicting_start_options_exit_2(
    good_config: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
):
    assert main(["-c", str(good_config), "tail", *extra]) == 2
    assert message in capsys.readouterr().err


# --events and join/leave: a channel given on the command line asks for join/leave.


@pytest.fixture
def optin_centrifugo(tmp_path: Path) -> Iterator[CentrifugoServer]:
    """The test server plus `optin:`, a namespace with `join_leave` but no
    `force_push_join_leave`: only subscriptions that ask get join/leave pushes (as long as they
    may see presence)."""

    def add_optin(config: dict) -> None:
        config["channel"]["namespaces"].append(
            {
                "name": "optin",
                "presence": True,
                "join_leave": True,
                "allow_subscribe_for_client": True,
                "allow_publish_for_client": True,
                "allow_presence_for_subscriber": True,
            }
        )

    with CentrifugoServer(derive_config("test", tmp_path, add_optin)) as server:
        yield server


async def _join_and_leave(server: CentrifugoServer, channel: str, user: str) -> None:
    """`user` subscribes to `channel`, unsubscribes, then publishes `{"after": "leave"}` on the
    same connection: the server handles its commands in order, so a subscriber sees the leave
    (when it gets one) before that publication."""
    client = Client(server.ws_url, token=mint_connection_token(server.hmac_secret, user))
    try:
        await client.connect()
        sub = await client.subscribe(channel)
        await client.remove_subscription(sub)
        await client.publish(channel, {"after": "leave"})
    finally:
        await client.disconnect()


def _tail_events(config: Path, channel: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CFGO, "-c", str(config), "tail", channel, "--events", "--count", "1", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_until_subscribed(proc: subprocess.Popen[str], channel: str) -> list[dict]:
    assert proc.stdout is not None
    records = []
    for line in proc.stdout:
        records.append(json.loads(line))
        if records[-1].get("event") == "subscribed" and records[-1]["channel"] == channel:
            return records
    raise AssertionError(f"tail ended before subscribing to {channel}: {proc.stderr}")


def _joins_and_leaves(records: list[dict], channel: str) -> list[tuple[str, str]]:
    return [
        (r["event"], r["info"]["user"])
        for r in records
        if r.get("event") in ("join", "leave") and r["channel"] == channel
    ]


@pytest.mark.parametrize(
    "namespace",
    [
        "chat",  # pushes join/leave to every subscriber (force_push_join_leave)
        "optin",  # only to subscriptions that ask: tail must ask
    ],
)
def test_tail_events_prints_join_and_leave_of_another_client(
    request: pytest.FixtureRequest, write_config, make_profile, unique: str, namespace: str
):
    fixture = "optin_centrifugo" if namespace == "optin" else "centrifugo"
    server: CentrifugoServer = request.getfixturevalue(fixture)
    config = write_config(local=make_profile(server))
    channel = f"{namespace}:joins-{unique}"
    visitor = f"bob-{unique}"
    proc = _tail_events(config, channel)
    records = _read_until_subscribed(proc, channel)
    asyncio.run(_join_and_leave(server, channel, visitor))
    out, err = _finish(proc)
    assert proc.returncode == 0, err
    records += _lines(out)
    assert _joins_and_leaves(records, channel) == [
        ("join", "alice"),  # tail's own subscription
        ("join", visitor),
        ("leave", visitor),
    ]
    assert [r["data"] for r in records if r.get("event") == "publication"] == [{"after": "leave"}]


def test_tail_events_keeps_the_profiles_join_leave_for_a_configured_channel(
    optin_centrifugo: CentrifugoServer, write_config, make_profile, unique: str
):
    channel = f"optin:listed-{unique}"
    visitor = f"bob-{unique}"
    profile = make_profile(optin_centrifugo, channels=[{"name": channel, "join_leave": False}])
    proc = _tail_events(write_config(local=profile), channel)
    records = _read_until_subscribed(proc, channel)
    asyncio.run(_join_and_leave(optin_centrifugo, channel, visitor))
    out, err = _finish(proc)
    assert proc.returncode == 0, err
    records += _lines(out)
    # The publication came after the leave: had a leave been pushed, it would be printed.
    assert [r["data"] for r in records if r.get("event") == "publication"] == [{"after": "leave"}]
    assert _joins_and_leaves(records, channel) == []


@pytest.mark.parametrize(
    ("namespace", "code", "name"),
    [
        ("nope", 102, "unknown channel"),  # no such namespace
        ("secret", 103, "permission denied"),  # subscribers need a token
    ],
)
def test_tail_events_refused_channel_is_an_error_line_with_the_codes_name(
    good_config: Path, unique: str, namespace: str, code: int, name: str
):
    channel = f"{namespace}:refused-{unique}"
    result = subprocess.run(
        [*CFGO, "-c", str(good_config), "tail", channel, "--events", "--timeout", "30"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    errors = [r for r in _lines(result.stdout) if r.get("event") == "error"]
    assert len(errors) == 1, result.stdout
    assert errors[0]["where"] == "subscribe"
    assert errors[0]["channel"] == channel
    assert errors[0]["code"] == code
    assert errors[0]["message"].startswith(f"{code} {name}: ")
    assert result.stderr.startswith(f"cfgo-tui: tail: {channel}: {code} {name}: ")
    assert result.stderr.count("\n") == 1
