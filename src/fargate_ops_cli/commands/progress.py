"""How a deploy's state is drawn: step, weights as a bar, what it waits for and how long is left."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

_COLOURS = {
    "SUCCEEDED": "green",
    "RUNNING": "cyan",
    "ROLLED_BACK": "red",
    "FAILED": "red",
    "REJECTED": "yellow",
}


def weight_bar(weights: dict[str, int], width: int = 30) -> str:
    if not weights:
        return "(no weights recorded yet)"
    total = sum(weights.values()) or 1
    parts = []
    for arn, weight in weights.items():
        name = str(arn).split("/")[-2] if "/" in str(arn) else str(arn)
        cells = round(width * weight / total)
        parts.append(f"{name} {'█' * cells}{'░' * (width - cells)} {round(100 * weight / total):3d}%")
    return "   ".join(parts)


def describe(summary: dict[str, Any], now: datetime | None = None) -> list[str]:
    now = now or _as_of(summary) or datetime.now(UTC)
    colour = _COLOURS.get(summary["status"], "white")
    lines = [f"deploy {escape(summary['deploy_id'])}: [{colour}]{summary['status']}[/{colour}]"]
    if summary.get("application"):
        lines[0] += f"  ({escape(str(summary.get('cluster')))}/{escape(str(summary['application']))})"
    steps = summary.get("steps") or []
    if steps and summary.get("step_index") is not None:
        index = int(summary["step_index"])
        percent = steps[min(index, len(steps) - 1)].get("percent")
        lines.append(f"  step {index + 1}/{len(steps)} at {percent}% green")
    lines.append(f"  traffic  {weight_bar(summary.get('weights') or {})}")
    waiting = summary.get("waiting")
    if waiting:
        remaining = ""
        if waiting.get("timeout_at"):
            try:
                left = datetime.fromisoformat(str(waiting["timeout_at"]).replace("Z", "+00:00")) - now
                remaining = f", {max(0, int(left.total_seconds()))} s left"
            except ValueError:
                pass
        lines.append(f"  waiting for {waiting.get('kind')}{remaining}")
        if waiting.get("reason"):  # an approval the plan did not have: an inconclusive analysis paused
            lines.append(f"    because {escape(str(waiting['reason']))}")
    lines.extend(escape(line) for line in analysis_lines(summary.get("analysis") or []))
    if summary.get("rollback_reason"):
        lines.append(f"  [red]why:[/red] {escape(reason_text(summary['rollback_reason']))}")
    return lines


def _as_of(summary: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(summary["as_of"])) if summary.get("as_of") else None
    except ValueError:
        return None


def reason_text(reason: Any) -> str:
    """A rollback reason in one readable line: what happened, then the evidence (stops, exit codes)."""
    if not isinstance(reason, dict):
        return str(reason)
    text = str(reason.get("summary") or reason.get("error") or "rolled back")
    cause = reason.get("cause")
    stops = cause.get("stops") if isinstance(cause, dict) else reason.get("stops")
    if isinstance(stops, list) and stops:
        kinds: dict[str, int] = {}
        for stop in stops:
            exits = ", ".join(
                f"exit {code} ({name})" for name, code in (stop.get("exit_codes") or {}).items()
            )
            key = f"{stop.get('stop_code', '')}: {stop.get('stopped_reason', '')}" + (
                f", {exits}" if exits else ""
            )
            kinds[key] = kinds.get(key, 0) + 1
        revision = str(stops[-1].get("task_definition", "")).rsplit("/", 1)[-1]
        evidence = "; ".join(f"{n}x {k}" for k, n in kinds.items())
        text += f" — {len(stops)} stops of {revision}: {evidence}"
    elif isinstance(cause, str) and cause:
        text += f" — {cause}"
    return text


def analysis_lines(analysis: list[dict[str, Any]]) -> list[str]:
    return [
        f"  analysis step {int(a.get('step_index', 0)) + 1}: {a.get('verdict')} — {a.get('reason', '')}"
        for a in analysis
    ]


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    for line in describe(summary):
        console.print(line)
