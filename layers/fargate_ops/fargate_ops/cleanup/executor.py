"""Applies a cleanup plan: marks, unmarks, deregistrations and deletions, paced and resumable.

Each kind's actions go in the plan's order of kinds, and within a kind: marks, unmarks, deregistrations,
deletions (image indexes before their platform images). Revisions go 10 at a time: the ACTIVE ones of
the next DeleteTaskDefinitions call (it takes 10, each INACTIVE already) are deregistered, then the call
is made (ECS answers DELETE_IN_PROGRESS and removes the revision once no task uses it). So a run that
runs out of time leaves at most 10 revisions deregistered and not deleted, and the next invocation reads
the tags of fewer revisions. Writes that change task definitions wait on ``revisions`` (the bucket
deploys share); the others on ``writes``.

A run stops before ``remaining()`` seconds fall under ``margin`` (a Lambda's time): what it did is done
in AWS, so planning again resumes where it stopped without redoing any of it (done marks are read back
as marks, deregistered revisions as INACTIVE, deleted resources are gone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.aws.inventory_table import CleanupTable
from fargate_ops.cleanup import executor_tasks
from fargate_ops.cleanup.pacing import TokenBucket
from fargate_ops.domain.cleanup_plan import (
    DELETE,
    DELETE_TASK_DEFINITIONS_BATCH,
    DEREGISTER,
    MARK,
    UNMARK,
    CleanupPlan,
)
from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    KINDS,
    LEASE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
)
from fargate_ops.domain.inventory import MARK_TAG, Inventory

TAG_BATCH = 20  # tag:TagResources / UntagResources and ELB AddTags / RemoveTags: 20 ARNs per call
IMAGE_BATCH = 100  # BatchDeleteImage: 100 image ids per call
PHASES = (MARK, UNMARK, DEREGISTER, DELETE)


class OutOfTimeError(Exception):
    """Internal: the next write would not finish before the run's time is up."""


@dataclass
class ExecutionReport:
    done: dict[str, int] = field(default_factory=dict)  # "<action> <kind>" -> count
    failures: list[dict[str, str]] = field(default_factory=list)
    complete: bool = True
    stopped_because: str | None = None

    def count(self, kind: str, action: str, n: int = 1) -> None:
        name = f"{action} {kind}"
        self.done[name] = self.done.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": dict(self.done),
            "failures": list(self.failures),
            "complete": self.complete,
            "stopped_because": self.stopped_because,
        }


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass
class Executor:
    clients: Callable[[str], Any]
    table: CleanupTable
    inventory: Inventory
    revisions: TokenBucket
    writes: TokenBucket
    remaining: Callable[[], float] = lambda: float("inf")
    margin: float = 10.0
    report: ExecutionReport = field(default_factory=ExecutionReport)
    progress: Callable[[str], None] = lambda _line: None
    # revision ARN -> the last action done to it, for what a continuation carries (continuation.py)
    revisions_done: dict[str, str] = field(default_factory=dict)

    def apply(self, plan: CleanupPlan) -> ExecutionReport:
        if plan.refused:
            return self.report
        try:
            for kind in KINDS:
                for phase in PHASES:
                    resources = [a.resource for a in plan.actions if a.kind == kind and a.action == phase]
                    if kind == TASK_DEFINITION and phase in (DEREGISTER, DELETE):
                        if phase == DELETE:
                            self._retire_revisions(plan)
                        continue
                    if resources:
                        self._run(kind, phase, resources, plan)
                        self.progress(f"{phase} {kind}: {len(resources)} done")
        except OutOfTimeError as stop:
            self.report.complete = False
            self.report.stopped_because = str(stop)
        return self.report

    # pacing ------------------------------------------------------------------------------------

    def _pace(self, bucket: TokenBucket) -> None:
        if bucket.wait_needed() + self.margin > self.remaining():
            raise OutOfTimeError("the run's time is nearly up: plan again (or run again) to go on")
        bucket.take()

    def _call(self, bucket: TokenBucket, client: str, operation: str, iam: str, **kwargs: Any) -> Any:
        self._pace(bucket)
        try:
            return getattr(self.clients(client), operation)(**kwargs)
        except ClientError as err:
            raise translate(err, iam) from err

    def _failed(self, kind: str, resource: str, reason: str) -> None:
        self.report.failures.append({"kind": kind, "resource": resource, "reason": reason})

    # per kind and action -----------------------------------------------------------------------

    def _run(self, kind: str, phase: str, resources: list[str], plan: CleanupPlan) -> None:
        if phase in (MARK, UNMARK):
            self._marks(kind, phase, resources, plan.mark_value, plan.now)
        elif kind == SERVICE:
            for arn in resources:
                cluster = arn.split(":service/", 1)[-1].split("/")[0]
                self._call(
                    self.writes, "ecs", "delete_service", "ecs:DeleteService", cluster=cluster, service=arn
                )
                self.report.count(kind, phase)
        elif kind == TARGET_GROUP:
            for arn in resources:
                self._call(
                    self.writes,
                    "elbv2",
                    "delete_target_group",
                    "elasticloadbalancing:DeleteTargetGroup",
                    TargetGroupArn=arn,
                )
                self.report.count(kind, phase)
        elif kind in (LEASE, DEPLOY_RECORD):
            self._delete_items(kind, resources, plan.now)
        elif kind == IMAGE:
            self._delete_images(resources)
        elif kind in executor_tasks.KINDS:
            self._leftovers().delete(kind, resources)
        else:
            for resource in resources:
                self._failed(kind, resource, "not supported by this executor")

    def _marks(self, kind: str, phase: str, resources: list[str], value: str, now: float) -> None:
        if kind == TASK_DEFINITION:
            for batch in _chunks(resources, TAG_BATCH):
                if phase == MARK:
                    answer = self._call(
                        self.writes,
                        "resourcegroupstaggingapi",
                        "tag_resources",
                        "tag:TagResources",
                        ResourceARNList=batch,
                        Tags={MARK_TAG: value},
                    )
                else:
                    answer = self._call(
                        self.writes,
                        "resourcegroupstaggingapi",
                        "untag_resources",
                        "tag:UntagResources",
                        ResourceARNList=batch,
                        TagKeys=[MARK_TAG],
                    )
                failed = answer.get("FailedResourcesMap", {})
                for arn, why in failed.items():
                    self._failed(kind, arn, f"{why.get('ErrorCode')}: {why.get('ErrorMessage')}")
                self.revisions_done.update((arn, phase) for arn in batch if arn not in failed)
                self.report.count(kind, phase, len(batch) - len(failed))
        elif kind == TARGET_GROUP:
            for arn in resources:  # AddTags takes several ARNs but ELB answers for them as one
                if phase == MARK:
                    self._call(
                        self.writes,
                        "elbv2",
                        "add_tags",
                        "elasticloadbalancing:AddTags",
                        ResourceArns=[arn],
                        Tags=[{"Key": MARK_TAG, "Value": value}],
                    )
                else:
                    self._call(
                        self.writes,
                        "elbv2",
                        "remove_tags",
                        "elasticloadbalancing:RemoveTags",
                        ResourceArns=[arn],
                        TagKeys=[MARK_TAG],
                    )
                self.report.count(kind, phase)
        elif kind == SERVICE:
            for arn in resources:
                if phase == MARK:
                    self._call(
                        self.writes,
                        "ecs",
                        "tag_resource",
                        "ecs:TagResource",
                        resourceArn=arn,
                        tags=[{"key": MARK_TAG, "value": value}],
                    )
                else:
                    self._call(
                        self.writes,
                        "ecs",
                        "untag_resource",
                        "ecs:UntagResource",
                        resourceArn=arn,
                        tagKeys=[MARK_TAG],
                    )
                self.report.count(kind, phase)
        elif kind in executor_tasks.KINDS:
            self._leftovers().mark(kind, phase, resources, value)
        else:  # what takes no tag: the mark lives in the table
            for resource in resources:
                self._pace(self.writes)
                if phase == MARK:
                    self.table.put_mark(kind, resource, now)
                else:
                    self.table.delete_mark(kind, resource)
                self.report.count(kind, phase)

    def _leftovers(self) -> executor_tasks.TaskLeftovers:
        return executor_tasks.TaskLeftovers(
            self.clients,
            self.inventory,
            lambda: self._pace(self.writes),
            lambda kind, action: self.report.count(kind, action),
            self._failed,
        )

    def _retire_revisions(self, plan: CleanupPlan) -> None:
        """Deregister (the ACTIVE ones) then delete, one DeleteTaskDefinitions call of 10 at a time."""
        active = {a.resource for a in plan.actions if a.kind == TASK_DEFINITION and a.action == DEREGISTER}
        deleting = plan.deletions(TASK_DEFINITION)
        for batch in _chunks(deleting, DELETE_TASK_DEFINITIONS_BATCH):
            for arn in (a for a in batch if a in active):
                self._call(
                    self.revisions,
                    "ecs",
                    "deregister_task_definition",
                    "ecs:DeregisterTaskDefinition",
                    taskDefinition=arn,
                )
                self.revisions_done[arn] = DEREGISTER
                self.report.count(TASK_DEFINITION, DEREGISTER)
            self._delete_revisions(batch)
        if deleting:
            self.progress(f"{DEREGISTER} and {DELETE} {TASK_DEFINITION}: {len(deleting)} done")

    def _delete_revisions(self, arns: list[str]) -> None:
        for batch in _chunks(arns, DELETE_TASK_DEFINITIONS_BATCH):
            answer = self._call(
                self.revisions,
                "ecs",
                "delete_task_definitions",
                "ecs:DeleteTaskDefinitions",
                taskDefinitions=batch,
            )
            accepted = answer.get("taskDefinitions", [])
            self.revisions_done.update((t.get("taskDefinitionArn", ""), DELETE) for t in accepted)
            # ECS answers DELETE_IN_PROGRESS: it removes the revision once no task uses it, by itself.
            self.report.count(TASK_DEFINITION, DELETE, len(accepted))
            for failure in answer.get("failures", []):
                self._failed(TASK_DEFINITION, str(failure.get("arn")), str(failure.get("reason")))

    def _delete_items(self, kind: str, resources: list[str], now: float) -> None:
        leases = {lease.key: lease for lease in self.inventory.leases}
        for resource in resources:
            self._pace(self.writes)
            if kind == LEASE:
                lease = leases.get(resource)
                deleted = lease is not None and self.table.delete_lease(resource, lease.deploy_id, now)
            else:
                deleted = self.table.delete_record(resource)
            if deleted:
                self.table.delete_mark(kind, resource)
                self.report.count(kind, DELETE)
            else:
                self._failed(kind, resource, "changed since it was planned (a deploy took it): left")

    def _delete_images(self, resources: list[str]) -> None:
        indexes = {i.id for i in self.inventory.images if i.children}
        # indexes first, in their own calls: ECR refuses a platform image an index still lists
        for phase in ([r for r in resources if r in indexes], [r for r in resources if r not in indexes]):
            by_repository: dict[str, list[str]] = {}
            for resource in phase:
                repository, _, digest = resource.partition("@")
                by_repository.setdefault(repository, []).append(digest)
            for repository, digests in by_repository.items():
                for batch in _chunks(digests, IMAGE_BATCH):
                    answer = self._call(
                        self.writes,
                        "ecr",
                        "batch_delete_image",
                        "ecr:BatchDeleteImage",
                        repositoryName=repository,
                        imageIds=[{"imageDigest": d} for d in batch],
                    )
                    for failure in answer.get("failures", []):
                        digest = str(failure.get("imageId", {}).get("imageDigest"))
                        self._failed(IMAGE, f"{repository}@{digest}", str(failure.get("failureReason")))
                    for digest in batch:
                        self.table.delete_mark(IMAGE, f"{repository}@{digest}")
                    self.report.count(IMAGE, DELETE, len(batch) - len(answer.get("failures", [])))
