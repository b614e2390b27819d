"""Typed inputs and events: msgspec structs (deploy, events) and pydantic models (schedules). Imported
lazily by the handlers: even msgspec's structs cost cold start, and pydantic far more."""
