"""Recovering a deploy that ended without finishing: the reconciler's and `fargate-ops recover`'s logic.

Logs nothing itself (the CLI prints its own JSON on stdout); the reconciler logs what it did.
`inspect` reads the truth (the record, the lease, the listener's live weights, each slot's healthy
targets); `recover` puts all traffic on the healthy slot (domain/recovery.py decides which), writes the
final record (conditional on its status: of two reconcilers of one deploy, one finishes it), releases
the lease only when traffic is whole on one slot, and otherwise holds it (ROLLBACK_FAILED).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.recovery import SlotHealth, healthy_slot, recover_command, whole_on
from fargate_ops.domain.traffic import weights_for
from fargate_ops.errors import FargateOpsError

if TYPE_CHECKING:
    from fargate_ops.aws.adapters import Adapters

Publish = Callable[[str, Mapping[str, Any]], Any]


@dataclass
class Situation:
    deploy_id: str
    record: dict[str, Any] | None
    lease_holder: str | None = None
    listener_arn: str | None = None
    weights: dict[str, int] | None = None
    live: SlotHealth | None = None
    green: SlotHealth | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return str(self.record.get("status")) if self.record else None

    @property
    def whole_on(self) -> SlotHealth | None:
        return whole_on(self.weights, (self.live, self.green)) if self.live and self.green else None

    def traffic(self) -> str:
        if self.weights is None:
            return "unknown"
        names = {s.target_group_arn: s.service for s in (self.live, self.green) if s is not None}
        return " / ".join(f"{names.get(tg, tg)} {w}" for tg, w in self.weights.items())

    def to_json(self) -> dict[str, Any]:
        slots = [(role, s) for role, s in (("live", self.live), ("green", self.green)) if s is not None]
        return {
            "deploy_id": self.deploy_id,
            "status": self.status,
            "lease_holder": self.lease_holder,
            "listener_arn": self.listener_arn,
            "weights": self.weights,
            "traffic": self.traffic(),
            "slots": [
                {
                    "role": role,
                    "service": s.service,
                    "target_group_arn": s.target_group_arn,
                    "healthy": s.healthy,
                }
                for role, s in slots
            ],
            "problems": list(self.problems),
        }


def _slot(adapters: Adapters, slot: Mapping[str, Any] | None, problems: list[str]) -> SlotHealth | None:
    if not slot or not slot.get("target_group_arn"):
        return None
    try:
        healthy: int | None = adapters.elbv2.healthy_targets(str(slot["target_group_arn"]))
    except FargateOpsError as err:
        healthy = None
        problems.append(f"cannot read the health of {slot.get('service')}: {err}")
    return SlotHealth(str(slot.get("service")), str(slot["target_group_arn"]), healthy)


def inspect(adapters: Adapters, deploy_id: str) -> Situation:
    """The deploy's record, lease, live weights and slot health, as they are now."""
    record = adapters.store.get_deploy(deploy_id)
    situation = Situation(deploy_id, record)
    if record is None:
        return situation
    cluster, application = str(record.get("cluster")), str(record.get("application"))
    lease = adapters.store.lease(cluster, application)
    situation.lease_holder = lease.deploy_id if lease else None
    listener = record.get("listener_arn")
    if not listener:
        app = adapters.store.get_application(cluster, application)
        listener = app.listener_arn if app else None
    situation.listener_arn = str(listener) if listener else None
    if situation.listener_arn:
        try:
            situation.weights = adapters.elbv2.weights(situation.listener_arn)
        except FargateOpsError as err:
            situation.problems.append(f"cannot read the listener's weights: {err}")
    situation.live = _slot(adapters, record.get("live"), situation.problems)
    situation.green = _slot(adapters, record.get("green"), situation.problems)
    return situation


@dataclass(frozen=True)
class Recovery:
    status: str  # the record's final status, or what it already was
    traffic: str
    lease_released: bool
    acted: bool  # False: nothing to do, or another reconciler finished it first
    text: str


def recover(
    adapters: Adapters,
    situation: Situation,
    *,
    by: str,
    from_statuses: Collection[str],
    execution: Mapping[str, Any] | None = None,
    publish: Publish | None = None,
) -> Recovery:
    """Traffic on a healthy slot, the record final, the lease released if traffic is whole on one slot.

    ``from_statuses``: the record statuses this may finish (the reconciler: RUNNING; an operator:
    RUNNING and ROLLBACK_FAILED). ``execution``: {status, error, cause} of the ended execution.
    """
    record = situation.record
    if record is None or situation.live is None or situation.green is None:
        return Recovery(
            situation.status or "NONE", situation.traffic(), False, False, "no deploy record to recover"
        )
    cluster, application = str(record["cluster"]), str(record["application"])
    live, green = situation.live, situation.green
    if situation.status not in from_statuses:
        released = _release_if_whole(adapters, situation, cluster, application)
        text = f"the record is already final ({situation.status})" + (
            "; released the lease" if released else ""
        )
        return Recovery(str(situation.status), situation.traffic(), released, released, text)
    target = healthy_slot(live, green)
    if target is not None and situation.listener_arn:
        green_percent = 0 if target is live else 100
        weights = weights_for(green_percent, live.target_group_arn, green.target_group_arn)
        if adapters.elbv2.set_weights(situation.listener_arn, weights):
            entry = {"at": clock.iso(), "weights": weights, "by": by}
            adapters.store.append_weights(situation.deploy_id, str(record.get("execution", "")), entry)
        situation.weights = adapters.elbv2.weights(situation.listener_arn)  # verified, not assumed
        _settle_slots(adapters, record, cluster, application, target, live, green)
    whole = situation.whole_on
    if whole is not None and whole is live:
        status = decisions.ROLLED_BACK
    elif whole is not None:
        status = decisions.FAILED
    else:
        status = decisions.ROLLBACK_FAILED
    reason = _reason(record, situation, by, target, status, execution)
    fields = {
        "status": status,
        "weights": situation.weights or {},
        "rollback_reason": reason,
        "finished_at": clock.iso(),
        "waiting": None,
    }
    if not adapters.store.finish_deploy(
        situation.deploy_id, str(record.get("execution", "")), fields, from_statuses=from_statuses
    ):
        return Recovery(
            str(situation.status), situation.traffic(), False, False, "another recovery finished it first"
        )
    if whole is not None:
        released = adapters.store.release_lease(cluster, application, situation.deploy_id)
    else:
        adapters.store.hold_lease(cluster, application, situation.deploy_id)
        released = False
    _forget_waits(adapters, record, cluster, green.service, situation.deploy_id)
    if publish is not None:
        where = f"traffic on {whole.service}" if whole is not None else f"traffic split {situation.traffic()}"
        urgent = "URGENT: " if whole is None else ""
        publish(f"fargate-ops {urgent}{application} deploy {situation.deploy_id} {status}, {where}", reason)
    return Recovery(status, situation.traffic(), released, True, str(reason["summary"]))


def _settle_slots(
    adapters: Adapters,
    record: Mapping[str, Any],
    cluster: str,
    application: str,
    target: SlotHealth,
    live: SlotHealth,
    green: SlotHealth,
) -> None:
    """As Rollback leaves them: back on live, green scaled to zero; on green, green becomes live."""
    if target is live:
        try:
            adapters.ecs.scale(cluster, green.service, 0)
        except FargateOpsError as err:  # traffic is safe already; the idle slot costs money, not requests
            situation_note = f"could not scale {green.service} to zero: {err}"
            adapters.store.update_deploy(
                str(record["deploy_id"]),
                str(record.get("execution", "")),
                {},
                append={"notes": [situation_note]},
            )
    app = adapters.store.get_application(cluster, application)
    if app is not None and app.live_slot != target.service:
        adapters.store.set_live_slot(cluster, application, target.service, at=clock.iso())


def _reason(
    record: Mapping[str, Any],
    situation: Situation,
    by: str,
    target: SlotHealth | None,
    status: str,
    execution: Mapping[str, Any] | None,
) -> dict[str, Any]:
    reason = dict(record.get("rollback_reason") or {})
    ended = f"the execution ended {execution.get('status')}" if execution else "the deploy did not finish"
    if target is not None and status != decisions.ROLLBACK_FAILED:
        summary = f"{ended}; {by} put all traffic on {target.service} (healthy)"
    elif status != decisions.ROLLBACK_FAILED:
        summary = f"{ended}; no slot could be told healthy, traffic was already whole: {situation.traffic()}"
    else:
        summary = (
            f"{ended}; {by} could not tell which slot is healthy and left traffic {situation.traffic()}:"
            f" run {recover_command(situation.deploy_id)} once one is"
        )
    reason.setdefault("error", (execution or {}).get("error") or "DeployNotFinished")
    reason.update(
        {
            "summary": summary,
            "recovered": {
                "by": by,
                "at": clock.iso(),
                "execution": dict(execution or {}),
                "traffic": situation.traffic(),
                "healthy": {s.service: s.healthy for s in (situation.live, situation.green) if s},
                "problems": list(situation.problems),
            },
        }
    )
    return reason


def _release_if_whole(adapters: Adapters, situation: Situation, cluster: str, application: str) -> bool:
    """A final record whose lease was left behind (its ReleaseLease failed): free it, unless traffic is
    split or the record is ROLLBACK_FAILED (only an operator's recover releases that one)."""
    if situation.lease_holder != situation.deploy_id or situation.status == decisions.ROLLBACK_FAILED:
        return False
    if situation.whole_on is None:
        return False
    return adapters.store.release_lease(cluster, application, situation.deploy_id)


def _forget_waits(
    adapters: Adapters, record: Mapping[str, Any], cluster: str, green: str, deploy_id: str
) -> None:
    """The execution is over: its tokens answer nothing any more, so nothing should look for them."""
    adapters.store.delete_wait(cluster, green, deploy_id=deploy_id)
    alarms = [str(a) for a in record.get("alarms") or []]
    if alarms:
        adapters.store.unwatch_alarms(alarms, deploy_id)
