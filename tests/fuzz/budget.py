"""How hard the fuzz targets try: brief in `make test`, thousands of examples in `make fuzz`
(``KUNDSTIG_FUZZ_EXAMPLES``). Targets that touch the database get a tenth of the budget."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("KUNDSTIG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_DATABASE = settings(max_examples=max(10, EXAMPLES // 10), deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                HealthCheck.data_too_large])
