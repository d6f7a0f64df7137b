"""Start the dashboard, and say where it is only once its first page is ready.

    python scripts/serve.py [streamlit options, e.g. --server.port 8501]

Runs `streamlit run dashboard.py` with the script health check on, waits for the server, then
asks it to run the dashboard once (GET /_stcore/script-health-check): the imports, the
warehouse connection and the first page's queries (in demo mode the LA overview's, cached for
everyone) happen then, not while the first user waits. Streamlit's own start-up banner is held
back so that the last line is the address to open. Everything Streamlit logs afterwards passes
through. Used by scripts/demo.sh and the Docker image.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _option(args: list[str], name: str, default: str) -> str:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default


def _get(url: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except OSError as exc:
        return getattr(exc, "code", 0) or 0


def _pass_through(stream, ready: threading.Event) -> None:
    """Streamlit's output: its start-up banner (before the first page is ready) held back."""
    for line in iter(stream.readline, ""):
        if ready.is_set() or "Traceback" in line or "Error" in line:
            sys.stdout.write(line)
            sys.stdout.flush()


def main(args: list[str]) -> int:
    port = _option(args, "--server.port", os.environ.get("STREAMLIT_SERVER_PORT", "8501"))
    address = _option(args, "--server.address", "localhost")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.scriptHealthCheckEnabled",
        "true",
    ]
    proc = subprocess.Popen(
        [*cmd, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: proc.send_signal(s))
    ready = threading.Event()
    threading.Thread(target=_pass_through, args=(proc.stdout, ready), daemon=True).start()
    local = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while _get(local + "/_stcore/health", 1) != 200:
        if proc.poll() is not None:
            print(f"The dashboard did not start (exit code {proc.returncode}).", file=sys.stderr)
            return proc.returncode or 1
        time.sleep(0.2)
    status = _get(local + "/_stcore/script-health-check", 120)
    ready.set()
    took = time.perf_counter() - started
    shown = "localhost" if address in ("localhost", "127.0.0.1", "0.0.0.0") else address
    if status == 200:
        print(f"The dashboard is ready ({took:.0f} s): http://{shown}:{port}", flush=True)
    else:
        print(
            f"The dashboard started, but its first run failed (HTTP {status}); the page will show the error: "
            f"http://{shown}:{port}",
            flush=True,
        )
    return proc.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
