"""The findings area's API (filled by its area)."""


def register_routes(router) -> None:
    """Register this area's viewsets."""
