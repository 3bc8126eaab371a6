"""Make SVG screenshots of the real app against a real Centrifugo with traffic.

Starts Centrifugo (cfgo_tui.localserver, the test config), publishes over the server API while
the app runs headless at the scene's size, and saves each scene to screenshots/. Every SVG is
checked for secrets (HMAC secret, API key, anything shaped like a JWT) before it is kept.
Run: scripts/screenshots [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cfgo_tui.api import ApiClient
from cfgo_tui.config.factory import make_client
from cfgo_tui.config.models import ApiSettings, ChannelSpec, HmacAuth, Profile, SubTokenHmac
from cfgo_tui.localserver import CentrifugoServer
from cfgo_tui.tui.launch import app_for_profile

ROOT = Path(__file__).resolve().parent.parent
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.")


def profile(server: CentrifugoServer, user: str = "alice") -> Profile:
    return Profile(
        name="local",
        urls=(server.ws_url,),
        api=ApiSettings(server.api_url, server.api_key),
        auth=HmacAuth(server.hmac_secret, user, info={"name": user.title()}),
        subscription_tokens=SubTokenHmac(server.hmac_secret, user),
        user=user,
        hmac_secret=server.hmac_secret,
        channels=(
            ChannelSpec(name="chat:lobby", recover=True, join_leave=True),
            ChannelSpec(name="news", recover=True),
            ChannelSpec(name="$secret:vault"),
            ChannelSpec(name="delta:prices", delta="fossil"),
            ChannelSpec(name="secret:denied"),
        ),
    )


async def traffic(api: ApiClient, stop: asyncio.Event) -> None:
    users = ["bob", "carol", "dave"]
    n = 0
    while not stop.is_set():
        n += 1
        user = users[n % len(users)]
        await api.publish("chat:lobby", {"user": user, "text": f"message {n} from {user}", "n": n})
        if n % 3 == 0:
            await api.publish(
                "news",
                {"headline": f"Release {n // 3}", "body": "Centrifugo keeps the stream " * 6},
            )
        if n % 4 == 0:
            await api.publish("$secret:vault", {"balance": 1000 + n, "currency": "EUR"})
            await api.publish("delta:prices", {"EURUSD": round(1.08 + n / 10000, 4), "seq": n})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)  # a steady pace of traffic, not a wait


Scene = Callable[[Any, Any], Awaitable[None]]


async def settle(pilot: Any, seconds: float = 0.4) -> None:
    await pilot.pause(seconds)
    await pilot.pause()


async def live(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.5)


async def live_pretty(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.0)
    await pilot.press("v")
    await settle(pilot, 0.6)


async def live_paused_filtered(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.5)
    app.select_channel("chat:lobby")
    await pilot.press("slash")
    await pilot.press(*'data.user == "bob"')
    await pilot.press("enter")
    await settle(pilot, 0.5)
    await pilot.press("k", "k", "enter")
    await settle(pilot, 1.0)


async def presence(app: Any, pilot: Any) -> None:
    app.select_channel("chat:lobby")
    await pilot.press("2")
    await settle(pilot, 1.0)


async def history(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.0)
    app.select_channel("chat:lobby")
    await pilot.press("3")
    await pilot.press("n")
    await settle(pilot, 0.6)
    await pilot.press("left_square_bracket")
    await settle(pilot, 0.6)


async def publish(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.0)
    app.select_channel("chat:lobby")
    await pilot.press("w")
    await pilot.pause()
    form = app.screen
    form.query_one("#publish-data").cursor_blink = False
    form.query_one("#publish-data").text = '{\n  "user": "alice",\n  "text": "hi all"\n}'
    await pilot.press("ctrl+s")
    await settle(pilot, 0.6)


async def failure(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.0)
    app.select_channel("secret:denied")
    await settle(pilot, 0.5)


async def frames(app: Any, pilot: Any) -> None:
    await settle(pilot, 1.0)
    await pilot.press("4")
    await settle(pilot, 0.5)


async def help_screen(app: Any, pilot: Any) -> None:
    await settle(pilot, 0.5)
    await pilot.press("question_mark")
    await settle(pilot, 0.3)


SCENES: list[tuple[str, tuple[int, int], Scene]] = [
    ("live-160x48", (160, 48), live),
    ("live-80x24", (80, 24), live),
    ("live-pretty-160x48", (160, 48), live_pretty),
    ("live-filtered-detail-160x48", (160, 48), live_paused_filtered),
    ("presence-160x48", (160, 48), presence),
    ("history-160x48", (160, 48), history),
    ("publish-160x48", (160, 48), publish),
    ("publish-80x24", (80, 24), publish),
    ("failure-103-160x48", (160, 48), failure),
    ("frames-160x48", (160, 48), frames),
    ("help-80x24", (80, 24), help_screen),
]


def check_secrets(svg: str, server: CentrifugoServer, name: str) -> None:
    for secret in (server.hmac_secret, server.api_key):
        if secret in svg:
            raise SystemExit(f"{name}: a secret appears in the screenshot; not saved")
    if JWT.search(svg):
        raise SystemExit(f"{name}: a token appears in the screenshot; not saved")


async def shoot(out: Path) -> None:
    with CentrifugoServer("test") as server, tempfile.TemporaryDirectory() as state:
        api = ApiClient(server.api_url, server.api_key)
        bob = make_client(profile(server, "bob"))
        await bob.connect()
        await bob.subscribe("chat:lobby", join_leave=True)
        stop = asyncio.Event()
        pump = asyncio.create_task(traffic(api, stop))
        try:
            for name, size, scene in SCENES:
                app = app_for_profile(profile(server), state_path=Path(state) / "ui.json")
                async with app.run_test(size=size) as pilot:
                    await scene(app, pilot)
                    svg = app.export_screenshot(title=f"cfgo-tui · {name}")
                check_secrets(svg, server, name)
                (out / f"{name}.svg").write_text(svg, encoding="utf-8")
                print(f"wrote {out / name}.svg")
        finally:
            stop.set()
            await pump
            await bob.disconnect()
            await api.aclose()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
