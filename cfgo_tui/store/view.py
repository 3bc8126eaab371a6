"""A filtered, bounded window over a ring buffer, updated incrementally.

The live pane shows `rows`; each timer flush calls `update(source)`, which looks only at the
records newer than the last one seen (records carry increasing `seq` numbers), so a flush costs
what arrived since the previous flush, not the size of the buffer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar


class HasSeq(Protocol):
    @property
    def seq(self) -> int: ...


T = TypeVar("T", bound=HasSeq)


class FilteredView(Generic[T]):
    def __init__(self, retention: int) -> None:
        self.retention = retention
        self.rows: deque[T] = deque(maxlen=retention)
        self.last_seq = 0
        self.predicate: Callable[[T], bool] | None = None

    def reset(self, source: Sequence[T], predicate: Callable[[T], bool] | None = None) -> None:
        """Rebuild from the whole `source` (a new channel selected or a new filter)."""
        self.predicate = predicate
        if predicate is None:
            self.rows = deque(source, maxlen=self.retention)
        else:
            self.rows = deque((row for row in source if predicate(row)), maxlen=self.retention)
        self.last_seq = source[-1].seq if source else 0

    def update(self, source: Sequence[T]) -> int:
        """Append what `source` got since the last call; returns how many rows were added."""
        if not source or source[-1].seq <= self.last_seq:
            return 0
        fresh: list[T] = []
        for row in reversed(source):  # deque iteration from the right stops at the seen part
            if row.seq <= self.last_seq:
                break
            fresh.append(row)
        fresh.reverse()
        self.last_seq = fresh[-1].seq
        predicate = self.predicate
        if predicate is not None:
            fresh = [row for row in fresh if predicate(row)]
        self.rows.extend(fresh)
        # never hold on to what the source has already let go of (memory stays bounded by it)
        oldest = source[0].seq
        rows = self.rows
        while rows and rows[0].seq < oldest:
            rows.popleft()
        return len(fresh)
