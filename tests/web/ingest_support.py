"""Helpers for the ingest tests: a logged-in coder's project and uploads through the route."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from research.projects import Project
from research.sources import Source
from tests.conftest import Auth, csrf_token, make_project, make_user


@dataclass
class Setup:
    client: FlaskClient
    session: Session
    project: Project
    token: str

    def upload(self, *files: tuple[str, bytes], kind: str = "interview", json: bool = True,
               **fields: str) -> Any:
        data: dict[str, Any] = {"kind": kind, "csrf_token": self.token, **fields,
                                "files": [(io.BytesIO(content), name) for name, content in files]}
        headers = {"Accept": "application/json"} if json else {}
        return self.post(f"/projects/{self.project.id}/import", data, headers=headers)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """A multipart POST encoded in memory (the test client spools large bodies to a
        temporary file it never closes, which the warnings-as-errors setting reports)."""
        pairs = [(key, item) for key, value in data.items()
                 for item in (value if isinstance(value, list) else [value])]
        boundary, body = encode_multipart(MultiDict(
            [(key, FileStorage(item[0], filename=item[1]) if isinstance(item, tuple) else item)
             for key, item in pairs]))
        return self.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)

    def results(self, *files: tuple[str, bytes], **kwargs: Any) -> list[dict[str, Any]]:
        response = self.upload(*files, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["results"]  # type: ignore[no-any-return]

    def sources(self) -> list[Source]:
        self.session.rollback()
        return list(self.session.scalars(select(Source).where(Source.project_id == self.project.id)
                                         .order_by(Source.id)))


def logged_in_project(client: FlaskClient, auth: Auth, session: Session) -> Setup:
    owner = make_user(session)
    project = make_project(session, owner)
    assert auth.login().status_code == 302
    token = csrf_token(client.get(f"/projects/{project.id}/import").get_data(as_text=True))
    return Setup(client, session, project, token)
