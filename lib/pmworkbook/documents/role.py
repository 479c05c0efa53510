"""The role description: the role charter, purpose, responsibilities by area, the RACI matrix,
expectations, support with the escalation path, the sign-off, and the letter announcing the
role holder (a page and an .eml)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.documents.base import Document
from pmworkbook.plan import charter, raci
from pmworkbook.portfolio.model import Client, Person
from pmworkbook.render.eml import Letter
from pmworkbook.render.fragments import Fragment


class RoleDescription(Document):
    kind = "role_description"

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None,
                 role_id: str = "client_pm"):
        super().__init__(client, templates, output_dir)
        roles = self.templates.structure("roles")["roles"]
        if role_id not in roles:
            raise KeyError(f"unknown role {role_id!r}; the role catalog has: {', '.join(roles)}")
        self.role_id = role_id
        self.role_name = self.t[f"role_names.{role_id}"]
        self.text = self.templates.text("roles", client.language)[role_id]
        project = client.project
        self.values = {
            "project": project.name, "client": client.name,
            "start": self.fmt.date(project.start), "end": self.fmt.date(project.end),
            "budget": self.budget or "—",
        }

    def fill(self, value: Any) -> Any:
        """Weave the engagement's facts into catalog text ({project}, {start}, ...)."""
        if isinstance(value, str):
            return value.format(**self.values)
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        return value

    @cached_property
    def role(self) -> dict[str, Any]:
        """The role's catalog text with the engagement's facts woven in."""
        return self.fill(self.text)

    @property
    def holder(self) -> Person | None:
        people = self.client.people_with_role(self.role_id)
        return people[0] if people else None

    def header(self, subtitle: str = "") -> Fragment:
        return super().header(subtitle=subtitle or self.role_name)

    @cached_property
    def charter_data(self) -> charter.ResolvedCharter:
        return charter.charter_for(self.client, self.role_id, self.templates)

    def party(self, party: charter.Party | None, otherwise: str) -> str:
        """How the charter names someone: "Project sponsor: Piotr Zieliński", a role alone, or as typed."""
        if party is None:
            return otherwise
        if party.role_id is None:
            return party.typed or (party.person.name if party.person else otherwise)
        role = self.t.get(f"role_names.{party.role_id}", party.role_id)
        if party.person is None:
            return role
        # After a name the role is a common noun: "Piotr Zieliński (sponsor projektu)".
        return self.t.format("role.charter_party", role=role[:1].lower() + role[1:], name=party.person.name)

    def charter(self) -> Fragment:
        """The role charter: holder, reporting line, deputy, time, approval limit, version and date."""
        data = self.charter_data
        limit = data.approval_limit
        if limit is not None:
            limit = self.fmt.money(limit, data.currency) if data.currency else self.fmt.number(limit)
        return self.render("role_charter.html.j2", charter=data, party=self.party,
                           time_allocation=self.fmt.percent(data.time_allocation / 100),
                           approval_limit=None if data.approval_limit is None else (limit if data.approval_limit > 0 else ""))

    def sign_off(self) -> Fragment:
        """Signatures of the role holder and the client's sponsor."""
        data = self.charter_data
        signers = [(self.role_name, data.holder), (self.t["role_names.sponsor"], data.sponsor)]
        return self.render("role_sign_off.html.j2", signers=signers)

    def purpose_and_facts(self) -> Fragment:
        return self.render("role_overview.html.j2", role=self.role, holder=self.holder)

    def responsibilities(self) -> Fragment:
        areas = self.templates.structure("roles")["areas"]
        return self.render("role_responsibilities.html.j2", role=self.role, areas=areas)

    def raci(self) -> Fragment:
        matrix = raci.check(self.client, self.templates)
        if not matrix.rows:  # no deliverables and no milestones: nothing to assign
            return Fragment("")
        role_names = {role: self.t.get(f"role_names.{role}", role) for role in matrix.roles}
        return self.render("role_raci.html.j2", matrix=matrix, role_names=role_names)

    def expectations(self) -> Fragment:
        return self.render("role_expectations.html.j2", role=self.role, plan=self.plan)

    def support(self) -> Fragment:
        return self.render("role_support.html.j2", role=self.role, plan=self.plan)

    def letter(self) -> Letter:
        """The letter introducing the role holder to the client team."""
        t, client, fmt = self.t, self.client, self.fmt
        holder = self.holder
        name = holder.name if holder else self.role_name
        values = {"name": name, "role": self.role_name, "project": client.project.name,
                  "start": fmt.date(client.project.start)}
        rhythm = [f"{row['title']}: {row['frequency']}, {row['channel']}" for row in self.plan.summary]
        contacts = [value for value in (holder.name, holder.email, holder.phone) if value] if holder else []
        agency = client.agency
        return Letter(
            subject=t.format("role.letter_subject", **values),
            greeting=t["role.letter_greeting"],
            paragraphs=[t.format("role.letter_intro", **values), t.format("role.letter_what", **values)],
            rhythm=rhythm,
            contacts=contacts,
            closing=t["role.letter_closing"],
            signature=agency.name if agency else client.name,
            sender=(agency.name, agency.email) if agency and agency.email else None,
            recipients=[(p.name, p.email) for p in client.people if p.side == "client" and p.email],
        )

    def announcement(self) -> Fragment | None:
        if not self.templates.structure("roles")["roles"][self.role_id]["pm"]:
            return None
        from pmworkbook.render import eml

        letter = self.letter()
        if self.output_dir is not None:
            eml.write_eml(letter, self.output_dir / f"announcement_{self.role_id}.eml")
        return self.render("role_letter.html.j2", letter=letter)
