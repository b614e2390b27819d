"""fargate-ops template rules, shared by the cfn-lint rules in lint/rules and tests/template."""
