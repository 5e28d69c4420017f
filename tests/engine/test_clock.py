"""The injectable clock: a context can run "as of" another moment."""

from __future__ import annotations

import contextvars
import threading
from datetime import UTC, datetime

import pytest

from engine.clock import resolve, use_clock
from engine.db import utcnow

LATER = datetime(2031, 6, 2, 8, 0, tzinfo=UTC)


def test_a_context_with_a_clock_gets_its_time_everywhere():
    with use_clock(lambda: LATER):
        assert utcnow() == LATER
        assert resolve(None) == LATER


def test_an_explicit_now_still_wins_over_the_context_clock():
    given = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    with use_clock(lambda: LATER):
        assert resolve(given) == given


def test_the_clock_before_is_back_after_the_context(clock):
    with use_clock(lambda: LATER):
        pass
    assert utcnow() == clock()


def test_without_a_clock_in_its_context_the_engine_reads_the_machine_clock():
    before = datetime.now(UTC)
    seen = contextvars.Context().run(utcnow)
    assert before <= seen <= datetime.now(UTC)


def test_another_thread_keeps_the_real_clock():
    seen: list[datetime] = []
    with use_clock(lambda: LATER):
        thread = threading.Thread(target=lambda: seen.append(utcnow()))
        thread.start()
        thread.join()
    assert seen[0] != LATER


def test_the_clock_is_restored_when_the_context_fails(clock):
    with pytest.raises(RuntimeError), use_clock(lambda: LATER):
        raise RuntimeError("the request failed")
    assert utcnow() == clock()
