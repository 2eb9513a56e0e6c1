"""Registers the shipped rulesets (top-level ``rulesets/`` of the project).

In a wheel they are packaged as ``mirules/_shipped_rulesets``; in a source checkout (editable
install) they are read from the repository's ``rulesets/`` folder. Only ``core-mi`` is
registered by default: the domain rulesets extend it, so loading them beside it would fire
every core rule twice. Choose one with ``--ruleset physical-activity`` (a shipped name) or
``Engine(rulesets=[resolve_ruleset("physical-activity")])``.
"""

from collections.abc import Callable
from pathlib import Path

from ..hookspecs import hookimpl

DEFAULT_SHIPPED: tuple[str, ...] = ("core-mi",)


def shipped_rulesets_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "_shipped_rulesets"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "rulesets"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shipped rulesets not found (looked in {packaged} and {checkout})")


def shipped_rulesets() -> dict[str, Path]:
    """Every shipped ruleset file, by name (the file stem, which equals its ``ruleset:``)."""
    return {path.stem: path for path in sorted(shipped_rulesets_dir().glob("*.yaml"))}


def resolve_ruleset(name_or_path: str | Path) -> str | Path:
    """A path as given, or the file of the shipped ruleset of that name when no such file
    exists and the name has no directory part."""
    path = Path(name_or_path)
    if path.exists() or path.parent != Path(".") or path.suffix:
        return name_or_path
    return shipped_rulesets().get(str(name_or_path), name_or_path)


@hookimpl
def mirules_register_rulesets(register: Callable[[str], None]) -> None:
    shipped = shipped_rulesets()
    for name in DEFAULT_SHIPPED:
        register(str(shipped[name]))
