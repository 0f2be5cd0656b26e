"""The findings area's drivers of the scope matrix."""

DRIVERS: dict = {}
