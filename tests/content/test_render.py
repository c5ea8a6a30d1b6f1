from app.content.render import plain_text, render_inline

NUMBERS = {"brown2017": 1, "nice": 2}.get


def test_citations_become_numbered_links_into_the_sources():
    html = render_inline("Riluzole helps a little [@nice].", NUMBERS, "Source {number}")
    assert '<a class="cite" href="#source-nice" aria-label="Source 2">[2]</a>' in html


def test_raw_html_is_escaped_never_passed_through():
    html = render_inline('Text <script>alert(1)</script> <img src=x onerror="y">', NUMBERS)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_markdown_images_are_not_rendered():
    assert "<img" not in render_inline("![x](https://example.org/x.png)", NUMBERS)


def test_plain_text_drops_markup_and_citations():
    assert plain_text("**Bold** and [a link](https://x.org) [@nice].") == "Bold and a link ."
