"""Reading the network and journey options from a request's query string: shared by
the pages and the API, so both accept the same parameters."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from app.database_ints import database_int
from coding.evidence import LAYERS, EvidenceFilters, Window, parse_filters
from research.errors import InvalidInput

LAYER_KEYS = tuple(key for key, _ in LAYERS)


@dataclass(frozen=True)
class NetworkOptions:
    filters: EvidenceFilters
    layers: tuple[str, ...]
    window: Window
    min_weight: int


def evidence_filters(args: MultiDict[str, str]) -> EvidenceFilters:
    try:
        filters = parse_filters(args)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    for name, value in (("phase", filters.phase_id), ("participant", filters.participant_id),
                        ("coder", filters.coder_id)):
        if value is not None:
            database_int(value, name)
    return filters


def network_options(args: MultiDict[str, str]) -> NetworkOptions:
    """``layers`` as a comma list (``?layers=actor,goal``) or repeated; all by default."""
    raw = [part.strip() for value in args.getlist("layers") for part in value.split(",") if part.strip()]
    layers = tuple(raw) if raw else LAYER_KEYS
    unknown = sorted(set(layers) - set(LAYER_KEYS))
    if unknown:
        raise InvalidInput(f"Unknown layer(s) {', '.join(unknown)}; use {', '.join(LAYER_KEYS)}.")
    window = args.get("window", "segment") or "segment"
    if window not in ("segment", "overlap"):
        raise InvalidInput("window must be 'segment' or 'overlap'.")
    text = (args.get("min_weight") or "1").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 1000:  # "²".isdigit() too
        raise InvalidInput("min_weight must be a whole number from 1 to 1000.")
    return NetworkOptions(filters=evidence_filters(args), layers=layers,
                          window="overlap" if window == "overlap" else "segment", min_weight=int(text))


def coding_ids(args: MultiDict[str, str], limit: int = 200) -> list[int]:
    """``?ids=1,2,3`` (or repeated): coding ids, at most ``limit``."""
    found: list[int] = []
    for value in args.getlist("ids"):
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit()):
                raise InvalidInput("ids must be coding ids separated by commas.")
            found.append(database_int(int(part), "ids"))
    return list(dict.fromkeys(found))[:limit]
