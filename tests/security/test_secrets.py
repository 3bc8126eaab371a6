"""No credential leaks. A private Centrifugo gets an HMAC secret and an API key made up for this
run; the profiles use them (connection and subscription tokens minted with a 3 s ttl, so
`refresh` and `sub_refresh` frames carry fresh tokens too), a literal token, and a secret header.
Then every place a user can see or save text is searched for them, and for anything shaped like
a JWT: the client's frame events, the app's frames log, its NDJSON export, its `--debug` log and
screenshots of the frames and events tabs (taken once they draw frames and events), the output
of `tail`/`publish`/`history`/`presence`/`doctor`/`profiles` and their `--debug` log files, and
the SVG snapshots and screenshots in the repository. Secrets found: 0."""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import yaml

from cfgo_tui.api import ApiClient
from cfgo_tui.cli.common import close_debug_log
from cfgo_tui.client import FrameEvent, RefreshEvent
from cfgo_tui.config import load_profile
from cfgo_tui.config.factory import make_client, subscribe_options
from cfgo_tui.config.models import ChannelSpec
from cfgo_tui.localserver import CentrifugoServer, config_path

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]
ROOT = Path(__file__).resolve().parents[2]
JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.")
RUN = uuid.uuid4().hex  # 32 characters: an HS256 key of recommended length
HMAC_SECRET = f"hmac-secret-{RUN}"
API_KEY = f"api-key-{RUN}"
HEADER_SECRET = f"header-secret-{RUN}"
WRONG_SECRET = f"wrong-secret-{RUN}"  # tokens signed with it are refused (3500)
LITERAL_TOKEN = jwt.encode({"sub": "literal", "info": {"n": 1}}, HMAC_SECRET, algorithm="HS256")
SECRETS = {
    "HMAC secret": HMAC_SECRET,
    "API key": API_KEY,  # (also finds the refused profile's key, which extends it)
    "header value": HEADER_SECRET,
    "wrong HMAC secret": WRONG_SECRET,
    "literal token": LITERAL_TOKEN,
}


class Findings:
    """Every artifact searched, and what was found in it."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.bytes = 0
        self.found: list[str] = []

    def scan(self, what: str, text: str, secrets: dict[str, str] | None = None) -> None:
        self.checked.append(what)
        self.bytes += len(text)
        for name, secret in (SECRETS if secrets is None else secrets).items():
            if secret in text:
                self.found.append(f"{what}: the {name}")
        for match in JWT.finditer(text):
            self.found.append(f"{what}: a JWT {match.group()[:20]}...")

    def report(self, test: str) -> None:
        print(
            f"\nFIGURES {test}: artifacts_checked={len(self.checked)}, "
            f"bytes_scanned={self.bytes}, secrets_found={len(self.found)}"
        )
        assert self.found == [], "\n".join(self.found)


def test_the_scanner_finds_what_it_looks_for() -> None:
    """The searches below can fail: each secret, and a JWT never seen before, is found."""
    findings = Findings()
    for secret in SECRETS.values():
        findings.scan("planted", f"before {secret} after")
    fresh = jwt.encode({"sub": "x"}, "another-secret-of-32-bytes-or-more!", algorithm="HS256")
    findings.scan("planted JWT", json.dumps({"token": fresh}))
    assert len(findings.found) == len(SECRETS) + 2  # the literal token is also a JWT; + fresh


def shows(svg: str, fragment: str) -> bool:
    """Whether a screenshot draws `fragment` within one styled run (Textual writes each run as
    one <text> element, escaped, its spaces as no-break spaces)."""
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return any(fragment in html.unescape(run).replace("\xa0", " ") for run in runs)


def test_shows_reads_what_a_screenshot_draws() -> None:
    svg = '<svg><text class="r1" x="0">&quot;token&quot;</text><text x="9">a&#160;b</text></svg>'
    assert shows(svg, '"token"') and shows(svg, "a b")
    assert not shows(svg, "connect") and not shows("", '"token"')
    assert not shows('<svg><style>.r1 { "token" }</style></svg>', '"token"')


@pytest.fixture(scope="module")
def server() -> Iterator[CentrifugoServer]:
    env = {
        "CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY": HMAC_SECRET,
        "CENTRIFUGO_HTTP_API_KEY": API_KEY,
    }
    with CentrifugoServer("test", env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def config(server: CentrifugoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    api = {"url": server.api_url, "key": API_KEY}
    document = {
        "default_profile": "minted",
        "profiles": {
            "minted": {
                "url": server.ws_url,
                "api": api,
                "auth": {"hmac": {"secret": HMAC_SECRET, "user": "alice", "ttl": "3s"}},
                "subscription_tokens": {"hmac": {"ttl": "3s"}},
                "headers": {"X-Auth": HEADER_SECRET},
                "channels": ["chat:sec", {"name": "secret:sec", "token": True}],
                "timeout": "3s",
            },
            "literal": {"url": server.ws_url, "api": api, "auth": {"token": LITERAL_TOKEN}},
            "refused": {
                "url": server.ws_url,
                "api": {"url": server.api_url, "key": f"{API_KEY}-not"},
                "auth": {"hmac": {"secret": WRONG_SECRET, "user": "mallory"}},
                "timeout": "1s",
            },
        },
    }
    path = tmp_path_factory.mktemp("secrets") / "cfgo-tui.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    path.chmod(0o600)
    return path


class Refreshes:
    """RefreshEvents as they come; `wait` returns once both kinds were seen."""

    def __init__(self) -> None:
        self.channels: set[str | None] = set()
        self.changed = asyncio.Event()

    def __call__(self, event: RefreshEvent) -> None:
        self.channels.add(event.channel)
        self.changed.set()

    async def wait(self, wanted: set[str | None]) -> None:
        async with asyncio.timeout(20):
            while not wanted <= self.channels:
                self.changed.clear()
                await self.changed.wait()


async def test_frame_events_carry_no_secret(config: Path) -> None:
    findings = Findings()
    for name in ("minted", "literal"):
        profile = load_profile(name, config=config)
        client = make_client(profile)
        frames: list[FrameEvent] = []
        refreshes = Refreshes()
        client.on("frame", frames.append).on("refresh", refreshes)
        await client.connect()
        await client.subscribe("chat:sec")
        await client.publish("chat:sec", {"from": name})
        await client.presence("chat:sec")
        await client.history("chat:sec", limit=10)
        if name == "minted":
            spec = ChannelSpec("secret:sec", token=True)
            await client.subscribe("secret:sec", **subscribe_options(profile, spec, client))
            # a connection token refresh and a subscription token refresh, both new JWTs
            await refreshes.wait({None, "secret:sec"})
        await client.disconnect()
        outgoing = " ".join(f.text for f in frames if f.direction == "out")
        assert '"connect"' in outgoing and '"token":"***"' in outgoing
        if name == "minted":
            assert '"refresh"' in outgoing and '"sub_refresh"' in outgoing
        for frame in frames:
            findings.scan(f"{name}: frame {frame.direction}", frame.text)
    findings.report("frame events")


async def test_app_frames_log_export_debug_log_and_screenshot_carry_no_secret(
    config: Path, tmp_path
) -> None:
    from cfgo_tui.tui.launch import app_from_args

    findings = Findings()
    debug_log = tmp_path / "app-debug.log"
    # the app as `cfgo-tui -c CONFIG -p minted --debug FILE` builds it
    args = argparse.Namespace(profile="minted", config=str(config), debug=str(debug_log))
    app = app_from_args(args, state_path=tmp_path / "state.json")
    exported = tmp_path / "export.ndjson"
    try:
        await _drive_app(app, load_profile("minted", config=config), findings, exported)
    finally:
        close_debug_log()
    text = exported.read_text()
    assert json.loads(text.splitlines()[0])["channel"] == "chat:sec"
    findings.scan("app NDJSON export", text)
    logged = debug_log.read_text()
    assert '"refresh"' in logged and '"sub_refresh"' in logged and "frame in" in logged
    findings.scan("app --debug log", logged)
    findings.report("app")


async def _drive_app(app, profile, findings: Findings, exported: Path) -> None:
    async with app.run_test(size=(160, 48)) as pilot:

        async def settle(condition) -> None:
            async with asyncio.timeout(30):
                while not condition():
                    await pilot.pause(0.05)

        def frames_text() -> str:
            return "\n".join(frame.text for frame in app.store.frames)

        await settle(lambda: app.store.connection.state == "connected")
        await settle(
            lambda: all(
                name in app.store.channels and app.store.channels[name].state == "subscribed"
                for name in ("chat:sec", "secret:sec")
            )
        )
        async with ApiClient(profile.api.url, API_KEY) as api:
            await api.publish("chat:sec", {"n": 1})
        # wait for a refresh and a sub_refresh to go out (tokens renewed in the frames log)
        await settle(lambda: '"refresh"' in frames_text() and '"sub_refresh"' in frames_text())
        await settle(lambda: app.store.records("chat:sec") and True)

        async def screenshot_showing(tab: str, *fragments: str) -> str:
            """A screenshot that draws `fragments`: an empty tab must not pass the scan."""
            svg = ""
            try:
                async with asyncio.timeout(30):
                    while not all(shows(svg, fragment) for fragment in fragments):
                        await pilot.pause(0.05)
                        svg = app.export_screenshot()
            except TimeoutError:
                missing = [f for f in fragments if not shows(svg, f)]
                pytest.fail(f"the {tab} tab never showed {missing}")
            return svg

        app.select_channel("chat:sec")
        assert not shows(app.export_screenshot(), '"sub_refresh"'), "only the frames tab has it"
        await pilot.press("4")  # the frames tab
        # frames the test waited for above, with their tokens drawn redacted
        svg = await screenshot_showing("frames", '"sub_refresh"', '"token"', '"***"')
        findings.scan("app frames tab (SVG)", svg)
        findings.scan("app frames log", frames_text())
        findings.scan("app events log", "\n".join(repr(entry) for entry in app.store.log))
        await pilot.press("5")  # the events tab
        svg = await screenshot_showing(
            "events", "subscribed to chat:sec", "subscription token for secret:sec refreshed"
        )
        findings.scan("app events tab (SVG)", svg)
        app.action_export()
        await settle(lambda: bool(app.screen.query("#export-path")))
        app.screen.query_one("#export-path").value = str(exported)
        await pilot.click("#export-ok")
        await settle(exported.exists)


def cli(config: Path, *argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*CFGO, "-c", str(config), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return f"{done.stdout}\n{done.stderr}"


def test_command_output_and_debug_logs_carry_no_secret(
    config: Path, server: CentrifugoServer, tmp_path
) -> None:
    findings = Findings()
    runs = {
        "profiles": ["profiles"],
        "profiles show minted": ["profiles", "show", "minted"],
        "profiles show literal": ["profiles", "show", "literal"],
        "publish": ["publish", "chat:sec", '{"n": 2}'],
        "publish --api": ["publish", "--api", "chat:sec", '{"n": 3}'],
        "history": ["history", "chat:sec"],
        "presence": ["presence", "chat:sec"],
        "doctor": ["doctor"],
        "doctor ndjson": ["doctor", "--format", "ndjson"],
        "doctor literal": ["doctor", "-p", "literal"],
        "tail": ["tail", "chat:sec", "secret:sec", "--history", "3", "--events", "--timeout", "5"],
        "tail literal": ["tail", "-p", "literal", "chat:sec", "--history", "3", "--timeout", "2"],
        # refused: an invalid token (3500) and a wrong API key (401) in the error messages
        "publish refused": ["publish", "-p", "refused", "chat:sec", "{}"],
        "publish --api refused": ["publish", "-p", "refused", "--api", "chat:sec", "{}"],
        "tail refused": ["tail", "-p", "refused", "chat:sec", "--events", "--timeout", "2"],
        "doctor refused": ["doctor", "-p", "refused"],
        "profiles show refused": ["profiles", "show", "refused"],
    }
    outputs: dict[str, str] = {}
    for what, argv in runs.items():
        log = tmp_path / f"debug-{len(findings.checked)}.log"
        output = outputs[what] = cli(config, "--debug", str(log), *argv)
        findings.scan(f"`{what}` output", output)
        if log.exists():
            findings.scan(f"`{what}` --debug log", log.read_text())
    assert "3500 invalid token" in outputs["publish refused"], outputs["publish refused"]
    assert "401" in outputs["publish --api refused"], outputs["publish --api refused"]
    debug_logs = list(tmp_path.glob("debug-*.log"))
    assert debug_logs and any("frame" in p.read_text() for p in debug_logs)
    # The minted profile's secrets really are in the file: profiles show must hide them.
    assert HMAC_SECRET in config.read_text() and HEADER_SECRET in config.read_text()
    findings.report("commands")


def test_repository_svgs_carry_no_secret() -> None:
    """Snapshots and screenshots are made against the test and demo configs: none of their
    secrets (nor any JWT) may be visible in them."""
    secrets: dict[str, str] = {}
    for name in ("test", "demo", "bench"):
        server_config = json.loads(config_path(name).read_text())
        client = server_config.get("client", {})
        hmac = client.get("token", {}).get("hmac_secret_key")
        key = server_config.get("http_api", {}).get("key")
        if hmac:
            secrets[f"{name} HMAC secret"] = hmac
        if key:
            secrets[f"{name} API key"] = key
    assert secrets
    svgs = sorted((ROOT / "tests" / "tui" / "__snapshots__").rglob("*.svg"))
    svgs += sorted((ROOT / "screenshots").glob("*.svg"))
    assert len(svgs) >= 5
    findings = Findings()
    for svg in svgs:
        findings.scan(str(svg.relative_to(ROOT)), svg.read_text(errors="replace"), secrets)
    findings.report("repository SVGs")
