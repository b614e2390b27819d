"""CloudWatch Alarm State Change to ALARM: every running deploy that watches the alarm fails its wait.

A deploy lists its alarms in ``alarms``; when it starts it adds itself to each alarm's watch item
(``ALARM#<name>``/``WATCH``, a set of deploy ids), and leaves it when it ends. Here the watchers are read,
and each one that waits (ready, approval or a bake: the record's ``waiting``) gets its token failed
with AlarmFiringError and the alarm's name and reason. The rollback window is not failed: after a
success only an operator rolls back. A deploy between two waits is caught by its own alarm check at the
start of the next wait and after each bake.

The event is remembered (its id) only once every wait it fails has been failed: a SendTaskFailure that
fails (throttled, say) fails the invocation with nothing remembered, and Lambda's retry of the
asynchronous invocation acts. A copy delivered after that finds the event remembered (a duplicate); one
delivered meanwhile fails a wait already over, which Step Functions answers TaskTimedOut: done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.aws import keys
from fargate_ops.errors import AlarmFiringError
from fargate_ops.reactions.outcome import Outcome

if TYPE_CHECKING:
    from fargate_ops.reactions.facts import AlarmFacts
    from fargate_ops.reactions.reactor import Reactor

ALARM_ERROR = AlarmFiringError.__name__
FAILED_BY_ALARMS = frozenset({"ready", "approval", "bake"})


def on_alarm_state_change(facts: AlarmFacts, reactor: Reactor) -> Outcome:
    event = facts.event
    detail = event.detail
    if detail.state.value != "ALARM":
        return Outcome.ignored("alarm not in ALARM")
    watchers = reactor.store.alarm_watchers(detail.alarm_name)
    if not watchers:
        return Outcome.ignored("no deploy watches the alarm")
    seen = keys.alarm_seen(event.id)
    if reactor.store.was_seen(seen):
        return Outcome.duplicate()
    failed = []
    for deploy_id in watchers:
        record = reactor.store.get_deploy(deploy_id) or {}
        waiting = record.get("waiting")
        if record.get("status") != "RUNNING" or not isinstance(waiting, dict):
            continue
        if waiting.get("kind") not in FAILED_BY_ALARMS or not waiting.get("token"):
            continue
        sent = reactor.sfn.send_failure(
            str(waiting["token"]),
            ALARM_ERROR,
            {
                "deploy_id": deploy_id,
                "alarms": [
                    {
                        "name": detail.alarm_name,
                        "state": detail.state.value,
                        "reason": detail.state.reason,
                        "at": detail.state.timestamp.isoformat() if detail.state.timestamp else None,
                    }
                ],
                "detected": f"by the alarm state change event while waiting ({waiting.get('kind')})",
            },
        )
        if sent:
            failed.append(deploy_id)
    # Every wait is failed (or was over already): only now is the event done with.
    reactor.store.mark_seen(seen, reactor.idempotency_expiry())
    if not failed:
        return Outcome.ignored("no watching deploy was waiting")
    return Outcome.acted(f"alarm {detail.alarm_name}: failed the wait of {', '.join(failed)}")
