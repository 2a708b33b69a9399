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
    found = oidc.discover(provider.issuer, allow_http=True, allow_private=True)
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


@pytest.mark.parametrize("issuer", ["https://127.0.0.1", "https://localhost:8443", "https://10.1.2.3/adfs",
                                    "https://169.254.169.254", "https://[::1]", "https://[::ffff:192.168.0.1]"])
def test_an_issuer_on_a_private_network_is_refused_before_anything_is_sent(issuer, monkeypatch):
    """An admin's issuer pointing at the network Leerlijn runs in (a metadata service, an internal host)."""
    import requests

    def no_request(*_args, **_kwargs):
        raise AssertionError("a request was sent")
    monkeypatch.setattr(requests, "get", no_request)
    with pytest.raises(oidc.SsoError) as refused:
        oidc.discover(issuer)
    assert refused.value.reason == "private"


def test_endpoints_the_document_names_on_a_private_network_are_refused_too(provider):
    """A public issuer whose document sends the keys or the token request inward: refused at that step."""
    found = oidc.discover(provider.issuer, allow_http=True, allow_private=True)
    inward = oidc.Provider(issuer=found.issuer, authorization_endpoint=found.authorization_endpoint,
                           token_endpoint=found.token_endpoint, jwks_uri=found.jwks_uri,
                           algorithms=found.algorithms, allow_private=False)
    with pytest.raises(oidc.SsoError) as refused:
        oidc.check_id_token(inward, "x.y.z", client_id=CLIENT_ID, nonce="n")
    assert refused.value.reason == "private"
    with pytest.raises(oidc.SsoError) as refused:
        oidc.finish(inward, client_id=CLIENT_ID, client_secret="s", redirect_uri="http://localhost/cb", code="c",
                    code_verifier="v", nonce="n")
    assert refused.value.reason == "private"
