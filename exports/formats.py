"""The file formats a project can be exported to in one go, with what each is for.

One registry for the export page and its job: a format's key, a label, a line on what it
opens in, the file's extension and media type, and the writer. The report (which takes a
choice of sections) and the backup (owners only) have their own jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from coding.evidence import network_for
from coding.network import Network
from exports.network_files import write_gexf, write_graphml
from exports.refi.writer import write_qdc, write_qdpx
from exports.spreadsheets import TABLES, write_csv, write_xlsx
from research.errors import InvalidInput

# (done, total, message), called only between parts, when no query is streaming
Progress = Callable[[int, int, str], None]
Writer = Callable[[Session, int, IO[bytes], str, Progress], dict[str, int]]

TABLE_LABELS = {"long": "Codings, one row each", "wide": "Segments × codes (0/1)",
                "wide-participants": "Participants × codes (0/1)", "matrix": "Codes × participants (counts)",
                "codebook": "Codebook"}


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    purpose: str
    extension: str
    media_type: str
    write: Writer


def _qdpx(session: Session, project_id: int, out: IO[bytes], _table: str, _progress: Progress) -> dict[str, int]:
    return write_qdpx(session, project_id, out)


def _qdc(session: Session, project_id: int, out: IO[bytes], _table: str, _progress: Progress) -> dict[str, int]:
    return write_qdc(session, project_id, out)


def _xlsx(session: Session, project_id: int, out: IO[bytes], _table: str, progress: Progress) -> dict[str, int]:
    return write_xlsx(session, project_id, out, on_sheet=progress)


def _csv(session: Session, project_id: int, out: IO[bytes], table: str, _progress: Progress) -> dict[str, int]:
    return {"rows": write_csv(session, project_id, out, table)}


def _network(write: Callable[[Network, IO[bytes]], None]) -> Writer:
    def write_network(session: Session, project_id: int, out: IO[bytes], _table: str,
                      _progress: Progress) -> dict[str, int]:
        network = network_for(session, project_id).network
        write(network, out)
        return {"nodes": len(network.nodes), "edges": len(network.edges)}

    return write_network


FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("qdpx", "REFI-QDA project (.qdpx)",
                 "The whole project (sources, codebook, codings, memos, participants) to open in ATLAS.ti, NVivo, "
                 "MAXQDA or QDA Miner.", "qdpx", "application/zip", _qdpx),
    ExportFormat("qdc", "REFI-QDA codebook (.qdc)",
                 "The codebook alone, to reuse it in another project or another QDA program.",
                 "qdc", "application/xml", _qdc),
    ExportFormat("xlsx", "Excel workbook (.xlsx)",
                 "Codings, participants × codes, codes × participants and the codebook as sheets, for Excel, "
                 "LibreOffice or Numbers.",
                 "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
    ExportFormat("csv", "CSV table (.csv)",
                 "One table as UTF-8 text, for R, pandas, SPSS or any spreadsheet program.",
                 "csv", "text/csv", _csv),
    ExportFormat("graphml", "Actor network, GraphML (.graphml)",
                 "The evidence-linked actor network with its metrics, for Gephi, yEd or Cytoscape.",
                 "graphml", "application/graphml+xml", _network(write_graphml)),
    ExportFormat("gexf", "Actor network, GEXF (.gexf)",
                 "The same network in Gephi's own format, node sizes following the evidence.",
                 "gexf", "application/gexf+xml", _network(write_gexf)),
)}


def export_format(key: object) -> ExportFormat:
    if not isinstance(key, str) or key not in FORMATS:
        raise InvalidInput(f"Unknown export format; choose one of {', '.join(FORMATS)}.")
    return FORMATS[key]


def export_table(fmt: ExportFormat, table: object) -> str:
    """The CSV table asked for (``long`` when none was); other formats take no table, but an
    unknown one is refused whatever the format, so a typo never goes unnoticed."""
    if table not in (None, "") and (not isinstance(table, str) or table not in TABLES):
        raise InvalidInput(f"Unknown table; choose one of {', '.join(TABLES)}.")
    if fmt.key != "csv":
        return ""
    return table or "long"


def file_name(fmt: ExportFormat, project_id: int, table: str, stamp: str) -> str:
    """``kundstig-project-3-20261124-0930.qdpx``; a CSV file also says which table it holds."""
    what = f"-{table}" if table else ""
    return f"kundstig-project-{project_id}{what}-{stamp}.{fmt.extension}"
