"""`kundstig export` and `kundstig import-project` against the test database."""

from __future__ import annotations

import json
import zipfile


def test_a_project_is_exported_in_every_format_and_imported_back_with_a_json_report(kundstig, demo, tmp_path):
    owner, project_id = demo
    for fmt in ("qdpx", "qdc", "csv", "xlsx"):
        target = tmp_path / f"demo.{fmt}"
        code, out = kundstig("export", str(project_id), "--format", fmt, "-o", str(target))
        assert code == 0, out
        assert target.stat().st_size > 0 and f"Wrote {target}" in out
    assert zipfile.is_zipfile(tmp_path / "demo.qdpx")
    code, out = kundstig("import-project", str(tmp_path / "demo.qdpx"), "--owner", owner.email, "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["created"] and result["counts"]["codings"] == 287
    assert result["data_loss"]["lost"] == []
    code, out = kundstig("import-project", str(tmp_path / "demo.qdc"), "--owner", owner.email, "--into",
                         str(result["project_id"]))
    assert code == 0 and out.startswith(f"Merged into project {result['project_id']}: 0 codes")


def test_cli_errors_are_one_line_and_leave_no_partial_file(kundstig, demo, tmp_path):
    owner, project_id = demo
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04 broken")
    code, out = kundstig("import-project", str(bad), "--owner", owner.email)
    assert code == 1 and out.startswith("Error: ") and len(out.strip().splitlines()) == 1
    code, out = kundstig("export", "999999", "--format", "qdpx", "-o", str(tmp_path / "none.qdpx"))
    assert code == 1 and "no project 999999" in out
    assert not list(tmp_path.glob("none.qdpx*"))


def test_the_command_offers_every_format_and_table_of_the_export_page():
    from app.cli_exchange import CSV_TABLES, EXPORT_FORMATS
    from exports.formats import FORMATS
    from exports.spreadsheets import TABLES

    assert set(FORMATS) <= set(EXPORT_FORMATS) and CSV_TABLES == TABLES
