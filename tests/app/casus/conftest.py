"""Helpers for the casus web tests: the fixture casus tests/fixtures/content/valid/casuses/oefencasus.yaml."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

CASUS = "oefencasus"


class CasusActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def start(self) -> int:
        response = self.client.post(f"/casus/{CASUS}/starten")
        assert response.status_code == 302, response.status_code
        return int(re.search(r"/casus/run/(\d+)", response.headers["Location"])[1])

    def restart(self) -> int:
        response = self.client.post(f"/casus/{CASUS}/opnieuw")
        assert response.status_code == 302
        return int(re.search(r"/casus/run/(\d+)", response.headers["Location"])[1])

    def page(self, run_id: int) -> str:
        response = self.client.get(f"/casus/run/{run_id}")
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def token(self, run_id: int) -> str:
        return re.search(r'name="run_token" value="([^"]+)"', self.page(run_id))[1]

    def post(self, run_id: int, step: str, data: dict[str, Any] | None = None, *, action: str = "submit",
             token: str | None = None, **kwargs: Any) -> Any:
        form = {"run_token": token or self.token(run_id), "step": step, "action": action, **(data or {})}
        return self.client.post(f"/casus/run/{run_id}", data=form, **kwargs)

    def answer(self, run_id: int, step: str, data: dict[str, Any] | None = None) -> None:
        response = self.post(run_id, step, data)
        assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:2000])


@pytest.fixture
def casus(client: FlaskClient) -> CasusActions:
    return CasusActions(client)
