"""The public vote from its page's script (competitions/selection/voting.py): a phone's vote
carries its signed device token in a header equal to its cookie and is answered in front of
the app, in the page's language; anything else (another phone's token, no token) goes to the
app, which asks for the form's CSRF token as for every form. Nothing refused is counted."""

import re
from datetime import timedelta

import redis
import sqlalchemy as sa
from sqlalchemy import select

from app import create_app
from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.selection import services
from competitions.selection.models import Vote
from competitions.selection.voting import DEVICE_COOKIE
from tests.selection.test_selection import _through_review_and_experts, _world


def _phone(app, campaign_id):
    """A phone that opened the vote page: its client and the token its page gave its script."""
    phone = app.test_client()
    page = phone.get(f"/selection/{campaign_id}/vote").get_data(as_text=True)
    token = re.search(r'data-device="([^"]+)"', page)[1]
    assert phone.get_cookie(DEVICE_COOKIE).value == token
    return phone, token


def _open_vote(app, redis_url):
    """A campaign whose vote is open (counted in a clean Redis), its four nominees, and an app
    that asks for CSRF tokens as the real one does."""
    app.config["REDIS_URL"] = redis_url
    store = redis.Redis.from_url(redis_url)
    for key in store.scan_iter("jingsai:vote:*"):
        store.delete(key)
    campaign, jn, rb, steel, rail, users = _world()
    nominees = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    now = local_now()
    campaign.vote_opens, campaign.vote_closes = now - timedelta(days=1), now + timedelta(days=1)
    db.session.commit()
    return store, campaign, nominees, create_app({**app.config, "WTF_CSRF_ENABLED": True})


def test_a_phone_votes_from_the_page_script_and_a_forged_token_goes_to_the_app(app, redis_url):
    store, campaign, (wang, li, _zhang, chen), strict = _open_vote(app, redis_url)
    phone, token = _phone(strict, campaign.id)
    other, other_token = _phone(strict, campaign.id)

    def vote(client, nominee, **headers):
        return client.post(
            f"/selection/{campaign.id}/vote/{nominee.id}",
            headers={"Accept": "application/json", **headers},
        )

    # The script's vote: no form token, the device header instead; thanked in Chinese.
    first = vote(phone, wang, **{"X-Vote-Device": token})
    assert first.status_code == 200 and first.json["ok"]
    assert first.json["message"] == "投票成功，感谢参与。"
    english = vote(phone, li, **{"X-Vote-Device": token, "X-Vote-Language": "en"})
    assert english.json["message"] == "Thank you: your vote counts."
    again = vote(phone, wang, **{"X-Vote-Device": token, "X-Vote-Language": "en"})
    assert again.status_code == 409 and "already voted" in again.json["message"]
    absent = vote(phone, chen, **{"X-Vote-Device": token, "X-Vote-Language": "en"})
    assert absent.status_code == 409 and "no such nominee" in absent.json["message"]

    # Another phone's token (a page of another site cannot read it anyway), or none: the app
    # answers, and without the form's CSRF token it refuses.
    assert vote(phone, li, **{"X-Vote-Device": other_token}).status_code == 400
    assert vote(other, wang).status_code == 400
    assert vote(other, wang, **{"X-Vote-Device": "forged"}).status_code == 400

    # What was acknowledged is what the workers write; nothing refused was counted.
    assert services.counts(campaign) == {wang.id: 1, li.id: 1}
    assert services.write_trail(campaign.id) == 2
    stored = set(db.session.scalars(select(Vote.token)))
    assert stored == {first.json["vote"], english.json["vote"]}
    assert db.session.scalar(select(sa.func.count()).select_from(Vote)) == 2
    for key in store.scan_iter("jingsai:vote:*"):
        store.delete(key)


def test_phones_opening_the_page_each_get_forms_of_their_own_that_vote(app, redis_url):
    """A crowd opening the vote page is answered from the cards as rendered once (the view keeps
    them): each phone's forms still carry its own CSRF token, so each votes without the script,
    and a phone back from its vote sees it counted in the card it voted from."""
    store, campaign, (wang, li, _zhang, _chen), strict = _open_vote(app, redis_url)
    phones = [strict.test_client() for _ in range(3)]
    pages = [p.get(f"/selection/{campaign.id}/vote").get_data(as_text=True) for p in phones]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in pages]
    assert all(len(t) == 1 for t in tokens)  # one token on each page, in every card's form
    assert len(set.union(*tokens)) == 3  # each phone's own
    for page in pages:
        assert page.count('class="vote-card"') == 3 and wang.person.name in page
    for phone, (token,) in zip(phones, tokens, strict=True):
        answer = phone.post(
            f"/selection/{campaign.id}/vote/{wang.id}",
            data={"csrf_token": token},
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)
        back = phone.get(answer.headers["Location"]).get_data(as_text=True)
        card = back[back.index(f'id="n{wang.id}"') :]
        assert "投票成功，感谢参与。" in card[: card.index("</li>")]
    counted = phones[2].get(answer.headers["Location"]).get_data(as_text=True)
    assert f'id="count-{wang.id}">3<' in counted
    # Back on the page, a phone that voted for 王工 today finds his button off and marked;
    # 李工's is on; a new phone (the same kept cards) finds every button on.
    again = phones[0].get(f"/selection/{campaign.id}/vote").get_data(as_text=True)
    assert f'id="vote-{wang.id}" disabled>' in again and f'id="voted-{wang.id}">' in again
    assert f'id="vote-{li.id}">' in again and f'id="voted-{li.id}" hidden>' in again
    # The kept cards follow the counts (once the second-old counts are counted again: their
    # key let expire here) and each phone's language.
    store.delete(f"jingsai:vote:{campaign.id}:public-counts")
    new = strict.test_client().get(f"/selection/{campaign.id}/vote").get_data(as_text=True)
    assert "disabled" not in new and f'id="voted-{wang.id}" hidden>' in new
    assert f'id="count-{wang.id}">3<' in new
    english = strict.test_client()
    english.get("/lang/en")
    page = english.get(f"/selection/{campaign.id}/vote").get_data(as_text=True)
    assert ">Vote</button>" in page and "投票</button>" not in page
    assert ">投票</button>" in new
    assert services.counts(campaign) == {wang.id: 3}
    for key in store.scan_iter("jingsai:vote:*"):
        store.delete(key)
