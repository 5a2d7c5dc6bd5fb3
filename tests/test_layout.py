"""One feature, one room: which package may import which, and how large a module may grow.

The rooms are the feature packages of `server/` (accounts, sync, reminders, reports, demo), the
rule book (`server.policy`), the shared infrastructure at the top of `server/`, the wire
contract (`schemas`) and the pure renderer (`reports`). A feature reaches another only through
the few crossings named in ALLOWED (and in the README's architecture section); the merge engine
has its own, stricter test (tests/sync/engine/test_purity.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("accounts", "sync", "reminders", "reports", "demo", "rights", "photos")
SHARED = "server"
# room -> the rooms it may import (its own room always).
ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "reports": {"schemas"},  # the renderer knows the wire's vocabulary, nothing of the server
    "server.policy": {"schemas", SHARED},
    SHARED: {"schemas", "server.policy"},
    "server.accounts": {"schemas", SHARED, "server.policy", "server.sync"},
    "server.sync": {"schemas", SHARED, "server.policy", "server.accounts", "server.reminders"},
    "server.reminders": {
        "schemas",
        SHARED,
        "server.policy",
        "server.accounts",
        "server.rights",
        "server.photos",
    },
    "server.reports": {
        "schemas",
        SHARED,
        "server.policy",
        "server.accounts",
        "reports",
        "server.photos",
    },
    "server.demo": {"schemas", SHARED, "server.policy", "server.accounts", "server.sync"},
    # Photos (issue 16): tus uploads, the photo store, bytes and thumbnails.
    "server.photos": {"schemas", SHARED, "server.policy", "server.accounts"},
    # The person's rights read every room's records and write tombstones through sync's lock.
    "server.rights": {
        "schemas",
        SHARED,
        "server.policy",
        "server.accounts",
        "server.sync",
        "server.reports",
        "server.photos",
    },
}
# The crossings between features, module by module: nothing else of another feature is used.
CROSSINGS: dict[str, set[str]] = {
    # Every feature's views authenticate through accounts.
    # An erasure forgets the person's second factor and provider links (server.accounts.forget).
    "server.accounts": {"server.accounts.auth", "server.accounts.passwords",
                        "server.accounts.forget"},
    # A push queues reminder events (new notes, a review asked for).
    "server.reminders": {"server.reminders.events"},
    # An account change takes the school's change lock and asks sync's audience to evict.
    # An erasure rewrites the co-written documents with the texts (server.sync.cotext).
    "server.sync": {"server.sync.versions", "server.sync.audience", "server.sync.push",
                    "server.sync.codecs", "server.sync.cotext"},
    # Exports print the learning record; the worker applies retention daily.
    "server.reports": {"server.reports.service"},
    "server.rights": {"server.rights.retention"},
    # The observation summary and a person's export read photos from the photo store.
    "server.photos": {"server.photos.storage",
                      "server.photos.staging"},  # the worker removes abandoned uploads
}  # fmt: skip
# Modules that wire the rooms together, and so may import any of them.
WIRING = {"server", "server.cli"}
# server.config generates the VAPID keys into the instance folder with the reminders' helper.
EXCEPTIONS = {("server.config", "server.reminders.vapid")}
MAX_LINES = 400
MAX_FUNCTION_LINES = 40


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room(module: str) -> str:
    """The room a module belongs to."""
    parts = module.split(".")
    if parts[0] != "server":
        return parts[0]
    if len(parts) > 1 and (parts[1] in FEATURES or parts[1] == "policy"):
        return f"server.{parts[1]}"
    return SHARED


def project_imports(path: Path) -> set[str]:
    """Every server, schemas or reports module a source imports (names of `from` included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(_from_import(node.module, [alias.name for alias in node.names]))
    return {name for name in found if name.split(".")[0] in ("server", "schemas", "reports")}


def _from_import(package: str, names: list[str]) -> set[str]:
    """`from a.b import c`: the module a.b.c where c is a module, else a.b itself."""
    folder = ROOT.joinpath(*package.split("."))
    modules = {f"{package}.{n}" for n in names if (folder / f"{n}.py").exists()}
    modules |= {f"{package}.{n}" for n in names if (folder / n / "__init__.py").exists()}
    return modules if len(modules) == len(names) else modules | {package}


def sources() -> list[Path]:
    return sorted(
        path
        for package in ("server", "schemas", "reports")
        for path in (ROOT / package).rglob("*.py")
        if "engine" not in path.parts  # the engine imports the standard library only
    )


def violations(module: str, imported: set[str]) -> list[str]:
    """The imports of `module` that leave its room other than by an allowed crossing."""
    if module in WIRING:
        return []
    mine, wrong = room(module), []
    for name in sorted(imported):
        theirs = room(name)
        if theirs == mine or (module, name) in EXCEPTIONS:
            continue
        crossing = CROSSINGS.get(theirs)
        if theirs not in ALLOWED[mine] or (crossing is not None and name not in crossing):
            wrong.append(name)
    return wrong


def test_the_rooms_are_found() -> None:
    rooms = {room(module_name(path)) for path in sources()}
    assert rooms == set(ALLOWED)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_what_its_room_may(path: Path) -> None:
    module = module_name(path)
    assert violations(module, project_imports(path)) == []


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("schemas.sync", "server.models"),
        ("reports.render", "server.policy"),
        ("server.models", "server.sync.push"),
        ("server.policy", "server.reports.queries"),
        ("server.reminders.events", "server.sync.push"),
        ("server.reports.service", "server.accounts.service"),
        ("server.accounts.service", "server.sync.pull"),
        ("server.sync.push", "server.reminders.worker"),
    ],
)
def test_the_scan_catches_a_forbidden_import(module: str, imported: str) -> None:
    assert violations(module, {imported}) == [imported]


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("server.sync.push", "server.reminders.events"),
        ("server.accounts.service", "server.sync.audience"),
        ("server.reports.views", "server.accounts.auth"),
        ("server.reports.service", "reports.builders"),
        ("server.cli", "server.reminders.worker"),
    ],
)
def test_the_scan_allows_the_named_crossings(module: str, imported: str) -> None:
    assert violations(module, {imported}) == []


def code_files() -> list[Path]:
    return sorted([*(ROOT / "server").rglob("*.py"), *(ROOT / "pwa" / "js").rglob("*.js")])


@pytest.mark.parametrize("path", code_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_grows_past_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by what it does"


def test_no_server_function_grows_past_40_lines() -> None:
    long = []
    for path in (ROOT / "server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []


# Roles are spelled only in the rule book: elsewhere a role is compared through a policy
# function or clause (policy.role_is_admin, people.role_is_admin_sql, ...), never against a
# role's name or a policy role constant.
ROLE_NAMES = {"teacher", "lead", "admin", "observee", "observer", "co_teacher", "facilitator"}
# The rule book's role constants (ADMIN_ROLE, LEAD_ROLES, VISITED_ROLES, ...).
POLICY_ROLES = {
    target.id
    for path in (ROOT / "server" / "policy").glob("*.py")
    for node in ast.parse(path.read_text(encoding="utf-8")).body
    if isinstance(node, ast.Assign)
    for target in node.targets
    if isinstance(target, ast.Name) and target.id.endswith(("_ROLE", "_ROLES"))
}


def _names_a_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in ROLE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_role(e) for e in node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name in POLICY_ROLES


def role_rules_outside_policy(source: str) -> list[int]:
    """The lines of `source` that compare with a role by its name (==, in, .in_(...))."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "in_":
            operands = list(node.args)
        else:
            continue
        if any(_names_a_role(o) for o in operands):
            found.append(node.lineno)
    return found


def test_roles_are_compared_only_in_policy() -> None:
    found = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        if "policy" not in path.relative_to(ROOT / "server").parts:
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}:{n}" for n in role_rules_outside_policy(text)]
    assert found == [], "ask server/policy (a function, or a clause for SQL)"


@pytest.mark.parametrize(
    "line",
    [
        'q.where(User.role == "admin")',
        "q.where(User.role == policy.ADMIN_ROLE)",
        'x = p["role"] == "observee"',
        "q.where(ObservationParticipant.role.in_(VISITED_ROLES))",
        'ok = role in ("lead", "admin")',
    ],
)
def test_the_role_scan_catches_a_role_spelled_out(line: str) -> None:
    assert role_rules_outside_policy(line) == [1]
