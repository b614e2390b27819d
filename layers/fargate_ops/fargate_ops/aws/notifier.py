"""SNS: the reactions' notifications, one message shaped per subscriber protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.aws.sns import clean_subject

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class NotificationTopic:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._sns = client
        self._topic_arn = topic_arn

    def publish(self, subject: str, message: str) -> str:
        """``message``: JSON, one text per protocol, ``default`` required (MessageStructure=json)."""
        try:
            response = self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=clean_subject(subject),
                Message=message,
                MessageStructure="json",
            )
        except ClientError as err:
            raise translate(err, "sns:Publish") from err
        return response.get("MessageId", "")
