"""cs.accounts and cs.audit on SQLite and PostgreSQL: organisations, people and roles, Argon2id passwords, web
sessions, org-bound tokens and the authorisation rule; audit events from issuing and status changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from credstack.api import create_app
from credstack.app import Credstack
from credstack.cli import main
from credstack.errors import AuthError, ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from credstack.storage.account_tables import PersonRow, SessionRow
from issuer_support import Clock, micro_achievement, open_app, unsigned_ob
from learner_support import session_cookie

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cs(database_url: str, clock: Clock) -> Iterator[Credstack]:
    with open_app(database_url, clock=clock) as app:
        yield app


@pytest.fixture
def lite(sqlite_url: str, clock: Clock) -> Iterator[Credstack]:
    """SQLite only, for behaviour that does not depend on the database (keeps the suite quick)."""
    with open_app(sqlite_url, clock=clock) as app:
        yield app


def test_passwords_are_stored_as_argon2id_and_checked(cs: Credstack) -> None:
    org = cs.accounts.create_org("Acme Training")
    person = cs.accounts.create_person("Ann@Example.com", password=PASSWORD, org_id=org.id, roles=["issuer_admin"])
    assert person.email == "ann@example.com"
    with cs.db.read() as session:
        stored = session.get(PersonRow, person.id)
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert PASSWORD not in stored.password_hash
    assert cs.accounts.authenticate("ANN@example.com ", PASSWORD).id == person.id
    for email, password in [("ann@example.com", PASSWORD + "x"), ("nobody@example.com", PASSWORD)]:
        with pytest.raises(AuthError, match="unknown e-mail address or wrong password"):
            cs.accounts.authenticate(email, password)
    with pytest.raises(InvalidInputError, match="10 to 1024"):
        cs.accounts.create_person("bob@example.com", password="short")
    with pytest.raises(ConflictError):
        cs.accounts.create_person("ann@example.com")


def test_roles_are_per_organisation_and_checked(cs: Credstack) -> None:
    acme = cs.accounts.create_org("Acme Training")
    globex = cs.accounts.create_org("Globex Hiring", slug="globex")
    ann = cs.accounts.create_person("ann@example.com", org_id=acme.id, roles=["issuer_admin", "assessor"])
    cs.accounts.add_role(ann.id, globex.id, "learner")
    ann = cs.accounts.get_person(ann.id)
    assert ann.roles == {"acme-training": {"issuer_admin", "assessor"}, "globex": {"learner"}}
    principal = cs.accounts.principal_for_session(cs.accounts.start_session(ann.id)[1])
    principal.require_role(acme.id, "issuer_admin")
    with pytest.raises(ForbiddenError, match="employer_reviewer in organisation 'globex'"):
        principal.require_role(globex.id, "employer_reviewer")
    cs.accounts.require_role(ann, acme.id, "assessor")
    with pytest.raises(ForbiddenError):
        cs.accounts.require_role(ann, globex.id, "issuer_admin")
    with pytest.raises(InvalidInputError, match="unknown role"):
        cs.accounts.add_role(ann.id, acme.id, "owner")
    with pytest.raises(NotFoundError):
        cs.accounts.person_in_org(globex.id, cs.accounts.create_person("eve@example.com").id)
    assert [p.email for p in cs.accounts.people(globex.id)] == ["ann@example.com"]


def test_org_tokens_act_only_in_their_organisation(cs: Credstack) -> None:
    acme = cs.accounts.create_org("Acme")
    globex = cs.accounts.create_org("Globex")
    boss = cs.accounts.create_person("boss@example.com", org_id=acme.id, roles=["platform_admin"])
    token = cs.accounts.create_token(acme.id, ["admin"], person_id=boss.id)
    principal = cs.accounts.principal_for_token(token)
    assert principal.org_id == acme.id and principal.person is not None
    assert not principal.is_platform_admin  # an org token never acts outside its organisation
    principal.require_role(acme.id, "issuer_admin")
    with pytest.raises(ForbiddenError, match="belongs to organisation 'acme'"):
        principal.require_role(globex.id, "issuer_admin")
    # a service token of the organisation (no person): its admin scope makes it the org's admin, nowhere else
    service = cs.accounts.principal_for_token(cs.accounts.create_token(acme.id, ["admin"]))
    service.require_role(acme.id, "issuer_admin")
    with pytest.raises(ForbiddenError):
        service.require_role(globex.id, "learner")
    # the tokens of `credstack token create` keep working, and an admin one is a platform admin
    legacy = cs.accounts.principal_for_token(cs.tokens.create(["admin"]))
    assert legacy.is_platform_admin and cs.tokens.authenticate(token).allows("issue")
    cs.tokens.revoke(principal.token_id or 0)
    with pytest.raises(AuthError):
        cs.accounts.principal_for_token(token)


def test_sessions_expire_and_end(lite: Credstack, clock: Clock) -> None:
    cs = lite
    person = cs.accounts.create_person("lea@example.com", password=PASSWORD)
    raw, web = cs.accounts.start_session(person.id)
    with cs.db.read() as session:
        assert session.get(SessionRow, raw) is None  # only the digest is stored
    found = cs.accounts.session(raw)
    assert found is not None and found.person.id == person.id and found.csrf_token == web.csrf_token
    assert cs.accounts.session(raw + "x") is None
    clock.advance(days=15)
    assert cs.accounts.session(raw) is None
    raw2, _ = cs.accounts.start_session(person.id)
    cs.accounts.end_session(raw2)
    assert cs.accounts.session(raw2) is None


def test_issuing_and_status_changes_are_audited_in_the_issuing_organisation(cs: Credstack) -> None:
    issuer = cs.issuers.default()
    org = cs.accounts.create_org("Example University", issuer_id=issuer.id)
    other = cs.accounts.create_org("Elsewhere")
    achievement = micro_achievement(cs)
    issued = cs.issuing.issue(achievement.id, recipient="lea@example.com")
    cs.status.suspend(issued.id)
    cs.status.unsuspend(issued.id)
    cs.status.revoke(issued.id)
    cs.status.revoke(issued.id)  # a no-op is not an event
    events = cs.audit.events(org_id=org.id)
    assert [e.action for e in events] == [
        "credential.revoked",
        "credential.unsuspended",
        "credential.suspended",
        "credential.issued",
    ]
    assert {e.subject for e in events} == {issued.id}
    assert events[-1].detail["recipient"] == "lea@example.com"
    assert cs.audit.events(org_id=other.id) == []
    with pytest.raises(InvalidInputError):
        cs.audit.events()


def test_credential_views_are_audited(lite: Credstack) -> None:
    cs = lite
    org = cs.accounts.create_org("Example University", issuer_id=cs.issuers.default().id)
    issued = cs.issuing.issue(micro_achievement(cs).id, recipient="lea@example.com")
    cs.audit.credential_viewed(issued.id, issued.issuer_id, where="credential page")
    (event,) = cs.audit.events(org_id=org.id, action="credential.viewed")
    assert (event.subject, event.actor, event.detail) == (issued.id, "anonymous", {"page": "credential page"})


def test_a_credentials_history_says_who_changed_it_why_and_how_often_it_was_viewed(
    lite: Credstack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One audit log: the API's status change (its token and reason), the credential page's view, the CLI's
    revocation, all in the issuing organisation's log and in ``credstack status ID``."""
    cs = lite
    org = cs.accounts.create_org("Example University", issuer_id=cs.issuers.default().id)
    issued = cs.issuing.issue(micro_achievement(cs).id, recipient="lea@example.com")
    raw = cs.tokens.create(["status"])
    token_id = cs.tokens.authenticate(raw).id
    with TestClient(create_app(cs)) as client:
        changed = client.post(
            f"/api/credentials/{issued.id}/suspend",
            json={"reason": "under review"},
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert changed.status_code == 200 and changed.json()["status"]["state"] == "suspended"
        assert client.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).status_code == 200
        checked = client.get("/verify", params={"credential": issued.credential["id"]}, headers={"Accept": "text/html"})
        assert checked.status_code == 200
        client.cookies.update(session_cookie(cs, "hr@example.com"))
        assert client.get(f"/credentials/{issued.id}", headers={"Accept": "text/html"}).status_code == 200
        client.cookies.clear()
        issuer_token = cs.tokens.create(["issue"])
        vc_api = client.post(
            "/credentials/issue",
            json={"credential": unsigned_ob()},
            headers={"Authorization": f"Bearer {issuer_token}"},
        )
        assert vc_api.status_code == 201
    by_token = cs.audit.events(org_id=org.id, action="credential.issued", limit=1)[0]
    assert by_token.actor == f"token:{cs.tokens.authenticate(issuer_token).id}" and by_token.subject != issued.id
    (suspended,) = cs.audit.events(org_id=org.id, action="credential.suspended")
    assert (suspended.actor, suspended.detail["reason"]) == (f"token:{token_id}", "under review")
    viewed = cs.audit.events(org_id=org.id, action="credential.viewed")
    assert [(e.subject, e.actor, e.detail["page"]) for e in viewed] == [
        (issued.id, "hr@example.com", "credential page"),  # a signed-in viewer is named
        (issued.id, "anonymous", "verification page"),
        (issued.id, "anonymous", "credential page"),
    ]

    monkeypatch.setenv("CREDSTACK_DATABASE_URL", cs.settings.database_url)
    monkeypatch.setenv("CREDSTACK_MASTER_SECRET", "test-master-secret-0123456789")
    monkeypatch.setenv("COLUMNS", "200")
    main(["revoke", issued.id, "--reason", "issued in error"])
    capsys.readouterr()
    main(["status", issued.id])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{issued.id}: revoked"
    history = [line.strip() for line in lines[3:]]
    assert [line[17:] for line in history[:3]] + history[3:] == [
        "credential.issued by system",
        f"credential.suspended by token:{token_id}: under review",
        "credential.revoked by cli: issued in error",
        "viewed 3 time(s), last 2026-03-01 12:00",
    ]
    assert history[0].startswith("2026-03-01 12:00 ")  # when, from the audit log
