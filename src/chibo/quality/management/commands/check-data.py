"""`chibo check-data ORG`: the hyphenated name of the check_data command (see check_data.py)."""

from __future__ import annotations

from chibo.quality.management.commands.check_data import Command

__all__ = ["Command"]
