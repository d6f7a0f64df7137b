"""scripts/serve.py (what scripts/demo.sh and the Docker image run): the dashboard's address is
the last thing it prints, only once the first page has run, with Streamlit's own banner held
back, and it stops with the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_serve_prints_the_address_last_once_the_first_page_has_run(demo_db, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ATTENDANCE_DB": str(demo_db),
        "ATTENDANCE_DEMO_MODE": "1",
        "ATTENDANCE_APP_STORE": str(tmp_path / "app_store.sqlite"),
    }
    cmd = [sys.executable, "scripts/serve.py", "--server.headless", "true", "--server.port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "is ready" in line:
                break
        assert lines and lines[-1].endswith(f"http://localhost:{port}"), lines
        assert lines[-1].startswith("The dashboard is ready")
        assert not any("You can now view" in x or "Traceback" in x for x in lines), lines
        # ready means served, and the first page's run has happened (the script health check)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/script-health-check", timeout=30) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) is not None
    # the server went with it
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
