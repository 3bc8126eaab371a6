"""Credentials written into URLs (`user:password@` and `?token=`) are secrets too: no command's
output, error message or debug log shows them, nor the app's status bar."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from cfgo_tui.config import load_profile
from cfgo_tui.config.redact import profile_secrets
from cfgo_tui.localserver import CentrifugoServer, free_port
from cfgo_tui.tui.launch import app_options

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]
RUN = uuid.uuid4().hex[:12]
WS_PASSWORD = f"ws-pw-{RUN}"
QUERY_TOKEN = f"query-token-{RUN}"
API_PASSWORD = f"api-pw-{RUN}"
ENDPOINT_TOKEN = f"endpoint-token-{RUN}"
SECRETS = (WS_PASSWORD, QUERY_TOKEN, API_PASSWORD, ENDPOINT_TOKEN)


def profile(host: str, server: CentrifugoServer) -> dict:
    return {
        "url": f"ws://ops:{WS_PASSWORD}@{host}/connection/websocket?token={QUERY_TOKEN}",
        "api": {"url": f"http://ops:{API_PASSWORD}@{host}/api", "key": server.api_key},
        "auth": {"hmac": {"secret": server.hmac_secret, "user": "alice"}},
        "subscription_tokens": {
            "endpoint": {"url": f"http://127.0.0.1:1/sub?access_token={ENDPOINT_TOKEN}"}
        },
        "timeout": "2s",
        "reconnect": {"min_delay": "50ms", "max_delay": "200ms"},
    }


def write(tmp_path: Path, server: CentrifugoServer) -> Path:
    closed = f"127.0.0.1:{free_port()}"
    document = {
        "default_profile": "live",
        "profiles": {
            "live": profile(f"127.0.0.1:{server.port}", server),
            "down": profile(closed, server),
        },
    }
    path = tmp_path / "cfgo-tui.yaml"
    path.write_text(yaml.safe_dump(document))
    path.chmod(0o600)
    return path


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CFGO, "-c", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_profile_secrets_include_url_credentials(centrifugo: CentrifugoServer, tmp_path: Path):
    found = profile_secrets(load_profile("live", config=write(tmp_path, centrifugo)))
    assert set(SECRETS) <= set(found)


def test_no_command_shows_url_credentials(centrifugo: CentrifugoServer, tmp_path: Path, unique):
    config = write(tmp_path, centrifugo)
    debug = tmp_path / "debug.log"
    runs = {
        "profiles": run(config, "profiles"),
        "profiles show": run(config, "profiles", "show", "live"),
        "doctor": run(config, "doctor"),
        "publish": run(config, "publish", f"chat:u-{unique}", '{"n": 1}', "--debug", str(debug)),
        "history --api": run(config, "history", f"chat:u-{unique}", "--api"),
        "info": run(config, "info"),
        "publish (down)": run(config, "-p", "down", "publish", "chat:x", "{}"),
        "info (down)": run(config, "-p", "down", "info"),
        "doctor (down)": run(config, "-p", "down", "doctor"),
    }
    assert runs["publish"].returncode == 0, runs["publish"].stderr  # the URLs do work
    assert runs["publish (down)"].returncode == 1
    # The URLs are shown, with the credentials hidden: the checks look at real output.
    assert f"127.0.0.1:{centrifugo.port}" in runs["profiles"].stdout
    assert "connection/websocket" in runs["doctor"].stdout
    found = {name: leaks(done.stdout + done.stderr) for name, done in runs.items()} | {
        "--debug log": leaks(debug.read_text())
    }
    assert debug.stat().st_size > 0
    assert not any(found.values()), found


def test_the_status_bar_hides_url_credentials(centrifugo: CentrifugoServer, tmp_path: Path):
    shown = app_options(load_profile("live", config=write(tmp_path, centrifugo))).url
    assert f"127.0.0.1:{centrifugo.port}/connection/websocket" in shown
    assert not leaks(shown), shown
