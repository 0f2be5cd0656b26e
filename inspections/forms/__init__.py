"""inspections' forms, one module per area."""
