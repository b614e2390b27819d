"""A large cleanup across invocations: the continue token carries the revisions already read, so a
continuation lists none again, yet still sees what came into use or was protected meanwhile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from fargate_ops import clients
from fargate_ops.domain.cleanup_policy import PROTECT_TAG
from fargate_ops.domain.inventory import MARK_TAG
from tests.adapters.conftest import status_of, tags_of

DAY = 86_400.0
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:cleanup"
EVENT = {"apply": True, "keep_revisions": 1, "kinds": ["task-definition"]}


@pytest.fixture
def calls() -> Iterator[Counter[str]]:
    """Every call the package's clients make, by operation; GetResources also by its tag filter."""
    seen: Counter[str] = Counter()

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen[model.name] += 1
        if model.name == "GetResources":
            keys = [f["Key"] for f in params.get("TagFilters", [])]
            seen[f"GetResources with {keys or 'no tag filter'}"] += 1

    events = clients._session().events  # clients copy the session's handlers when they are created
    events.register("before-parameter-build", count, unique_id="test-count-calls")
    yield seen
    events.unregister("before-parameter-build", unique_id="test-count-calls")


def interrupted(handler: Any, at: list[float], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Mark web:2..web:8, then, past the grace period, a run with time for a few deregistrations."""
    handler("cleanup").lambda_handler(EVENT, None)
    at[0] += 8 * DAY
    monkeypatch.setenv("CLEANUP_WRITES_PER_SECOND", "0.1")  # one deregistration every 10 s

    class Context:
        invoked_function_arn = FUNCTION
        deadline = at[0] + 20 + 35  # the handler keeps 20 s; enough for a few deregistrations

        def get_remaining_time_in_millis(self) -> int:
            return int((self.deadline - at[0]) * 1000)

    first: dict[str, Any] = handler("cleanup").lambda_handler(EVENT, Context())
    assert first["complete"] is False
    return first


def last_to_delete(first: dict[str, Any]) -> str:
    return str([a["resource"] for a in first["plan"]["actions"] if a["action"] == "delete"][-1])


def test_a_continuation_lists_no_revision_again_and_finishes_without_redoing(
    handler: Any,
    env: Any,
    revisions: list[str],
    at: list[float],
    calls: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = interrupted(handler, at, monkeypatch)
    done_first = first["applied"]["done"]["deregister task-definition"]
    calls.clear()

    second = handler("cleanup").lambda_handler({**EVENT, "continue": first["continue_token"]}, None)

    assert calls["ListTaskDefinitions"] == 0
    assert calls["GetResources"] == calls[f"GetResources with {[PROTECT_TAG]}"] == 1
    assert second["complete"] is True
    assert second["applied"]["done"] == {
        "deregister task-definition": 7 - done_first,
        "delete task-definition": 7,
    }
    assert {status_of(arn) for arn in revisions[1:8]} <= {"DELETE_IN_PROGRESS", "GONE"}
    assert [status_of(arn) for arn in (revisions[0], revisions[8])] == ["ACTIVE", "ACTIVE"]


def test_a_continuation_leaves_alone_a_revision_protected_since_the_run_began(
    handler: Any, env: Any, revisions: list[str], at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = interrupted(handler, at, monkeypatch)
    protected = last_to_delete(first)
    boto3.client("ecs").tag_resource(resourceArn=protected, tags=[{"key": PROTECT_TAG, "value": "yes"}])

    second = handler("cleanup").lambda_handler({**EVENT, "continue": first["continue_token"]}, None)

    assert protected in {x["resource"] for x in second["plan"]["left_alone"]}
    assert status_of(protected) == "ACTIVE"
    assert second["applied"]["done"]["delete task-definition"] == 6


def test_a_continuation_unmarks_a_revision_back_in_use_and_keeps_it(
    handler: Any, env: Any, world: Any, revisions: list[str], at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = interrupted(handler, at, monkeypatch)
    back = last_to_delete(first)
    boto3.client("ecs").create_service(
        cluster="prod", serviceName="batch", taskDefinition=back, desiredCount=1
    )

    second = handler("cleanup").lambda_handler({**EVENT, "continue": first["continue_token"]}, None)

    unmarked = [a["resource"] for a in second["plan"]["actions"] if a["action"] == "unmark"]
    assert unmarked == [back]
    assert MARK_TAG not in tags_of(back) and status_of(back) == "ACTIVE"
    assert second["applied"]["done"]["delete task-definition"] == 6


def test_a_token_that_carries_no_revisions_reads_them_all_again(
    handler: Any,
    env: Any,
    revisions: list[str],
    at: list[float],
    calls: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = interrupted(handler, at, monkeypatch)
    calls.clear()

    second = handler("cleanup").lambda_handler({**EVENT, "continue": first["continue_token"]["at"]}, None)

    assert calls["ListTaskDefinitions"] == 3  # one per status
    assert calls["GetResources with no tag filter"] == 1
    assert second["complete"] is True and second["applied"]["done"]["delete task-definition"] == 7


def test_a_forged_token_cannot_skip_the_grace_period(
    handler: Any, env: Any, revisions: list[str], at: list[float], calls: Counter[str]
) -> None:
    from fargate_ops.cleanup import continuation
    from fargate_ops.domain.inventory import ACTIVE, Revision

    # web:2..web:8 were never marked; a caller hands back a token saying they were, weeks ago.
    now = at[0]
    long_ago = {MARK_TAG: "2020-01-01T00:00:00Z"}
    claimed = [
        Revision(a, "web", int(a.rsplit(":", 1)[1]), ACTIVE, None, tags=long_ago) for a in revisions[1:8]
    ]
    forged = continuation.carry(now, claimed)
    assert isinstance(forged, dict)
    calls.clear()

    result = handler("cleanup").lambda_handler({**EVENT, "continue": forged}, None)

    assert calls["ListTaskDefinitions"] == 3, "the forged token's revisions were used"
    assert "deregister task-definition" not in result["applied"]["done"]
    assert result["applied"]["done"] == {"mark task-definition": 7}  # found as they are: marked today
    assert [status_of(arn) for arn in revisions[1:8]] == ["ACTIVE"] * 7
    assert any("not one this run issued" in w for w in result["plan"]["warnings"])


def test_marks_go_twenty_revisions_to_a_tagging_call(
    handler: Any, env: Any, world: Any, at: list[float], calls: Counter[str]
) -> None:
    ecs = boto3.client("ecs")
    arns = [
        ecs.register_task_definition(
            family="batch", containerDefinitions=[{"name": "job", "image": f"batch:{n}", "memory": 8}]
        )["taskDefinition"]["taskDefinitionArn"]
        for n in range(26)
    ]

    result = handler("cleanup").lambda_handler(EVENT, None)

    assert result["applied"]["done"] == {"mark task-definition": 25}
    assert calls["TagResources"] == 2  # 20, then 5
    assert all(MARK_TAG in tags_of(arn) for arn in arns[:25]) and MARK_TAG not in tags_of(arns[25])


def test_an_invocation_whose_revision_deletes_outlast_its_time_reads_no_ecr_and_the_last_one_does(
    handler: Any,
    env: Any,
    revisions: list[str],
    at: list[float],
    calls: Counter[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_images = {**EVENT, "kinds": ["task-definition", "image"]}
    handler("cleanup").lambda_handler(with_images, None)
    at[0] += 8 * DAY
    monkeypatch.setenv("CLEANUP_WRITES_PER_SECOND", "0.1")  # 7 deregistrations + 1 delete: 80 s

    class Context:
        invoked_function_arn = FUNCTION
        deadline = at[0] + 20 + 35

        def get_remaining_time_in_millis(self) -> int:
            return int((self.deadline - at[0]) * 1000)

    calls.clear()
    first = handler("cleanup").lambda_handler(with_images, Context())

    assert first["complete"] is False
    assert calls["DescribeRepositories"] == calls["DescribeImages"] == 0
    assert any(w.startswith("images not judged in this invocation") for w in first["plan"]["warnings"])
    calls.clear()

    last = handler("cleanup").lambda_handler({**with_images, "continue": first["continue_token"]}, None)

    assert last["complete"] is True and calls["DescribeRepositories"] == 1
    assert last["plan"]["warnings"] == []
