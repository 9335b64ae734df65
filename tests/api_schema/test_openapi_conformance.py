"""The API keeps the promises of its OpenAPI document (`/api/v1/openapi.json`).

Schemathesis generates requests for every operation from the document and sends them to
the app in-process, as the owner of a seeded project: no response may be a server error,
and every response must match the status codes, content types and schemas documented.
Path ids point at the seeded objects, so operations reach real data instead of only 404s.
``KUNDSTIG_SCHEMA_EXAMPLES`` sets the examples per operation (brief by default).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app.api.openapi import document
from tests.api_schema.conftest import Seeded

EXAMPLES = int(os.environ.get("KUNDSTIG_SCHEMA_EXAMPLES", "10"))
schema = schemathesis.openapi.from_dict(document())
# Unknown query parameters and headers are ignored by design, as most APIs do.
# The bearer token is the test's own: generated credentials would only replace it.
schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
# Every response check, and that requests the document forbids are refused. Left out:
# positive_data_acceptance (schema-valid requests may still name an account or a code that
# does not exist, a 400 with a clear message) and the probes that need a server of their own.
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, checks.negative_data_rejection,
          checks.unsupported_method]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, seeded: Seeded) -> None:
    for name, value in seeded.ids.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value
    # Form fields are all text on the wire: "true" sent for a string field is not a wrong type.
    multipart = case.media_type == "multipart/form-data"
    case.call_and_validate(app=seeded.app, headers={"Authorization": f"Bearer {seeded.token}"},
                           checks=[c for c in CHECKS if not (multipart and c is checks.negative_data_rejection)])
