"""The packages depend one way: places <- accounts <- gatherings <- packs <- feeds, api <- notifications.

Read from the source (every import, at the top of a module or inside a function): a lower
package never imports a higher one, nor one beside it. Modules at the top of `meetups/` are
either the foundation every feature may use (they import no feature) or the wiring that
builds the app from the features.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meetups"

# Lower first; features of the same rank may not import each other.
RANKS = {
    "places": 0,
    "accounts": 1,
    "gatherings": 2,
    "packs": 3,
    "feeds": 4,
    "api": 4,
    "people": 4,  # profile pages: they read accounts and gatherings; nothing reads them
    "moderation": 4,  # reports, hiding and suspending: they act on accounts and gatherings
    "notifications": 5,
    "privacy": 6,  # export and deletion: they read and undo what every feature stored
    "demo": 6,  # bulk and sample data, made as the services would make them
}
# Top-level modules that assemble the app (blueprints, commands, template globals).
WIRING = {"__init__", "cli", "errors", "site", "templating", "security"}


def imported(path: Path) -> set[str]:
    """Every meetups.* module this file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "meetups":  # from meetups import gatherings
                found.update(f"meetups.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "meetups"}


def feature_of(module: str) -> str | None:
    """The feature package a dotted module name belongs to, or None for the top level."""
    parts = module.split(".")
    if len(parts) < 2 or not (parts[1] in RANKS or (PACKAGE / parts[1]).is_dir()):
        return None
    return parts[1]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def wrong_imports(path: Path) -> list[str]:
    """The imports of this file that go against the layers."""
    relative = path.relative_to(PACKAGE).with_suffix("")
    own = relative.parts[0] if len(relative.parts) > 1 else None
    wrong = []
    for name in sorted(imported(path)):
        other = feature_of(name)
        if other is None or other == own:
            continue
        if own is None:
            if relative.name not in WIRING:
                wrong.append(f"{name} (the foundation imports no feature)")
        elif other not in RANKS or own not in RANKS:
            wrong.append(f"{name} (a package the layers do not place: add it to RANKS)")
        elif RANKS[other] >= RANKS[own]:
            wrong.append(f"{name} ({other} is not below {own})")
    return wrong


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path):
    assert wrong_imports(path) == []


def test_the_reader_sees_a_wrong_import(tmp_path, monkeypatch):
    """The check itself: a places module importing gatherings is caught, a right one is not."""
    fake = tmp_path / "meetups"
    (fake / "places").mkdir(parents=True)
    wrong = fake / "places" / "bad.py"
    wrong.write_text("def f():\n    from meetups.gatherings.models import Gathering\n")
    right = fake / "places" / "good.py"
    right.write_text("from meetups.places.models import City\nfrom meetups import dates\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert wrong_imports(wrong) == ["meetups.gatherings.models (gatherings is not below places)"]
    assert wrong_imports(right) == []
