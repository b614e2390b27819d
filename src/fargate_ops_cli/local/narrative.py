"""The run's narrative for people: who did what when, and one line for each event and cleanup."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.moto_hooks import history_since

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime


def clock_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S")


@dataclass(frozen=True)
class Entry:
    at: float
    actor: str  # operator, ECS, CloudWatch, state machine, fargate-ops, world, invariant
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "actor": self.actor,
            "text": self.text,
        }


class Narrative:
    """The run's timeline, in virtual-time order; each entry is passed to `on_entry` as it is told."""

    def __init__(self, on_entry: Callable[[Entry], None] | None = None) -> None:
        self.entries: list[Entry] = []
        self._on_entry = on_entry
        self._seen_history: dict[str, int] = {}
        self._comments: dict[str, dict[str, str]] = {}  # state machine ARN -> state name -> Comment

    def say(self, at: float, actor: str, text: str) -> None:
        entry = Entry(at, actor, text)
        self.entries.append(entry)
        if self._on_entry is not None:
            self._on_entry(entry)

    def event(self, at: float, event: dict[str, Any]) -> None:
        text = describe_event(event)
        if text:
            actor = "CloudWatch" if event["source"] == "aws.cloudwatch" else "ECS"
            self.say(at, actor, text)

    def read_executions(self, runtime: LocalRuntime, deploys: dict[str, str]) -> None:
        """Tell the state machines' steps since the last read (their history times are virtual)."""
        for deploy_id, arn in deploys.items():
            comments = self._state_comments(runtime, arn)
            seen = self._seen_history.get(arn, 0)
            new = history_since(runtime.clients.account_id, runtime.clients.region, arn, seen)
            self._seen_history[arn] = seen + len(new)
            for item in new:
                text = _describe_history_event(item)
                if text and item["type"].endswith("StateEntered"):
                    comment = comments.get(item["stateEnteredEventDetails"]["name"])
                    text = f"{text}: {comment}" if comment else text
                if text:
                    at = datetime.fromisoformat(str(item["timestamp"]).replace("Z", "+00:00")).timestamp()
                    self.say(at, f"deploy {deploy_id}", text)

    def _state_comments(self, runtime: LocalRuntime, execution_arn: str) -> dict[str, str]:
        """Each state's Comment in the ASL: the narrative says why a step happens, in the author's words."""
        _, _, _, region, account, _, machine, _ = execution_arn.split(":", 7)
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine}"
        if machine_arn not in self._comments:
            with as_world():
                definition = runtime.clients.client("stepfunctions").describe_state_machine(
                    stateMachineArn=machine_arn
                )
            states = json.loads(definition["definition"]).get("States", {})
            self._comments[machine_arn] = {
                name: s["Comment"] for name, s in states.items() if s.get("Comment")
            }
        return self._comments[machine_arn]


def _describe_history_event(item: dict[str, Any]) -> str | None:
    kind = item["type"]
    if kind.endswith("StateEntered"):
        return f"step {item['stateEnteredEventDetails']['name']}"
    if kind == "ExecutionSucceeded":
        return "execution SUCCEEDED"
    if kind == "ExecutionFailed":
        details = item.get("executionFailedEventDetails", {})
        return f"execution FAILED: {details.get('error', '')} {_short(details.get('cause') or '')}".rstrip()
    if kind in ("TaskFailed", "LambdaFunctionFailed"):
        details = item.get("taskFailedEventDetails") or item.get("lambdaFunctionFailedEventDetails") or {}
        return f"task failed: {details.get('error', '')} {_short(details.get('cause') or '')}".rstrip()
    if kind == "TaskTimedOut":
        return "wait timed out"
    return None


def _short(text: str, limit: int = 160) -> str:
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            text = parsed["errorMessage"]
    except (json.JSONDecodeError, TypeError):
        pass
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_event(event: dict[str, Any]) -> str | None:
    detail = event.get("detail", {})
    kind = event.get("detail-type")
    if kind == "ECS Task State Change":
        status = detail.get("lastStatus")
        # ECS's decision to stop (desiredStatus STOPPED) comes minutes before STOPPED, with its why.
        deciding = detail.get("desiredStatus") == "STOPPED" and status in (
            "PROVISIONING",
            "PENDING",
            "RUNNING",
        )
        if status not in ("RUNNING", "STOPPED") and not deciding:
            return None
        service = str(detail.get("group", "")).removeprefix("service:")
        task = str(detail.get("taskArn", "")).rsplit("/", 1)[-1][:8]
        revision = str(detail.get("taskDefinitionArn", "")).rsplit("/", 1)[-1]
        text = f"{service} task {task} ({revision}) {status}" + (", to stop" if deciding else "")
        if status == "STOPPED" or deciding:
            exits = [
                f"{c.get('name')} exit {c['exitCode']}"
                for c in detail.get("containers", [])
                if "exitCode" in c
            ]
            text += f": {detail.get('stopCode', '')} — {detail.get('stoppedReason', '')}"
            if exits:
                text += f" ({', '.join(exits)})"
        return text
    if kind == "ECS Service Action":
        service = str(event.get("resources", [""])[0]).rsplit("/", 1)[-1]
        return f"{service}: {detail.get('eventName')}"
    if kind == "ECS Deployment State Change":
        service = str(event.get("resources", [""])[0]).rsplit("/", 1)[-1]
        return f"{service}: {detail.get('eventName')}"
    if kind == "CloudWatch Alarm State Change":
        state = detail.get("state", {}).get("value")
        previous = detail.get("previousState", {}).get("value")
        return f"alarm {detail.get('alarmName')} {previous} → {state}"
    return None


def describe_cleanup(result: Any) -> str:
    """What a cleanup run found and did: its plan's headline, then each action with its reason."""
    if not isinstance(result, dict) or "plan" not in result:
        return str(result)
    lines = [str(line).strip() for line in result.get("lines", [])]
    headline = lines[0] if lines else "no plan"
    plan = result["plan"]
    actions = [
        f"{a['action']} {a['resource'].rsplit('/', 1)[-1]} ({a['reason'].split(';')[0]})"
        for a in plan["actions"]
    ]
    done = (result.get("applied") or {}).get("done") or {}
    parts = [headline]
    if plan.get("refused"):
        parts.append(f"refused: {plan['refused']}")
    parts += actions[:12] + ([f"... {len(actions) - 12} more"] if len(actions) > 12 else [])
    if not result.get("dry_run", True):
        parts.append("done: " + (", ".join(f"{n} {what}" for what, n in sorted(done.items())) or "nothing"))
    return " | ".join(parts)
