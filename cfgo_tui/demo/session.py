"""Everything `cfgo-tui demo` starts, and stops again: a Centrifugo with the demo config on a free
port, the local token endpoint (a thread), and the traffic generator (a child process).

Secrets are fresh for every run and travel to the children through the environment only.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import yaml

from cfgo_tui.config.models import (
    ApiSettings,
    ChannelSpec,
    EndpointAuth,
    Profile,
    SubTokenEndpoint,
)
from cfgo_tui.demo.channels import ARCHIVE, CHAT, DEMO_USER, TICKER, VAULT
from cfgo_tui.demo.traffic import API_KEY_ENV, SECRET_ENV, backfill_archive
from cfgo_tui.localserver import CentrifugoServer, TokenEndpoint
from cfgo_tui.localserver.processes import reap, spawn

PROFILE_NAME = "demo"


@dataclass(frozen=True, slots=True)
class Started:
    """One thing the demo started, as `--headless` reports it."""

    what: str
    pid: int | None
    address: str


@dataclass
class DemoSession:
    """Start with `start()` (or `with`), stop with `stop()`: every process goes, whatever failed."""

    port: int | None = None
    ticker_interval: float = 0.5
    seed: int | None = None
    workdir: Path | None = None
    secret: str = field(default_factory=lambda: "demo-" + secrets.token_urlsafe(24))
    api_key: str = field(default_factory=lambda: "demo-api-" + secrets.token_urlsafe(18))
    server: CentrifugoServer | None = None
    endpoint: TokenEndpoint | None = None
    traffic: subprocess.Popen[bytes] | None = None
    started: list[Started] = field(default_factory=list)

    def start(self) -> DemoSession:
        try:
            server = self._start_server()
            self._start_endpoint()
            asyncio.run(backfill_archive(server.api_url, self.api_key))
            self._start_traffic()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_server(self) -> CentrifugoServer:
        server = self.server = CentrifugoServer(
            "demo",
            port=self.port,
            workdir=self.workdir,
            env={
                "CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY": self.secret,
                "CENTRIFUGO_HTTP_API_KEY": self.api_key,
            },
        )
        server.start()
        self.started.append(Started("centrifugo", server.pid, server.ws_url))
        return server

    def _start_endpoint(self) -> None:
        self.endpoint = TokenEndpoint(self.secret, user=DEMO_USER).start()
        self.started.append(Started("token-endpoint", os.getpid(), self.endpoint.url))

    def _start_traffic(self) -> None:
        assert self.server is not None
        argv = [
            sys.executable,
            "-m",
            "cfgo_tui.demo.traffic",
            "--ws-url",
            self.server.ws_url,
            "--api-url",
            self.server.api_url,
            "--ticker-interval",
            str(self.ticker_interval),
        ]
        if self.seed is not None:
            argv += ["--seed", str(self.seed)]
        env = {**os.environ, SECRET_ENV: self.secret, API_KEY_ENV: self.api_key}
        log_path = self.server.workdir / "traffic.log"
        with log_path.open("ab") as log:
            self.traffic = spawn(argv, log=log, env=env)
        self.started.append(Started("traffic", self.traffic.pid, str(log_path)))

    @property
    def pids(self) -> list[int]:
        """Child processes started (the token endpoint is a thread of this process)."""
        return [s.pid for s in self.started if s.pid is not None and s.what != "token-endpoint"]

    def traffic_log(self) -> str:
        if self.server is None:
            return ""
        path = self.server.workdir / "traffic.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def profile(self) -> Profile:
        """The app's profile for this demo, built in memory (nothing written to disk)."""
        assert self.server is not None and self.endpoint is not None
        return Profile(
            name=PROFILE_NAME,
            urls=(self.server.ws_url,),
            api=ApiSettings(self.server.api_url, self.api_key),
            auth=EndpointAuth(self.endpoint.connection_url),
            subscription_tokens=SubTokenEndpoint(self.endpoint.subscription_url),
            channels=(
                ChannelSpec(CHAT, recover=True, join_leave=True),
                ChannelSpec(TICKER, recover=True),
                ChannelSpec(VAULT, recover=True),
                ChannelSpec(ARCHIVE, recover=True),
            ),
            user=DEMO_USER,
            hmac_secret=self.secret,
        )

    def config_document(self) -> dict[str, object]:
        """The same profile as a cfgo-tui config file, for the headless commands."""
        assert self.server is not None and self.endpoint is not None
        return {
            "default_profile": PROFILE_NAME,
            "profiles": {
                PROFILE_NAME: {
                    "url": self.server.ws_url,
                    "api": {"url": self.server.api_url, "key": self.api_key},
                    "user": DEMO_USER,
                    "auth": {"hmac": {"secret": self.secret, "user": DEMO_USER}},
                    "subscription_tokens": {"endpoint": self.endpoint.subscription_url},
                    "channels": [
                        {"name": CHAT, "recover": True, "join_leave": True},
                        {"name": TICKER, "recover": True},
                        {"name": VAULT, "recover": True},
                        {"name": ARCHIVE, "recover": True},
                    ],
                }
            },
        }

    def write_config(self, path: Path) -> None:
        """Write the config file readable by the owner only (it holds the demo's secrets)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("# written by `cfgo-tui demo`; valid while that demo runs\n")
            yaml.safe_dump(self.config_document(), out, sort_keys=False)

    def stop(self) -> None:
        """Stop everything started, in reverse order; safe to call twice."""
        if self.traffic is not None:
            reap(self.traffic, graceful=True, timeout=5.0)
        if self.endpoint is not None:
            self.endpoint.stop()
            self.endpoint = None
        if self.server is not None:
            self.server.close()

    def __enter__(self) -> DemoSession:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
