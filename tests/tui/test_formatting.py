"""Formatting of pane lines and the detail view (no app needed)."""

from __future__ import annotations

from cfgo_tui.store import Record
from cfgo_tui.tui.formatting import FOLD_LINES, pretty_json, record_line


def test_long_payloads_fold_in_the_line_and_in_the_detail():
    data = {f"key{i}": i for i in range(100)}
    record = Record(1, "publication", "chat:a", 0.0, data, offset=7, user="bob", client="c1")
    line = record_line(record, 80)
    assert line.cell_len <= 80 + 12
    assert "…+" in line.plain and "#7" in line.plain and "bob/c1" in line.plain
    folded, hidden = pretty_json(data)
    assert hidden == 102 - FOLD_LINES
    assert "more lines folded" in folded.plain
    unfolded, hidden = pretty_json(data, unfold=True)
    assert hidden == 0 and '"key99": 99' in unfolded.plain


def test_markers_and_recovered_are_visible():
    lost = Record(2, "state_lost", "news", 0.0, note="state lost: publications may be missing")
    assert "state lost" in record_line(lost, 100).plain
    recovered = Record(3, "publication", "news", 0.0, {"a": 1}, offset=3, recovered=True)
    assert "⟲rec" in record_line(recovered, 100).plain


def test_record_height_counts_what_record_lines_draws():
    from cfgo_tui.tui.formatting import record_height, record_lines

    samples = [
        {"a": 1},
        {"text": "line\nbreak \u2028 separator", "list": [1, 2, 3]},
        {f"k{i}": i for i in range(40)},
        "plain",
        [],
    ]
    for n, data in enumerate(samples):
        record = Record(n, "publication", "c", 0.0, data, offset=n)
        assert record_height(record) == len(record_lines(record, 80))
    marker = Record(9, "state_lost", "c", 0.0, note="state lost")
    assert record_height(marker) == len(record_lines(marker, 80)) == 1
