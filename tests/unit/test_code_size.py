"""Modules a reader can hold in one sitting: no module over 300 lines, no class over 150 (benchmarks and
tests aside; classes of the simulator aside, which mirror Shopify's schema)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("settings", "worker", "producers", "simulator")
MAX_MODULE_LINES = 300
MAX_CLASS_LINES = 150


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_no_module_is_over_300_lines():
    long = {
        str(p.relative_to(ROOT)): n for p in modules() if (n := p.read_text().count("\n")) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_class_is_over_150_lines():
    long = {}
    for path in modules():
        if path.relative_to(ROOT).parts[0] == "simulator":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ClassDef)
                and (size := node.end_lineno - node.lineno + 1) > MAX_CLASS_LINES
            ):
                long[f"{path.relative_to(ROOT)}:{node.name}"] = size
    assert long == {}
