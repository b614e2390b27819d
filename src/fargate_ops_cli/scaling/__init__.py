"""The operator side of scheduled scaling (what a person's machine does, never shipped to Lambda)."""
