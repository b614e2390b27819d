"""ECR in the local runtime refuses to delete a platform image an index lists (local/strict_ecr.py).

A probe: moto 5.2.5 alone deletes it and leaves the index pointing at nothing; AWS answers a failure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from fargate_ops_cli.local import strict_ecr

PLATFORM = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def push(ecr: Any, manifest: dict[str, Any], media_type: str, tag: str | None = None) -> str:
    body = json.dumps(manifest)
    extra = {"imageTag": tag} if tag else {}
    ecr.put_image(
        repositoryName="batch",
        imageManifest=body,
        imageDigest=digest(body),
        imageManifestMediaType=media_type,
        **extra,
    )
    return digest(body)


@pytest.fixture
def ecr(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        for owner, name, replacement in strict_ecr.patches():
            monkeypatch.setattr(owner, name, replacement)
        client = boto3.client("ecr", region_name="us-east-1")
        client.create_repository(repositoryName="batch")
        yield client


def platform(arch: str) -> dict[str, Any]:
    layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(arch), "size": 1}
    return {"schemaVersion": 2, "mediaType": PLATFORM, "layers": [layer]}


def index_of(*digests: str) -> dict[str, Any]:
    manifests = [{"mediaType": PLATFORM, "digest": d, "size": 1} for d in digests]
    return {"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}


def digests(ecr: Any) -> set[str]:
    return {i["imageDigest"] for i in ecr.describe_images(repositoryName="batch")["imageDetails"]}


def test_a_platform_image_an_index_lists_is_refused_and_the_rest_of_the_call_deleted(ecr: Any) -> None:
    amd64, arm64, lone = (push(ecr, platform(a), PLATFORM) for a in ("amd64", "arm64", "lone"))
    index = push(ecr, index_of(amd64, arm64), INDEX, tag="multi")

    answer = ecr.batch_delete_image(
        repositoryName="batch", imageIds=[{"imageDigest": amd64}, {"imageDigest": lone}]
    )

    assert [(f["imageId"]["imageDigest"], f["failureCode"]) for f in answer["failures"]] == [
        (amd64, "ImageReferencedByManifestList")
    ]
    assert index in answer["failures"][0]["failureReason"]
    assert digests(ecr) == {amd64, arm64, index}


def test_once_its_index_is_deleted_a_platform_image_can_be_deleted(ecr: Any) -> None:
    amd64 = push(ecr, platform("amd64"), PLATFORM)
    push(ecr, index_of(amd64), INDEX, tag="multi")

    ecr.batch_delete_image(repositoryName="batch", imageIds=[{"imageTag": "multi"}])
    answer = ecr.batch_delete_image(repositoryName="batch", imageIds=[{"imageDigest": amd64}])

    assert answer["failures"] == []
    assert digests(ecr) == set()
