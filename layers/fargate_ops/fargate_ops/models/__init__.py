"""Typed inputs and events (pydantic). Imported lazily by the handlers: pydantic costs cold start."""
