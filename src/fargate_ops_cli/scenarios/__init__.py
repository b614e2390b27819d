"""Built-in scenarios (the demo)."""
