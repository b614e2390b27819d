"""Before a scale-up from zero: which of the live task definition's images can be checked in ECR, and
whom to tell about the ones that are gone. Pure.

A service at zero runs no task, so nothing pulls its images; an ECR lifecycle policy, a cleanup or the
archive tier (an archived image answers 404 on pull) can remove them meanwhile, and the scale-up would
then only make ECS fail to start task after task (CannotPullContainerError). The reconciler checks first
and holds the service at zero instead.

Only an image in this account's and region's private ECR can be checked (DescribeImages, under the
function's role); any other (Docker Hub, ECR Public, another account's or region's registry) is passed
on unchecked and said so.

People are told once per gone image (``tell``): the service's scaling state keeps the images already
told; an image that came back drops off the list, so its next disappearance is told again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]; repository names are
# lowercase with / _ . - (ECR's naming rule).
_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


@dataclass(frozen=True, slots=True)
class EcrImage:
    """An image of this account's ECR: its repository and its tag or digest (a digest wins, as in a pull)."""

    uri: str
    repository: str
    tag: str | None
    digest: str | None

    def image_id(self) -> dict[str, str]:
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag or "latest"}


def ecr_image(uri: str, account: str, region: str) -> EcrImage | None:
    """The image as ECR names it, if it lives in ``account``'s ECR in ``region``; None: cannot be checked."""
    found = _ECR.match(uri)
    if found is None or found["account"] != account or found["region"] != region:
        return None
    return EcrImage(uri, found["repository"], found["tag"], found["digest"])


@dataclass(frozen=True, slots=True)
class Told:
    """What to say about the gone images: ``new`` (not told yet; nothing to say if empty) and the list to
    keep (the gone ones: those that came back are forgotten)."""

    new: tuple[str, ...]
    keep: tuple[str, ...]


def tell(already_told: Iterable[str], gone: Iterable[str]) -> Told:
    told, now_gone = set(already_told), sorted(set(gone))
    return Told(tuple(uri for uri in now_gone if uri not in told), tuple(now_gone))
