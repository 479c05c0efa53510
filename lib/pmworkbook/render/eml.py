"""A letter, rendered two ways from one source: the page of a document (role_letter.html.j2 walks
`Letter.blocks()`) and a draft e-mail (.eml) whose text is the same blocks as plain text, so the
two cannot drift apart.

The .eml is a draft, not received mail: `X-Unsent: 1` (Outlook opens it as a new message ready
to send; Thunderbird offers "Edit as new"), no Message-ID and no Date (the mail program adds
both when it is sent). Attachments (the communication calendar .ics) ride along as MIME parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path
from typing import Literal

from pmworkbook.core.files import atomic_write_bytes
from pmworkbook.core.templates import Templates

BlockKind = Literal["paragraph", "list", "lines"]


@dataclass(frozen=True)
class Block:
    """One part of a letter's body: a paragraph, a bulleted list (with the sentence that leads
    into it), or lines kept as they are (closing, signature)."""

    kind: BlockKind
    lines: tuple[str, ...]
    lead: str = ""  # the sentence before a list
    css: str = ""  # a class for the page (closing, signature)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()  # Content-Type parameters, e.g. (("charset", "utf-8"),)


@dataclass
class Letter:
    language: str
    subject: str
    greeting: str
    paragraphs: list[str]
    rhythm_lead: str
    rhythm: list[str]
    contacts_lead: str
    contacts: list[str]
    closing: list[str]  # lines: the Chinese closing is two ("此致" / "敬礼！")
    signature: list[str]  # lines: name, job title, organisation
    sender: tuple[str, str] | None  # (name, e-mail); None: the mail program's own account
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attachment_note: str = ""
    bullet: str = ""  # before each list item in plain text (catalog letter_bullet); "": the language's own

    def blocks(self) -> list[Block]:
        """The body, in order: what both the page and the e-mail show."""
        blocks = [Block("paragraph", (self.greeting,), css="letter-greeting")]
        blocks += [Block("paragraph", (paragraph,)) for paragraph in self.paragraphs]
        if self.rhythm:
            blocks.append(Block("list", tuple(self.rhythm), lead=self.rhythm_lead))
        if self.attachment_note:
            blocks.append(Block("paragraph", (self.attachment_note,)))
        if self.contacts:
            blocks.append(Block("list", tuple(self.contacts), lead=self.contacts_lead))
        # The closing and the signature are one block: the name follows the closing line directly.
        blocks.append(Block("lines", (*self.closing, *self.signature), css="letter-closing"))
        return blocks


def to_text(letter: Letter) -> str:
    """The body as plain text: paragraphs and lists separated by blank lines."""
    parts = []
    bullet = letter.bullet or Templates.get().text("i18n", letter.language)["letter_bullet"]
    for block in letter.blocks():
        if block.kind == "list":
            parts.append("\n".join(([block.lead] if block.lead else []) + [f"{bullet}{line}" for line in block.lines]))
        else:
            parts.append("\n".join(block.lines))
    return "\n\n".join(parts) + "\n"


# Headers are written already encoded (RFC 2047) and folded, and set raw. Python 3.11's own folding
# writes the space before an encoded word it moves to the next line twice ("klienta  – Anna"), and
# moves a long ASCII subject whole to the next line, which reads back with a leading space.
def _unstructured(value: str) -> str:
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=76, header_name="Subject").encode(linesep="\n")


def _addresses(people: list[tuple[str, str]]) -> str:
    return ",\n ".join(formataddr((name, email), charset="utf-8") for name, email in people)


def to_email(letter: Letter) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message.set_raw("Subject", _unstructured(letter.subject.strip()))
    if letter.sender:
        message.set_raw("From", _addresses([letter.sender]))
    if letter.to:
        message.set_raw("To", _addresses(letter.to))
    if letter.cc:
        message.set_raw("Cc", _addresses(letter.cc))
    message["Content-Language"] = letter.language
    message["X-Unsent"] = "1"  # a draft: opened as a new message to send, not as received mail
    message.set_content(to_text(letter), charset="utf-8")
    for attachment in letter.attachments:
        message.add_attachment(attachment.data, maintype=attachment.maintype, subtype=attachment.subtype,
                               filename=attachment.filename, params=dict(attachment.params))
    return message


def write_eml(letter: Letter, path: Path) -> Path:
    return atomic_write_bytes(path, bytes(to_email(letter)))
