"""inspections' pages, one module per area (rounds, findings, tasks, ladder, reports)."""
