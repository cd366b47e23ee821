"""act: see docs/architecture.md."""
