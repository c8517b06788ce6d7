"""Every command line in the README's ```sh blocks works as typed in a fresh copy of the repository.

The copy holds the files git would commit (tracked and untracked-but-not-ignored, so uncommitted work is
checked too), the existing .venv and ../shared linked in, and none of the caller's DATABASE_URL, REDIS_URL,
DEBUG or SECRET_KEY: the embedded default, as on a new laptop. Commands that would block or act on the
outside run as harmless variants: `make X` as `make -n X`, then each program its recipe calls with `--help`;
a server or a worker with `--help`. The rest run for real.
"""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
# Programs that would run until stopped: checked with --help.
BLOCKING = ({"runstack"}, {"runserver"}, {"worker"}, {"beat"})
TIMEOUT = 60
_STRIPPED = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")


def readme_commands(text: str) -> list[str]:
    """The command lines of the ```sh blocks: comments dropped, continuation lines joined."""
    lines: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        pending = ""
        for raw in block.splitlines():
            line = pending + raw.strip()
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            words = shlex.split(line, comments=True)
            if words:
                lines.append(shlex.join(words))
    return lines


def _split_env(words: list[str]) -> tuple[dict[str, str], list[str]]:
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        name, _, value = words[0].partition("=")
        env[name] = value
        words = words[1:]
    return env, words


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh copy of the repository: what a clone would hold plus the uncommitted files git would add."""
    root = tmp_path_factory.mktemp("clone")
    copy = root / "main"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not in the next commit
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    assert (copy / "manage.py").is_file()
    (copy / ".venv").symlink_to(REPO / ".venv")
    shared = REPO.parent / "shared"
    if shared.exists():
        (root / "shared").symlink_to(shared)
    return copy


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED and not k.startswith("PYTEST_")}
    env.update(extra or {})
    return env


def _run(words: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)  # noqa: S603
    assert result.returncode == 0, f"{shlex.join(words)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _harmless(words: list[str]) -> list[str]:
    """The command as typed, or with --help when it would block."""
    if any(blocking <= set(words) for blocking in BLOCKING):
        return [*words, "--help"]
    return words


def _check_make(words: list[str], cwd: Path, env: dict[str, str]) -> None:
    """`make X`: the target exists and each program its recipe runs from .venv answers --help."""
    recipe = _run(["make", "-n", *words[1:]], cwd, env).stdout
    ran = 0
    for line in recipe.splitlines():
        line_env, program = _split_env(shlex.split(line))
        if program and program[0].startswith(".venv/bin/"):
            _run([*program, "--help"], cwd, {**env, **line_env})
            ran += 1
    assert ran, f"`{shlex.join(words)}` runs nothing from .venv:\n{recipe}"


def test_readme_sh_blocks_are_found():
    commands = readme_commands(README.read_text())
    assert "make run" in commands
    assert any(c.startswith(".venv/bin/python manage.py ") for c in commands)


def test_readme_parser_joins_and_drops_comments():
    text = "```sh\nmake run   # comment\nA=1 make \\\n  test\n\n```\n```py\nignored\n```\n"
    assert readme_commands(text) == ["make run", "A=1 make test"]


def test_every_readme_command_works_in_a_fresh_clone(clone):
    for command in readme_commands(README.read_text()):
        line_env, words = _split_env(shlex.split(command))
        assert words, command
        env = _env(line_env)
        if "<" in command or "[" in command:
            pytest.fail(f"not runnable as typed (a placeholder): {command}")
        if words[0] == "make":
            _check_make(words, clone, env)
        elif words[0].startswith(".venv/bin/"):
            _run(_harmless(words), clone, env)
        else:
            pytest.fail(f"`{command}`: call programs through .venv/bin/ (or make), as the README says")
    # The fresh clone got its own key, and management commands ran with DEBUG off.
    assert re.search(r"^SECRET_KEY=\S{40,}$", (clone / ".env").read_text(), flags=re.M)


def test_embedded_default_keeps_one_key_and_debug_off(clone):
    show = [
        ".venv/bin/python",
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)",
    ]
    first = _run(show, clone, _env()).stdout.splitlines()[-1].split()
    again = _run(show, clone, _env()).stdout.splitlines()[-1].split()
    assert first[0] == "False"
    assert first == again
    assert f"SECRET_KEY={first[1]}" in (clone / ".env").read_text()


def test_production_without_secret_key_fails_loudly(clone, tmp_path):
    env = _env({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "VAR_DIR": str(tmp_path / "var")})
    # A .env with no key: nothing may be generated or written into it.
    dotenv = clone / ".env"
    saved = dotenv.read_text() if dotenv.exists() else None
    dotenv.write_text("# no key\n")
    try:
        result = subprocess.run(  # noqa: S603
            [".venv/bin/python", "manage.py", "check"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr
        assert dotenv.read_text() == "# no key\n"
    finally:
        if saved is None:
            dotenv.unlink()
        else:
            dotenv.write_text(saved)
