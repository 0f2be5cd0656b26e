"""inspections' reads, one module per area."""
