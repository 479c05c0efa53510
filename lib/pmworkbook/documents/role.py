"""The role description: the role charter, purpose, responsibilities by area, the RACI matrix,
expectations, support with the escalation path, the sign-off, and the letter announcing the
role holder (a page and an .eml)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook.core.templates import UNBROKEN_WIDTH, Templates
from pmworkbook.core.text import width
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
            "project": project.name, "client": _kept_together(client.name),
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
        # None: no budget to take a share of (to be agreed); "": no approval authority; else the amount
        limit: str | None = None
        if data.approval_limit is not None:
            amount = data.approval_limit
            limit = "" if not amount else self.fmt.money(amount, data.currency) if data.currency else self.fmt.number(amount)
        return self.render("role_charter.html.j2", charter=data, party=self.party,
                           time_allocation=self.fmt.percent(data.time_allocation / 100), approval_limit=limit)

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

    def announcer(self) -> Person | None:
        """Who announces the role: the client's sponsor for a role on the client's side, the
        agency's account lead (account director, else account manager) for an agency role."""
        side = self.templates.structure("roles")["roles"][self.role_id].get("side", "client")
        wanted = [("sponsor", "client")] if side == "client" else [("account_director", "agency"), ("account_manager", "agency")]
        for role, people_side in wanted:
            people = [p for p in self.client.people if p.role == role and p.side == people_side and p is not self.holder]
            if people:
                return people[0]
        return None

    def letter(self) -> Letter:
        """The announcement of the role holder, from whoever announces the role, to the client's
        and the agency's teams (the holder in Cc), with the rhythm, the contacts and the calendar."""
        from pmworkbook.render import calendar_views, ics
        from pmworkbook.render.eml import Attachment

        t, client, fmt = self.t, self.client, self.fmt
        holder, sender = self.holder, self.announcer()
        agency = client.agency
        role_side = self.templates.structure("roles")["roles"][self.role_id].get("side", "client")
        key = self.role_id if self.role_id in t["role.letter_intro"] and (agency or role_side == "client") else "other"
        values = {"name": holder.name if holder else self.role_name, "role": fmt.in_sentence(self.role_name),
                  "project": client.project.name, "start": fmt.date(client.project.start),
                  "agency": agency.name if agency else ""}

        def unbroken(phone: str | None) -> str:  # a phone number never wraps across lines, unless it is longer than one
            return (phone or "").replace(" ", "\u00a0") if width(phone or "") <= UNBROKEN_WIDTH else phone or ""

        def person_line(person: Person) -> str:
            variant = "both" if person.email and person.phone else "email" if person.email else "phone" if person.phone else "none"
            role = fmt.in_sentence(t.get(f"role_names.{person.role}", person.role))
            return t.format(f"role.letter_contact_line.{variant}", name=person.name, role=role, email=person.email or "",
                            phone=unbroken(person.phone))

        # The holder first, then the project manager on the other side, then the agency's own line.
        counterpart = "project_manager" if role_side == "client" else "client_pm"
        shown = [p for p in ([holder] if holder else []) + client.people_with_role(counterpart) if p is not None]
        contacts = [person_line(p) for p in dict.fromkeys(shown)]
        if agency and (agency.email or agency.phone):
            variant = "both" if agency.email and agency.phone else "email" if agency.email else "phone"
            contacts.append(t.format(f"role.letter_contact_line.{variant}", name=agency.name, role=t["role.letter_agency"],
                                     email=agency.email or "", phone=unbroken(agency.phone)))

        # Addressed to the teams as the communication plan's audiences name them (client team, then
        # agency team, the .ics invites the same people); the holder in Cc, the sender not at all.
        audiences = self.templates.structure("cadences")["audiences"]
        taken = {p.email.lower() for p in (sender, holder) if p is not None and p.email}
        to = []
        for audience in ("client_team", "agency_team"):
            for person in ics.audience_people(client, (audience,), audiences):
                if person.email and person.email.lower() not in taken:
                    taken.add(person.email.lower())
                    to.append((person.name, person.email))
        cc = [(holder.name, holder.email)] if holder and holder.email and (not sender or sender.email != holder.email) else []

        if sender is not None:
            organisation = client.name if sender.side == "client" else (agency.name if agency else client.name)
            signature = [sender.name, sender.title or t.get(f"role_names.{sender.role}", sender.role), organisation]
        else:
            signature = [client.name if role_side == "client" or not agency else agency.name]

        calendar_file = "communication_calendar.ics"
        attachment_note = fmt.plural("role.letter_attachment", len(self.plan.occurrences), file=calendar_file)
        return Letter(
            language=client.language,
            subject=t.format(f"role.letter_subject.{key}", **values),
            greeting=t["role.letter_greeting"],
            paragraphs=[t.format(f"role.letter_intro.{key}", **values), t.format(f"role.letter_what.{key}", **values)],
            rhythm_lead=t["role.letter_rhythm"],
            rhythm=[cadence.line(fmt) for cadence in calendar_views.cadences(self.plan, fmt)],
            contacts_lead=t["role.letter_contact"],
            contacts=contacts,
            closing=list(t["role.letter_closing"]),
            signature=[line for line in signature if line],
            sender=(sender.name, sender.email) if sender and sender.email else None,
            to=to,
            cc=cc,
            # The calendar made from the plan itself: the role notebook may run before the calendar's.
            attachments=[Attachment(calendar_file, ics.to_ical(self.plan, fmt), "text", "calendar", (("charset", "utf-8"),))],
            attachment_note=attachment_note,
            bullet=t["letter_bullet"],
        )

    def announcement(self) -> Fragment | None:
        if not self.templates.structure("roles")["roles"][self.role_id]["pm"]:
            return None
        from pmworkbook.render import eml

        letter = self.letter()
        if self.output_dir is not None:
            eml.write_eml(letter, self.output_dir / f"announcement_{self.role_id}.eml")
        return self.render("role_letter.html.j2", letter=letter, blocks=letter.blocks(),
                           headers=self.t["role.letter_headers"])


def _kept_together(name: str) -> str:
    """A short name in running text on one line (no-break spaces): "ACME Sp. z o.o." must not
    split before "o.o."; a long one (names run to 300 characters) wraps as any text."""
    return name.replace(" ", "\u00a0") if width(name) <= 24 else name
