"""The reconciler's image check before a scale-up from zero: the live task definition's images, and
whether ECR still has each one (domain/scaling_images.py says which can be checked).

One DescribeImages per image, by tag or digest: DescribeImages fails the whole call with
ImageNotFoundException when one of several ids is missing (it would not say which), and it is the call
that reports ``imageStatus`` (ARCHIVED: the archive tier answers 404 on pull, the image is as good as
gone). Scale-ups from zero are rare, and a task definition names a few images: this costs nothing on a
steady run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_code, translate
from fargate_ops.domain.scaling_images import EcrImage, ecr_image

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient

GONE_CODES = {"ImageNotFoundException": "not found", "RepositoryNotFoundException": "no such repository"}


@dataclass(frozen=True, slots=True)
class ImageReport:
    """``gone``: image URI -> why (not found, archived, no such repository); ``unchecked``: outside this
    account's ECR."""

    gone: dict[str, str]
    unchecked: tuple[str, ...]


class ImageChecker:
    def __init__(self, ecs: ECSClient, ecr: ECRClient) -> None:
        self._ecs, self._ecr = ecs, ecr

    def check(self, task_definition: str, account: str, region: str) -> ImageReport:
        try:
            described = self._ecs.describe_task_definition(taskDefinition=task_definition)
        except ClientError as err:
            raise translate(err, "ecs:DescribeTaskDefinition") from err
        containers = described["taskDefinition"].get("containerDefinitions", [])
        images = sorted({str(c["image"]) for c in containers if c.get("image")})
        gone: dict[str, str] = {}
        unchecked: list[str] = []
        for uri in images:
            image = ecr_image(uri, account, region)
            if image is None:
                unchecked.append(uri)
                continue
            why = self._gone(image)
            if why is not None:
                gone[uri] = why
        return ImageReport(gone, tuple(unchecked))

    def _gone(self, image: EcrImage) -> str | None:
        try:
            found = self._ecr.describe_images(
                repositoryName=image.repository,
                imageIds=[image.image_id()],  # type: ignore[list-item]
            )
        except ClientError as err:
            why = GONE_CODES.get(error_code(err))
            if why is None:
                raise translate(err, "ecr:DescribeImages") from err
            return why
        details = found.get("imageDetails", [])
        if not details:
            return "not found"
        status = details[0].get("imageStatus")
        return "archived" if status == "ARCHIVED" else None
