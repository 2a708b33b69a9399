"""The provider's discovery document and keys are kept between sign-ins, and never at the cost of a sign-in:
a rotated key, a provider that was down, an endpoint that moved all still end as they would without it."""

from __future__ import annotations

import pytest

from course import oidc
from tests.app.sso.conftest import DOMAIN, SLUG, configure, page_after, sso_login
from tests.app.sso.test_sso_flow import logged_in_as


def sign_in_and_out(client, provider, number: int) -> str | None:
    provider.sign_in_as(f"medewerker-{number}", f"persoon{number}@{DOMAIN}")
    sso_login(client)
    name = logged_in_as(client)
    client.post("/uitloggen")
    return name


def test_later_sign_ins_use_the_kept_discovery_document_and_keys(app, client, org, provider):
    """Three people sign in one after another: the provider is asked for its documents once, not six times."""
    for number in range(3):
        assert sign_in_and_out(client, provider, number) is not None

    assert provider.fetches == {"discovery": 1, "jwks": 1}
    assert len(provider.token_requests) == 3


def test_a_provider_that_rotated_its_key_still_signs_people_in(app, client, org, provider):
    """The kept key set lacks the new key: it is fetched again, once, and the sign-in succeeds."""
    assert sign_in_and_out(client, provider, 1) is not None
    provider.rotate_key()

    assert sign_in_and_out(client, provider, 2) is not None
    assert sign_in_and_out(client, provider, 3) is not None
    assert provider.fetches["jwks"] == 2


def test_a_forged_signature_is_refused_after_one_fresh_look_at_the_keys(app, client, org, provider):
    """A token the kept keys refuse gets one fresh set of keys before it is refused, never more."""
    assert sign_in_and_out(client, provider, 1) is not None
    provider.misbehave["sign_with_other_key"] = True

    provider.sign_in_as("medewerker-2", f"persoon2@{DOMAIN}")
    assert "niet echt ondertekend" in page_after(client, sso_login(client))
    assert provider.fetches["jwks"] == 2
    provider.sign_in_as("medewerker-3", f"persoon3@{DOMAIN}")
    assert "niet echt ondertekend" in page_after(client, sso_login(client))
    assert provider.fetches["jwks"] == 3


@pytest.mark.parametrize("status", [502, 200])
def test_a_failed_discovery_is_not_kept(app, client, org, provider, status):
    """A provider that was down or answered nonsense is asked again at the next sign-in, which succeeds."""
    provider.misbehave["discovery_status"] = status
    assert sign_in_and_out(client, provider, 1) is None

    provider.misbehave.clear()
    assert sign_in_and_out(client, provider, 2) is not None


def test_another_issuer_set_by_the_admin_is_discovered_afresh(app, client, session, org, provider):
    """Discovery is kept per issuer: pointing the organisation elsewhere takes effect at the next sign-in."""
    assert sign_in_and_out(client, provider, 1) is not None
    configure(app, session, SLUG, "http://127.0.0.1:9", [DOMAIN])

    assert "nu niet bereikbaar" in page_after(client, sso_login(client))


def test_kept_documents_expire():
    """After the time a document is kept it is fetched again; until then it is not."""
    now = [1000.0]
    cache = oidc.ProviderCache(seconds=60, clock=lambda: now[0])
    fetched = []

    def fetch() -> int:
        fetched.append(now[0])
        return len(fetched)

    assert cache.get(("x",), fetch) == (1, False)
    now[0] += 59
    assert cache.get(("x",), fetch) == (1, True)
    now[0] += 1
    assert cache.get(("x",), fetch) == (2, False)
    assert cache.get(("y",), fetch) == (3, False)
    assert fetched == [1000.0, 1060.0, 1060.0]
