"""Shared helpers for the benchmarks: start gunicorn, run wrk, parse its figures."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def require(tool: str, hint: str) -> str:
    found = shutil.which(tool)
    if not found:
        sys.exit(f"benchmark needs `{tool}`: {hint}")
    return found


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def bench_env(**extra: str) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.update(extra)
    return env


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


@contextmanager
def gunicorn(port: int, env: dict, workers: int = 2, threads: int = 1, pids: list[int] | None = None):
    """Serve the project on `port` while the block runs; yields the base URL (`pids` gets the master's)."""
    log = open(ROOT / "var" / f"bench-gunicorn-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "campaign.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread" if threads > 1 else "sync",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    if pids is not None:
        pids.append(proc.pid)
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        sys.exit(f"could not read a wrk duration: {text!r}")
    value, unit = found.groups()
    return float(value) * _UNITS[unit]


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 1,
    script: str | None = None,
    timeout: str | None = None,
    extra: Callable[[str], dict] | None = None,
) -> dict:
    """Run wrk with latency output and return requests/s, p50 and p99 (ms), the requests and the seconds
    they took, and non-2xx counts. `timeout` is wrk's --timeout (e.g. "30s"); `extra` reads more figures
    from wrk's output (what a script's done() printed) into the result."""
    cmd = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    if timeout:
        cmd += ["--timeout", timeout]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    # Anchored: a thread-stats line ends in "69.50%", which an unanchored "50%" would match.
    if not re.search(r"^\s+50%\s+\d", out, re.M):
        sys.exit(f"could not read wrk's output:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    total, took = re.search(r"(\d+) requests in ([\d.]+\w+),", out).groups()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result = {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "requests": int(total),
        "seconds": _ms(took) / 1000,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }
    if extra is not None:
        result.update(extra(out))
    return result


def write_lua(text: str) -> str:
    """Write a wrk script into var/ and return its path; the caller deletes it (see `lua_scripts`)."""
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=ROOT / "var")  # noqa: SIM115
    handle.write(text)
    handle.close()
    return handle.name


@contextmanager
def lua_scripts():
    """Collects the wrk scripts a run writes (`add(path)`) and deletes them when the run ends."""
    paths: list[str] = []
    try:
        yield paths.append
    finally:
        for path in paths:
            Path(path).unlink(missing_ok=True)


def start_worker(queue: str, env: dict, log_path: Path) -> subprocess.Popen:
    """One Celery worker process (solo pool) consuming `queue`, in its own process group."""
    log = open(log_path, "w")  # noqa: SIM115
    return subprocess.Popen(
        [
            PYTHON, "-m", "celery", "-A", "campaign", "worker", "-Q", queue, "-P", "solo",
            "-n", f"bench-{queue}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def wait_workers_ready(procs: list[subprocess.Popen], timeout: float = 60.0) -> None:
    from campaign.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= len(procs):
            return
        if any(p.poll() is not None for p in procs):
            sys.exit("a worker exited at start; see its log under var/")
    sys.exit("workers did not come up in time")


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def _stat(pid: int | str) -> tuple[int, str, float, float] | None:
    """(parent pid, command, user + system CPU seconds, the same for its children that exited and were
    waited for) of one process (Linux /proc); None if gone."""
    try:
        head, tail = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
    except OSError:
        return None
    fields = tail.split()
    tick = os.sysconf("SC_CLK_TCK")
    own, children = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
    return int(fields[1]), head.split("(", 1)[1], own / tick, children / tick


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process; 0 where /proc is missing."""
    found = _stat(pid)
    return found[2] if found else 0.0


def _proc_stats() -> list[tuple[int, int, str, float, float]]:
    """(pid, parent pid, command, CPU seconds, exited children's CPU seconds) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        stat = _stat(entry.name) if entry.name.isdigit() else None
        if stat is not None:
            found.append((int(entry.name), *stat))
    return found


def cpu_split(*, web_pid: int, worker_pid: int | None = None) -> dict[str, float]:
    """CPU seconds used so far by the web server (master and workers), PostgreSQL's processes and a
    Celery worker: take two and subtract to see where a run's CPU went."""
    stats = _proc_stats()
    commands = {pid: command for pid, _, command, _, _ in stats}
    split = {"web": 0.0, "postgres": 0.0, "worker": 0.0}
    for pid, ppid, command, cpu, exited in stats:
        if pid == web_pid or ppid == web_pid:
            split["web"] += cpu
        elif command == "postgres":
            split["postgres"] += cpu
            if commands.get(ppid) != "postgres":
                # The postmaster: backends and autovacuum workers that ended meanwhile took their CPU
                # with them, and it is counted here, where the postmaster collected it.
                split["postgres"] += exited
        elif pid == worker_pid:
            split["worker"] += cpu
    return split
