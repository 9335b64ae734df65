"""Health of an installation: database, queue and workers (``/healthz``, ``kundstig health``).

Workers announce themselves every few seconds in the queue's own key-value
store, so the check sees workers on any machine that shares the queue.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from huey import Huey
from huey.constants import EmptyData
from sqlalchemy import text
from werkzeug.wrappers import Response

from app.database import get_database
from app.queue import get_queue

WORKERS_KEY = "kundstig:workers"
BEAT_SECONDS = 10
ALIVE_SECONDS = 3 * BEAT_SECONDS

bp = Blueprint("health", __name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _seen(huey: Huey) -> dict[str, float]:
    raw = huey.storage.peek_data(WORKERS_KEY)
    return {} if raw is EmptyData or not raw else json.loads(raw)


def beat(huey: Huey, name: str) -> None:
    """Record that a worker is alive (last writer wins; a lost beat is repaired by the next)."""
    now = time.time()
    seen = {worker: at for worker, at in _seen(huey).items() if now - at < 10 * ALIVE_SECONDS}
    seen[name] = now
    huey.storage.put_data(WORKERS_KEY, json.dumps(seen).encode())


def is_alive(huey: Huey, name: str) -> bool:
    """Whether worker ``name`` is alive: it beat recently, and if it ran on this machine its
    process still exists (a worker killed a moment ago still has a recent beat)."""
    host, _, pid = name.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: it exists
            pass
    beat_at = _seen(huey).get(name)
    return beat_at is not None and time.time() - beat_at < ALIVE_SECONDS


def start_heartbeat(huey: Huey, name: str) -> threading.Thread:
    def run() -> None:
        while True:
            try:
                beat(huey, name)
            except Exception:  # noqa: BLE001 - a missed beat must never stop the worker
                pass
            time.sleep(BEAT_SECONDS)

    thread = threading.Thread(target=run, name="kundstig-heartbeat", daemon=True)
    thread.start()
    return thread


def check(app: Flask) -> dict[str, Any]:
    report: dict[str, Any] = {}
    try:
        with get_database(app).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        report["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        report["database"] = {"ok": False, "error": exc.__class__.__name__}
    huey = get_queue(app).huey
    try:
        pending = huey.storage.queue_size()
        now = time.time()
        alive = sorted(worker for worker, at in _seen(huey).items() if now - at < ALIVE_SECONDS)
        report["queue"] = {"ok": True, "pending": pending}
        report["workers"] = {"alive": len(alive), "names": alive}
    except Exception as exc:  # noqa: BLE001
        report["queue"] = {"ok": False, "error": exc.__class__.__name__}
        report["workers"] = {"alive": 0, "names": []}
    if not (report["database"]["ok"] and report["queue"]["ok"]):
        report["status"] = "failing"
    elif report["workers"]["alive"] == 0:
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    report = check(current_app._get_current_object())  # type: ignore[attr-defined]
    return jsonify(report), 503 if report["status"] == "failing" else 200
