"""A profile with wss://, https:// and `tls.ca_file` against a real Centrifugo serving TLS with a
certificate from a throwaway CA (made with the openssl command line)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from config_helpers import connected_client_id

from cfgo_tui.api import ApiConnectionError
from cfgo_tui.config import load_profile
from cfgo_tui.config.factory import make_api
from cfgo_tui.localserver import CentrifugoServer


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=cfgo-tui test CA",
        cwd=folder,
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
        cwd=folder,
    )
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        cwd=folder,
    )
    return folder


class TlsCentrifugo(CentrifugoServer):
    """The harness' server with TLS on its port; health is checked over https."""

    ca_file: Path

    def _health_ok(self) -> bool:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        try:
            response = httpx.get(
                f"https://127.0.0.1:{self.port}/health", verify=context, timeout=1.0
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200


@pytest.fixture(scope="module")
def tls_server(certs: Path) -> Iterator[TlsCentrifugo]:
    server = TlsCentrifugo(
        "test",
        env={
            "CENTRIFUGO_HTTP_SERVER_TLS_ENABLED": "true",
            "CENTRIFUGO_HTTP_SERVER_TLS_CERT_PEM": str(certs / "server.pem"),
            "CENTRIFUGO_HTTP_SERVER_TLS_KEY_PEM": str(certs / "server.key"),
        },
    )
    server.ca_file = certs / "ca.pem"
    server.start()
    try:
        yield server
    finally:
        server.close()


def write_profile(folder: Path, server: CentrifugoServer, tls: str) -> Path:
    path = folder / "cfgo-tui.yaml"
    path.write_text(
        f"""
profiles:
  prod:
    url: wss://127.0.0.1:{server.port}/connection/websocket
    api: {{key: "{server.api_key}"}}
    auth: {{hmac: {{secret: "{server.hmac_secret}", user: tls-user}}}}
    timeout: 3s
{tls}
"""
    )
    path.chmod(0o600)
    return path


async def test_ca_file_relative_to_the_config(tls_server, certs, tmp_path):
    shutil.copy(certs / "ca.pem", tmp_path / "ca.pem")
    profile = load_profile(
        None, config=write_profile(tmp_path, tls_server, "    tls: {ca_file: ca.pem}"), env={}
    )
    assert profile.api.url == f"https://127.0.0.1:{tls_server.port}/api"
    await connected_client_id(profile)
    api = make_api(profile)
    assert api is not None
    async with api:
        assert len(await api.info()) == 1


async def test_unknown_ca_is_refused_and_verify_false_is_not(tls_server, tmp_path):
    strict = load_profile(None, config=write_profile(tmp_path, tls_server, ""), env={})
    api = make_api(strict)
    assert api is not None
    async with api:
        with pytest.raises(
            ApiConnectionError, match=r"CERTIFICATE_VERIFY_FAILED.*set `tls.ca_file`"
        ):
            await api.info()
    lax = load_profile(
        None, config=write_profile(tmp_path, tls_server, "    tls: {verify: false}"), env={}
    )
    await connected_client_id(lax)
