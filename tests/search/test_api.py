import pytest


def test_search_api_returns_the_same_results_as_the_page(client):
    body = client.get("/api/v1/search?q=lenzumestrocel&lang=en").get_json()
    assert body["total"] == 1
    result = body["results"][0]
    assert result["article"] == "als-stem-cell-therapy"
    assert result["section"] == "trial-evidence"
    assert result["url"] == "http://localhost/en/articles/als-stem-cell-therapy#trial-evidence"
    assert "<mark" in result["snippet_html"]


def test_search_api_can_be_embedded_by_other_sites(client):
    response = client.get("/api/v1/search?q=riluzole&lang=en")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=riluzole&lang=xx", "Unknown language"),
        ("q=riluzole&lang=en&page=zero", "That page of results does not exist."),
        ("q=&lang=en", "Type one or more words"),
    ],
)
def test_bad_parameters_are_json_400s(client, query, message):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_openapi_describes_the_search_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "lang", "page"}
    assert set(operation["parameters"][1]["schema"]["enum"]) == {"en", "hi", "ar", "bn", "ru", "fr"}
    assert "SearchPage" in spec["components"]["schemas"]


def test_api_unknown_path_is_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_the_description_and_the_api_agree_on_what_is_blank(client):
    """schemathesis once sent ``q=%C2%85%C2%85``: the pattern allowed it and the API said 400."""
    import re
    from urllib.parse import quote

    spec = client.get("/api/v1/openapi.json").get_json()
    pattern = spec["paths"]["/api/v1/search"]["get"]["parameters"][0]["schema"]["pattern"]
    odd = [chr(c) for c in range(0x3001) if chr(c).isspace() or chr(c) in "\x00\x1b\u200b\ufeff"]
    for char in odd:
        described_valid = re.search(pattern, char * 2) is not None
        response = client.get(f"/api/v1/search?lang=en&q={quote(char * 2)}")
        assert (response.status_code == 200) == described_valid, (hex(ord(char)), response.status)
        assert response.status_code in (200, 400)
