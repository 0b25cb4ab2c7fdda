"""Feed tokens: derived from a key, stored only as hashes, rotated and revoked at once."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from scheduler_service.clock import FixedClock
from scheduler_service.config import Config, load_config
from scheduler_service.errors import StoreError
from scheduler_service.feeds import ensure_tokens
from scheduler_service.feeds.feed_key import (
    KEY_ENV,
    KEY_FILE_ENV,
    KEY_FILE_NAME,
    key_file_path,
    load_feed_key,
)
from scheduler_service.feeds.links import entitled_feeds, subscribe_links
from scheduler_service.feeds.service import FeedAdminError, FeedService
from scheduler_service.feeds.tokens import (
    FeedRef,
    FeedToken,
    TokenLookup,
    derive_token,
    hash_token,
    lookup_feed,
)
from scheduler_service.store import Store

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEY = bytes(range(32))


def make_config(tmp_path: Path, extra: str = "", roster_drop: str | None = None) -> Config:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('"sqlite:///traincal.db"', f'"sqlite:///{tmp_path}/traincal.db"')
    if extra:
        text = text.replace("team_feeds = false", extra)
    if roster_drop:
        text = "\n".join(
            line for line in text.splitlines() if f'id = "{roster_drop}"' not in line
        )
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return load_config(tmp_path / "config.toml")


@pytest.fixture
def service(tmp_path: Path) -> FeedService:
    config = make_config(tmp_path)
    return FeedService(config, Store(config.storage.url), KEY, FixedClock(NOW))


def _token(service: FeedService, person: str, kind: str = "person") -> str:
    (link,) = [x for x in service.links([person]) if x.ref.kind == kind]
    return link.links.https.rsplit("/", 1)[1].removesuffix(".ics")


def test_tokens_are_long_urlsafe_and_distinct(service: FeedService) -> None:
    tokens = [link.links.https.rsplit("/", 1)[1][:-4] for link in service.links()]
    assert len(tokens) == len(entitled_feeds(service.config))
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 bits, base64url


def test_the_database_holds_hashes_never_tokens(service: FeedService, tmp_path: Path) -> None:
    tokens = [link.links.https.rsplit("/", 1)[1][:-4] for link in service.links()]
    with service.tokens.store.session() as db:
        rows = db.scalars(select(FeedToken)).all()
        stored = {row.token_hash for row in rows}
        columns = " ".join(
            f"{r.holder} {r.kind} {r.feed_key} {r.salt} {r.token_hash}" for r in rows
        )
    assert stored == {hash_token(t) for t in tokens}
    database = (tmp_path / "traincal.db").read_bytes()
    for token in tokens:
        assert token not in columns
        assert token.encode() not in database


def test_links_are_re_derivable_but_not_without_the_key(service: FeedService) -> None:
    first = [link.to_json() for link in service.links()]
    assert [link.to_json() for link in service.links()] == first
    other = FeedService(service.config, service.tokens.store, b"x" * 32, service.clock)
    with pytest.raises(StoreError, match="feed key does not match"):
        other.links()


def test_lookup_finds_active_tokens_only(service: FeedService) -> None:
    store = service.tokens.store
    token = _token(service, "jbellweat")
    assert lookup_feed(store, token) == FeedRef("jbellweat", "person", "jbellweat")
    assert lookup_feed(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert lookup_feed(store, "") is None
    (rotated,) = service.rotate("jbellweat")
    new = rotated.links.https.rsplit("/", 1)[1][:-4]
    assert lookup_feed(store, token) is None
    assert lookup_feed(store, new) is not None
    assert [r.ref.holder for r in service.revoke("jbellweat")] == ["jbellweat"]
    assert lookup_feed(store, new) is None


def test_unknown_and_revoked_tokens_run_the_same_query(service: FeedService) -> None:
    store = service.tokens.store
    token = _token(service, "jbellweat")
    service.revoke("jbellweat")
    lookup = TokenLookup(store)
    seen: list[str] = []
    driver = lookup.connection().driver_connection
    assert driver is not None
    driver.set_trace_callback(lambda sql: seen.append(re.sub(r"'[0-9a-f]{64}'", "?", sql)))
    try:
        assert lookup(token) is None
        revoked_sql = list(seen)
        seen.clear()
        assert lookup("x" * 43) is None
    finally:
        lookup.close()
    selects = [sql for sql in seen if sql.startswith("SELECT")]
    assert revoked_sql == seen and len(selects) == 1
    assert "revoked_at IS NULL" in selects[0]


def test_revoked_feeds_stay_revoked_until_rotated(service: FeedService) -> None:
    service.ensure()
    service.revoke("jbellweat")
    assert service.ensure() == []
    states = {(s.ref.holder, s.ref.kind): s.state for s in service.statuses()}
    assert states[("jbellweat", "person")] == "revoked"
    assert all(link.ref.holder != "jbellweat" for link in service.links())
    service.rotate("jbellweat")
    states = {(s.ref.holder, s.ref.kind): s.state for s in service.statuses()}
    assert states[("jbellweat", "person")] == "active"


def test_leaving_the_roster_retires_tokens_and_coming_back_reissues(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    store = Store(config.storage.url)
    token = _token(FeedService(config, store, KEY, FixedClock(NOW)), "mdunmore")
    smaller = make_config(tmp_path, roster_drop="mdunmore")
    later = FixedClock(NOW + timedelta(days=1))
    assert FeedService(smaller, store, KEY, later).ensure() == []
    assert lookup_feed(store, token) is None
    status = {s.ref.holder: s for s in FeedService(smaller, store, KEY, later).statuses()}
    assert status["mdunmore"].name is None and status["mdunmore"].state == "no longer entitled"
    back = FeedService(config, store, KEY, later)
    (issued,) = back.ensure()
    assert issued.ref.holder == "mdunmore" and issued.generation == 2
    assert _token(back, "mdunmore") != token


def test_entitlements_follow_roles_and_team_feeds(tmp_path: Path) -> None:
    config = make_config(tmp_path, extra="team_feeds = true")
    refs = set(entitled_feeds(config))
    assert FeedRef("rachterberg", "coordinator", "all") in refs
    assert FeedRef("prasmussen", "facilitator", "prasmussen") in refs
    assert FeedRef("jbellweat", "team", "A") in refs
    assert FeedRef("jbellweat", "facilitator", "jbellweat") not in refs
    assert all(FeedRef(p.id, "person", p.id) in refs for p in config.roster)


def test_rotate_and_revoke_name_unknown_people(service: FeedService) -> None:
    with pytest.raises(FeedAdminError, match="did you mean 'jbellweat'"):
        service.rotate("jbellweet")
    with pytest.raises(FeedAdminError, match="no person"):
        service.revoke("nobody")
    with pytest.raises(FeedAdminError):
        service.rotate("jbellweat", ["coordinator"])


def test_rotate_all_issues_new_links_to_everyone(service: FeedService) -> None:
    before = {link.links.https for link in service.links()}
    after = {link.links.https for link in service.rotate(None)}
    assert len(after) == len(before) and not (after & before)


def test_ensure_tokens_for_the_publish_step(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    store = Store(config.storage.url)
    issued = ensure_tokens(config, store, now=NOW, key=KEY)
    assert {rec.ref for rec in issued} == set(entitled_feeds(config))
    assert all(rec.created_at == NOW for rec in issued)
    assert ensure_tokens(config, store, now=NOW, key=KEY) == []


def test_subscribe_links_use_the_base_url() -> None:
    links = subscribe_links("https://cal.example.org/traincal", "abc")
    assert links.https == "https://cal.example.org/traincal/feeds/abc.ics"
    assert links.webcal == "webcal://cal.example.org/traincal/feeds/abc.ics"
    assert links.google == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fcal.example.org%2Ftraincal%2Ffeeds%2Fabc.ics"
    )


# --- the key -------------------------------------------------------------------------------


def test_key_file_is_created_next_to_the_database_with_mode_0600(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db/traincal.db"
    key = load_feed_key(url, {})
    path = tmp_path / "db" / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32
    assert load_feed_key(url, {}) == key


def test_key_location_and_value_can_come_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/traincal.db"
    elsewhere = tmp_path / "secrets" / "feed.key"
    assert key_file_path(url, {KEY_FILE_ENV: str(elsewhere)}) == elsewhere
    load_feed_key(url, {KEY_FILE_ENV: str(elsewhere)})
    assert elsewhere.exists() and not (tmp_path / KEY_FILE_NAME).exists()
    assert load_feed_key(url, {KEY_ENV: "k" * 40}) == b"k" * 40
    with pytest.raises(StoreError, match="too short"):
        load_feed_key(url, {KEY_ENV: "short"})
    assert key_file_path("postgresql://db.example.org/traincal", {}) == Path(KEY_FILE_NAME)


def test_a_damaged_or_missing_key_file_is_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/traincal.db"
    with pytest.raises(StoreError, match="does not exist"):
        load_feed_key(url, {}, create=False)
    (tmp_path / KEY_FILE_NAME).write_text("not hex\n")
    with pytest.raises(StoreError, match="hex"):
        load_feed_key(url, {})


ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@given(holder=ids, key=ids, generation=st.integers(1, 10**6), salt=st.text(max_size=32))
def test_derived_tokens_are_256_bit_urlsafe_and_depend_on_every_input(
    holder: str, key: str, generation: int, salt: str
) -> None:
    ref = FeedRef(holder, "person", key)
    token = derive_token(KEY, ref, generation, salt)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert derive_token(KEY, ref, generation, salt) == token
    assert derive_token(KEY, ref, generation + 1, salt) != token
    assert derive_token(KEY, ref, generation, salt + "x") != token
    assert derive_token(KEY, FeedRef(holder, "team", key), generation, salt) != token
    assert derive_token(b"k" * 32, ref, generation, salt) != token
