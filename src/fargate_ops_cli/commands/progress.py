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
    now = now or datetime.now(UTC)
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
    if summary.get("rollback_reason"):
        lines.append(f"  [red]why:[/red] {escape(_reason_text(summary['rollback_reason']))}")
    return lines


def _reason_text(reason: Any) -> str:
    if isinstance(reason, dict):
        head = reason.get("summary") or reason.get("error") or ""
        rest = {k: v for k, v in reason.items() if k not in ("summary",) and v}
        return f"{head} {rest}" if rest else str(head)
    return str(reason)


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    for line in describe(summary):
        console.print(line)
