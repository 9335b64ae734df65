"""Peak memory of one spreadsheet export, run as its own process so nothing else counts:

    python -m bench.spreadsheet_memory DATABASE_URL PROJECT_ID csv|xlsx

prints the process's peak resident size in MB (interpreter and imports included). It is
read from ``/proc/self/status`` (VmHWM) where there is one: ``ru_maxrss`` would also count
the memory of the process that started this one (Linux carries it across ``exec``).
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

from exports.spreadsheets import write_csv, write_xlsx
from research.db import make_engine, make_session_factory


def main() -> None:
    url, project_id, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    engine = make_engine(url)
    with make_session_factory(engine, writer=False)() as session, tempfile.TemporaryFile() as out:
        if what == "xlsx":
            write_xlsx(session, project_id, out)
        else:
            write_csv(session, project_id, out, "long")
    engine.dispose()
    print(f"{peak_kib() / 1024:.0f}")


def peak_kib() -> int:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


if __name__ == "__main__":
    main()
