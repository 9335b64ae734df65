"""A database whose disk is full, without privileges and without filling a real disk.

SQLite: ``PRAGMA max_page_count`` caps the file a few pages above its size, and SQLite
answers every write beyond it with its real SQLITE_FULL error. PostgreSQL: a trigger
on the table that receives the big write raises the server's own ``disk_full`` error
(SQLSTATE 53100), as a server whose disk filled up would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, text

HEADROOM_PAGES = 8


@contextmanager
def database_full(engine: Engine, table: str) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        engine.dispose()
        raw = engine.raw_connection()  # the driver's own connection: VACUUM runs outside any transaction
        try:
            raw.driver_connection.execute("VACUUM")  # free pages would be room left: give them back first
            limit = raw.driver_connection.execute("PRAGMA page_count").fetchone()[0] + HEADROOM_PAGES
        finally:
            raw.close()

        def cap(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit}")

        event.listen(engine, "connect", cap)
        engine.dispose()  # connections made from now on have the cap
        try:
            yield
        finally:
            event.remove(engine, "connect", cap)
            engine.dispose()
        return
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE OR REPLACE FUNCTION kundstig_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$"))
        connection.execute(text(f"CREATE TRIGGER kundstig_disk_full BEFORE INSERT ON {table} "
                                "FOR EACH ROW EXECUTE FUNCTION kundstig_disk_full()"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TRIGGER kundstig_disk_full ON {table}"))
            connection.execute(text("DROP FUNCTION kundstig_disk_full()"))
