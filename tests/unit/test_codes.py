"""The code table: names, retry rules and hints for every code a client can meet."""

from __future__ import annotations

import pytest

from cfgo_tui.client.codes import CODES, describe, reconnects
from cfgo_tui.client.errors import ConnectFailed, ReplyError, SubscriptionFailed

PROTOCOL = [*range(100, 114), 2000, *range(2500, 2503)]
DISCONNECT = [*range(3000, 3015), *range(3500, 3510)]
CLOSE = [1000, 1001, 1006, 1009, 1011]


@pytest.mark.parametrize("code", [*PROTOCOL, *DISCONNECT, *CLOSE])
def test_every_code_has_its_own_row(code):
    info = CODES[code]
    assert info.code == code and info.name and info.hint


@pytest.mark.parametrize("code", [*range(3000, 3015), 1000, 1001, 1006])
def test_reconnect_codes(code):
    assert reconnects(code)


@pytest.mark.parametrize("code", [*range(3500, 3510), 1009, 4500, 4999, 3999])
def test_terminal_codes(code):
    assert not reconnects(code)


@pytest.mark.parametrize(
    ("code", "retry"), [(3200, True), (4000, True), (4499, True), (5000, True)]
)
def test_ranges_without_a_row(code, retry):
    assert reconnects(code) is retry


def test_unsubscribe_codes():
    assert not describe(2000).retry
    assert all(describe(c).retry for c in (2500, 2501, 2502, 2777))
    assert not describe(2100).retry


def test_application_error_range():
    assert describe(450).name == "application error"


def test_hint_for_presence_not_available():
    err = ReplyError(108, "not available")
    # The server's message only repeats the code's name: it is said once.
    assert str(err).startswith("108 not available: the feature is off for this namespace")
    assert "presence: true" in str(err)
    presence = ReplyError(108, "not available", method="presence")
    assert "presence is not enabled for this namespace: set `presence: true`" in str(presence)
    assert "history_size" not in str(presence)
    assert "RPC proxy" in str(ReplyError(108, "not available", method="rpc"))
    assert "allow_publish_for_client" in str(ReplyError(103, "denied", method="publish"))


def test_a_message_of_its_own_is_kept_before_the_hint():
    err = ReplyError(103, "channel is closed for maintenance", method="publish")
    assert str(err).startswith("103 permission denied: channel is closed for maintenance. ")
    assert "allow_publish_for_client" in str(err)
    assert str(ReplyError(103, "Permission denied.")).count("ermission denied") == 1


def test_typed_errors_carry_name_and_hint():
    assert "invalid token" in str(ConnectFailed(3500, "invalid token"))
    assert "hmac_secret_key" in str(ConnectFailed(3500, "invalid token"))
    failure = SubscriptionFailed("$secret:x", 103, "permission denied")
    assert str(failure).startswith("$secret:x: 103 permission denied")
    assert CODES[103].label() == "103 permission denied"
