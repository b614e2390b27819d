"""How CloudWatch decides a metric alarm's state from the datapoints it can read: pure, from the user guide.

"How alarm state is evaluated when data is missing" (CloudWatch user guide, Alarm evaluation):

- CloudWatch reads more periods than Evaluation Periods (N), the *evaluation range*; the guide's example
  reads 5 for N = 3. Here the range is N + 2 (the guide gives no other size).
- At least N real datapoints in the range: the N most recent real ones are evaluated; how missing data
  is treated does not matter. So periods not yet ingested (the newest ones, an ingestion delay behind)
  do not count as missing while older real data fills the N.
- Fewer than N real ones: every real datapoint counts, and the missing ones are filled in (as few as
  possible, N - real) by TreatMissingData: `breaching` and `notBreaching` fill them; `missing` and
  `ignore` do not. With no real datapoint at all, `missing` goes to INSUFFICIENT_DATA and `ignore`
  keeps the current state.
- ALARM when at least M (Datapoints to Alarm) of the counted datapoints breach, else OK.
- "Avoiding premature transitions": with `missing`, an alarm still goes to ALARM when the oldest
  breaching datapoint among the N most recent periods is at least M periods old and every more recent
  one is breaching or missing (`- - X - -` with M = N = 3); with `ignore` it keeps its state instead.
  The guide's tables leave `0 - X - -` (M = 2) at OK, so this applies only when every real datapoint of
  the range breaches. `tests/world/test_alarm_rules.py` checks every row of the guide's two tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

State = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
RANGE_EXTRA_PERIODS = 2


def evaluation_range(evaluation_periods: int) -> int:
    return evaluation_periods + RANGE_EXTRA_PERIODS


@dataclass(frozen=True)
class Evaluation:
    state: State | None  # None: keep the current state (TreatMissingData ignore)
    evaluated: tuple[int, ...]  # indexes (into the slots, oldest first) of the real datapoints counted
    breaching: int  # counted datapoints that breach, filled ones included
    considered: int  # datapoints counted, real and filled
    filled: int  # missing datapoints filled in by TreatMissingData


def evaluate(
    breaches: list[bool | None],
    evaluation_periods: int,
    datapoints_to_alarm: int,
    treat_missing_data: str,
) -> Evaluation:
    """`breaches`: the evaluation range, oldest first, newest last; None where no datapoint is readable."""
    n, m = evaluation_periods, datapoints_to_alarm
    real = [i for i, b in enumerate(breaches) if b is not None]
    if len(real) >= n:
        used = tuple(real[-n:])
        hits = sum(1 for i in used if breaches[i])
        return Evaluation("ALARM" if hits >= m else "OK", used, hits, n, 0)
    used = tuple(real)
    hits = sum(1 for i in used if breaches[i])
    fill = n - len(real)
    if treat_missing_data in ("breaching", "notBreaching"):
        total = hits + (fill if treat_missing_data == "breaching" else 0)
        return Evaluation("ALARM" if total >= m else "OK", used, total, n, fill)
    if not real:
        return Evaluation("INSUFFICIENT_DATA" if treat_missing_data == "missing" else None, (), 0, 0, 0)
    if hits >= m:
        return Evaluation("ALARM", used, hits, len(used), 0)
    if _premature_alarm(breaches, n, m):
        return Evaluation("ALARM" if treat_missing_data == "missing" else None, used, hits, len(used), 0)
    return Evaluation("OK", used, hits, len(used), 0)


def _premature_alarm(breaches: list[bool | None], n: int, m: int) -> bool:
    if any(b is False for b in breaches):
        return False
    recent = breaches[-n:]  # oldest first
    oldest_breach = next((i for i, b in enumerate(recent) if b), None)
    return oldest_breach is not None and len(recent) - oldest_breach >= m
