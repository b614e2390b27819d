"""What an operator does to fargate-ops, as plain functions over boto3 clients.

The CLI verbs (`fargate-ops deploy`, `promote`, ...) and the local scenario runner call the same
functions, so a scenario's `promote:` step exercises exactly what `fargate-ops promote` sends.
"""
