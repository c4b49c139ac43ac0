"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
from typing import Any, Final

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_USAGE: Final = 2


class CliUsageError(Exception):
    """A command-line usage mistake that argparse itself cannot see (exit code 2)."""


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def pretty_json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
