"""The letter that introduces a new project manager to the client team: a page of the role
document and a UTF-8 e-mail (.eml) addressed to the client-side people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from pmworkbook.fileio import atomic_write_bytes

if TYPE_CHECKING:
    from pmworkbook.documents import RoleDescription


@dataclass
class Letter:
    subject: str
    greeting: str
    paragraphs: list[str]
    rhythm: list[str]
    contacts: list[str]
    closing: str
    signature: str
    sender: tuple[str, str] | None
    recipients: list[tuple[str, str]]


def compose(document: "RoleDescription") -> Letter:
    t, client, fmt = document.t, document.client, document.fmt
    holder = document.holder
    name = holder.name if holder else document.role_name
    values = {"name": name, "role": document.role_name, "project": client.project.name,
              "start": fmt.date(client.project.start)}
    rhythm = [f"{row['title']}: {row['frequency']}, {row['channel']}" for row in document.plan.summary]
    contacts = []
    if holder:
        contacts = [value for value in (holder.name, holder.email, holder.phone) if value]
    agency = client.agency
    sender = (agency.name, agency.email) if agency and agency.email else None
    recipients = [(p.name, p.email) for p in client.people if p.side == "client" and p.email]
    return Letter(
        subject=t.format("role.letter_subject", **values),
        greeting=t["role.letter_greeting"],
        paragraphs=[t.format("role.letter_intro", **values), t.format("role.letter_what", **values)],
        rhythm=rhythm,
        contacts=contacts,
        closing=t["role.letter_closing"],
        signature=agency.name if agency else client.name,
        sender=sender,
        recipients=recipients,
    )


def _address(name: str, email: str) -> Address:
    username, _, domain = email.partition("@")
    return Address(display_name=name, username=username, domain=domain)


def to_email(letter: Letter) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["Subject"] = letter.subject  # EmailMessage encodes non-ASCII headers (RFC 2047)
    if letter.sender:
        message["From"] = _address(*letter.sender)
    if letter.recipients:
        message["To"] = [_address(name, email) for name, email in letter.recipients]
    message["Date"] = format_datetime(dt.datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain="pmworkbook.invalid")
    body = [letter.greeting, ""] + [p + "\n" for p in letter.paragraphs]
    body += [f"- {line}" for line in letter.rhythm] + [""] + letter.contacts + ["", letter.closing, letter.signature]
    message.set_content("\n".join(body), charset="utf-8")
    return message


def write_eml(letter: Letter, path: Path) -> Path:
    return atomic_write_bytes(path, bytes(to_email(letter)))
