"""The NLP helper: pure suggesters over plain dataclasses (no Flask, no database).

Entry point: `pipeline.run_suggesters(segments, ctx)`; see `types` for the data.
"""
