"""The merge engine is a pure core: it imports nothing but the standard library and does no IO."""

import ast
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[3] / "server" / "sync" / "engine"
PACKAGE = "server.sync.engine"
# Standard-library modules that reach for files, sockets, processes, clocks or randomness: the
# service passes the time in, so the core never needs any of them.
IO_MODULES = frozenset(
    {"asyncio", "datetime", "http", "io", "logging", "os", "pathlib", "random", "secrets",
     "shutil", "socket", "sqlite3", "subprocess", "sys", "tempfile", "threading", "time", "urllib"}
)  # fmt: skip


def imported_modules(source: str) -> list[str]:
    """Every absolute module a source imports; a relative import leaving the package is '..'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append(node.module or "")
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            found.append(f"{PACKAGE}.{node.module}" if node.module else PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            found.append("..")
    return found


def foreign_imports(source: str) -> list[str]:
    """The imports a pure core may not have."""
    return [
        name
        for name in imported_modules(source)
        if not (name == PACKAGE or name.startswith(f"{PACKAGE}."))
        and (name.split(".")[0] not in sys.stdlib_module_names or name.split(".")[0] in IO_MODULES)
    ]


def engine_modules() -> list[Path]:
    """Every Python module of the engine."""
    return sorted(ENGINE.rglob("*.py"))


def test_the_engine_modules_are_found() -> None:
    names = {path.name for path in engine_modules()}
    assert {"__init__.py", "hlc.py", "merge.py", "seq.py", "types.py"} <= names


@pytest.mark.parametrize("path", engine_modules(), ids=lambda path: path.name)
def test_module_imports_only_pure_standard_library(path: Path) -> None:
    assert foreign_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask import g",
        "import werkzeug.exceptions",
        "from sqlalchemy.orm import Session",
        "import marshmallow as ma",
        "from server import models",
        "from server.sync import push",
        "from .. import models",
        "import os",
        "from time import time",
        "def f():\n    import flask_sqlalchemy\n",
        "try:\n    import ujson\nexcept ImportError:\n    pass\n",
    ],
)
def test_the_scan_catches_a_foreign_import(source: str) -> None:
    assert foreign_imports(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import json",
        "from uuid import uuid5",
        "from .hlc import HLC",
        "from server.sync.engine import merge",
    ],
)
def test_the_scan_allows_standard_library_and_own_package(source: str) -> None:
    assert foreign_imports(source) == []
