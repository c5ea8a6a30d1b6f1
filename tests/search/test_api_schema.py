"""schemathesis against /api/v1/openapi.json: generated requests (valid and not) never get a
server error, always carry the security headers, and match the description."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.helpers import HEADERS_REQUIRED


@pytest.mark.slow
def test_the_search_api_keeps_its_description(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/api/v1/search"]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        # The in-process client does not decompress; real clients get br or gzip.
        response = case.call(headers={"Accept-Encoding": "identity"})
        assert response.status_code < 500, (case.query, response.status_code)
        headers = {name.lower(): value for name, value in response.headers.items()}
        for name in HEADERS_REQUIRED:
            assert headers.get(name), name
        case.validate_response(response)

    check()
