"""ECR as the cleanup inventory sees it: repositories (with tags), images, and what each index lists.

DescribeImages pages of 1,000 per repository; an image index's platform manifests come from
BatchGetImage (100 per call), called for indexes only. moto 5.2.5 stores image indexes and answers
BatchGetImage with them; it reports neither ``lastRecordedPullTime`` nor the archive tier's
``imageStatus``, so locally an image counts as never pulled and never archived.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.aws.inventory_ecs import _epoch, _pages, _tags
from fargate_ops.domain import inventory as inv

IMAGES_PAGE = 1000
BATCH_GET_IMAGE = 100
INDEX_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def repositories(ecr: Any) -> list[inv.Repository]:
    found = []
    pages = _pages(
        ecr, "describe_repositories", "ecr:DescribeRepositories", PaginationConfig={"PageSize": IMAGES_PAGE}
    )
    for page in pages:
        for repo in page.get("repositories", []):
            try:
                tags = ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"]).get("tags", [])
            except ClientError as err:
                raise translate(err, "ecr:ListTagsForResource") from err
            found.append(inv.Repository(str(repo["repositoryName"]), _tags(tags)))
    return found


def _children(ecr: Any, repository: str, digests: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(digests), BATCH_GET_IMAGE):
        batch = digests[start : start + BATCH_GET_IMAGE]
        try:
            got = ecr.batch_get_image(
                repositoryName=repository,
                imageIds=[{"imageDigest": d} for d in batch],
                acceptedMediaTypes=list(INDEX_MEDIA_TYPES),
            )
        except ClientError as err:
            raise translate(err, "ecr:BatchGetImage") from err
        for image in got.get("images", []):
            manifest = json.loads(image.get("imageManifest") or "{}")
            digest = str(image.get("imageId", {}).get("imageDigest", ""))
            found[digest] = tuple(str(m["digest"]) for m in manifest.get("manifests", []) if "digest" in m)
    return found


def _image(repository: str, raw: Mapping[str, Any], children: tuple[str, ...]) -> inv.Image:
    pulled = raw.get("lastRecordedPullTime")
    return inv.Image(
        repository=repository,
        digest=str(raw["imageDigest"]),
        tags=tuple(raw.get("imageTags", [])),
        pushed_at=_epoch(raw.get("imagePushedAt")),
        children=children,
        last_pulled_at=_epoch(pulled) if pulled else None,
        archived=raw.get("imageStatus") == "ARCHIVED",
    )


def images(ecr: Any, repository: str) -> list[inv.Image]:
    raw_images: list[Mapping[str, Any]] = []
    pages = _pages(
        ecr,
        "describe_images",
        "ecr:DescribeImages",
        repositoryName=repository,
        PaginationConfig={"PageSize": IMAGES_PAGE},
    )
    for page in pages:
        raw_images += page.get("imageDetails", [])
    indexes = [
        str(i["imageDigest"]) for i in raw_images if i.get("imageManifestMediaType") in INDEX_MEDIA_TYPES
    ]
    children = _children(ecr, repository, indexes) if indexes else {}
    return [_image(repository, raw, children.get(str(raw["imageDigest"]), ())) for raw in raw_images]
