"""Job aids in the browser: a printable page, a PDF, and links from the module that uses them."""

from __future__ import annotations


def test_a_job_aid_is_a_printable_page_with_a_pdf_link(client, auth):
    auth.register()
    page = client.get("/hulpmiddelen/kindcheck").get_data(as_text=True)
    assert "<h1>De kindcheck</h1>" in page or ">De kindcheck</h1>" in page
    assert "Vraag advies aan Veilig Thuis: 0800-2000." in page and "Rijksoverheid (2019)" in page
    assert 'href="/hulpmiddelen/kindcheck.pdf"' in page and "css/jobaid.css" in page
    assert 'class="site-header no-print"' in page  # navigation drops out when printed


def test_the_pdf_is_a_real_pdf_of_the_card(client, auth):
    auth.register()
    response = client.get("/hulpmiddelen/kindcheck.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-") and len(body) > 2000
    assert client.get("/hulpmiddelen/kindcheck.pdf").get_data() == body  # made once, served again


def test_the_module_page_and_the_list_link_to_the_aids(client, auth):
    auth.register()
    module = client.get("/modules/eerste/").get_data(as_text=True)
    assert "Hulpmiddelen om te printen" in module and 'href="/hulpmiddelen/kindcheck"' in module
    assert "Hulpmiddelen om te printen" not in client.get("/modules/tweede/").get_data(as_text=True)
    listing = client.get("/hulpmiddelen/").get_data(as_text=True)
    assert "De kindcheck" in listing and "Wat je nagaat als een volwassene in zorg kinderen heeft." in listing


def test_unknown_aids_are_404_and_anonymous_visitors_log_in_first(client, auth):
    assert client.get("/hulpmiddelen/kindcheck").status_code == 302
    auth.register()
    assert client.get("/hulpmiddelen/bestaat-niet").status_code == 404
    assert client.get("/hulpmiddelen/bestaat-niet.pdf").status_code == 404


def test_every_job_aid_of_the_real_course_prints_as_a_pdf():
    """The four aids of the course (meldcode card, kindcheck, when a child tells, safety plan) all render."""
    from pathlib import Path

    from app import create_app
    from app.jobaids.pdf import pdf_of
    from course.catalog import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parents[2])
    assert len(catalog.jobaids) >= 4
    assert all(catalog.module(m) for aid in catalog.jobaids.values() for m in aid.modules)
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-with-enough-length-000000",
                      "DATABASE_URL": "sqlite://", "AUTO_MIGRATE": False, "CATALOG": catalog})
    with app.test_request_context():
        for aid in catalog.jobaids.values():
            assert pdf_of(aid).startswith(b"%PDF-"), aid.id
