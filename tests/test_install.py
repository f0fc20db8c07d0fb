"""The distribution as a user gets it: build the wheel, install it, run it elsewhere.

The wheel is built offline from a copy of the sources (so the checkout gets no
``build/`` or ``*.egg-info``) and installed with ``--no-deps`` into a fresh
virtualenv whose only other path entry is the dev venv's site-packages (a
``.pth`` line: the dependencies without reaching PyPI, and without the dev
venv's editable-install hook, which a ``.pth`` *path* line never runs). Every
command then runs from an empty temporary directory, so nothing can come from
the clone: the test asserts that too.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from local_api_fixture import start, stop

from userapi_cli.extras import EXTRA_MODULES

REPO = Path(__file__).resolve().parent.parent
#: What the sdist-like copy needs to build the wheel (setup.cfg names the rest).
SOURCES = (
    "setup.cfg",
    "pyproject.toml",
    "README.md",
    "functions",
    "userapi_cli",
    "userapi_deploy",
    "userapi_local",
    "userapi_stack",
)


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("dist")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        out,
        source,
        cwd=out,
    )
    (built,) = out.glob("userapi-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the wheel installed; yields its ``bin`` directory."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root)
    dev_site = sysconfig.get_path("purelib")
    Path(purelib.strip(), "userapi-test-deps.pth").write_text(dev_site + "\n", encoding="utf-8")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=root,
    )
    yield root / "bin"


def test_the_wheel_ships_the_handlers_and_schema_but_no_test_helpers(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    handlers = sorted(n for n in names if n.startswith("userapi_handlers/users/"))
    shipped = sorted(
        f"userapi_handlers/users/{p.name}"
        for p in (REPO / "functions" / "users").iterdir()
        if p.suffix in (".py", ".json")
    )
    assert handlers == shipped
    assert "userapi_handlers/users/schema.json" in handlers
    # setup.cfg lists the packages one by one: a new subpackage must be added there.
    for top in ("userapi_cli", "userapi_deploy", "userapi_local", "userapi_stack"):
        for init in (REPO / top).rglob("__init__.py"):
            assert init.relative_to(REPO).as_posix() in names, f"setup.cfg misses {init.parent}"
    for helper in ("userapi_dev/", "tests/", "bench/", "scripts/"):
        assert not any(name.startswith(helper) for name in names), helper


def test_every_module_comes_from_the_venv_not_the_clone(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import json, importlib.util\n"
        "import userapi_cli, userapi_stack, userapi_deploy, userapi_local\n"
        "from userapi_stack.handler_code import FUNCTIONS_DIR\n"
        "print(json.dumps({'modules': [m.__file__ for m in (userapi_cli, userapi_stack,"
        " userapi_deploy, userapi_local)], 'functions': str(FUNCTIONS_DIR),"
        " 'dev': importlib.util.find_spec('userapi_dev') is not None}))\n"
    )
    found = json.loads(_run(installed / "python", "-c", probe, cwd=tmp_path))
    venv_root = installed.parent.resolve()
    for path in [*found["modules"], found["functions"]]:
        assert Path(path).resolve().is_relative_to(venv_root), path
    assert found["dev"] is False


@pytest.mark.parametrize(
    ("installed_command", "clone_command"),
    [
        (("python", "-m", "userapi_stack"), ("-m", "userapi_stack")),
        (("userapi", "template"), ("-m", "userapi_stack")),
        (("userapi", "template", "--format", "yaml"), ("-m", "userapi_stack", "--format", "yaml")),
        (("userapi", "openapi"), ("-m", "userapi_stack", "--openapi")),
        (("python", "-m", "userapi_stack", "--openapi"), ("-m", "userapi_stack", "--openapi")),
    ],
)
def test_installed_commands_print_the_clones_bytes(
    installed: Path,
    tmp_path: Path,
    installed_command: tuple[str, ...],
    clone_command: tuple[str, ...],
) -> None:
    program, *args = installed_command
    from_wheel = _run(installed / program, *args, cwd=tmp_path)
    from_clone = _run(sys.executable, *clone_command, cwd=REPO)
    assert from_wheel == from_clone
    assert len(from_wheel) > 1000


def test_the_installed_artifact_is_the_clones(installed: Path, tmp_path: Path) -> None:
    """pip compiles ``__pycache__`` next to the installed handlers; the zip must not care."""
    probe = (
        "from userapi_deploy.packaging import build_artifact\n"
        "from userapi_stack.handler_code import FUNCTIONS_DIR\n"
        "print(build_artifact(FUNCTIONS_DIR).sha256)\n"
    )
    from_wheel = _run(installed / "python", "-c", probe, cwd=tmp_path)
    from_clone = _run(sys.executable, "-c", probe, cwd=REPO)
    assert from_wheel == from_clone


def test_version_is_the_wheels(installed: Path, tmp_path: Path) -> None:
    assert _run(installed / "userapi", "--version", cwd=tmp_path) == (
        f"userapi {importlib.metadata.version('userapi')}\n"
    )


def test_extra_modules_match_the_distributions_extras() -> None:
    """``userapi_cli.extras`` names a module for every distribution setup.cfg lists."""
    requires = importlib.metadata.requires("userapi") or []
    for extra, modules in EXTRA_MODULES.items():
        distributions = sorted(
            req.split(";")[0].split("[")[0].split("=")[0].split(">")[0].strip()
            for req in requires
            if f'extra == "{extra}"' in req
        )
        assert distributions == sorted(modules)


def test_a_missing_extra_is_one_line_naming_the_pip_command(
    installed: Path, tmp_path: Path
) -> None:
    """Every module of the extra made unimportable (``sys.modules[name] = None`` is how
    Python itself marks one), as on a plain ``pip install``: no import on the way to the
    check may need them, ``--help`` included."""
    blocked = EXTRA_MODULES["local"]
    for argv in (["local"], ["local", "--help"]):
        probe = (
            "import sys\n"
            f"for name in {list(blocked)!r}:\n"
            "    sys.modules[name] = None\n"
            "from userapi_cli.main import main\n"
            f"sys.exit(main({argv!r}))\n"
        )
        done = subprocess.run(
            [str(installed / "python"), "-c", probe],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if argv[-1] == "--help":
            assert done.returncode == 0 and "--port" in done.stdout
        else:
            assert done.returncode == 1
            assert done.stderr.splitlines() == [
                "userapi local: error: this command needs the 'local' extra "
                f"({', '.join(blocked)} not installed): "
                "pip install 'userapi[local]' (in a clone: pip install '.[local]')"
            ]


def test_the_installed_local_server_serves_the_api(installed: Path, tmp_path: Path) -> None:
    api = start(program=(str(installed / "userapi"), "local"), cwd=tmp_path)
    try:
        created = requests.post(
            f"{api.url}/users",
            json={"email": "new@example.com", "name": "New User"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        user_id = created.json()["user_id"]
        fetched = requests.get(f"{api.url}/users/{user_id}", timeout=10)
        assert fetched.json()["email"] == "new@example.com"
    finally:
        assert stop(api) == 0


def test_every_commands_help_works_without_the_local_extra(installed: Path, tmp_path: Path) -> None:
    """A plain install can list and explain every command (no extra imported for --help)."""
    probe = (
        "import contextlib, io, sys\n"
        f"for name in {list(EXTRA_MODULES['local'])!r}:\n"
        "    sys.modules[name] = None\n"
        "from userapi_cli.commands import COMMANDS\n"
        "from userapi_cli.main import main\n"
        "for command in COMMANDS:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            main([command.name, '--help'])\n"
        "        except SystemExit as exit:\n"
        "            assert exit.code == 0, command.name\n"
        "    assert out.getvalue().startswith(f'usage: userapi {command.name}'), command.name\n"
        "print('ok', len(COMMANDS))\n"
    )
    assert _run(installed / "python", "-c", probe, cwd=tmp_path).startswith("ok ")
