"""`kundstig worker`, slowed down: every source of a suggestion job takes SECONDS longer,
so a test can kill the worker in the middle of a job.

    python -m tests.faults.slow_worker SECONDS
"""

from __future__ import annotations

import sys
import time
from typing import Any

from app.cli import main as kundstig
from coding import suggest_service


def main() -> None:
    delay = float(sys.argv[1])
    suggest_one = suggest_service.suggest_source

    def slowly(*args: Any, **kwargs: Any) -> int:
        time.sleep(delay)
        return suggest_one(*args, **kwargs)

    suggest_service.suggest_source = slowly  # type: ignore[assignment]
    kundstig(["worker", "--threads", "1"])


if __name__ == "__main__":
    main()
