"""The CloudWatch user guide's two tables ("How alarm state is evaluated when data is missing"), row by row.

Each row: the 5 datapoints of the evaluation range, oldest first ("0" not breaching, "X" breaching,
"-" missing), then the state for TreatMissingData missing, ignore, breaching, notBreaching ("keep":
the alarm retains its current state).
"""

import pytest

from fargate_ops_cli.local.world.alarm_rules import evaluate, evaluation_range

TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")

# Datapoints to Alarm 3, Evaluation Periods 3.
THREE_OF_THREE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", "keep", "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - X - -", ("ALARM", "keep", "ALARM", "OK")),
]
# Datapoints to Alarm 2, Evaluation Periods 3.
TWO_OF_THREE = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - X -", ("ALARM", "keep", "ALARM", "OK")),
]


def slots(row: str) -> list[bool | None]:
    return [None if c == "-" else c == "X" for c in row.split()]


def test_three_evaluation_periods_read_a_range_of_five() -> None:
    assert evaluation_range(3) == 5


@pytest.mark.parametrize(("row", "states"), THREE_OF_THREE)
def test_a_3_of_3_alarm_decides_as_the_guide_says(row: str, states: tuple[str, ...]) -> None:
    got = tuple(evaluate(slots(row), 3, 3, t).state or "keep" for t in TREATMENTS)

    assert got == states


@pytest.mark.parametrize(("row", "states"), TWO_OF_THREE)
def test_a_2_of_3_alarm_decides_as_the_guide_says(row: str, states: tuple[str, ...]) -> None:
    got = tuple(evaluate(slots(row), 3, 2, t).state or "keep" for t in TREATMENTS)

    assert got == states


@pytest.mark.parametrize("row", ["- - - - X", "- - - X -"])
def test_a_3_of_3_alarm_does_not_go_to_alarm_prematurely_on_a_recent_lone_breach(row: str) -> None:
    assert evaluate(slots(row), 3, 3, "missing").state != "ALARM"


def test_the_newest_periods_not_yet_ingested_do_not_count_when_older_data_fills_the_periods() -> None:
    # One evaluation period, the newest two not readable yet: the breaching one before them decides,
    # whatever the treatment of missing data.
    for treatment in TREATMENTS:
        outcome = evaluate(slots("X - -"), 1, 1, treatment)
        assert (outcome.state, outcome.evaluated, outcome.filled) == ("ALARM", (0,), 0), treatment
