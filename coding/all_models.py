"""Imports every model module so ``Base.metadata`` holds the whole schema
(for Alembic, schema checks and test databases)."""

from coding import codebook, codings, events, memos, suggestions
from research import accounts, jobs, participants, projects, pseudonyms, sources, staging
from research.db import Base

MODEL_MODULES = (accounts, projects, participants, sources, jobs, staging, pseudonyms, codebook, codings, events, memos,
                 suggestions)
metadata = Base.metadata
