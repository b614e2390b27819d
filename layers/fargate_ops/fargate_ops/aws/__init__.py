"""Adapters, one per AWS service. Each takes a boto3 client, pages lists and translates errors."""
