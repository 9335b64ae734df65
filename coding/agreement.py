"""Inter-rater agreement of two coders, character by character.

The sources compared are laid end to end, in ascending source id, into one continuum of
L = sum of their lengths code points (as INCEpTION builds one unitizing study over several
documents). For each code, each coder's spans are clipped to their source and overlapping
spans of the same code are merged (a coder cannot disagree with themself); spans that only
touch stay two units.

Per code, every character is either coded or not coded by each coder, giving a 2x2 table
over L characters:

* **percentage agreement** = (both coded + both not coded) / L (as NVivo reports it);
* **Cohen's kappa** = (p_o - p_e) / (1 - p_e) with p_o the percentage agreement and
  p_e = p_a p_b + (1 - p_a)(1 - p_b) from each coder's share of coded characters;
  undefined (None) when p_e = 1, i.e. both coders coded all or nothing.

Overall, percentage agreement is the mean of the codes' p_o, and kappa is the pooled
kappa of De Vries et al. (2008): (mean p_o - mean p_e) / (1 - mean p_e).

**Krippendorff's alpha for unitizing** (u-alpha; Krippendorff 1995, and Content Analysis,
2nd ed., 2004, pp. 251-256), with the category-wise computation of DKPro Agreement's
``KrippendorffAlphaUnitizingAgreement``, which INCEpTION reports. For a code c each coder's
continuum is a sequence of sections: units (coded with c) and the gaps between them. With
m = 2 coders, b the start and l the length of a section:

    delta^2(g, h) = (b_g - b_h)^2 + (b_g + l_g - b_h - l_h)^2   two overlapping units
                  = l_g^2        unit g lies inside gap h
                  = l_h^2        unit h lies inside gap g
                  = 0            otherwise

    D_o(c) = sum over coders i != j, sections g of i, h of j of delta^2 / (m (m - 1) L^2)

    D_e(c) = (2 / L) * sum over units u of c (all coders) of
                 [ (N_c - 1) (2 l_u^3 - 3 l_u^2 + l_u) / 3
                   + l_u^2 * sum over gaps g (all coders) with l_g >= l_u of (l_g - l_u + 1) ]
             / [ m L (m L - 1) - sum over units u of c of l_u (l_u - 1) ]

with N_c the number of units of c over all coders; alpha(c) = 1 - D_o(c) / D_e(c).
Overall alpha = 1 - mean_c D_o(c) / mean_c D_e(c) over the codes either coder used.
Every figure is None when it is undefined (no characters, no codes, D_e = 0).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

Span = tuple[int, int, int, int, int]
"""(coder_id, code_id, source_id, start, end)."""

Interval = tuple[int, int]

ROW_HEADER: tuple[str, ...] = (
    "code_id",
    "code",
    "characters",
    "coded_a",
    "coded_b",
    "coded_both",
    "percentage",
    "kappa",
    "alpha_u",
    "observed_disagreement",
    "expected_disagreement",
)
STUDY_HEADER: tuple[str, ...] = ("coder_a", "coder_b", "sources")


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    """Agreement on one code (code_id None: the overall row)."""

    code_id: int | None
    characters: int
    coded_a: int
    coded_b: int
    coded_both: int
    percentage: float | None
    kappa: float | None
    alpha_u: float | None
    observed_disagreement: float | None
    expected_disagreement: float | None


@dataclass(frozen=True, slots=True)
class AgreementReport:
    coder_a: int
    coder_b: int
    source_ids: tuple[int, ...]
    characters: int
    codes: tuple[CodeAgreement, ...]
    overall: CodeAgreement

    def as_rows(
        self, names: Mapping[int, str] | None = None, *, about: tuple[str, str, str] | None = None
    ) -> list[tuple[str | int | float | None, ...]]:
        """A header row, one row per code, then the overall row: ready for csv.writer.

        Figures keep their full precision. With ``about`` = (coder A, coder B, the sources
        compared), every row also names them, so a file read on its own says what it compares."""
        names = names or {}
        extra: tuple[str, ...] = about or ()
        rows: list[tuple[str | int | float | None, ...]] = [
            ROW_HEADER + (STUDY_HEADER if about else ())
        ]
        for row in (*self.codes, self.overall):
            label = "(overall)" if row.code_id is None else names.get(row.code_id, "")
            rows.append(
                (
                    row.code_id,
                    label,
                    row.characters,
                    row.coded_a,
                    row.coded_b,
                    row.coded_both,
                    row.percentage,
                    row.kappa,
                    row.alpha_u,
                    row.observed_disagreement,
                    row.expected_disagreement,
                    *extra,
                )
            )
        return rows


def compare_coders(
    source_lengths: Mapping[int, int],
    spans: Iterable[Span],
    coder_a: int,
    coder_b: int,
) -> AgreementReport:
    """Agreement of `coder_a` and `coder_b` on the sources in `source_lengths`.

    Spans of other coders or of sources not listed are ignored.
    """
    source_ids = tuple(sorted(source_lengths))
    offsets: dict[int, int] = {}
    total = 0
    for source_id in source_ids:
        offsets[source_id] = total
        total += max(source_lengths[source_id], 0)

    raw: dict[int, tuple[list[Interval], list[Interval]]] = defaultdict(lambda: ([], []))
    for coder_id, code_id, source_id, start, end in spans:
        if coder_id not in (coder_a, coder_b) or source_id not in offsets:
            continue
        length = source_lengths[source_id]
        start, end = max(start, 0), min(end, length)
        if end <= start:
            continue
        base = offsets[source_id]
        raw[code_id][0 if coder_id == coder_a else 1].append((base + start, base + end))

    rows: list[CodeAgreement] = []
    for code_id in sorted(raw):
        units_a, units_b = (_merge(intervals) for intervals in raw[code_id])
        rows.append(_code_agreement(code_id, total, units_a, units_b))
    return AgreementReport(
        coder_a=coder_a,
        coder_b=coder_b,
        source_ids=source_ids,
        characters=total,
        codes=tuple(rows),
        overall=_overall(total, rows),
    )


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with overlapping intervals joined; intervals that only touch stay apart."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _covered(intervals: list[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def _intersection(a: list[Interval], b: list[Interval]) -> int:
    shared, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        shared += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return shared


def _tables(total: int, coded_a: int, coded_b: int, both: int) -> tuple[Fraction, Fraction]:
    """(p_o, p_e) of the 2x2 coded/not-coded table over `total` characters."""
    agree = both + (total - coded_a - coded_b + both)
    p_o = Fraction(agree, total)
    p_e = Fraction(coded_a * coded_b + (total - coded_a) * (total - coded_b), total * total)
    return p_o, p_e


def _kappa(p_o: Fraction, p_e: Fraction) -> float | None:
    if p_e == 1:
        return None
    return float((p_o - p_e) / (1 - p_e))


def _code_agreement(code_id: int, total: int, units_a: list[Interval], units_b: list[Interval]) -> CodeAgreement:
    coded_a, coded_b = _covered(units_a), _covered(units_b)
    both = _intersection(units_a, units_b)
    if total == 0:
        return CodeAgreement(code_id, 0, coded_a, coded_b, both, None, None, None, None, None)
    p_o, p_e = _tables(total, coded_a, coded_b, both)
    d_o = _observed_disagreement(total, units_a, units_b)
    d_e = _expected_disagreement(total, units_a, units_b)
    return CodeAgreement(
        code_id=code_id,
        characters=total,
        coded_a=coded_a,
        coded_b=coded_b,
        coded_both=both,
        percentage=float(p_o),
        kappa=_kappa(p_o, p_e),
        alpha_u=None if d_e == 0 else float(1 - d_o / d_e),
        observed_disagreement=float(d_o),
        expected_disagreement=float(d_e),
    )


def _overall(total: int, rows: list[CodeAgreement]) -> CodeAgreement:
    coded_a = sum(r.coded_a for r in rows)
    coded_b = sum(r.coded_b for r in rows)
    both = sum(r.coded_both for r in rows)
    if total == 0 or not rows:
        return CodeAgreement(None, total, coded_a, coded_b, both, None, None, None, None, None)
    tables = [_tables(total, r.coded_a, r.coded_b, r.coded_both) for r in rows]
    mean_p_o = sum((p_o for p_o, _ in tables), Fraction(0)) / len(rows)
    mean_p_e = sum((p_e for _, p_e in tables), Fraction(0)) / len(rows)
    d_o = sum(r.observed_disagreement or 0.0 for r in rows) / len(rows)
    d_e = sum(r.expected_disagreement or 0.0 for r in rows) / len(rows)
    return CodeAgreement(
        code_id=None,
        characters=total,
        coded_a=coded_a,
        coded_b=coded_b,
        coded_both=both,
        percentage=float(mean_p_o),
        kappa=_kappa(mean_p_o, mean_p_e),
        alpha_u=None if d_e == 0 else 1 - d_o / d_e,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
    )


def _sections(total: int, units: list[Interval]) -> list[tuple[int, int, bool]]:
    """The coder's continuum cut into (start, end, is_unit) sections covering [0, total)."""
    sections: list[tuple[int, int, bool]] = []
    position = 0
    for start, end in units:
        if start > position:
            sections.append((position, start, False))
        sections.append((start, end, True))
        position = end
    if position < total:
        sections.append((position, total, False))
    return sections


def _delta_squared(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
    (g_start, g_end, g_unit), (h_start, h_end, h_unit) = g, h
    if g_unit and h_unit:
        if g_start < h_end and h_start < g_end:
            return (g_start - h_start) ** 2 + (g_end - h_end) ** 2
        return 0
    if g_unit and not h_unit and h_start <= g_start and g_end <= h_end:
        return (g_end - g_start) ** 2
    if h_unit and not g_unit and g_start <= h_start and h_end <= g_end:
        return (h_end - h_start) ** 2
    return 0


def _observed_disagreement(total: int, units_a: list[Interval], units_b: list[Interval]) -> Fraction:
    """D_o: delta^2 is zero for sections that do not overlap, so one sweep visits the rest."""
    sections_a, sections_b = _sections(total, units_a), _sections(total, units_b)
    summed, i, j = 0, 0, 0
    while i < len(sections_a) and j < len(sections_b):
        summed += _delta_squared(sections_a[i], sections_b[j])
        end_a, end_b = sections_a[i][1], sections_b[j][1]
        if end_a <= end_b:
            i += 1
        if end_b <= end_a:
            j += 1
    # Both orders (i, j) and (j, i) of the m = 2 coders: 2 * summed / (2 * 1 * L^2).
    return Fraction(summed, total * total)


def _expected_disagreement(total: int, units_a: list[Interval], units_b: list[Interval]) -> Fraction:
    units = [end - start for start, end in (*units_a, *units_b)]
    if not units:
        return Fraction(0)
    gaps = sorted(
        end - start
        for coder_units in (units_a, units_b)
        for start, end, is_unit in _sections(total, coder_units)
        if not is_unit
    )
    suffix = [0] * (len(gaps) + 1)  # suffix[k] = sum of gaps[k:]
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    n_units = len(units)
    numerator = 0
    for length in units:
        first = bisect_left(gaps, length)
        fitting = len(gaps) - first
        # 2l^3 - 3l^2 + l = l (l - 1)(2l - 1) is divisible by 6, so the division is exact.
        numerator += (n_units - 1) * (2 * length**3 - 3 * length**2 + length) // 3
        numerator += length * length * (suffix[first] - fitting * (length - 1))
    raters = 2
    denominator = raters * total * (raters * total - 1) - sum(u * (u - 1) for u in units)
    if denominator <= 0:
        return Fraction(0)
    return Fraction(2 * numerator, total * denominator)
