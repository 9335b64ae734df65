"""Entry point for gunicorn: ``gunicorn -w 4 wsgi:app``."""

import gc

from app import create_app

app = create_app()
# What start-up loaded lives as long as the process: keep it out of the collector's
# full passes, which otherwise pause a request for 100 ms and more (see bench_workbench).
gc.collect()
gc.freeze()
