"""No server banner: gunicorn as `make serve` and deploy/ start it says nothing of itself, nor does nginx."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_sends_no_server_header(tmp_path):
    port = free_port()
    env = {**os.environ, "WUDU_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CELERY_BROKER_URL": "", "DJANGO_SETTINGS_MODULE": "wudu.settings"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wudu.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--logger-class", "wudu.gunicorn.RedactingLogger"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        assert response.status in (200, 503)
        assert "date" in headers  # gunicorn's own header lines are still written
        assert "server" not in headers, headers["server"]
        assert "gunicorn" not in str(response.getheaders()).lower()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_front_proxy_hides_its_version():
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    assert any(line.split("#")[0].split() == ["server_tokens", "off;"] for line in conf.splitlines())
