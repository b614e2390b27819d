"""Image pulls against the account's ECR in moto: a task whose image is in the world's own ECR (its
account and region) starts only if moto's ECR holds that image, as a Fargate pull would find it. An
image deleted from ECR (a lifecycle policy, a cleanup, `third_party_call` ecr.batch_delete_image) makes
every new task fail to start with CannotPullContainerError, whatever the image's `images:` behaviour.

Images outside this account's ECR (`web:v1`, Docker Hub, another account) are not modelled: they pull as
their `images:` behaviour says.
"""

from __future__ import annotations

from collections.abc import Iterable

from fargate_ops.domain.scaling_images import ecr_image
from fargate_ops_cli.local.world.moto_access import Backends, ecr_has_image


def gone_image(backends: Backends, images: Iterable[str]) -> str | None:
    """The first of ``images`` that is in the world's ECR namespace but not in moto's ECR."""
    for uri in images:
        image = ecr_image(uri, backends.account_id, backends.region)
        if image is not None and not ecr_has_image(backends.ecr, image.repository, image.tag, image.digest):
            return uri
    return None
