import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from campaign.stack import child_env, demo_login_take, page_urls, served_base_url


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat in the foreground. Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="runserver's address: [HOST:]PORT")

    def handle(self, *args, addr, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "campaign", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [python, "-m", "celery", "-A", "campaign", "beat", "--loglevel=INFO"],
        }
        env = child_env(addr, os.environ)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        # Before the children start: a Ctrl-C at any moment from here on stops them all.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        procs = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"running on http://{addr}/ (web, worker, beat); Ctrl-C stops all"))
        # The pages come once the web server answers, so the worker's start-up log does not bury them.
        deadline = time.monotonic() + 20
        while not stopping and procs["web"].poll() is None and time.monotonic() < deadline:
            if _listening(served_base_url(addr)):
                break
            time.sleep(0.2)
        if not stopping:
            self._print_pages(served_base_url(addr), env["PUBLIC_BASE_URL"])
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with {proc.returncode}; stopping the rest")
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(exit_code)

    def _print_pages(self, base_url: str, public_base_url: str) -> None:
        lines = [f"  {label + ':':<11}{url}" for label, url in page_urls(base_url)]
        if public_base_url != base_url:
            lines.append(f"  links in pages, emails and webhooks use PUBLIC_BASE_URL={public_base_url}")
        if settings.DEBUG:
            login = demo_login_take()
            if login is None:
                lines.append("  demo organizer: run `.venv/bin/python manage.py seed_demo` for a login")
            else:
                lines.append(f"  demo organizer: username {login[0]}  password {login[1]}")
        self.stdout.write(self.style.SUCCESS("pages:\n" + "\n".join(lines)), ending="\n")
        self.stdout.flush()


def _listening(base_url: str) -> bool:
    parts = urlsplit(base_url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=0.5):
            return True
    except OSError:
        return False
