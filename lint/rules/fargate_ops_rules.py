"""Custom cfn-lint rules of fargate-ops (cfn-lint v1 rule format), wired in with `--append-rules lint/rules`.

Each rule reports the findings of one check in lint/template_checks.py, which tests/template runs
too. E9xxx is the range cfn-lint leaves to user rules.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

# cfn-lint loads this file by path, not as part of a package: make the repository's `lint`
# package importable (appended, so it can never shadow an installed module).
_REPO_ROOT = str(Path(__file__).resolve().parents[2])
if _REPO_ROOT not in sys.path:
    sys.path.append(_REPO_ROOT)

from lint.template_checks import CHECKS  # noqa: E402


class _ReportsCheck:
    """Mixin (not itself a rule, so cfn-lint does not load it): run CHECKS[check] on the template."""

    check: ClassVar[str]

    def match(self, cfn: Any) -> list[RuleMatch]:
        base_dir = Path(cfn.filename).parent if cfn.filename else Path.cwd()
        return [
            RuleMatch(list(finding.path), finding.message)
            for finding in CHECKS[self.check](cfn.template, base_dir)
        ]


class LambdaLogGroupRetention(_ReportsCheck, CloudFormationLintRule):
    id = "E9001"
    shortdesc = "Lambda functions have a log group with retention"
    description = (
        "Every function has an explicit AWS::Logs::LogGroup with RetentionInDays, named "
        "/aws/lambda/<function name> or referenced from LoggingConfig.LogGroup"
    )
    source_url = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "lambda", "logs"]
    check = "log-groups"


class AsyncFailureDestination(_ReportsCheck, CloudFormationLintRule):
    id = "E9002"
    shortdesc = "Asynchronous event sources have a DLQ or OnFailure destination"
    description = (
        "EventBridge rules, schedules and other asynchronous sources carry a DeadLetterConfig, "
        "or the function they invoke has EventInvokeConfig.DestinationConfig.OnFailure"
    )
    source_url = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "lambda", "events"]
    check = "async-failure-destinations"


class WildcardResourceMutatingAction(_ReportsCheck, CloudFormationLintRule):
    id = "E9003"
    shortdesc = "No mutating IAM action on Resource '*'"
    description = (
        "An Allow statement pairs Resource '*' only with read actions or with actions AWS "
        "authorizes on '*' alone (WILDCARD_ONLY_ACTIONS in lint/template_checks.py)"
    )
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "iam"]
    check = "wildcard-resources"


class PassRoleCondition(_ReportsCheck, CloudFormationLintRule):
    id = "E9004"
    shortdesc = "iam:PassRole has a Condition on iam:PassedToService"
    description = "Every statement that allows iam:PassRole restricts it with iam:PassedToService"
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "iam"]
    check = "pass-role-conditions"


class StateMachineDefinition(_ReportsCheck, CloudFormationLintRule):
    id = "E9005"
    shortdesc = "State machines load statemachines/*.asl.json with every ARN a ${Substitution}"
    description = (
        "AWS::Serverless::StateMachine uses DefinitionUri statemachines/<name>.asl.json; the file "
        "exists, hard-codes no ARN, and its ${...} match DefinitionSubstitutions"
    )
    source_url = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-sam-sfn.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "stepfunctions"]
    check = "state-machines"


class LogicalIdSuffix(_ReportsCheck, CloudFormationLintRule):
    id = "E9006"
    shortdesc = "Logical ids end in Function / StateMachine"
    description = "Function logical ids end in 'Function', state machine logical ids in 'StateMachine'"
    source_url = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/custom_rules.md"
    tags: ClassVar[list[str]] = ["fargate-ops", "naming"]
    check = "logical-ids"


class CheckovSkipComment(_ReportsCheck, CloudFormationLintRule):
    id = "E9007"
    shortdesc = "Every checkov skip says why"
    description = "Each Metadata.checkov.skip entry has an id and a non-empty comment"
    source_url = "https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html"
    tags: ClassVar[list[str]] = ["fargate-ops", "checkov"]
    check = "checkov-skips"
