"""moto's parsers, done once (local/moto_parsing.py): the same answers, the same refusals, less work."""

import json
from pathlib import Path

import pytest
import yaml
from botocore.exceptions import ClientError

from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.stack import load_sam_template

ROLE = "arn:aws:iam::123456789012:role/sfn"
PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": True}}},
            ],
            "End": True,
        }
    },
}


def _run(runtime: LocalRuntime, arn: str) -> dict:
    sfn = runtime.clients.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    runtime.clock.run_until(runtime.clock.now() + 60)
    return sfn.describe_execution(executionArn=execution)


def test_executions_of_one_definition_parse_it_once_and_each_gets_its_own_components(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.stepfunctions.parser.asl.parse import asl_parser

    parses = []
    original = asl_parser.ASLParser.state_machine
    monkeypatch.setattr(
        asl_parser.ASLParser, "state_machine", lambda self: parses.append(1) or original(self)
    )
    definition = json.dumps({**PARALLEL, "Comment": "parsed once"})  # a text no other test parsed
    with LocalRuntime() as runtime:
        sfn = runtime.clients.client("stepfunctions")
        arn = sfn.create_state_machine(name="twice", definition=definition, roleArn=ROLE)["stateMachineArn"]
        programs = {id(asl_parser.AmazonStateLanguageParser.parse(definition)[0]) for _ in range(2)}
        outcomes = [_run(runtime, arn) for _ in range(2)]

    assert len(parses) == 1, "the ANTLR parse ran for every caller"
    assert len(programs) == 2, "two callers were handed the same evaluation components"
    assert [o["status"] for o in outcomes] == ["SUCCEEDED", "SUCCEEDED"]
    assert [json.loads(o["output"]) for o in outcomes] == [[1, 2], [1, 2]]


def test_a_definition_with_a_syntax_error_is_refused_every_time() -> None:
    bad = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": }}}'
    with LocalRuntime() as runtime:
        sfn = runtime.clients.client("stepfunctions")
        for _ in range(2):
            with pytest.raises(ClientError) as refused:
                sfn.create_state_machine(name="bad", definition=bad, roleArn=ROLE)
            # moto 5.2.5 answers InvalidDefinition with an empty code; the message names the parse error
            assert "ASLParserException" in refused.value.response["Error"]["Message"]


def test_cloudformation_reads_a_json_body_and_a_yaml_body_alike() -> None:
    body = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}},
        "Outputs": {"Name": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]}}},
    }
    with LocalRuntime() as runtime:
        cfn = runtime.clients.client("cloudformation")
        cfn.create_stack(StackName="as-json", TemplateBody=json.dumps(body))
        cfn.create_stack(StackName="as-yaml", TemplateBody=yaml.safe_dump(body))
        stacks = [cfn.describe_stacks(StackName=name)["Stacks"][0] for name in ("as-json", "as-yaml")]
        templates = [cfn.get_template(StackName=name)["TemplateBody"] for name in ("as-json", "as-yaml")]

    assert [s["StackStatus"] for s in stacks] == ["CREATE_COMPLETE", "CREATE_COMPLETE"]
    assert [s["Outputs"][0]["OutputValue"] for s in stacks] == ["t", "t"]
    assert templates[0] == body  # botocore hands a JSON body back as a mapping


def test_the_template_reads_as_samtranslator_reads_it() -> None:
    from samtranslator.yaml_helper import yaml_parse

    template = Path(__file__).parents[2] / "template.yaml"
    assert load_sam_template(template) == yaml_parse(template.read_text())
