"""core.charts: the bar geometry the SVG template draws."""

import pytest

from core.charts import PLOT_BOTTOM, PLOT_TOP, bars


def test_a_scale_of_round_numbers_above_the_peak():
    chart = bars(["a", "b"], [("stock", [3, 7])])
    assert [value for value, _ in chart.grid] == [0, 2, 4, 6, 8]
    assert chart.grid[0][1] == PLOT_BOTTOM
    assert chart.grid[-1][1] == PLOT_TOP


def test_bar_heights_are_proportional_and_stand_on_the_axis():
    chart = bars(["a", "b"], [("stock", [5, 10])])
    short, tall = (bar.segments[0] for bar in chart.bars)
    assert tall.height == PLOT_BOTTOM - PLOT_TOP
    assert short.height == tall.height / 2
    assert short.y + short.height == PLOT_BOTTOM


def test_series_stack_in_order_and_totals_add_up():
    chart = bars(["mon"], [("ERP", [4]), ("Shop", [6])])
    bar = chart.bars[0]
    first, second = bar.segments
    assert bar.total == 10
    assert chart.series == [("ERP", 0), ("Shop", 1)]
    assert first.y + first.height == PLOT_BOTTOM
    assert second.y + second.height == first.y


def test_all_zero_and_negative_values_draw_nothing_and_keep_a_scale():
    chart = bars(["a", "b"], [("stock", [0, -3])])
    assert all(segment.height == 0 for bar in chart.bars for segment in bar.segments)
    assert [value for value, _ in chart.grid] == [0, 1]


@pytest.mark.parametrize(
    ("peak", "labels"),
    [(3, [0, 1, 2, 3]), (10, [0, 5, 10]), (2068, [0, 1000, 2000, 3000]), (99, [0, 50, 100])],
)
def test_every_scale_label_is_a_whole_number_and_the_top_covers_the_peak(peak, labels):
    chart = bars(["a"], [("stock", [peak])])
    assert [value for value, _ in chart.grid] == labels
    assert chart.bars[0].segments[0].y >= PLOT_TOP


def test_at_most_eight_day_labels_and_always_the_last():
    chart = bars([f"d{i}" for i in range(30)], [("stock", [1] * 30)])
    shown = [bar.label for bar in chart.bars if bar.show_label]
    assert len(shown) <= 8
    assert shown[-1] == "d29"
    assert len({bar.width for bar in chart.bars}) == 1


def test_colours_repeat_after_the_sixth_series():
    chart = bars(["mon"], [(f"key {n}", [1]) for n in range(8)])
    assert [colour for _, colour in chart.series] == [0, 1, 2, 3, 4, 5, 0, 1]
    assert [segment.series for segment in chart.bars[0].segments][-2:] == [0, 1]
