"""The upload path of visit photos as migrations 0002 and 0006 recorded it, from before the ledger left grids.

Historical migrations must keep importing what they referenced; the model now uses ledger.models.visit_photo_path
(the same rule). Not a migration: the loader skips modules whose name starts with an underscore.
"""


def visit_photo_path(instance, filename: str) -> str:
    return f"visits/{instance.visit.visited_at:%Y/%m}/{filename}"
