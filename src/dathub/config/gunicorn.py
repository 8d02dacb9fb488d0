"""gunicorn's settings for `dathub serve` (which passes --bind and --workers).

Threaded workers: a request waiting on SQLite's write lock (up to 20 s) or on the database
does not hold up the requests behind it. The access log is off: its URLs carry search text
and names typed into filters.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

wsgi_app = "dathub.config.wsgi:application"
worker_class = "gthread"
threads = 4
timeout = 120  # a request still running after this long is ended, and its worker replaced
graceful_timeout = 30  # on SIGTERM, requests in progress get this long to finish
keepalive = 5
max_requests = 2000  # replace each worker now and then, so no slow growth lasts
max_requests_jitter = 200
accesslog = None
errorlog = "-"
loglevel = "info"
# gunicorn's control socket is one per user ($HOME/.gunicorn): two sites would share it.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """Leave with `dathub serve`: a server whose supervisor was killed must not keep the
    port and the database."""
    parent = os.environ.get("DATHUB_PARENT_PID", "")
    if not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(2)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
