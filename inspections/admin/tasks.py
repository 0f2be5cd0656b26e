"""The Django admin of the tasks area."""
