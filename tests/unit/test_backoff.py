"""Full-jitter exponential backoff stays within its bounds."""

from __future__ import annotations

import random

import pytest

from cfgo_tui.client.backoff import Backoff


def test_upper_bound_doubles_until_max():
    backoff = Backoff(0.5, 20.0, rand=lambda: 1.0)
    assert [backoff.delay(n) for n in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_lower_bound_is_min():
    backoff = Backoff(0.5, 20.0, rand=lambda: 0.0)
    assert {backoff.delay(n) for n in range(10)} == {0.5}


def test_random_delays_within_bounds():
    rng = random.Random(42)
    backoff = Backoff(0.5, 20.0, rand=rng.random)
    for attempt in range(100):
        delay = backoff.delay(attempt)
        assert 0.5 <= delay <= backoff.ceiling(attempt) <= 20.0


def test_huge_attempt_is_bounded():
    assert Backoff(0.1, 5.0, rand=lambda: 1.0).delay(10_000) == 5.0


def test_out_of_range_random_source_is_clamped():
    assert Backoff(1.0, 4.0, rand=lambda: 7.0).delay(5) == 4.0
    assert Backoff(1.0, 4.0, rand=lambda: -1.0).delay(5) == 1.0


@pytest.mark.parametrize(("lo", "hi"), [(-1.0, 2.0), (3.0, 2.0)])
def test_bad_bounds_are_explained(lo, hi):
    with pytest.raises(ValueError, match="reconnect delay"):
        Backoff(lo, hi)
