"""The rounds area's drivers of the scope matrix."""

DRIVERS: dict = {}
