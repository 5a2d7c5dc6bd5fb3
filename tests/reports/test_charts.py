"""The SVG charts: escaped labels, suppressed slices drawn as hidden, empty data drawn calmly."""

from __future__ import annotations

from xml.etree import ElementTree

from reports import charts
from reports.walks import Tally

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ElementTree.fromstring(str(markup))


def texts(markup):
    return [t.text for t in parse(markup).iter(f"{SVG}text")]


def test_a_rating_bar_shows_each_part_with_its_count():
    bar = parse(charts.rating_bar(Tally(seen=6, partly=3, not_seen=1)))
    widths = [float(r.get("width")) for r in bar.iter(f"{SVG}rect")]
    assert widths == [180.0, 90.0, 30.0]
    assert [t.text for t in bar.iter(f"{SVG}text")] == ["6", "3", "1"]
    assert bar.get("aria-label") == "Seen 6, Partly 3, Not seen 1"


def test_a_suppressed_slice_shows_no_numbers():
    bar = charts.rating_bar(Tally(seen=1, partly=1, suppressed=True))
    assert texts(bar) == ["Fewer than 3 visits: not shown"]
    column = charts.rating_columns([("7 Sep", Tally(seen=2, suppressed=True))])
    assert "<3" in texts(column)
    assert "n=2" not in texts(column)


def test_columns_over_time_and_an_empty_bucket():
    chart = charts.rating_columns([("7 Sep", Tally(seen=3, not_seen=1)), ("14 Sep", Tally())])
    labels = texts(chart)
    assert "n=4" in labels
    assert "\u2013" in labels  # the empty week
    assert {"7 Sep", "14 Sep", "0%", "50%", "100%"} <= set(labels)


def test_many_columns_tilt_their_labels():
    chart = parse(charts.rating_columns([(f"{i} Sep", Tally(seen=3)) for i in range(24)]))
    tilted = [
        t for t in chart.iter(f"{SVG}text") if (t.get("transform") or "").startswith("rotate")
    ]
    assert len(tilted) == 24


def test_count_columns_stack_and_label_totals():
    series = [charts.Series("a", "A", "#000", "#fff"), charts.Series("b", "B", "#999", "#000")]
    chart = charts.count_columns([("Sep", {"a": 2, "b": 1}), ("Oct", {})], series)
    assert "3" in texts(chart)


def test_labels_are_escaped():
    series = [charts.Series("a", '<script>"x"</script> & co', "#000", "#fff")]
    key = charts.legend(series, hidden=True)
    assert "<script>" not in str(key)
    assert texts(key)[0] == '<script>"x"</script> & co'
    assert "fewer than 3 visits: not shown" in texts(key)
