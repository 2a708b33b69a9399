"""A real OpenID Connect provider for the tests, built on Authlib's server side and served on a local port.

It is an organisation's identity provider as Leerlijn meets one: a discovery document, a JWKS endpoint with
its own RSA key, an authorization endpoint (code flow; it insists on PKCE with S256 and on a nonce) and a
token endpoint that checks the client secret and the PKCE verifier and returns a signed ID token. Nobody
types a password: the authorization endpoint signs in whoever ``provider.person`` is.

It can misbehave on demand, so that the failure tests go through the whole real flow: ``provider.misbehave``
takes ``sign_with_other_key``, ``token_issuer``, ``discovery_issuer``, ``expired``, ``nonce``, ``audience`` and
``discovery_status`` (answer discovery with an HTML page and that status) and ``no_logout`` (no
``end_session_endpoint``). Its logout endpoint forgets who was signed in.
"""

from __future__ import annotations

import secrets
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

with warnings.catch_warnings():
    # The brief for these tests names Authlib's own JsonWebKey; Authlib now points to joserfc for it.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey

KID = "test-key-1"


def rsa_key(kid: str = KID) -> RSAKey:
    """A fresh 2048-bit RSA key with the provider's key id, made with Authlib's JsonWebKey."""
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})
    return RSAKey.import_key(key.as_dict(is_private=True))


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: dict[str, Any]
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    """The provider's state: its keys, clients, codes, who is signing in, and what it should get wrong."""

    def __init__(self) -> None:
        self.first_key = self.key = rsa_key()
        self.other_key = rsa_key()  # same key id, not published: a forged signature
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.person: dict[str, Any] = {}
        self.misbehave: dict[str, Any] = {}
        self.requests: list[dict[str, str]] = []  # the authorization requests received
        self.token_requests: list[dict[str, str]] = []
        self.fetches: Counter[str] = Counter()  # discovery and key-set downloads
        self.logouts: list[dict[str, str]] = []  # the logout requests received
        self.issuer = ""  # set once the port is known
        self.app = self._build()

    def reset(self) -> None:
        self.clients.clear()
        self.codes.clear()
        self.misbehave.clear()
        self.requests.clear()
        self.token_requests.clear()
        self.fetches.clear()
        self.logouts.clear()
        self.key = self.first_key
        self.person = {}

    def rotate_key(self) -> None:
        """Sign with a new key under a new key id from now on, publishing only that one."""
        self.key = rsa_key(f"test-key-{secrets.token_hex(4)}")

    def register(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri])

    def sign_in_as(self, sub: str, email: str, *, name: str = "", email_verified: bool | None = True) -> None:
        """Who the provider signs in next (``email_verified`` None: the claim is left out)."""
        self.person = {"sub": sub, "email": email, "name": name or email.split("@")[0].title()}
        if email_verified is not None:
            self.person["email_verified"] = email_verified

    # --- the Authlib server ------------------------------------------------------------------------------

    def _build(self) -> Flask:
        provider = self
        app = Flask("test-oidc-provider")

        class StrictPkce(CodeChallenge):
            """PKCE as Leerlijn must use it: a challenge, made with S256."""

            def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
                data = grant.request.payload.data
                if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
                    raise InvalidRequestError("PKCE with S256 is required")
                super().validate_code_challenge(grant, redirect_uri)

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                data = req.payload.data
                provider.codes[code] = Code(code, req.client.client_id, req.payload.redirect_uri, req.payload.scope,
                                            data.get("nonce"), data.get("code_challenge"),
                                            data.get("code_challenge_method"), dict(provider.person))

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)  # a code works once

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.person

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.other_key if provider.misbehave.get("sign_with_other_key") else provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": provider.key.kid or KID}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(time.time())
                claims = {"iss": provider.misbehave.get("token_issuer", provider.issuer),
                          "aud": [provider.misbehave.get("audience", client.client_id)],
                          "iat": now, "exp": now + 300}
                if provider.misbehave.get("expired"):
                    claims.update(iat=now - 7200, exp=now - 3600)
                return claims

            def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
                claims = super().get_authorization_code_claims(authorization_code)
                if "nonce" in provider.misbehave:
                    claims["nonce"] = provider.misbehave["nonce"]
                return claims

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(user)

        server = AuthorizationServer(app, query_client=lambda client_id: provider.clients.get(client_id),
                                     save_token=lambda token, req: None)
        server.register_grant(Grant, [IdToken(require_nonce=True), StrictPkce(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            provider.fetches["discovery"] += 1
            if "discovery_status" in provider.misbehave:  # a provider that is down, or answers nonsense
                return "<html>Gateway Timeout</html>", provider.misbehave["discovery_status"]
            return jsonify({
                "issuer": provider.misbehave.get("discovery_issuer", provider.issuer),
                "authorization_endpoint": provider.issuer + "/authorize",
                "token_endpoint": provider.issuer + "/token",
                "jwks_uri": provider.issuer + "/jwks",
                **({} if provider.misbehave.get("no_logout")
                   else {"end_session_endpoint": provider.issuer + "/logout"}),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "email", "profile"],
            })

        @app.get("/jwks")
        def jwks() -> Any:
            provider.fetches["jwks"] += 1
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/logout")
        def logout() -> Any:
            """RP-initiated logout: forget who is signed in, back to where the client asked."""
            provider.logouts.append(dict(request.args))
            provider.person = {}
            return redirect(request.args["post_logout_redirect_uri"])

        @app.get("/authorize")
        def authorize() -> Any:
            provider.requests.append(dict(request.args))
            oauth_request = server.create_oauth2_request(request)
            try:
                grant = server.get_authorization_grant(oauth_request)
            except OAuth2Error as error:
                return server.handle_error_response(oauth_request, error)
            # No login form: the provider signs in whoever ``person`` is (nobody: the person said no).
            return server.create_authorization_response(oauth_request, grant_user=provider.person or None, grant=grant)

        @app.post("/token")
        def token() -> Any:
            provider.token_requests.append(dict(request.form))
            return server.create_token_response()

        return app


class Running:
    """The provider served on 127.0.0.1 in a thread (werkzeug's server), until ``stop``."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.server = make_server("127.0.0.1", 0, provider.app, threaded=True)
        provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
