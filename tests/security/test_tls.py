"""Centrifugo serving TLS with a self-signed certificate (made with the openssl command line).
With verification on, the client, the commands and the API refuse with a message naming the
certificate problem and pointing at `tls.ca_file`; `tls.ca_file` makes everything work;
`tls.verify: false` works too and is never silent: a red badge in the app's status bar and a
warning from `doctor`.

(tests/config/test_tls_server.py covers a certificate signed by a throwaway CA; this file uses
a single self-signed certificate, plus one whose name does not match the address.)"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from cfgo_tui.client import Client, CommandTimeout
from cfgo_tui.config import load_profile
from cfgo_tui.localserver import CentrifugoServer

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]


def self_signed(folder: Path, name: str, san: str) -> Path:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return folder / f"{name}.pem"


class TlsCentrifugo(CentrifugoServer):
    """The harness' server with TLS on its port (health checked over https, unverified: the
    harness only needs to know it is up)."""

    def __init__(self, cert: Path) -> None:
        super().__init__(
            "test",
            env={
                "CENTRIFUGO_HTTP_SERVER_TLS_ENABLED": "true",
                "CENTRIFUGO_HTTP_SERVER_TLS_CERT_PEM": str(cert),
                "CENTRIFUGO_HTTP_SERVER_TLS_KEY_PEM": str(cert.with_suffix(".key")),
            },
        )
        self.cert = cert

    @property
    def wss_url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/connection/websocket"

    def _health_ok(self) -> bool:
        try:
            response = httpx.get(f"https://127.0.0.1:{self.port}/health", verify=False, timeout=1)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TlsCentrifugo]]:
    folder = tmp_path_factory.mktemp("tls")
    certs = {
        "self-signed": self_signed(folder, "selfsigned", "IP:127.0.0.1,DNS:localhost"),
        "wrong name": self_signed(folder, "othername", "DNS:other.example"),
    }
    started: dict[str, TlsCentrifugo] = {}
    try:
        for name, cert in certs.items():
            started[name] = TlsCentrifugo(cert).start()  # type: ignore[assignment]
        yield started
    finally:
        for server in started.values():
            server.close()


def write_config(folder: Path, server: TlsCentrifugo, tls: str) -> Path:
    path = folder / "cfgo-tui.yaml"
    path.write_text(
        f"""
profiles:
  tls:
    url: wss://127.0.0.1:{server.port}/connection/websocket
    api: {{key: "{server.api_key}"}}
    auth: {{hmac: {{secret: "{server.hmac_secret}", user: tls-user}}}}
    timeout: 1s
    reconnect: {{min_delay: 100ms, max_delay: 200ms}}
{tls}
"""
    )
    path.chmod(0o600)
    return path


def cli(config: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CFGO, "-c", str(config), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("self-signed", "certificate verify failed: self-signed certificate"),
        ("wrong name", "certificate verify failed: self-signed certificate"),
    ],
)
def test_verification_on_refuses_naming_the_certificate_problem(servers, tmp_path, name, problem):
    config = write_config(tmp_path, servers[name], "")
    for argv in (["publish", "chat:x", "{}"], ["tail", "chat:x", "--timeout", "3"]):
        done = cli(config, *argv)
        assert done.returncode == 1 and done.stdout == ""
        assert problem in done.stderr and "tls.ca_file" in done.stderr, done.stderr
    done = cli(config, "publish", "--api", "chat:x", "{}")
    assert done.returncode == 1
    assert problem in done.stderr and "tls.ca_file" in done.stderr, done.stderr
    done = cli(config, "doctor")
    assert done.returncode == 1 and problem in done.stdout, done.stdout


def test_ca_file_for_a_certificate_of_another_name_still_names_the_mismatch(servers, tmp_path):
    server = servers["wrong name"]
    shutil.copy(server.cert, tmp_path / "ca.pem")
    config = write_config(tmp_path, server, "    tls: {ca_file: ca.pem}")
    done = cli(config, "publish", "chat:x", "{}")
    assert done.returncode == 1
    assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in done.stderr
    done = cli(config, "publish", "--api", "chat:x", "{}")
    assert done.returncode == 1 and "IP address mismatch" in done.stderr


async def test_client_reports_the_certificate_problem_as_an_error_event(servers):
    server = servers["self-signed"]
    token = jwt.encode({"sub": "tls-user"}, server.hmac_secret, algorithm="HS256")
    client = Client(server.wss_url, token=token, min_reconnect_delay=0.1, max_reconnect_delay=0.2)
    errors: list = []
    client.on("error", errors.append)
    with pytest.raises(CommandTimeout):
        await client.connect(timeout=1.5)
    await client.disconnect()
    assert errors and all(e.where == "transport" for e in errors)
    assert "self-signed certificate" in errors[0].message
    assert "tls.ca_file" in errors[0].message


def test_ca_file_makes_client_api_and_tail_work(servers, tmp_path):
    server = servers["self-signed"]
    shutil.copy(server.cert, tmp_path / "server.pem")
    config = write_config(tmp_path, server, "    tls: {ca_file: server.pem}")
    done = cli(config, "publish", "chat:ca", '{"n": 1}')
    assert done.returncode == 0, done.stderr
    done = cli(config, "publish", "--api", "chat:ca", '{"n": 2}')
    assert done.returncode == 0, done.stderr
    done = cli(config, "history", "chat:ca")
    assert done.returncode == 0, done.stderr
    assert '"n":1' in done.stdout.replace(" ", "") and '"n":2' in done.stdout.replace(" ", "")
    done = cli(config, "doctor")
    assert done.returncode == 0, done.stdout
    assert "tls.verify: false" not in done.stdout


async def test_verify_false_works_and_shows_the_badge(servers, tmp_path):
    from cfgo_tui.tui.launch import app_for_profile
    from cfgo_tui.tui.widgets.status_bar import StatusBar

    server = servers["self-signed"]
    config = write_config(tmp_path, server, "    tls: {verify: false}")
    done = await _acli(config, "publish", "chat:lax", "{}")
    assert done.returncode == 0, done.stderr
    done = await _acli(config, "doctor")
    assert done.returncode == 0 and "tls.verify: false" in done.stdout, done.stdout
    profile = load_profile("tls", config=config)
    app = app_for_profile(profile, state_path=tmp_path / "state.json")
    async with app.run_test(size=(160, 40)) as pilot:
        status = app.query_one(StatusBar)

        def bar() -> str:
            return str(status.render())

        # the bar is redrawn by the app's flush timer: wait for it to show the connection
        async with asyncio.timeout(20):
            while "● connected" not in bar():
                await pilot.pause(0.05)
        assert app.store.connection.state == "connected"
        assert "TLS VERIFY OFF" in bar(), bar()
        assert "TLS VERIFY OFF" in app.export_screenshot().replace("&#160;", " ")


async def _acli(config: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(cli, config, *argv)
