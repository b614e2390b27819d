"""Notification subjects: who, then why, the why within the first 80 characters.

Mail clients and chat previews show a subject's first 60-80 characters, and SNS takes at most 100
(moto and AWS accept 100; the API reference's "less than 100" is off by one: getmoto/moto#1503). So a
subject names who it is about briefly (a long service, cluster or application name is shortened; the
body has it whole) and then the reason: the exit codes, the alarm's name, the analysis' figures, why a
deploy was refused. A reason that does not fit is cut at the end, never at the start.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

PREFIX = "fargate-ops: "
MAX_SUBJECT_CHARS = 100
WHY_WITHIN = 80  # a reason starts by character 47 at the latest: its first 33 or more fall before this
MAX_WHO_CHARS = 24
MAX_APPLICATION_CHARS = 12
ELLIPSIS = "..."


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def fit(subject: str) -> str:
    return shorten(subject, MAX_SUBJECT_CHARS)


def compose(who: str, rest: str) -> str:
    """``fargate-ops: <who><rest>``: ``rest`` is the why with its separator (": ...", " is ...")."""
    return fit(f"{PREFIX}{shorten(who, MAX_WHO_CHARS)}{rest}")


def deploy_subject(
    application: str,
    status: str,
    reason: Mapping[str, Any] | None = None,
    failure: Mapping[str, Any] | None = None,
) -> str:
    """``fargate-ops: web deploy ROLLED_BACK: crash loop: web exit 137 (EssentialContainerExited)``."""
    who = f"{shorten(application, MAX_APPLICATION_CHARS)} deploy {status}"
    why = rollback_words(reason) if reason else failure_words(failure) if failure else ""
    return fit(f"{PREFIX}{who}" + (f": {why}" if why else ""))


def rollback_words(reason: Mapping[str, Any]) -> str:
    """The rollback reason, shortest first: a crash loop says its exit codes at once."""
    error = str(reason.get("error") or "")
    summary = str(reason.get("summary") or error or "unknown")
    stops = [s for s in reason.get("stops") or [] if isinstance(s, Mapping)]
    if error == "GreenCrashLoopError":
        summary = "crash loop"
    # The status says it failed: the figures come sooner without the word.
    summary = summary.replace("analysis failed: ", "analysis: ", 1)
    if not stops:
        return summary
    return f"{summary}: {stop_words(stops[-1])}"


def stop_words(stop: Mapping[str, Any]) -> str:
    """``web exit 137 (EssentialContainerExited)``; without an exit code, the stop code and reason."""
    codes = stop.get("exit_codes")
    failed = {n: c for n, c in codes.items() if c not in (0, None)} if isinstance(codes, Mapping) else {}
    stop_code = str(stop.get("stop_code") or "stopped")
    if failed:
        exits = ", ".join(f"{name} exit {code}" for name, code in failed.items())
        return f"{exits} ({stop_code})"
    reason = stop.get("stopped_reason")
    return f"{stop_code}: {reason}" if reason else stop_code


def failure_words(failure: Mapping[str, Any]) -> str:
    """Why a deploy was refused or failed: the error's message (a Lambda error's ``errorMessage``),
    not its class; the class only when there is no message."""
    error = str(failure.get("Error") or "")
    cause = failure.get("Cause")
    message = _message(cause) if isinstance(cause, str) else ""
    return message or error or "unknown"


def _message(cause: str) -> str:
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause.strip()
    if isinstance(parsed, Mapping):
        message = parsed.get("errorMessage")
        # Our evidence (a JSON document as the message) is the body's business, not the subject's.
        if isinstance(message, str) and not message.lstrip().startswith("{"):
            return message.strip()
        return ""
    return cause.strip() if isinstance(parsed, str) else ""
