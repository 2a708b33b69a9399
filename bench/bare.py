"""The floor every figure of bench/http_pages.py is divided by: the cheapest Flask request there is.

Served by gunicorn with the same settings as Leerlijn in the same run (``gunicorn bench.bare:app``).
"""

from flask import Flask

app = Flask("bare")


@app.route("/")
def index() -> str:
    return "ok"
