"""The ID-token check on its own (course/oidc.py), with the real provider's published keys: tokens that only
look right are refused, whatever algorithm they name."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwt

from course import oidc
from tests.app.sso.conftest import CLIENT_ID


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def claims(provider) -> dict:
    now = int(time.time())
    return {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "iemand", "iat": now, "exp": now + 300,
            "nonce": "de-nonce", "email": "iemand@jeugdzorg-noord.example.org"}


def check(provider, token: str) -> dict:
    found = oidc.discover(provider.issuer, allow_http=True)
    return oidc.check_id_token(found, token, client_id=CLIENT_ID, nonce="de-nonce")


def test_a_token_signed_with_the_published_key_passes(provider, claims):
    """The control: the provider's own key, the right claims."""
    token = jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, provider.key)
    assert check(provider, token)["sub"] == "iemand"


def test_an_unsigned_token_is_refused(provider, claims):
    """alg 'none' (no signature at all) is never accepted."""
    token = f"{b64({'alg': 'none', 'kid': 'test-key-1'})}.{b64(claims)}."
    with pytest.raises(oidc.SsoError) as refused:
        check(provider, token)
    assert refused.value.reason == "signature"


def test_a_token_signed_with_the_public_key_as_an_hmac_secret_is_refused(provider, claims):
    """The classic algorithm confusion: HS256 with the provider's public key (which anyone can fetch) as secret."""
    public_pem = provider.key.as_pem(private=False)
    signing_input = f"{b64({'alg': 'HS256', 'kid': 'test-key-1'})}.{b64(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(oidc.SsoError) as refused:
        check(provider, token)
    assert refused.value.reason == "signature"


@pytest.mark.parametrize("missing", ["sub", "exp", "aud", "iss", "nonce"])
def test_a_token_without_an_essential_claim_is_refused(provider, claims, missing):
    """Each of these claims must be there; a missing one is no sign-in."""
    del claims[missing]
    token = jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, provider.key)
    with pytest.raises(oidc.SsoError):
        check(provider, token)


def test_issuers_and_endpoints_must_be_https_outside_development():
    """An http issuer is refused unless development allows it, before anything is fetched."""
    with pytest.raises(oidc.SsoError) as refused:
        oidc.discover("http://login.example.org")
    assert refused.value.reason == "config"
    for bad in ("https://login.example.org/?a=b", "https://login.example.org/#x", "ftp://login.example.org",
                "https:///zonder-host"):
        with pytest.raises(oidc.SsoError):
            oidc.check_url(bad, allow_http=True)
