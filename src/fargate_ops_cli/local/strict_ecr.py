"""ECR's BatchDeleteImage as strict as AWS about image indexes (installed by moto_hooks.installed).

moto 5.2.5 deletes a platform image that a multi-architecture image index (an OCI index or a Docker
manifest list) in the same repository still lists, and leaves the index pointing at nothing. AWS
refuses that image: the answer's `failures` holds it with `ImageReferencedByManifestList`, and the
other images of the call are deleted. Whether AWS lets a call delete an index and its platform images
together is not documented: the index is counted as present for the whole call (stricter), so the
cleanup deletes indexes in calls of their own first, as it does.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

_BACKEND = ("moto.ecr.models", "ECRBackend")
HOOKED: tuple[tuple[str, str | None, str], ...] = ((*_BACKEND, "batch_delete_image"),)
REFERENCED = "ImageReferencedByManifestList"
INDEX_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def listed_by(images: list[Any]) -> dict[str, str]:
    """Platform image digest -> the digest of an index in these images that lists it."""
    found: dict[str, str] = {}
    for image in images:
        try:
            manifest = json.loads(image.image_manifest or "{}")
        except ValueError:
            continue
        media_type = image.image_manifest_media_type or manifest.get("mediaType")
        if media_type not in INDEX_MEDIA_TYPES:
            continue
        for entry in manifest.get("manifests", []):
            if isinstance(entry, dict) and entry.get("digest"):
                found.setdefault(str(entry["digest"]), image.get_image_digest())
    return found


def _digest_of(images: list[Any], image_id: dict[str, str]) -> str | None:
    if image_id.get("imageDigest"):
        return image_id["imageDigest"]
    tag = image_id.get("imageTag")
    return next((i.get_image_digest() for i in images if tag and tag in i.image_tags), None)


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def batch_delete_image(
        self: Any,
        repository_name: str,
        registry_id: str | None = None,
        image_ids: list[dict[str, str]] | None = None,
    ) -> Any:
        repository = self.repositories.get(repository_name)
        if repository is None or not image_ids:
            return original(self, repository_name, registry_id, image_ids)
        indexes = listed_by(repository.images)
        refused, passed = [], []
        for image_id in image_ids:
            digest = _digest_of(repository.images, image_id)
            if digest in indexes:
                refused.append(
                    {
                        "imageId": dict(image_id),
                        "failureCode": REFERENCED,
                        "failureReason": f"Requested image referenced by manifest list: [{indexes[digest]}]",
                    }
                )
            else:
                passed.append(image_id)
        answer = (
            original(self, repository_name, registry_id, passed)
            if passed
            else {"imageIds": [], "failures": []}
        )
        answer["failures"] = [*answer.get("failures", []), *refused]
        return answer

    return batch_delete_image


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched."""
    backend = getattr(importlib.import_module(_BACKEND[0]), _BACKEND[1])
    return [(backend, "batch_delete_image", _guarded(backend.batch_delete_image))]
