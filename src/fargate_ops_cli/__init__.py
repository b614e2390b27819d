"""The operator side of fargate-ops: the CLI and the local runtime. Never shipped to Lambda."""
