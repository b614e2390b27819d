"""SNS: notifications with a short subject and a JSON body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain.subjects import MAX_SUBJECT_CHARS  # SNS: ASCII, no line breaks, 100 at most

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def clean_subject(subject: str) -> str:
    printable = "".join(ch if 32 <= ord(ch) < 127 else " " for ch in subject)
    return " ".join(printable.split())[:MAX_SUBJECT_CHARS] or "fargate-ops"


class SnsAdapter:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._sns = client
        self._topic_arn = topic_arn

    def publish(self, subject: str, body: Mapping[str, Any]) -> str:
        try:
            response = self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=clean_subject(subject),
                Message=json.dumps(body, default=str, indent=2, sort_keys=True),
            )
        except ClientError as err:
            raise translate(err, "sns:Publish") from err
        return response.get("MessageId", "")
