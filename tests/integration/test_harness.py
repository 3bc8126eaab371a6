"""The harness itself: a real Centrifugo, reached with a bare websockets client."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import jwt
import pytest
import websockets

from cfgo_tui.localserver import CentrifugoServer, RedisServer


def mint(server: CentrifugoServer, user: str, ttl: int = 600) -> str:
    return jwt.encode(
        {"sub": user, "exp": int(time.time()) + ttl}, server.hmac_secret, algorithm="HS256"
    )


async def read_until(ws: websockets.ClientConnection, predicate) -> dict:
    async with asyncio.timeout(10):
        while True:
            frame = await ws.recv()
            for line in str(frame).strip().split("\n"):
                message = json.loads(line)
                if predicate(message):
                    return message


async def test_raw_websocket_receives_api_publication(centrifugo: CentrifugoServer, unique: str):
    channel = f"chat:harness-{unique}"
    async with websockets.connect(centrifugo.ws_url) as ws:
        await ws.send(json.dumps({"id": 1, "connect": {"token": mint(centrifugo, "alice")}}))
        connected = await read_until(ws, lambda m: m.get("id") == 1)
        assert "connect" in connected, connected
        assert connected["connect"]["client"]

        await ws.send(json.dumps({"id": 2, "subscribe": {"channel": channel}}))
        subscribed = await read_until(ws, lambda m: m.get("id") == 2)
        assert subscribed["subscribe"]["recoverable"] is True

        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{centrifugo.api_url}/publish",
                headers={"X-API-Key": centrifugo.api_key},
                json={"channel": channel, "data": {"text": "hello"}},
            )
        assert response.json()["result"]["offset"] == 1

        push = await read_until(ws, lambda m: "push" in m and "pub" in m["push"])
        assert push["push"]["channel"] == channel
        assert push["push"]["pub"]["data"] == {"text": "hello"}
        assert push["push"]["pub"]["offset"] == 1


async def test_wrong_secret_is_refused_with_3500(centrifugo: CentrifugoServer):
    token = jwt.encode(
        {"sub": "mallory"}, "not-the-secret-but-long-enough-for-hs256", algorithm="HS256"
    )
    async with websockets.connect(centrifugo.ws_url) as ws:
        await ws.send(json.dumps({"id": 1, "connect": {"token": token}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await read_until(ws, lambda m: False)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 3500


def test_restart_keeps_port_and_kill_leaves_no_process(fresh_centrifugo: CentrifugoServer):
    port, first_pid = fresh_centrifugo.port, fresh_centrifugo.pid
    fresh_centrifugo.restart()
    assert fresh_centrifugo.port == port
    assert fresh_centrifugo.pid != first_pid
    assert httpx.get(f"{fresh_centrifugo.http_url}/health").status_code == 200
    fresh_centrifugo.kill()
    assert not fresh_centrifugo.is_running()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fresh_centrifugo.http_url}/health")


def test_pause_and_resume(fresh_centrifugo: CentrifugoServer):
    fresh_centrifugo.pause()
    with pytest.raises(httpx.TimeoutException):
        httpx.get(f"{fresh_centrifugo.http_url}/health", timeout=0.5)
    fresh_centrifugo.resume()
    assert httpx.get(f"{fresh_centrifugo.http_url}/health", timeout=5).status_code == 200


def test_log_shows_the_port_it_serves(centrifugo: CentrifugoServer):
    assert f":{centrifugo.port}" in centrifugo.log_text()


def test_two_nodes_on_redis_share_publications(redis_server: RedisServer, unique: str):
    channel = f"chat:cluster-{unique}"
    with (
        CentrifugoServer("test", redis_url=redis_server.url) as a,
        CentrifugoServer("test", redis_url=redis_server.url) as b,
    ):

        async def scenario() -> dict:
            async with websockets.connect(a.ws_url) as ws:
                await ws.send(json.dumps({"id": 1, "connect": {"token": mint(a, "bob")}}))
                await read_until(ws, lambda m: m.get("id") == 1)
                await ws.send(json.dumps({"id": 2, "subscribe": {"channel": channel}}))
                await read_until(ws, lambda m: m.get("id") == 2)
                async with httpx.AsyncClient() as http:
                    await http.post(
                        f"{b.api_url}/publish",
                        headers={"X-API-Key": b.api_key},
                        json={"channel": channel, "data": {"via": "node-b"}},
                    )
                return await read_until(ws, lambda m: "pub" in m.get("push", {}))

        push = asyncio.run(scenario())
        assert push["push"]["pub"]["data"] == {"via": "node-b"}
