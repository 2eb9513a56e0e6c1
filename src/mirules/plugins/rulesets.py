"""Registers the shipped rulesets (top-level ``rulesets/`` of the project).

In a wheel they are packaged as ``mirules/_shipped_rulesets``; in a source checkout (editable
install) they are read from the repository's ``rulesets/`` folder.
"""

from collections.abc import Callable
from pathlib import Path

from ..hookspecs import hookimpl


def shipped_rulesets_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "_shipped_rulesets"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "rulesets"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shipped rulesets not found (looked in {packaged} and {checkout})")


def shipped_rulesets() -> list[Path]:
    return sorted(shipped_rulesets_dir().glob("*.yaml"))


@hookimpl
def mirules_register_rulesets(register: Callable[[str], None]) -> None:
    for path in shipped_rulesets():
        register(str(path))
