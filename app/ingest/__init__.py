"""Bringing material in: uploads, speakers, surveys, participants, search, pseudonyms."""

from flask import Blueprint

bp = Blueprint("ingest", __name__)

from app.ingest import participants, pseudonyms, search, source_erasure, survey, upload  # noqa: E402,F401  (registers the routes)
