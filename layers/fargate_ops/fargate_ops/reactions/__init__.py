"""What the ECS events function does with each event: ``pipeline.react`` (one table, two sides).

- ``deploy_waits/``: events that resume or fail a running deploy's wait;
- ``watch/``: the service's timeline and the notifications people can act on;
- ``facts.py`` reads an event once for both; ``outcome.py`` says what each side did; ``reactor.py``
  holds the adapters and settings.

Most events need nothing; those cost at most one DynamoDB read for both sides together.
"""
