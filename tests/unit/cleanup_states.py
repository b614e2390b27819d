"""Random account states for the cleanup properties (the oracle they are judged by: cleanup_oracle.py).

States share families across clusters in and out of scope, and reference revisions from services,
task sets, tasks, rules and schedules (with and without a revision), deploy records and leases; images
have indexes; marks are old and new; some resources are protected or managed by another feature.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    KINDS,
    LEASE,
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
# ENI descriptions: ECS's (this account, another account), a Lambda's, a person's; with the flag ECS sets
ENI_DESCRIPTIONS = st.sampled_from(
    (
        ECS_ENI,
        ECS_ENI,
        ECS_ENI.replace("123456789012", "210987654321"),
        "AWS Lambda VPC ENI-web-1a2b3c4d",
        "my own",
    )
)
LOG_GROUPS = ("/ecs/web", "/ecs/api", "/ecs/gone", "/aws/lambda/job")

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
ENI_TYPES = st.sampled_from(("interface", "interface", "interface", "trunk", "lambda"))
DESIRED = st.sampled_from((0, 0, 1, 2))
SERVICE_TIMES = st.sampled_from(tuple(NOW - d * DAY for d in (0, 3, 7, 8, 30, 40, 40)))
WINDOWS = st.sampled_from((0, 0, 3600, 2 * DAY))
STARTS = st.sampled_from(tuple(NOW - d * DAY for d in (0, 1, 3, 8, 40, 100, 150, 150)))
DURATIONS = st.sampled_from((0, 600, DAY))
LEASE_EXPIRIES = st.sampled_from(tuple(NOW + d * DAY for d in (1, 0.01, -0.01, -10, -100)))
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
    # a revision's awslogs groups (account_states leaves one undescribed now and then)
    logging = st.lists(st.sampled_from(LOG_GROUPS), max_size=1).map(tuple)
    for family in draw(st.lists(st.sampled_from(FAMILIES), min_size=1, max_size=3, unique=True)):
        for number in range(1, draw(st.integers(1, 6)) + 1):
            arn = td_arn(family, number)
            found.append(
                Revision(
                    arn, family, number, draw(STATUSES), draw(used), draw(times), draw(tags()), draw(logging)
                )
            )
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
    if draw(one_in_six):  # one revision not described: no log group it may change is judged then
        undescribed = draw(st.integers(0, len(revs) - 1))
        revs[undescribed] = replace(revs[undescribed], log_groups=None)
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
        NetworkInterface(
            e, draw(ENI_STATUSES), draw(ENI_TYPES), draw(ENI_DESCRIPTIONS), None, draw(tags()), draw(coin)
        )
        for e in eni_ids
    ]
    log_groups = [
        LogGroup(name, draw(times), draw(maybe_time), draw(tags()))
        for name in draw(st.lists(st.sampled_from(LOG_GROUPS), max_size=3, unique=True))
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
    log_group_prefixes=st.sampled_from((("/ecs/",), ("/ecs/",), ("/ecs/", "/aws/"), ())),
    record_retention_seconds=st.sampled_from((0, 30 * DAY)),
    image_min_idle_seconds=st.sampled_from((0, 5 * DAY)),
    scope=scopes,
    guard=st.just(Guard(max_count=None)),
)
