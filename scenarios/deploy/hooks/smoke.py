"""A validation hook: before production traffic, check green through the test listener.

The deploy state machine invokes it with {deploy_id, cluster, application, green, test_listener_arn,
deploy}. It passes when the test listener sends everything to green's target group and that group has
healthy targets; raising fails the validation, and the deploy rolls back.
"""

import boto3


class SmokeTestFailedError(Exception):
    pass


def handler(event, context):
    elbv2 = boto3.client("elbv2")
    listener = event["test_listener_arn"]
    green = event["green"]["target_group_arn"]
    if ":listener-rule/" in listener:
        actions = elbv2.describe_rules(RuleArns=[listener])["Rules"][0]["Actions"]
    else:
        actions = elbv2.describe_listeners(ListenerArns=[listener])["Listeners"][0]["DefaultActions"]
    weights = {
        group["TargetGroupArn"]: group["Weight"]
        for action in actions
        for group in action.get("ForwardConfig", {}).get("TargetGroups", [])
    }
    if weights.get(green, 0) == 0 or any(w for arn, w in weights.items() if arn != green):
        raise SmokeTestFailedError(f"the test listener does not send everything to green: {weights}")
    health = elbv2.describe_target_health(TargetGroupArn=green)["TargetHealthDescriptions"]
    healthy = sum(1 for t in health if t["TargetHealth"]["State"] == "healthy")
    if healthy == 0:
        raise SmokeTestFailedError("green has no healthy target behind the test listener")
    return {"checked": event["deploy_id"], "healthy_targets": healthy}
