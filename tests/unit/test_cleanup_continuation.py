"""The continue token's carried revisions: compact, exact, brought up to date with what a run did."""

from __future__ import annotations

import json

from fargate_ops.cleanup import continuation
from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK
from fargate_ops.domain.inventory import ACTIVE, INACTIVE, MARK_TAG, Revision

STEM = "arn:aws:ecs:eu-west-1:123456789012:task-definition/{}"


def revision(family: str, n: int, status: str = ACTIVE, **tags: str) -> Revision:
    return Revision(f"{STEM.format(family)}:{n}", family, n, status, None, tags=dict(tags))


def test_carried_revisions_come_back_exactly_as_they_went() -> None:
    mark = {MARK_TAG: "2026-01-01T00:00:00Z"}
    revisions = [revision("web", n, **mark) for n in (1, 2, 3, 7, 9, 10)]
    revisions += [revision("web", 4, INACTIVE), revision("batch-nightly", 12)]
    revisions.append(Revision(f"{STEM.format('api')}:3", "api", 3, ACTIVE, ("api:v3", "sidecar:1"), tags={}))

    token = continuation.carry(1_700_000_000.0, revisions)

    assert isinstance(token, dict) and token["at"] == 1_700_000_000.0
    assert sorted(continuation.carried(token) or [], key=lambda r: r.arn) == sorted(
        revisions, key=lambda r: r.arn
    )


def test_ten_thousand_revisions_of_a_hundred_families_carry_in_a_few_kilobytes() -> None:
    mark = {MARK_TAG: "2026-01-01T00:00:00Z"}
    revisions = [revision(f"job-{f:03d}", n, **mark) for f in range(100) for n in range(1, 96)]
    revisions += [revision(f"job-{f:03d}", n) for f in range(100) for n in range(96, 101)]

    token = continuation.carry(0.0, revisions)

    assert len(json.dumps(token)) < 40_000
    assert len(continuation.carried(token) or []) == 10_000


def test_a_state_too_large_to_carry_leaves_the_planning_moment_alone() -> None:
    revisions = [revision("web", n, note=f"unique-{n}") for n in range(1, 5000, 2)]

    assert continuation.carry(42.0, revisions) == 42.0


def test_what_a_run_did_is_carried_deleted_gone_deregistered_inactive_marks_written_and_removed() -> None:
    old = {MARK_TAG: "2026-01-01T00:00:00Z"}
    one, two, three, four, five = (revision("web", n, **(old if n < 4 else {})) for n in range(1, 6))
    done = {one.arn: DELETE, two.arn: DEREGISTER, three.arn: UNMARK, four.arn: MARK}

    after = {
        r.arn: r
        for r in continuation.after_apply([one, two, three, four, five], done, "2026-02-02T00:00:00Z")
    }

    assert one.arn not in after
    assert after[two.arn].status == INACTIVE and after[two.arn].tags == old
    assert MARK_TAG not in after[three.arn].tags
    assert after[four.arn].tags == {MARK_TAG: "2026-02-02T00:00:00Z"}
    assert after[five.arn] == five


def test_a_token_that_is_not_a_carried_state_carries_nothing() -> None:
    assert continuation.carried(1_700_000_000.0) is None
    assert continuation.carried({"at": 1.0, "version": 99, "revisions": []}) is None
    bad = {"at": 1.0, "version": 1, "revisions": [{"stem": STEM.format("web"), "status": "GONE"}]}
    assert continuation.carried(bad) is None
    assert continuation.carried({"at": 1.0, "version": 1, "revisions": [{"stem": "x"}]}) is None
