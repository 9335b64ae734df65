"""What a serving process does once the app is created, before the first request."""

import gc


def freeze_startup_objects() -> None:
    """Move what start-up loaded out of the garbage collector's reach.

    Those objects live as long as the process; left in the youngest generations they make
    the collector's full passes pause a request for 100 ms and more (see bench_workbench).
    """
    gc.collect()
    gc.freeze()
