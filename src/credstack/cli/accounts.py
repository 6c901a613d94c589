"""``credstack org create|list``, ``credstack user create|role|token`` and ``credstack audit list`` (docs/accounts.md).

Thin commands: each calls one method of ``cs.accounts`` or ``cs.audit`` and prints the result (``--json`` for one
JSON document on stdout).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import open_app, out
from credstack.errors import InvalidInputError

__all__ = ["audit_app", "org_app", "user_app"]

org_app = typer.Typer(name="org", help="Organisations (training providers, employers).", no_args_is_help=True)
user_app = typer.Typer(name="user", help="People and their roles per organisation.", no_args_is_help=True)
audit_app = typer.Typer(name="audit", help="The audit log.", no_args_is_help=True)
app.add_typer(org_app)
app.add_typer(user_app)
app.add_typer(audit_app)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    slug: Annotated[str | None, typer.Option(help="Its id (default: the name, slugified).")] = None,
    issuer: Annotated[str | None, typer.Option(help="The issuer (slug or id) it signs credentials with.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an organisation; prints its id."""
    with open_app() as cs:
        issuer_id = cs.issuers.get(issuer).id if issuer is not None else None
        org = cs.accounts.create_org(name, slug=slug, issuer_id=issuer_id)
        cs.audit.record("cli", "org.created", org.id, org.id, {"name": org.name})
    if as_json:
        _json({"id": org.id, "name": org.name, "issuer_id": org.issuer_id})
    else:
        typer.echo(org.id)


@org_app.command("list")
def org_list(as_json: JsonFlag = False) -> None:
    """List organisations."""
    with open_app() as cs:
        orgs = cs.accounts.list_orgs()
    if as_json:
        _json([{"id": o.id, "name": o.name, "issuer_id": o.issuer_id} for o in orgs])
        return
    for org in orgs:
        out.print(f"{escape(org.id)}\t{escape(org.name)}")


def _person_json(person: Any) -> dict[str, Any]:
    roles = {org: sorted(r) for org, r in sorted(person.roles.items())}
    return {"id": person.id, "email": person.email, "name": person.name, "roles": roles}


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The person's e-mail address (their sign-in).")],
    org: Annotated[str | None, typer.Option(help="Organisation id the role is held in.")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help="platform_admin, issuer_admin, assessor, employer_reviewer or learner (repeatable)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a person with roles in an organisation; prints the person's id."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInputError("--password-stdin: no password on stdin")
    with open_app() as cs:
        person = cs.accounts.create_person(email, name=name, password=password, org_id=org, roles=role or ())
        cs.audit.record("cli", "person.created", person.email, org, {"roles": sorted(role or ())}, person_id=person.id)
    if as_json:
        _json(_person_json(person))
    else:
        typer.echo(person.id)


@user_app.command("role")
def user_role(
    email: Annotated[str, typer.Argument(help="The person's e-mail address.")],
    org: Annotated[str, typer.Option(help="Organisation id.")],
    role: Annotated[str, typer.Option(help="The role to add.")],
) -> None:
    """Give a person a role in an organisation."""
    with open_app() as cs:
        found = cs.accounts.find_person(email)
        if found is None:
            raise InvalidInputError(f"no person {email!r}: create them with `credstack user create`")
        person = cs.accounts.add_role(found.id, org, role)
    out.print(f"{escape(person.email)}\t{escape(org)}\t{','.join(sorted(person.roles.get(org, ())))}")


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="The person the token acts for.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated scopes (see `credstack token create`).")],
    org: Annotated[str | None, typer.Option(help="Bind the token to this organisation (default: personal).")] = None,
    name: Annotated[str | None, typer.Option(help="A label.")] = None,
) -> None:
    """An API token acting for a person (in one organisation, or a personal wallet token); printed once."""
    with open_app() as cs:
        person = cs.accounts.find_person(email)
        if person is None:
            raise InvalidInputError(f"no person {email!r}")
        if org is None:
            raw = cs.accounts.create_personal_token(person.id, scopes.split(","), name=name)
        else:
            raw = cs.accounts.create_token(org, scopes.split(","), person_id=person.id, name=name)
    typer.echo(raw)


@audit_app.command("list")
def audit_list(
    org: Annotated[str | None, typer.Option(help="Only this organisation's events (default: all).")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. credential.revoked.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most events to show.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The audit log, newest first."""
    with open_app() as cs:
        events = cs.audit.events(org_id=org, action=action, limit=limit, everything=org is None)
    if as_json:
        _json([e.to_json() for e in events])
        return
    for e in events:
        when = e.at.strftime("%Y-%m-%d %H:%M:%S")
        out.print(f"{when}\t{escape(e.action)}\t{escape(e.subject)}\t{escape(e.actor)}\t{escape(e.org_id or '-')}")
