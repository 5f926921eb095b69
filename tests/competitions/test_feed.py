"""The Atom feed of newly published competitions: /<lang>/competitions/feed/."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from .factories import CompetitionFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_feed_lists_published_competitions_only_newest_first(client, state_body, published, draft):
    older = CompetitionFactory(state_body=state_body, published=True)
    older.published_at = published.published_at - datetime.timedelta(days=2)
    older.save(update_fields=["published_at"])
    cancelled_draft = CompetitionFactory(state_body=state_body, status="cancelled")

    response = client.get("/ky/competitions/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    _root, items = entries(response)
    titles = [item.findtext(f"{ATOM}title") for item in items]
    assert titles == [
        f"{published.reference}: {published.title_ky}",
        f"{older.reference}: {older.title_ky}",
    ]
    body = response.content.decode()
    assert draft.reference not in body
    assert cancelled_draft.reference not in body


def test_feed_entries_link_to_the_competition_page(client, published):
    _root, [item] = entries(client.get("/ky/competitions/feed/"))
    link = item.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/ky/competitions/{published.reference}/"
    assert item.findtext(f"{ATOM}author/{ATOM}name") == published.state_body.name_ky
    # The summary is HTML (Atom's type="html"): the announcement escaped, in a paragraph.
    assert item.findtext(f"{ATOM}summary") == f"<p>{published.announcement_ky}</p>"
    assert item.findtext(f"{ATOM}published") or item.findtext(f"{ATOM}updated")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_feed_speaks_the_language_of_its_address(client, published, language):
    _root, [item] = entries(client.get(f"/{language}/competitions/feed/"))
    title = getattr(published, f"title_{language}")
    assert item.findtext(f"{ATOM}title") == f"{published.reference}: {title}"


def test_an_empty_feed_is_valid(client, db):
    _root, items = entries(client.get("/ky/competitions/feed/"))
    assert items == []


def test_catalogue_advertises_the_feed(client, db):
    page = client.get("/ky/competitions/").content.decode()
    assert 'type="application/atom+xml"' in page
    assert 'href="/ky/competitions/feed/"' in page
