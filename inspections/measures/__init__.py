"""inspections' measures for the bulletins and rankings (docs/measures.md, "Inspections"); importing this package
(wudu.measures finds it by name) registers them."""

from . import rectification  # noqa: F401
