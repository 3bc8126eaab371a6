"""`cfgo-tui demo --headless`: starts, has traffic on every demo channel, leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cfgo_tui.demo.channels import ARCHIVE, ARCHIVE_BACKFILL, CHAT, DEMO_CHANNELS, DEMO_USER, VAULT
from cfgo_tui.tokens import mint_connection_token

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _read_json_line(stream: asyncio.StreamReader) -> dict[str, Any]:
    line = await stream.readline()
    assert line, "demo ended its output early"
    record: dict[str, Any] = json.loads(line)
    return record


async def _start_demo(tmp_path: Path) -> tuple[asyncio.subprocess.Process, list[dict[str, Any]]]:
    proc = await asyncio.create_subprocess_exec(
        *CFGO,
        "demo",
        "--headless",
        "--ticker-interval",
        "0.2",
        "--write-config",
        str(tmp_path / "demo.yaml"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    records = []
    async with asyncio.timeout(60):
        while True:
            record = await _read_json_line(proc.stdout)
            records.append(record)
            if record["event"] == "ready":
                return proc, records


async def test_demo_headless_traffic_on_every_channel_and_clean_stop(tmp_path: Path):
    from cfgo_tui.client.client import Client

    proc, records = await _start_demo(tmp_path)
    started = {r["what"]: r for r in records if r["event"] == "started"}
    assert set(started) == {"centrifugo", "token-endpoint", "traffic"}
    pids = [started["centrifugo"]["pid"], started["traffic"]["pid"]]
    try:
        config = yaml.safe_load((tmp_path / "demo.yaml").read_text())
        assert oct((tmp_path / "demo.yaml").stat().st_mode & 0o777) == "0o600"
        profile = config["profiles"]["demo"]
        secret = profile["auth"]["hmac"]["secret"]
        # The private channel's token comes from the demo's own token endpoint.
        async with httpx.AsyncClient(trust_env=False) as http:
            reply = await http.post(
                profile["subscription_tokens"]["endpoint"], json={"channel": VAULT}
            )
        vault_token = reply.json()["token"]

        seen: dict[str, list[Any]] = {channel: [] for channel in DEMO_CHANNELS}
        live = asyncio.Event()
        client = Client(profile["url"], token=mint_connection_token(secret, DEMO_USER))

        def on_publication(event: Any) -> None:
            if not event.recovered:
                seen[event.channel].append(event.data)
            if all(seen.values()):
                live.set()

        client.on("publication", on_publication)
        async with asyncio.timeout(60):
            await client.connect()
            for channel in DEMO_CHANNELS:
                token = vault_token if channel == VAULT else None
                await client.subscribe(channel, token=token)
            archive = await client.history(ARCHIVE, limit=0)
            await live.wait()
        await client.disconnect()
        assert archive.offset >= ARCHIVE_BACKFILL
        assert all("user" in line and "text" in line for line in seen[CHAT])
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            rest, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    stopped = [json.loads(line) for line in rest.decode().splitlines()]
    assert stopped[-1]["event"] == "stopped"
    assert sorted(stopped[-1]["pids"]) == sorted(pids)
    assert [pid for pid in pids if _alive(pid)] == []


async def test_demo_headless_duration_ends_by_itself(tmp_path: Path):
    proc = await asyncio.create_subprocess_exec(
        *CFGO,
        "demo",
        "--headless",
        "--duration",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    records = [json.loads(line) for line in out.decode().splitlines()]
    pids = [r["pid"] for r in records if r["event"] == "started" and r["what"] != "token-endpoint"]
    assert len(pids) == 2
    assert records[-1]["event"] == "stopped"
    assert [pid for pid in pids if _alive(pid)] == []


def test_demo_help_names_every_channel():
    result = subprocess.run(
        [*CFGO, "demo", "--help"], capture_output=True, text=True, check=False, env=os.environ
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for channel in DEMO_CHANNELS:
        assert channel in text


@pytest.mark.parametrize("bad", [["--duration", "-1"], ["--ticker-interval", "soon"]])
def test_demo_bad_arguments_are_usage_errors(bad: list[str]):
    result = subprocess.run([*CFGO, "demo", *bad], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


class _ProfileCheckingApp:
    """Stands in for the Textual app (the app has its own tests): `run()` uses the in-memory
    demo profile the way the app does, through the config factories, then quits."""

    def __init__(self, profile: Any) -> None:
        self.profile = profile
        self.seen: dict[str, Any] = {}
        self.nodes = 0

    def action_quit(self) -> None:
        pass

    def run(self) -> int:
        asyncio.run(self._check())
        return 0

    async def _check(self) -> None:
        from cfgo_tui.config.factory import make_api, make_client, subscribe_options

        client = make_client(self.profile)
        got = asyncio.Event()

        def on_publication(event: Any) -> None:
            self.seen.setdefault(event.channel, event.data)
            if len(self.seen) == len(self.profile.channels):
                got.set()

        client.on("publication", on_publication)
        async with asyncio.timeout(60):
            await client.connect()
            for spec in self.profile.channels:
                await client.subscribe(spec.name, **subscribe_options(self.profile, spec, client))
            await got.wait()
        await client.disconnect()
        api = make_api(self.profile)
        assert api is not None
        async with api:
            nodes = await api.info()
        self.nodes = len(nodes)  # the API key works too


def test_demo_opens_the_app_on_a_working_profile_and_stops_everything_after(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from cfgo_tui.cli.main import main
    from cfgo_tui.demo import session as session_module

    apps: list[_ProfileCheckingApp] = []
    sessions: list[Any] = []

    def app_for_profile(profile: Any, **options: Any) -> _ProfileCheckingApp:
        apps.append(_ProfileCheckingApp(profile))
        return apps[-1]

    real_start = session_module.DemoSession.start

    def start(self: Any) -> Any:
        sessions.append(self)
        return real_start(self)

    monkeypatch.setattr("cfgo_tui.tui.launch.app_for_profile", app_for_profile)
    monkeypatch.setattr(session_module.DemoSession, "start", start)
    assert main(["demo", "--ticker-interval", "0.2"]) == 0
    (app,) = apps
    assert set(app.seen) == set(DEMO_CHANNELS)  # `$vault:ops` through the token endpoint
    assert app.profile.name == "demo"
    assert app.nodes == 1
    pids = sessions[0].pids
    assert len(pids) == 2
    assert [pid for pid in pids if _alive(pid)] == []
