from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.cleanup import KEPT_REFERENCED, plan_family

PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:"


def revisions(*numbers: int) -> list[str]:
    return [f"{PREFIX}{n}" for n in numbers]


def test_the_newest_revisions_are_kept_and_the_rest_planned_for_deregistration() -> None:
    plan = plan_family("web", revisions(1, 2, 3, 4, 5, 6, 7), referenced=set(), keep=5)

    assert plan.deregister == revisions(2, 1)
    assert list(plan.keep) == revisions(7, 6, 5, 4, 3)


def test_revision_numbers_sort_numerically_not_as_text() -> None:
    plan = plan_family("web", revisions(9, 10, 11), referenced=set(), keep=1)

    assert list(plan.keep) == revisions(11)


def test_a_referenced_revision_is_kept_however_old_and_says_why() -> None:
    plan = plan_family("web", revisions(1, 2, 3, 4), referenced={f"{PREFIX}1"}, keep=2)

    assert plan.keep[f"{PREFIX}1"] == [KEPT_REFERENCED]
    assert plan.deregister == revisions(2)


def test_a_recent_and_referenced_revision_lists_both_reasons() -> None:
    plan = plan_family("web", revisions(1), referenced={f"{PREFIX}1"}, keep=1)

    assert len(plan.keep[f"{PREFIX}1"]) == 2


revision_sets = st.sets(st.integers(min_value=1, max_value=500), max_size=40)


@given(revision_sets, st.data(), st.integers(min_value=1, max_value=10))
def test_no_referenced_revision_is_ever_planned_for_deregistration(
    numbers: set[int], data: st.DataObject, keep: int
) -> None:
    all_revisions = revisions(*numbers)
    referenced = (
        set(data.draw(st.lists(st.sampled_from(all_revisions), max_size=5))) if all_revisions else set()
    )

    plan = plan_family("web", all_revisions, referenced, keep)

    assert not referenced & set(plan.deregister)


@given(revision_sets, st.integers(min_value=1, max_value=10))
def test_every_revision_is_either_kept_or_deregistered_and_the_newest_are_kept(
    numbers: set[int], keep: int
) -> None:
    plan = plan_family("web", revisions(*numbers), set(), keep)

    assert set(plan.keep) | set(plan.deregister) == set(revisions(*numbers))
    assert not set(plan.keep) & set(plan.deregister)
    assert set(plan.keep) == set(revisions(*sorted(numbers, reverse=True)[:keep]))
