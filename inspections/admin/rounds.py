"""The Django admin of the rounds area."""
