"""Properties of the cleanup plan over random account states (tests/unit/cleanup_states.py).

Whatever the state and the policy: nothing in use is ever marked, deregistered or deleted (scope or no
scope); nothing out of scope, protected or managed by another feature is in the plan at all; an
executor can carry the plan out (AWS would refuse none of it) and what stays keeps what it uses; and
planning again after applying, after the grace period, finds nothing more to delete.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, UNMARK, CleanupPlan, plan_cleanup
from fargate_ops.domain.cleanup_policy import (
    IMAGE,
    KINDS,
    LOG_GROUP,
    NETWORK_INTERFACE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
    Guard,
    Scope,
)
from fargate_ops.domain.inventory import DELETE_IN_PROGRESS, Inventory
from tests.unit import cleanup_oracle as oracle
from tests.unit.cleanup_states import CLUSTER_SCOPES, account_states, policies
from tests.unit.cleanup_world import NOW, apply, image_uri, revision

# Small states, few examples: the whole file runs in a few seconds.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def changing(plan: CleanupPlan) -> set[tuple[str, str]]:
    """What the plan marks, deregisters or deletes (unmarking is not a change to fear)."""
    return {(a.kind, a.resource) for a in plan.actions if a.action != UNMARK}


@FAST
@given(account_states(), policies)
def test_nothing_in_use_is_ever_marked_deregistered_or_deleted(
    state: Inventory, policy: CleanupPolicy
) -> None:
    plan = plan_cleanup(state, policy, NOW)
    changed = changing(plan)
    revisions = oracle.revisions_in_use(state, policy.keep_revisions, NOW)

    assert not {(TASK_DEFINITION, arn) for arn in revisions} & changed
    assert not {(TARGET_GROUP, arn) for arn in oracle.target_groups_in_use(state)} & changed
    assert not {(SERVICE, arn) for arn in oracle.services_in_use(state, policy, NOW)} & changed
    assert not {(IMAGE, i) for i in oracle.images_in_use(state, revisions)} & changed
    assert not {(NETWORK_INTERFACE, e) for e in oracle.network_interfaces_kept(state)} & changed
    deleted = set(plan.deletions(TASK_DEFINITION))
    # what stays after the plan: ECS removes a DELETE_IN_PROGRESS revision once no task uses it
    staying = [
        r.arn
        for r in state.revisions
        if r.arn not in deleted and (r.status != DELETE_IN_PROGRESS or r.arn in revisions)
    ]
    kept_groups = oracle.log_groups_kept(
        state, staying, policy.log_group_prefixes, policy.log_group_idle_seconds, NOW
    )
    assert not {(LOG_GROUP, g) for g in kept_groups} & changed


@FAST
@given(account_states(), policies, CLUSTER_SCOPES)
def test_a_revision_a_service_outside_the_cluster_scope_runs_is_never_changed(
    state: Inventory, policy: CleanupPolicy, scope: Scope
) -> None:
    # The reviewer's case, made frequent: every example is scoped by cluster.
    plan = plan_cleanup(state, replace(policy, scope=scope), NOW)
    patterns = scope.clusters or ()
    outside = [s for s in state.services if not any(fnmatch.fnmatchcase(s.cluster, p) for p in patterns)]
    run_outside = {d.task_definition for s in outside if s.status != "INACTIVE" for d in s.deployments}

    assert not {(TASK_DEFINITION, arn) for arn in run_outside} & changing(plan)


@FAST
@given(account_states(), policies)
def test_nothing_out_of_scope_protected_or_managed_is_ever_in_the_plan(
    state: Inventory, policy: CleanupPolicy
) -> None:
    plan = plan_cleanup(state, policy, NOW)

    for action in plan.actions:
        assert oracle.in_scope(state, policy.scope, action.kind, action.resource), action
        assert not oracle.untouchable(state, action.kind, action.resource), action


@FAST
@given(account_states(), policies)
def test_an_executor_can_apply_the_plan_and_what_stays_keeps_what_it_uses(
    state: Inventory, policy: CleanupPolicy
) -> None:
    after = apply(state, plan_cleanup(state, policy, NOW))  # raises what AWS would refuse

    staying = [r for r in after.revisions if r.status != DELETE_IN_PROGRESS]
    before_images = {i.id for i in state.images}
    wanted = oracle.images_in_use(state, [r.arn for r in staying]) & before_images
    assert wanted <= {i.id for i in after.images}
    present = {(i.repository, i.digest) for i in after.images}
    assert {(i.repository, c) for i in after.images for c in i.children} <= present  # indexes stay whole


@FAST
@given(account_states(), policies)
def test_after_applying_and_the_grace_period_planning_again_finds_nothing_more_to_delete(
    state: Inventory, policy: CleanupPolicy
) -> None:
    later = NOW + policy.grace_seconds
    marked = apply(state, plan_cleanup(state, policy, NOW))
    again = plan_cleanup(marked, policy, NOW)
    cleaned = apply(marked, plan_cleanup(marked, policy, later))

    third = plan_cleanup(cleaned, policy, later)

    assert not [a for a in again.actions if a.action in (DEREGISTER, DELETE, UNMARK)]
    assert not [a for a in third.actions if a.action in (DEREGISTER, DELETE, UNMARK)]
    assert plan_cleanup(apply(cleaned, third), policy, later).actions == ()


@FAST
@given(account_states(), policies, st.integers(0, 3), st.none() | st.floats(0, 100))
def test_a_tripped_guard_leaves_no_action_and_an_untripped_one_was_respected(
    state: Inventory, policy: CleanupPolicy, count: int, percent: float | None
) -> None:
    guarded = replace(policy, guard=Guard(max_count=count, max_percent=percent))
    plan = plan_cleanup(state, guarded, NOW)
    open_plan = plan_cleanup(state, policy, NOW)

    if plan.refused:
        assert plan.actions == ()
        assert any(str(n) in plan.refused for n in range(count + 1, 100))
    else:
        assert plan.actions == open_plan.actions
        for kind in KINDS:
            assert len(plan.deletions(kind)) <= count


@FAST
@given(account_states(), policies, st.data())
def test_an_image_index_a_kept_revision_names_by_tag_or_digest_is_kept_with_its_platform_images(
    state: Inventory, policy: CleanupPolicy, data: st.DataObject
) -> None:
    indexes = [i for i in state.images if i.children]
    assume(indexes)
    index = data.draw(st.sampled_from(indexes))
    by_tag = bool(index.tags) and data.draw(st.booleans())
    uri = (
        image_uri(index.repository, tag=index.tags[0])
        if by_tag
        else image_uri(index.repository, digest=index.digest)
    )
    # The only revision of its family: among the newest N, so it stays; no other revision names the
    # platform images (they are referenced only through the index).
    only_by_index = replace(state, revisions=(*state.revisions, revision("nightly", 1, images=(uri,))))
    digests = {(i.repository, i.digest): i for i in state.images}
    family, pending = set(), [index]
    while pending:  # the index and everything it lists, however deep
        image = pending.pop()
        if image.id not in family:
            family.add(image.id)
            pending += [
                digests[(image.repository, c)] for c in image.children if (image.repository, c) in digests
            ]

    plan = plan_cleanup(only_by_index, policy, NOW)

    assert not {(IMAGE, i) for i in family} & changing(plan)
    kept = {k.resource for k in plan.kept if k.kind == IMAGE}
    judged = {a.resource for a in plan.actions} | {w.resource for w in plan.waiting} | kept
    assert family & judged <= kept


LEFTOVERS = st.builds(
    CleanupPolicy,
    kinds=st.just(frozenset({TASK_DEFINITION, NETWORK_INTERFACE, LOG_GROUP})),
    keep_revisions=st.integers(1, 2),
    log_group_idle_seconds=st.sampled_from((0, 10 * 86_400)),
    log_group_prefixes=st.just(("/ecs/",)),
    guard=st.just(Guard(max_count=None)),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(account_states(), LEFTOVERS)
def test_an_eni_ecs_did_not_leave_or_a_log_group_a_staying_revision_names_is_never_changed(
    state: Inventory, policy: CleanupPolicy
) -> None:
    # The kinds stopped tasks leave behind, with no scope: every candidate is judged.
    plan = plan_cleanup(state, policy, NOW)
    changed = changing(plan)
    in_use = oracle.revisions_in_use(state, policy.keep_revisions, NOW)
    deleted = set(plan.deletions(TASK_DEFINITION))
    staying = [
        r.arn
        for r in state.revisions
        if r.arn not in deleted and (r.status != DELETE_IN_PROGRESS or r.arn in in_use)
    ]
    kept_groups = oracle.log_groups_kept(
        state, staying, policy.log_group_prefixes, policy.log_group_idle_seconds, NOW
    )

    assert not {(NETWORK_INTERFACE, e) for e in oracle.network_interfaces_kept(state)} & changed
    assert not {(LOG_GROUP, g) for g in kept_groups} & changed
    # and what is not kept is acted on (marked, waiting or deleted) unless protected or managed
    judged = {a.resource for a in plan.actions} | {w.resource for w in plan.waiting}
    judged |= {x.resource for x in plan.left_alone}
    assert {g.name for g in state.log_groups} - kept_groups <= judged
