"""A letter as a UTF-8 e-mail (.eml): the announcement of a new project manager, for now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pmworkbook.core.files import atomic_write_bytes


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
