"""The local runtime's AWS environment: moto's placeholders, and nothing of the user's AWS setup.

A shell that has AWS_PROFILE set, or AWS_ENDPOINT_URL pointing at `fargate-ops local serve`, would
otherwise send the runtime's own in-process calls to a missing profile or over HTTP. moto creates a
boto3 session when its EC2 models are imported, so the local verbs enter this before importing moto.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


def _user_settings(environ: os._Environ[str]) -> list[str]:
    return [
        k for k in environ if k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE") or k.startswith("AWS_ENDPOINT_URL")
    ]


@contextlib.contextmanager
def isolated_aws_environment(region: str = "us-east-1") -> Iterator[None]:
    keys = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
    }
    dropped = _user_settings(os.environ)
    saved = {k: os.environ.get(k) for k in [*keys, *dropped]}
    os.environ.update(keys)
    for key in dropped:
        del os.environ[key]
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
