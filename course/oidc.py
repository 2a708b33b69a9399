"""The client side of OpenID Connect (the authorization code flow with PKCE), on Authlib; no Flask.

An organisation's identity provider is found through its discovery document
(``<issuer>/.well-known/openid-configuration``); the browser is sent there with a random ``state``, ``nonce``
and PKCE verifier (S256), and comes back with a code, which is exchanged for an ID token. The ID token counts
only when its signature checks out against the provider's published keys (JWKS) and its issuer, audience,
expiry and nonce are the ones expected. Every way this can fail raises :class:`SsoError` with a ``reason``
(for the security log) and a message for the person signing in; nothing else escapes.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from course.errors import N_, DomainError

# requests, Authlib and joserfc are imported by the functions that talk to a provider: every app server
# imports this module (the sign-in pages), few ever use single sign-on, and loading them cost each
# worker's start about 0.1 s of CPU.
if TYPE_CHECKING:
    from joserfc.jwk import KeySet

# Signatures with the provider's published (asymmetric) keys only: never 'none', never HS256 with a shared secret.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
SCOPE = "openid email profile"
# Clocks of the provider and of Leerlijn may differ a little.
LEEWAY_SECONDS = 60
TIMEOUT_SECONDS = 10
# What a discovery document or key set may reasonably weigh: more is not a provider we talk to.
MAX_DOCUMENT_BYTES = 512 * 1024
# How long a discovery document and a key set are used before they are fetched again. Providers publish a
# new signing key well before they use it, and a token signed with a key we don't have fetches the set anew.
CACHE_SECONDS = 3600

T = TypeVar("T")


class SsoError(DomainError):
    """Signing in through an organisation failed; ``reason`` is a short code for the security log."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def unreachable() -> SsoError:
    return SsoError("unreachable", N_("De inlogdienst van je organisatie is nu niet bereikbaar. Probeer het later "
                                      "opnieuw, of neem contact op met je organisatie."))


def wrong_issuer() -> SsoError:
    return SsoError("issuer", N_("De inlogdienst van je organisatie gaf zich uit voor een andere dienst dan die is "
                                 "ingesteld. Je bent niet ingelogd; meld dit bij de beheerder van je organisatie."))


def bad_signature() -> SsoError:
    return SsoError("signature", N_("Het bewijs van je inlogdienst was niet echt ondertekend. Je bent niet "
                                    "ingelogd; meld dit bij de beheerder van je organisatie."))


def expired() -> SsoError:
    return SsoError("expired", N_("Het bewijs van je inlogdienst was verlopen. Log opnieuw in via je organisatie."))


def nonce_mismatch() -> SsoError:
    return SsoError("nonce", N_("Het antwoord van je inlogdienst hoorde niet bij deze inlogpoging. Log opnieuw in "
                                "via je organisatie."))


def invalid_answer(reason: str = "invalid") -> SsoError:
    return SsoError(reason, N_("De inlogdienst van je organisatie gaf een antwoord dat we niet kunnen gebruiken. "
                               "Je bent niet ingelogd; meld dit bij de beheerder van je organisatie."))


def check_url(url: str, *, allow_http: bool) -> str:
    """``url`` stripped, when it is an absolute https URL (http too with ``allow_http``: tests and local
    development) without query or fragment. Raises SsoError (reason 'config') otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment or not url.isprintable():
        raise SsoError("config", N_("Het adres van de inlogdienst moet een volledig https-adres zijn, zonder ? of #."))
    return url


@dataclass(frozen=True)
class Provider:
    """What the discovery document says about a provider (only the parts this client uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]  # the ID-token algorithms both the provider and Leerlijn accept
    # Where the browser goes to log out at the provider too (RP-Initiated Logout 1.0); None: not offered.
    end_session_endpoint: str | None = None
    allow_private: bool = False  # whether its endpoints may be on a private network (see reachable_host)


def private_host() -> SsoError:
    return SsoError("private", N_("De inlogdienst van je organisatie is niet goed ingesteld: het adres wijst naar "
                                  "een intern netwerk. Meld dit bij de beheerder van je organisatie."))


def reachable_host(url: str, *, allow_private: bool) -> None:
    """Refuse ``url`` when its host is, or resolves to, an address that is not on the public internet
    (private, loopback, link-local, reserved...), unless ``allow_private``.

    The issuer is typed in by an organisation's admin and the endpoints come from the document it serves:
    without this, Leerlijn's server could be made to send requests into the network it runs in. A name
    resolving differently between this check and the request (DNS rebinding) is not caught here; where that
    matters, restrict outgoing traffic at the network too.
    """
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise unreachable() from exc
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global:
            raise private_host()


def _get_json(url: str, *, timeout: float, allow_private: bool) -> dict[str, Any]:
    """The JSON object at ``url``. Raises SsoError: unreachable, private, or not a usable answer.

    Redirects are not followed: the provider's documents live where the issuer says.
    """
    reachable_host(url, allow_private=allow_private)
    import requests
    import urllib3

    try:
        with requests.get(url, timeout=timeout, allow_redirects=False, stream=True,
                          headers={"Accept": "application/json"}) as response:
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:  # reading the raw body: urllib3's
        raise unreachable() from exc
    if response.status_code != 200 or len(body) > MAX_DOCUMENT_BYTES:
        raise (unreachable() if response.status_code >= 500 else invalid_answer("discovery"))
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise invalid_answer("discovery") from exc
    if not isinstance(data, dict):
        raise invalid_answer("discovery")
    return data


class ProviderCache:
    """Discovery documents and key sets kept for a while, per app: without it every sign-in made three round
    trips to the provider (discovery twice, keys once) before the person was in, and a provider that
    throttles would see each of them. Only good answers are kept: a failure is fetched again next time.
    Thread-safe; two threads missing at once both fetch, which is harmless."""

    def __init__(self, seconds: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], fetch: Callable[[], T]) -> tuple[T, bool]:
        """The value kept under ``key`` while fresh, else ``fetch()`` kept; and whether it was kept already."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[0] < self._seconds:
            return entry[1], True
        return self.put(key, fetch()), False

    def put(self, key: tuple[str, ...], value: T) -> T:
        with self._lock:
            self._entries[key] = (self._clock(), value)
        return value


def discover(issuer: str, *, allow_http: bool = False, allow_private: bool = False,
             timeout: float = TIMEOUT_SECONDS, cache: ProviderCache | None = None) -> Provider:
    """The provider ``issuer`` as its discovery document describes it (kept in ``cache`` when given).

    Raises SsoError: 'unreachable', 'issuer' (the document names another issuer), 'discovery' (no usable
    document), 'config' (an issuer or endpoint that is not https) or 'private' (on a private network, unless
    ``allow_private``).
    """
    issuer = check_url(issuer, allow_http=allow_http)
    if cache is not None:
        return cache.get(("discovery", issuer, str(allow_private)),
                         lambda: discover(issuer, allow_http=allow_http, allow_private=allow_private,
                                          timeout=timeout))[0]
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=timeout,
                         allow_private=allow_private)
    if document.get("issuer") != issuer:  # OpenID Connect Discovery 1.0, section 4.3
        raise wrong_issuer()
    endpoints = {}
    schemes = ("https", "http") if allow_http else ("https",)
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        value = document.get(key)
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is not None and parts.scheme in schemes and parts.hostname:
            endpoints[key] = value
        elif key != "end_session_endpoint":  # optional: without it, logging out ends at Leerlijn
            raise invalid_answer("discovery")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(alg for alg in ALGORITHMS if isinstance(offered, list) and alg in offered)
    if not algorithms:
        raise invalid_answer("discovery")
    return Provider(issuer=issuer, algorithms=algorithms, allow_private=allow_private, **endpoints)


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep (in the session) until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request(provider: Provider, *, client_id: str, redirect_uri: str,
                          reauthenticate: bool = False) -> AuthorizationRequest:
    """A new authorization request (code flow, PKCE S256) with fresh random state, nonce and verifier;
    ``reauthenticate`` asks the provider to sign the person in again even when it has a session."""
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    client = OAuth2Session(client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    extra = {"prompt": "login"} if reauthenticate else {}
    url, _state = client.create_authorization_url(provider.authorization_endpoint, state=state, nonce=nonce,
                                                  code_verifier=verifier, **extra)
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


def logout_url(provider: Provider, *, client_id: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to log out at the provider as well, then come back to
    ``post_logout_redirect_uri``; None when the provider offers no logout (RP-Initiated Logout 1.0, with
    ``client_id`` instead of an ID token hint, so Leerlijn need not keep the ID token)."""
    if provider.end_session_endpoint is None:
        return None
    separator = "&" if urlsplit(provider.end_session_endpoint).query else "?"
    return provider.end_session_endpoint + separator + urlencode(
        {"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri})


def state_matches(expected: str | None, given: str | None) -> bool:
    """Whether the state that came back is the one sent (in constant time)."""
    return bool(expected and given) and secrets.compare_digest(expected.encode(), given.encode())


def _fetch_key_set(provider: Provider, timeout: float) -> KeySet:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        return KeySet.import_key_set(_get_json(provider.jwks_uri, timeout=timeout,
                                               allow_private=provider.allow_private))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise invalid_answer("jwks") from exc


def finish(provider: Provider, *, client_id: str, client_secret: str, redirect_uri: str, code: str,
           code_verifier: str, nonce: str, timeout: float = TIMEOUT_SECONDS, now: int | None = None,
           cache: ProviderCache | None = None) -> dict[str, Any]:
    """Exchange ``code`` for tokens and return the claims of the checked ID token.

    Raises SsoError: 'unreachable', 'token' (the provider refused the code), 'signature', 'issuer',
    'audience', 'expired', 'nonce' or 'invalid' (any other bad claim).
    """
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session

    reachable_host(provider.token_endpoint, allow_private=provider.allow_private)
    client = OAuth2Session(client_id, client_secret, scope=SCOPE, redirect_uri=redirect_uri,
                           code_challenge_method="S256")
    try:
        token = client.fetch_token(provider.token_endpoint, code=code, code_verifier=code_verifier,
                                   timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise unreachable() from exc
    except (AuthlibBaseError, ValueError, KeyError) as exc:  # an error answer, or one that is not a token
        raise invalid_answer("token") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise invalid_answer("token")
    return check_id_token(provider, id_token, client_id=client_id, nonce=nonce,
                          access_token=token.get("access_token"), timeout=timeout, now=now, cache=cache)


def check_id_token(provider: Provider, id_token: str, *, client_id: str, nonce: str, access_token: str | None = None,
                   timeout: float = TIMEOUT_SECONDS, now: int | None = None,
                   cache: ProviderCache | None = None) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature (the provider's JWKS), issuer, audience, expiry and
    nonce check out. Raises SsoError as :func:`finish` does."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError

    key = ("jwks", provider.jwks_uri)
    if cache is None:
        keys, kept = _fetch_key_set(provider, timeout), False
    else:
        keys, kept = cache.get(key, lambda: _fetch_key_set(provider, timeout))
    try:
        try:
            decoded = jwt.decode(id_token, keys, algorithms=list(provider.algorithms))
        except (InvalidKeyIdError, BadSignatureError):
            # Kept keys may be older than the provider's rotation: fetch them once more. Keys fetched just
            # now are not fetched again (a bad token must not make us hammer the provider).
            if cache is None or not kept:
                raise
            keys = cache.put(key, _fetch_key_set(provider, timeout))
            decoded = jwt.decode(id_token, keys, algorithms=list(provider.algorithms))
    except JoseError as exc:
        raise bad_signature() from exc
    except (ValueError, TypeError) as exc:
        raise invalid_answer() from exc
    params: dict[str, Any] = {"nonce": nonce, "client_id": client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(decoded.claims, decoded.header,
                         {"iss": {"essential": True, "value": provider.issuer},
                          "aud": {"essential": True, "value": client_id}}, params)
    try:
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as exc:
        raise expired() from exc
    except ClaimError as exc:
        raise {"iss": wrong_issuer(), "nonce": nonce_mismatch(), "aud": invalid_answer("audience"),
               "azp": invalid_answer("audience")}.get(exc.claim, invalid_answer()) from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise invalid_answer() from exc
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise invalid_answer()
    return dict(claims)
