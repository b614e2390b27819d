"""The account as cleanup sees it: plain data that adapters collect over the whole account and region.

Nothing here decides anything (references.py, orphans.py and cleanup_plan.py do, with ``now`` as a
parameter). Times are epoch seconds. Every collection is the whole account and region, whatever the
scope of deletion: "in use" is decided over everything, so a revision run by a service in a cluster out
of scope is still seen running.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from datetime import UTC, datetime
from functools import lru_cache

from fargate_ops import clock
from fargate_ops.frozen import frozen

Tags = Mapping[str, str]

# Task definition revision statuses. DELETE_IN_PROGRESS: DeleteTaskDefinitions accepted the revision;
# ECS removes it once no task uses it any more, and nothing more can be done to it.
ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"
DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"

# Deploy record statuses (the same words as domain/deploy.py).
RUNNING = "RUNNING"
FINAL_STATUSES = frozenset({"SUCCEEDED", "ROLLED_BACK", "FAILED"})

# The tag an orphan carries once found: when it was first found (ISO 8601 UTC). Resources that take no
# tags (ECR images, the table's items) keep the same fact in the table, read into ``Inventory.marks``.
MARK_TAG = "fargate-ops:orphan-since"


# --- task definitions -------------------------------------------------------------------------------


@frozen
class Revision:
    """One task definition revision. ``images`` and ``log_groups`` are ``None`` when the adapter did not
    describe it (DescribeTaskDefinition, one call per revision)."""

    arn: str
    family: str
    revision: int
    status: str = ACTIVE
    images: tuple[str, ...] | None = ()
    registered_at: float = 0.0
    tags: Tags = field(default_factory=dict)
    log_groups: tuple[str, ...] | None = ()  # its containers' awslogs-group; None: not described


@frozen
class TaskDefinitionRef:
    family: str
    revision: int | None  # None: a family-only reference, which means the latest ACTIVE revision


def task_definition_ref(text: str) -> TaskDefinitionRef:
    """``arn:...:task-definition/web:12``, ``web:12``, ``arn:...:task-definition/web`` or ``web``."""
    name = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
    family, colon, revision = name.rpartition(":")
    if colon and revision.isdigit():
        return TaskDefinitionRef(family, int(revision))
    return TaskDefinitionRef(name, None)


# --- ECS services, tasks and the schedules that start tasks --------------------------------------------


@frozen
class Deployment:
    task_definition: str
    status: str = "PRIMARY"  # PRIMARY, ACTIVE (draining the old revision), INACTIVE
    updated_at: float = 0.0


@frozen
class TaskSet:
    """A task set of a service with the EXTERNAL or CODE_DEPLOY deployment controller."""

    id: str
    task_definition: str
    status: str = "PRIMARY"
    target_groups: tuple[str, ...] = ()


@frozen
class Service:
    cluster: str  # name
    name: str
    arn: str
    status: str = "ACTIVE"  # ACTIVE, DRAINING, INACTIVE (deleted: DescribeServices shows it a while)
    desired_count: int = 0
    running_count: int = 0
    pending_count: int = 0
    deployments: tuple[Deployment, ...] = ()
    task_sets: tuple[TaskSet, ...] = ()
    target_groups: tuple[str, ...] = ()
    tags: Tags = field(default_factory=dict)
    managed_by: str | None = None
    created_at: float = 0.0

    @property
    def exists(self) -> bool:
        return self.status != "INACTIVE"


@frozen
class Task:
    arn: str
    cluster: str
    task_definition: str
    last_status: str = "RUNNING"  # PROVISIONING ... RUNNING ... STOPPING, STOPPED
    network_interfaces: tuple[str, ...] = ()  # the ENI ids of its attachments (awsvpc)

    @property
    def live(self) -> bool:
        return self.last_status != "STOPPED"


@frozen
class RuleTarget:
    """An ECS target of an EventBridge rule (a scheduled or event-driven RunTask)."""

    rule: str
    target_id: str
    task_definition: str  # with or without a revision
    cluster: str = ""  # cluster ARN or name
    event_bus: str = "default"
    enabled: bool = True


@frozen
class ScheduleTarget:
    """An EventBridge Scheduler schedule whose target is ECS RunTask."""

    schedule: str
    task_definition: str  # with or without a revision
    cluster: str = ""
    group: str = "default"
    enabled: bool = True


# --- load balancing ---------------------------------------------------------------------------------


@frozen
class TargetGroup:
    arn: str
    name: str
    load_balancer_arns: tuple[str, ...] = ()  # DescribeTargetGroups: the balancers that route to it
    tags: Tags = field(default_factory=dict)
    managed_by: str | None = None  # set by an adapter that knows (e.g. ECS-managed load balancing)


@frozen
class Listener:
    arn: str
    load_balancer_arn: str
    target_groups: tuple[str, ...] = ()  # of its default forward actions


@frozen
class ListenerRule:
    arn: str
    listener_arn: str
    target_groups: tuple[str, ...] = ()  # of its forward actions


# --- this tool's own items (the table) ------------------------------------------------------------------


@frozen
class Application:
    cluster: str
    name: str
    slots: tuple[str, ...]
    target_groups: tuple[str, ...] = ()
    live_slot: str | None = None
    last_deploy_id: str | None = None


@frozen
class Lease:
    cluster: str
    application: str
    deploy_id: str
    expires_at: float

    @property
    def key(self) -> str:
        return f"{self.cluster}/{self.application}"


@frozen
class DeployRecord:
    deploy_id: str
    cluster: str
    application: str
    status: str
    started_at: float
    finished_at: float | None = None
    live_task_definition: str | None = None  # what a rollback returns to
    green_task_definition: str | None = None
    rollback_window_seconds: int = 0
    expires_at: float | None = None  # DynamoDB TTL, which deletes late (often days): never relied on

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def ended_at(self) -> float:
        return self.finished_at if self.finished_at is not None else self.started_at

    @property
    def rollback_until(self) -> float:
        return self.ended_at + self.rollback_window_seconds


# --- networking and logs -------------------------------------------------------------------------------


@frozen
class NetworkInterface:
    """An ENI as DescribeNetworkInterfaces shows it. An awsvpc task's ENI (Fargate's, or ECS's on EC2) is
    type ``interface``, requester-managed (ECS created it: no one can set that flag by hand) and described
    by its attachment's ARN; domain/orphans_tasks.py tells them apart."""

    id: str
    status: str  # available, in-use, attaching, detaching, associated
    interface_type: str = "interface"  # ECS trunk ENIs are "trunk"; Lambda, NAT and others have their own
    description: str = ""  # an awsvpc task ENI: "arn:aws:ecs:<region>:<account>:attachment/<id>"
    requester_id: str | None = None
    tags: Tags = field(default_factory=dict)
    requester_managed: bool = False  # created by an AWS service on the account's behalf


@frozen
class LogGroup:
    """A log group of the configured prefixes. CloudWatch Logs has no last-event field on a group:
    ``last_event_at`` is its newest stream's ``lastEventTimestamp`` (``None``: no event at all)."""

    name: str
    created_at: float
    last_event_at: float | None = None
    tags: Tags = field(default_factory=dict)
    managed_by: str | None = None
    arn: str = ""  # as tagging takes it (no ":*" at the end)


# --- ECR -----------------------------------------------------------------------------------------------


@frozen
class Repository:
    name: str
    tags: Tags = field(default_factory=dict)
    managed_by: str | None = None


@frozen
class Image:
    """An image (manifest) in a repository; an image index lists its platform images' digests."""

    repository: str
    digest: str
    tags: tuple[str, ...] = ()
    pushed_at: float = 0.0
    children: tuple[str, ...] = ()  # an image index's (multi-architecture) manifests, same repository
    last_pulled_at: float | None = None
    archived: bool = False  # ECR's archive tier: a pull answers 404 until it is restored

    @property
    def id(self) -> str:
        return image_id(self.repository, self.digest)


def image_id(repository: str, digest: str) -> str:
    return f"{repository}@{digest}"


@frozen
class ImageUse:
    """An image used outside ECS task definitions (a Lambda function's image, for instance)."""

    user: str
    image: str


@frozen
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None


_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr[.-]ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$"
)


def ecr_image_ref(uri: str, account: str, region: str) -> ImageRef | None:
    """The image of this account's registry in this region that ``uri`` names; ``None`` for another one.

    ``repo:tag``, ``repo@sha256:...`` or both (the digest is what a pull resolves, the tag is kept too);
    no tag and no digest means ``latest``, as a pull does.
    """
    host, slash, rest = uri.partition("/")
    found = _ECR_HOST.match(host) if slash else None
    if found is None or found["account"] != account or found["region"] != region:
        return None
    name, _, digest = rest.partition("@")
    repository, colon, tag = name.rpartition(":")  # a repository name has no ":", a tag no "/"
    if not colon:
        repository, tag = name, ""
    if digest:
        return ImageRef(repository, tag or None, digest)
    return ImageRef(repository, tag or "latest", None)


# --- the whole account ---------------------------------------------------------------------------------


@frozen
class Inventory:
    account: str
    region: str
    revisions: tuple[Revision, ...] = ()
    services: tuple[Service, ...] = ()
    tasks: tuple[Task, ...] = ()
    rule_targets: tuple[RuleTarget, ...] = ()
    schedule_targets: tuple[ScheduleTarget, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    listeners: tuple[Listener, ...] = ()
    listener_rules: tuple[ListenerRule, ...] = ()
    applications: tuple[Application, ...] = ()
    leases: tuple[Lease, ...] = ()
    deploy_records: tuple[DeployRecord, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    repositories: tuple[Repository, ...] = ()
    images: tuple[Image, ...] = ()
    image_uses: tuple[ImageUse, ...] = ()
    # (kind, resource) -> when it was first found an orphan, for resources that take no tags
    marks: Mapping[tuple[str, str], float] = field(default_factory=dict)


# --- marks and who else manages a resource -------------------------------------------------------------


def format_mark(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)  # an account's marks share a few dates; a plan reads thousands of them
def parse_mark(text: str | None) -> float | None:
    """The time in a mark tag; ``None`` when absent or unreadable (a hand-edited tag is marked again)."""
    return clock.parse_iso(text)


# Tags by which another AWS feature says it owns a resource: deleting one by hand breaks that feature
# (a CloudFormation stack drifts and fails its next update; ECS re-creates or loses what it manages).
_MANAGING_TAGS = (
    ("AmazonECSManaged", "Amazon ECS"),
    ("aws:cloudformation:stack-name", "CloudFormation stack {}"),
    ("elasticbeanstalk:environment-name", "Elastic Beanstalk environment {}"),
    ("elbv2.k8s.aws/cluster", "the AWS Load Balancer Controller of {}"),
    ("aws:servicecatalog:provisionedProductArn", "Service Catalog product {}"),
)


def managed_by(declared: str | None, tags: Tags | None) -> str | None:
    """Who else manages a resource: what the adapter declared, else what a known tag says."""
    if declared:
        return declared
    for key, who in _MANAGING_TAGS:
        if tags and key in tags:
            return who.format(tags[key])
    return None


@lru_cache(maxsize=4096)  # reasons repeat the same few moments (now, the end of the grace period)
def iso_day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
