"""The house's layout holds: the import-linter contracts (pyproject.toml [tool.importlinter]) are kept, and no
project import hides inside a function unless a comment beside it says why (docs/architecture.md)."""

import ast
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
# The apps are the root packages the import contracts name (one list, in pyproject.toml).
APPS = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])


def application_modules():
    """Every application module (not migrations, not tests)."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_import_contracts_are_kept():
    assert lint_imports(no_cache=True, no_logo=True) == 0  # the broken contract is printed above


def _function_imports(tree: ast.Module):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] if node.level == 0 else ["."]
                else:
                    continue
                if any(name == "." or name.split(".")[0] in APPS for name in names):
                    yield node.lineno


def test_project_imports_inside_functions_say_why():
    unexplained = []
    for path in application_modules():
        lines = path.read_text(encoding="utf-8").split("\n")
        for lineno in sorted(set(_function_imports(ast.parse("\n".join(lines))))):
            line, above = lines[lineno - 1], lines[lineno - 2].strip()
            if "#" not in line and not above.startswith("#"):
                unexplained.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not unexplained, "import at the top, or say why not in a comment:\n" + "\n".join(unexplained)


MAX_MODULE_LINES = 600
MAX_APP_SHARE = 0.35


def test_no_module_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in application_modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these along their concerns (a package of modules): {long}"


def test_no_app_holds_over_35_percent_of_the_code():
    lines = dict.fromkeys(APPS, 0)
    for path in application_modules():
        lines[path.relative_to(ROOT).parts[0]] += len(path.read_text(encoding="utf-8").splitlines())
    total = sum(lines.values())
    shares = {app: round(n / total, 3) for app, n in lines.items()}
    assert max(shares.values()) <= MAX_APP_SHARE, shares
