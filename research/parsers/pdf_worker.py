"""Child process that extracts a PDF's text layer (run by ``research.parsers.pdf``).

Self-contained on purpose: it is started as a script in isolated mode, limits its own
address space and CPU time before importing the PDF library, reads the PDF from stdin
and writes one JSON object to stdout: ``{"pages": [...]}`` or ``{"error": kind}``.
"""

from __future__ import annotations

import io
import json
import resource
import sys


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def _extract(data: bytes) -> dict[str, object]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "encrypted"}
        return {"pages": [page.extract_text() or "" for page in reader.pages]}
    except FileNotDecryptedError:
        return {"error": "encrypted"}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return {"error": "corrupt"}
    except NotImplementedError:
        return {"error": "encrypted"}


def main() -> None:
    _limit(int(sys.argv[1]), int(sys.argv[2]))
    data = sys.stdin.buffer.read()
    try:
        result = _extract(data)
    except MemoryError:
        result = {"error": "memory"}
    except RecursionError:
        result = {"error": "corrupt"}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
