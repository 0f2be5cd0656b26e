"""The Django admin of the findings area."""
