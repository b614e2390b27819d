"""What a continuation carries from one invocation of a run to the next: the revisions already read.

Reading an account's revisions is the costly part of collecting (ListTaskDefinitions, pages of 100 per
status, and their tags through GetResources, pages of 100: about 200 calls for 10,000 revisions), and a
large plan takes many invocations (one deregistration per second: 10,000 revisions are ~11 Lambda
runs of 15 minutes). So an unfinished run returns, with its planning moment, the revisions it knows,
brought up to date with what it did (a deregistered one INACTIVE, a deleted one gone, a mark written
or removed): the next invocation plans from them instead of listing them again.

Everything else is read again by every invocation (in use may change in 15 minutes: services,
deployments, tasks, rules, schedules, deploy records, leases are few pages), and so are the revisions
carrying the protected tag (GetResources filtered on that tag: a revision protected meanwhile is left
alone). What a carried state does not see: a revision registered since the run began (nothing of it
is deleted; a reference to it is reported as not in the inventory) and a tag other than the protected
one changed since (deleting still needs the mark: DeleteTaskDefinitions is allowed only on revisions
that carry it, the IAM condition AWS checks).

The state is compact (ARN stem, status, tags and images shared by ranges of revision numbers: a few
kilobytes for 10,000 revisions of 100 families); one that would exceed ``MAX_BYTES`` is not carried
(the token is then the planning moment alone and the next invocation reads everything again), so it
stays well within Lambda's payload limits.

The token passes through the caller, who could hand back a token of their own: revisions said to be
marked long ago would then be deregistered without their grace period (deleting still needs the real
mark, but deregistering has no resource-level permission in IAM). So the run records each token it
issues (its ``digest``, in the table, until it expires), and carried revisions are trusted only from
a token it recorded; any other token is read as its planning moment alone, everything read again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK
from fargate_ops.domain.inventory import ACTIVE, DELETE_IN_PROGRESS, INACTIVE, MARK_TAG, Revision

VERSION = 1
_STATUSES = (ACTIVE, INACTIVE, DELETE_IN_PROGRESS)
MAX_BYTES = 200_000  # Lambda takes 256 KB in an asynchronous invocation's event, 6 MB in a synchronous one


def after_apply(revisions: Iterable[Revision], done: Mapping[str, str], mark_value: str) -> list[Revision]:
    """The revisions as they are once ``done`` (ARN -> the last action done to it) was applied."""
    found = []
    for revision in revisions:
        action = done.get(revision.arn)
        if action == DELETE:
            continue  # DELETE_IN_PROGRESS: ECS removes it by itself, nothing more is asked of it
        if action == DEREGISTER:
            revision = replace(revision, status=INACTIVE)
        elif action == MARK:
            revision = replace(revision, tags={**revision.tags, MARK_TAG: mark_value})
        elif action == UNMARK:
            revision = replace(revision, tags={k: v for k, v in revision.tags.items() if k != MARK_TAG})
        found.append(revision)
    return found


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3,7"``."""
    parts: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if n is not None:
            start = previous = n
    return ",".join(parts)


def _numbers(text: str) -> Iterator[int]:
    for part in text.split(","):
        low, _, high = part.partition("-")
        yield from range(int(low), int(high or low) + 1)


def carry(at: float, revisions: Iterable[Revision]) -> dict[str, Any] | float:
    """The continue token: the planning moment and the revisions, or the moment alone if too large."""
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for r in revisions:
        stem = r.arn.rsplit(":", 1)[0]
        images = json.dumps(list(r.images)) if r.images is not None else ""
        key = (stem, r.status, json.dumps(r.tags, sort_keys=True), images)
        groups.setdefault(key, []).append(r.revision)
    token = {
        "at": at,
        "version": VERSION,
        "revisions": [
            {"stem": stem, "status": status, "tags": json.loads(tags), "images": json.loads(images or "null")}
            | {"numbers": _ranges(sorted(numbers))}
            for (stem, status, tags, images), numbers in groups.items()
        ],
    }
    if len(json.dumps(token, separators=(",", ":"))) > MAX_BYTES:
        return at
    return token


def digest(token: Mapping[str, Any]) -> str:
    """The token's fingerprint, as recorded when it is issued and checked when it comes back."""
    canonical = json.dumps(token, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def carried(token: Any) -> list[Revision] | None:
    """The revisions a continue token carries; ``None`` when it carries none (or none readable)."""
    if not isinstance(token, dict) or token.get("version") != VERSION:
        return None
    found: list[Revision] = []
    try:
        for group in token["revisions"]:
            stem, status = str(group["stem"]), str(group["status"])
            if status not in _STATUSES or ":task-definition/" not in stem:
                return None
            tags = {str(k): str(v) for k, v in dict(group["tags"]).items()}
            images = None if group["images"] is None else tuple(str(i) for i in group["images"])
            family = stem.rsplit("/", 1)[-1]
            for n in _numbers(str(group["numbers"])):
                found.append(Revision(f"{stem}:{n}", family, n, status, images, tags=dict(tags)))
    except (KeyError, TypeError, ValueError):
        return None
    return found
