"""Agreement statistics against hand-computed values and published examples."""

import csv
import io

import pytest

from coding.agreement import compare_coders

A, B = 1, 2
CODE = 7
SOURCE = 3


def test_cohens_kappa_reproduces_the_textbook_two_by_two_example() -> None:
    """The 50-item example of Cohen's kappa (Wikipedia, 'Cohen's kappa', simple example):
    20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no gives p_o = 0.7, p_e = 0.5, kappa = 0.4.

    As characters of a 50-character source: A codes 0-24, B codes 0-19 and 25-34, so
    both code 20, only A 5 (20-24), only B 10 (25-34) and neither 15 (35-49).
    """
    spans = [(A, CODE, SOURCE, 0, 25), (B, CODE, SOURCE, 0, 20), (B, CODE, SOURCE, 25, 35)]
    row = compare_coders({SOURCE: 50}, spans, A, B).codes[0]
    assert (row.coded_a, row.coded_b, row.coded_both) == (25, 30, 20)
    assert row.percentage == pytest.approx(0.7)
    assert row.kappa == pytest.approx(0.4)


def test_unitizing_alpha_matches_a_case_computed_by_hand() -> None:
    """L = 10, one code; A codes [2, 6) (l = 4), B codes [3, 6) (l = 3).

    Sections: A = gap[0,2) unit[2,6) gap[6,10); B = gap[0,3) unit[3,6) gap[6,10).
    Observed: the only non-zero pair is the two overlapping units,
      delta^2 = (2 - 3)^2 + (6 - 6)^2 = 1, so D_o = 2 * 1 / (2 * 1 * 10^2) = 0.01.
    Expected: N_c = 2 units (lengths 4 and 3), gaps 2, 4 (A) and 3, 4 (B).
      l = 4: (2 - 1)(2*64 - 3*16 + 4)/3 = 28, plus 4^2 * [(4-4+1) + (4-4+1)] = 32 -> 60
      l = 3: (2 - 1)(2*27 - 3*9 + 3)/3 = 10, plus 3^2 * [(4-3+1) + (3-3+1) + (4-3+1)] = 45 -> 55
      D_e = (2/10) * 115 / (2*10*(2*10 - 1) - (4*3 + 3*2)) = 23 / 362 = 0.0635359...
    alpha = 1 - 0.01 / (23/362) = 1 - 3.62/23 = 0.8426087.
    Kappa: 3 both, 1 only A, 0 only B, 6 neither: p_o = 0.9,
      p_e = 0.4*0.3 + 0.6*0.7 = 0.54, kappa = 0.36/0.46 = 0.7826087.
    """
    spans = [(A, CODE, SOURCE, 2, 6), (B, CODE, SOURCE, 3, 6)]
    row = compare_coders({SOURCE: 10}, spans, A, B).codes[0]
    assert row.observed_disagreement == pytest.approx(0.01)
    assert row.expected_disagreement == pytest.approx(23 / 362)
    assert row.alpha_u == pytest.approx(1 - 3.62 / 23)
    assert row.percentage == pytest.approx(0.9)
    assert row.kappa == pytest.approx(0.36 / 0.46)


def test_unitizing_alpha_reproduces_krippendorffs_published_example() -> None:
    """Krippendorff (2004), Content Analysis, p. 254: continuum 150-450, categories c and k.

    Published (and reproduced by DKPro Agreement): c: D_o = 0.0144, D_e = 0.0532,
    alpha = 0.7286; k: D_o = 0, D_e = 0.0490, alpha = 1; overall alpha = 0.8591. Offsets
    are shifted by -150 so the continuum is one source of length 300.
    """
    c, k = 1, 2
    units = [
        (A, c, 225, 70), (A, c, 370, 30), (B, c, 220, 80), (B, c, 355, 20), (B, c, 400, 20),
        (A, k, 180, 60), (A, k, 300, 50), (B, k, 180, 60), (B, k, 300, 50),
    ]  # fmt: skip
    spans = [(coder, code, SOURCE, begin - 150, begin - 150 + length) for coder, code, begin, length in units]
    report = compare_coders({SOURCE: 300}, spans, A, B)
    row_c, row_k = report.codes
    assert row_c.observed_disagreement == pytest.approx(0.0144, abs=1e-4)
    assert row_c.expected_disagreement == pytest.approx(0.0532, abs=1e-4)
    assert row_c.alpha_u == pytest.approx(0.7286, abs=1e-4)
    assert row_k.observed_disagreement == 0
    assert row_k.expected_disagreement == pytest.approx(0.0490, abs=1e-4)
    assert row_k.alpha_u == 1
    assert report.overall.alpha_u == pytest.approx(0.8591, abs=5e-4)


def test_no_codings_give_undefined_figures_rather_than_an_error() -> None:
    report = compare_coders({SOURCE: 100}, [], A, B)
    assert report.codes == ()
    overall = report.overall
    assert (overall.percentage, overall.kappa, overall.alpha_u) == (None, None, None)


def test_an_empty_source_gives_undefined_figures() -> None:
    report = compare_coders({SOURCE: 0}, [(A, CODE, SOURCE, 0, 5)], A, B)
    assert report.overall.kappa is None
    assert report.overall.alpha_u is None


def test_identical_codings_agree_perfectly() -> None:
    spans = [(coder, CODE, SOURCE, 10, 30) for coder in (A, B)]
    spans += [(coder, CODE + 1, SOURCE, 40, 45) for coder in (A, B)]
    report = compare_coders({SOURCE: 100}, spans, A, B)
    for row in (*report.codes, report.overall):
        assert (row.percentage, row.kappa, row.alpha_u) == (1, 1, 1)


def test_a_coder_who_coded_nothing_gives_kappa_zero_and_a_negative_alpha() -> None:
    """L = 10, A codes [2, 6), B nothing. Kappa: p_o = p_e = 0.6, so 0.
    D_o = 4^2 / 10^2 = 0.16 (A's unit lies inside B's single gap).
    D_e: one unit, N_c - 1 = 0; gaps 2, 4 (A) and 10 (B); of these, 4 and 10 fit l = 4:
      4^2 * [(4-4+1) + (10-4+1)] = 128; D_e = (2/10) * 128 / (2*10*19 - 4*3) = 25.6/368.
    alpha = 1 - 0.16 * 368 / 25.6 = 1 - 2.3 = -1.3."""
    row = compare_coders({SOURCE: 10}, [(A, CODE, SOURCE, 2, 6)], A, B).codes[0]
    assert row.kappa == 0
    assert row.alpha_u == pytest.approx(-1.3)


def test_kappa_is_undefined_when_both_coders_code_everything() -> None:
    spans = [(coder, CODE, SOURCE, 0, 10) for coder in (A, B)]
    row = compare_coders({SOURCE: 10}, spans, A, B).codes[0]
    assert row.kappa is None
    assert row.alpha_u == 1


def test_overlapping_spans_of_one_coder_count_as_one_unit() -> None:
    merged = compare_coders({SOURCE: 10}, [(A, CODE, SOURCE, 2, 6), (B, CODE, SOURCE, 3, 6)], A, B)
    split = compare_coders(
        {SOURCE: 10},
        [(A, CODE, SOURCE, 2, 5), (A, CODE, SOURCE, 4, 6), (B, CODE, SOURCE, 3, 6)],
        A,
        B,
    )
    assert split.codes == merged.codes


def test_sources_are_laid_end_to_end_and_other_coders_and_sources_are_ignored() -> None:
    spans = [
        (A, CODE, 1, 0, 5), (B, CODE, 1, 0, 5),
        (A, CODE, 2, 5, 99), (B, CODE, 2, 5, 10),  # A's span is clipped to the source
        (3, CODE, 1, 0, 10),  # a third coder
        (A, CODE, 4, 0, 10),  # a source not compared
    ]  # fmt: skip
    report = compare_coders({1: 10, 2: 10}, spans, A, B)
    row = report.codes[0]
    assert report.characters == 20
    assert (row.coded_a, row.coded_b, row.coded_both) == (10, 10, 10)
    assert row.alpha_u == 1


def test_overall_kappa_pools_the_codes() -> None:
    """Code 7 is the textbook table (p_o 0.7, p_e 0.5); code 8 has A on 0-9 and B on 0-4
    (p_o = 45/50 = 0.9, p_e = 0.2*0.1 + 0.8*0.9 = 0.74). Pooled: (0.8 - 0.62)/(1 - 0.62)."""
    spans = [
        (A, 7, SOURCE, 0, 25), (B, 7, SOURCE, 0, 20), (B, 7, SOURCE, 25, 35),
        (A, 8, SOURCE, 0, 10), (B, 8, SOURCE, 0, 5),
    ]  # fmt: skip
    overall = compare_coders({SOURCE: 50}, spans, A, B).overall
    assert overall.percentage == pytest.approx(0.8)
    assert overall.kappa == pytest.approx(0.18 / 0.38)


def test_rows_form_a_csv_table_with_a_header_and_an_overall_line() -> None:
    spans = [(A, CODE, SOURCE, 0, 25), (B, CODE, SOURCE, 0, 20)]
    rows = compare_coders({SOURCE: 50}, spans, A, B).as_rows({CODE: "Estate agent"})
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("code_id,code,characters")
    assert lines[1].startswith("7,Estate agent,50,25,20,20,")
    assert lines[2].startswith(",(overall),50,")
