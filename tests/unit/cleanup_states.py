"""Random account states for the cleanup properties, and an oracle of "in use" and "in scope".

States share families across clusters in and out of scope, and reference revisions from services,
task sets, tasks, rules and schedules (with and without a revision), deploy records and leases; images
have indexes; marks are old and new; some resources are protected or managed by another feature. The
oracle follows the definitions of docs/cleanup.md by brute force, without the domain's reference graph.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from hypothesis import strategies as st

from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    KINDS,
    LEASE,
    LOG_GROUP,
    NETWORK_INTERFACE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
    Guard,
    Scope,
)
from fargate_ops.domain.inventory import (
    ACTIVE,
    DELETE_IN_PROGRESS,
    INACTIVE,
    Application,
    Deployment,
    DeployRecord,
    Image,
    Inventory,
    Lease,
    Listener,
    ListenerRule,
    LogGroup,
    NetworkInterface,
    Repository,
    Revision,
    RuleTarget,
    ScheduleTarget,
    Service,
    TargetGroup,
    Task,
    TaskSet,
)
from tests.unit.cleanup_world import (
    DAY,
    NOW,
    digest,
    image_uri,
    inventory,
    marked,
    service_arn,
    td_arn,
    tg_arn,
)

CLUSTERS = ("prod-a", "prod-b", "staging")
FAMILIES = ("web", "api", "worker")
REPOSITORIES = ("web", "api")
APPS = ("web", "api")
SERVICE_NAMES = ("web-blue", "web-green", "api-blue", "api-green", "job")
PROTECT = {"fargate-ops:protect": "1"}
ECS_ENI = "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
MANAGING_TAGS = ("aws:cloudformation:stack-name", "AmazonECSManaged")

# A few moments rather than any float: the boundaries (exactly the grace period, exactly an age) matter
# more than the values between them, and one draw is cheap.
MOMENTS = tuple(NOW - d * DAY for d in (0, 0.5, 1, 2, 5, 6.99, 7, 8, 10, 30, 40))
times = st.sampled_from(MOMENTS)
clusters = st.sampled_from(CLUSTERS)


def _tag_variants() -> list[dict[str, str]]:
    variants: list[dict[str, str]] = [{}, {}, {}, {"team": "alpha"}, {"team": "beta"}, {"team": "alpha"}]
    variants += [PROTECT, {"aws:cloudformation:stack-name": "stack"}, {**PROTECT, "team": "alpha"}]
    return variants


VARIANTS = st.sampled_from(_tag_variants())
MARKS = st.none() | times
OWN = {"fargate-ops:application": "web"}


@st.composite
def tags(draw: st.DrawFn, own: bool = False) -> dict[str, str]:
    found = dict(draw(VARIANTS))
    if own and draw(st.booleans()):
        found.update(OWN)
    mark = draw(MARKS)
    return found if mark is None else marked(mark, found)


maybe_time = st.none() | times
coin = st.booleans()
one_in_six = st.integers(0, 5).map(lambda n: n == 0)
STATUSES = st.sampled_from((ACTIVE, ACTIVE, ACTIVE, INACTIVE, DELETE_IN_PROGRESS))
SERVICE_STATUSES = st.sampled_from(("ACTIVE", "ACTIVE", "DRAINING", "INACTIVE"))
DEPLOY_STATUSES = st.sampled_from(("RUNNING", "SUCCEEDED", "SUCCEEDED", "ROLLED_BACK", "FAILED"))
TASK_STATUSES = st.sampled_from(("RUNNING", "PENDING", "STOPPED"))
ENI_STATUSES = st.sampled_from(("available", "in-use"))
ENI_TYPES = st.sampled_from(("interface", "interface", "trunk"))
DESIRED = st.sampled_from((0, 0, 1, 2))
SERVICE_TIMES = st.sampled_from(tuple(NOW - d * DAY for d in (0, 3, 7, 8, 30, 40, 40)))
WINDOWS = st.sampled_from((0, 0, 3600, 2 * DAY))
STARTS = st.sampled_from(tuple(NOW - d * DAY for d in (0, 1, 3, 8, 40, 100, 150, 150)))
DURATIONS = st.sampled_from((0, 600, DAY))
LEASE_EXPIRIES = st.sampled_from(tuple(NOW + d * DAY for d in (1, 0.01, -0.01, -10, -100)))
LOG_OWNERS = st.lists(
    st.tuples(clusters, st.sampled_from(("web-blue", "api-green", "gone"))), max_size=3, unique=True
)
APP_PAIRS = st.lists(st.tuples(clusters, st.sampled_from(APPS)), max_size=3, unique=True)


def _some(values: list[str], most: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=most, unique=True).map(tuple) if values else st.just(())


@st.composite
def images(draw: st.DrawFn) -> list[Image]:
    """A few images per repository; an index lists later images of the same repository."""
    found: list[Image] = []
    for repository in REPOSITORIES:
        start = len(found) + 1
        numbers = list(range(start, start + draw(st.integers(0, 4))))
        for number in numbers:
            children = draw(_some([digest(n) for n in numbers if n > number], 2))
            image_tags = (f"v{number}",) if draw(coin) else ()
            found.append(
                Image(
                    repository,
                    digest(number),
                    image_tags,
                    draw(times),
                    children,
                    draw(maybe_time),
                    draw(coin),
                )
            )
    return found


@st.composite
def revisions(draw: st.DrawFn, uris: list[str]) -> list[Revision]:
    found = []
    used = st.lists(st.sampled_from(uris), max_size=2).map(tuple)
    for family in draw(st.lists(st.sampled_from(FAMILIES), min_size=1, max_size=3, unique=True)):
        for number in range(1, draw(st.integers(1, 6)) + 1):
            arn = td_arn(family, number)
            found.append(Revision(arn, family, number, draw(STATUSES), draw(used), draw(times), draw(tags())))
    return found


@st.composite
def services(
    draw: st.DrawFn, revision: st.SearchStrategy[str], groups: st.SearchStrategy[tuple[str, ...]]
) -> list[Service]:
    found = []
    names = st.lists(st.sampled_from(SERVICE_NAMES), max_size=2, unique=True)
    for cluster in CLUSTERS:
        for name in draw(names):
            desired = draw(DESIRED)
            deployments = [Deployment(draw(revision), "PRIMARY", draw(SERVICE_TIMES))]
            if draw(one_in_six):
                deployments.append(Deployment(draw(revision), "ACTIVE", draw(SERVICE_TIMES)))
            task_sets = (
                (TaskSet("ts-1", draw(revision), target_groups=draw(groups)),) if draw(one_in_six) else ()
            )
            running, pending = draw(st.integers(0, desired)), int(draw(one_in_six))
            status = draw(SERVICE_STATUSES)
            arn = service_arn(cluster, name)
            found.append(
                Service(
                    cluster,
                    name,
                    arn,
                    status,
                    desired,
                    running,
                    pending,
                    tuple(deployments),
                    task_sets,
                    draw(groups),
                    draw(tags(own=True)),
                    None,
                    draw(times),
                )
            )
    return found


@st.composite
def applications(
    draw: st.DrawFn, reference: st.SearchStrategy[str], groups: st.SearchStrategy[tuple[str, ...]]
) -> tuple[list[Application], list[DeployRecord], list[Lease]]:
    apps, records, leases = [], [], []
    for index, (cluster, app) in enumerate(draw(APP_PAIRS)):
        slots = (f"{app}-blue", f"{app}-green")
        ids = [f"d{index}-{k}" for k in range(draw(st.integers(0, 2)))]
        for deploy_id in ids:
            started, status = draw(STARTS), draw(DEPLOY_STATUSES)
            finished = None if status == "RUNNING" else min(started + draw(DURATIONS), NOW)
            live, green, window = draw(reference), draw(reference), draw(WINDOWS)
            records.append(
                DeployRecord(deploy_id, cluster, app, status, started, finished, live, green, window)
            )
        live_slot = draw(st.sampled_from((None, *slots)))
        apps.append(
            Application(cluster, app, slots, draw(groups), live_slot, draw(st.sampled_from((None, *ids))))
        )
        if draw(coin):
            leases.append(Lease(cluster, app, draw(st.sampled_from((*ids, "gone"))), draw(LEASE_EXPIRIES)))
    return apps, records, leases


@st.composite
def account_states(draw: st.DrawFn) -> Inventory:
    ecr = draw(images())
    uris = [image_uri(i.repository, tag=t) for i in ecr for t in i.tags]
    uris += [image_uri(i.repository, digest=i.digest) for i in ecr] + ["nginx:1", image_uri("web", "nope")]
    revs = draw(revisions(uris))
    revision = st.sampled_from([r.arn for r in revs])
    reference = revision | st.sampled_from(sorted({r.family for r in revs})).map(td_arn)  # family-only too
    group_arns = [tg_arn(f"tg-{i}") for i in range(draw(st.integers(0, 4)))]
    groups = _some(group_arns, 2)
    eni_ids = [f"eni-{i}" for i in range(draw(st.integers(0, 3)))]
    task_enis = _some(eni_ids, 1)
    tasks = [
        Task(
            f"arn:aws:ecs:us-east-1:1:task/{c}/t{i}", c, draw(revision), draw(TASK_STATUSES), draw(task_enis)
        )
        for i, c in enumerate(draw(st.lists(clusters, max_size=2)))
    ]
    rules = [
        RuleTarget(f"r-{i}", "t", draw(reference), c)
        for i, c in enumerate(draw(st.lists(clusters, max_size=1)))
    ]
    schedules = [
        ScheduleTarget(f"s-{i}", draw(reference), c, enabled=draw(coin))
        for i, c in enumerate(draw(st.lists(clusters, max_size=1)))
    ]
    apps, records, leases = draw(applications(reference, _some(group_arns, 1)))
    target_groups = [
        TargetGroup(
            arn,
            arn.split("/")[1],
            ("arn:lb/1",) if draw(one_in_six) else (),
            draw(tags(own=True)),
            "Amazon ECS" if draw(one_in_six) else None,
        )
        for arn in group_arns
    ]
    interfaces = [
        NetworkInterface(e, draw(ENI_STATUSES), draw(ENI_TYPES), ECS_ENI, None, draw(tags())) for e in eni_ids
    ]
    log_groups = [
        LogGroup(f"/ecs/{c}/{s}", draw(times), draw(maybe_time), (c, s), draw(tags()))
        for c, s in draw(LOG_OWNERS)
    ]
    repositories = [
        Repository(r, draw(st.sampled_from(({}, {}, {"team": "alpha"}, PROTECT)))) for r in REPOSITORIES
    ]
    untagged = [(IMAGE, i.id) for i in ecr] + [(LEASE, x.key) for x in leases]
    untagged += [(DEPLOY_RECORD, r.deploy_id) for r in records]
    listeners = [Listener("arn:listener/0", "arn:lb/1", draw(groups))] if draw(coin) else []
    rules_of_listeners = [ListenerRule("arn:rule/0", "arn:listener/0", draw(groups))] if draw(coin) else []
    return inventory(
        revisions=tuple(revs),
        services=tuple(draw(services(revision, groups))),
        tasks=tuple(tasks),
        rule_targets=tuple(rules),
        schedule_targets=tuple(schedules),
        target_groups=tuple(target_groups),
        listeners=tuple(listeners),
        listener_rules=tuple(rules_of_listeners),
        applications=tuple(apps),
        leases=tuple(leases),
        deploy_records=tuple(records),
        network_interfaces=tuple(interfaces),
        log_groups=tuple(log_groups),
        repositories=tuple(repositories),
        images=tuple(ecr),
        marks={key: draw(times) for key in untagged if draw(coin)},
    )


scopes = st.sampled_from(
    (
        Scope(),
        Scope(),
        Scope(),
        Scope(),
        Scope(clusters=("prod*",)),
        Scope(clusters=("staging",)),
        Scope(families=("web",)),
        Scope(repositories=("web",)),
        Scope(repositories=("*",)),
        Scope(tags={"team": "alpha"}),
        Scope(tags={"team": "*"}),
        Scope(clusters=("prod-a", "staging"), tags={"team": "alpha"}),
        Scope(clusters=("prod*",), families=("api", "worker")),
    )
)

CLUSTER_SCOPES = st.sampled_from(
    (Scope(clusters=("prod*",)), Scope(clusters=("staging",)), Scope(clusters=("prod-a",)))
)

policies = st.builds(
    CleanupPolicy,
    kinds=st.just(frozenset(KINDS)),
    keep_revisions=st.integers(1, 2),
    idle_slot_seconds=st.sampled_from((0, 2 * DAY, 7 * DAY)),
    log_group_idle_seconds=st.sampled_from((0, 10 * DAY)),
    record_retention_seconds=st.sampled_from((0, 30 * DAY)),
    image_min_idle_seconds=st.sampled_from((0, 5 * DAY)),
    scope=scopes,
    guard=st.just(Guard(max_count=None)),
)


# --- the oracle: in use ---------------------------------------------------------------------------------


def _family_and_number(reference: str) -> tuple[str, str]:
    family, _, number = reference.split("/")[-1].partition(":")
    return family, number


def _rollback_open(record: DeployRecord, now: float) -> bool:
    ended = record.finished_at if record.finished_at is not None else record.started_at
    return record.status == "RUNNING" or now < ended + record.rollback_window_seconds


def revisions_in_use(state: Inventory, keep: int, now: float) -> set[str]:
    """Referenced anywhere in the account, a rollback target, or among the newest ``keep`` ACTIVE."""
    existing = [s for s in state.services if s.status != "INACTIVE"]
    references = [d.task_definition for s in existing for d in s.deployments]
    references += [t.task_definition for s in existing for t in s.task_sets]
    references += [t.task_definition for t in state.tasks if t.last_status != "STOPPED"]
    references += [r.task_definition for r in state.rule_targets]
    references += [s.task_definition for s in state.schedule_targets]
    for record in state.deploy_records:
        if _rollback_open(record, now):
            references += [x for x in (record.live_task_definition, record.green_task_definition) if x]
    used = set()
    for r in state.revisions:
        active = sorted(
            (x.revision for x in state.revisions if x.family == r.family and x.status == ACTIVE), reverse=True
        )
        for reference in references:
            family, number = _family_and_number(reference)
            if family == r.family and (
                number == str(r.revision) or (not number and active and r.revision == active[0])
            ):
                used.add(r.arn)
        if r.status == ACTIVE and r.revision in active[:keep]:
            used.add(r.arn)
    return used


def target_groups_in_use(state: Inventory) -> set[str]:
    used = {g for x in (*state.listeners, *state.listener_rules) for g in x.target_groups}
    for s in state.services:
        if s.status != "INACTIVE":
            used |= set(s.target_groups) | {g for t in s.task_sets for g in t.target_groups}
    used |= {g.arn for g in state.target_groups if g.load_balancer_arns}
    return used | {g for a in state.applications for g in a.target_groups}


def services_in_use(state: Inventory, policy: CleanupPolicy, now: float) -> set[str]:
    """Every service but an idle slot of this tool's applications."""
    idle = set()
    for app in state.applications:
        records = [r for r in state.deploy_records if (r.cluster, r.application) == (app.cluster, app.name)]
        busy = any(_rollback_open(r, now) for r in records)
        busy |= any(
            (x.cluster, x.application) == (app.cluster, app.name) and x.expires_at > now for x in state.leases
        )
        for s in state.services:
            if s.cluster != app.cluster or s.name not in app.slots or s.name == app.live_slot or busy:
                continue
            last = max([s.created_at, *(d.updated_at for d in s.deployments), *(r.ended_at for r in records)])
            if (
                s.desired_count == s.running_count == s.pending_count == 0
                and now - last >= policy.idle_slot_seconds
            ):
                idle.add(s.arn)
    return {s.arn for s in state.services} - idle


def images_in_use(state: Inventory, revisions: Iterable[str]) -> set[str]:
    """Images the given revisions use by tag or digest, closed over image indexes both ways."""
    chosen = set(revisions)
    wanted = {u for r in state.revisions if r.arn in chosen for u in r.images or ()}
    used = set()
    for i in state.images:
        names = {image_uri(i.repository, tag=t) for t in i.tags} | {image_uri(i.repository, digest=i.digest)}
        if names & wanted:
            used.add(i.id)
    pairs = [
        (i, c)
        for i in state.images
        for c in state.images
        if c.repository == i.repository and c.digest in i.children
    ]
    while True:
        more = {c.id for i, c in pairs if i.id in used} | {i.id for i, c in pairs if c.id in used}
        if more <= used:
            return used
        used |= more


# --- the oracle: in scope, protected, managed -----------------------------------------------------------


def _matches(name: str | None, patterns: tuple[str, ...] | None) -> bool:
    return patterns is None or (name is not None and any(fnmatch.fnmatchcase(name, p) for p in patterns))


def placement(
    state: Inventory, kind: str, resource: str
) -> tuple[set[str], str | None, str | None, dict[str, str] | None]:
    """(clusters, family, repository, tags) of a resource, as docs/cleanup.md's scope table says."""
    if kind == TASK_DEFINITION:
        r = next(x for x in state.revisions if x.arn == resource)
        pairs = [
            (s.cluster, d.task_definition) for s in state.services for d in (*s.deployments, *s.task_sets)
        ]
        pairs += [
            (t.cluster, t.task_definition)
            for t in (*state.tasks, *state.rule_targets, *state.schedule_targets)
        ]
        pairs += [
            (d.cluster, x)
            for d in state.deploy_records
            for x in (d.live_task_definition, d.green_task_definition)
            if x
        ]
        return {c for c, td in pairs if _family_and_number(td)[0] == r.family}, r.family, None, dict(r.tags)
    if kind == TARGET_GROUP:
        g = next(x for x in state.target_groups if x.arn == resource)
        known = {a.cluster for a in state.applications if resource in a.target_groups}
        return (
            known | {s.cluster for s in state.services if resource in s.target_groups},
            None,
            None,
            dict(g.tags),
        )
    if kind == SERVICE:
        s = next(x for x in state.services if x.arn == resource)
        return {s.cluster}, None, None, dict(s.tags)
    if kind == NETWORK_INTERFACE:
        return set(), None, None, dict(next(x for x in state.network_interfaces if x.id == resource).tags)
    if kind == LOG_GROUP:
        lg = next(x for x in state.log_groups if x.name == resource)
        return {lg.service[0]} if lg.service else set(), None, None, dict(lg.tags)
    if kind == LEASE:
        return {next(x for x in state.leases if x.key == resource).cluster}, None, None, None
    if kind == DEPLOY_RECORD:
        return {next(x for x in state.deploy_records if x.deploy_id == resource).cluster}, None, None, None
    i = next(x for x in state.images if x.id == resource)
    repository = next((r for r in state.repositories if r.name == i.repository), None)
    return set(), None, i.repository, dict(repository.tags) if repository else {}


def in_scope(state: Inventory, scope: Scope, kind: str, resource: str) -> bool:
    found_clusters, family, repository, found_tags = placement(state, kind, resource)
    if scope.clusters is not None and not any(_matches(c, scope.clusters) for c in found_clusters):
        return False
    if not _matches(family, scope.families) or not _matches(repository, scope.repositories):
        return False
    if scope.tags is None:
        return True
    if found_tags is None:
        return False
    return all(k in found_tags and fnmatch.fnmatchcase(found_tags[k], v) for k, v in scope.tags.items())


def untouchable(state: Inventory, kind: str, resource: str) -> bool:
    """Protected by tag, or managed by another feature (by tag, or declared so by the adapter)."""
    found_tags = placement(state, kind, resource)[3] or {}
    if "fargate-ops:protect" in found_tags or any(t in found_tags for t in MANAGING_TAGS):
        return True
    return kind == TARGET_GROUP and any(g.managed_by for g in state.target_groups if g.arn == resource)
