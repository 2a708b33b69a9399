"""Arbitrary query strings on every GET route (hypothesis): a page or a clear refusal, never a 500
(ASVS 4.0.3 V5.1.3, V7.4.1). Routes come from MATRIX, which the matrix test keeps equal to the URL map."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.asvs.conftest import log_in
from tests.app.asvs.test_authorisation_matrix import MATRIX, values
from tests.app.asvs.test_post_fuzz import EXAMPLES, value

GET_ROUTES = sorted(key for key in MATRIX if key[1] == "GET" and key[0] != "static")
# The parameters pages read (filters, paging, the question to show, where to go next), and a few others.
PARAMETERS = ["next", "vraag", "type", "age", "soort", "pagina", "q", "lang"]
query = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=10)),
                        st.lists(value, min_size=1, max_size=2), max_size=3)


def test_arbitrary_query_strings_never_break_a_page(app, full_catalog, actors):
    """One set of accounts for every route (making them is the slow part); each route is fuzzed on its own."""
    learner = actors["learner"]
    signed_in = app.test_client()
    log_in(signed_in, learner.learner.email)
    for endpoint, method in GET_ROUTES:
        fuzz(signed_in, endpoint, MATRIX[(endpoint, method)].path.format(
            **values(full_catalog, learner, "own", actors["victim"])))


def fuzz(signed_in, endpoint: str, path: str) -> None:
    @settings(max_examples=max(EXAMPLES // 2, 3), derandomize=bool(os.environ.get("CI")),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(params=query)
    def get(params: dict[str, list[str]]) -> None:
        response = signed_in.get(path, query_string=params)
        assert response.status_code < 500, f"{endpoint} answered {response.status_code} to {params!r}"

    get()
