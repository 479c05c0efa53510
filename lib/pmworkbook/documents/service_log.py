"""The service log: one page on how requests are recorded and answered, and the blank log
(service_log.xlsx) the project manager keeps and the weekly status report reads back."""

from __future__ import annotations

from pathlib import Path

from pmworkbook.documents.base import Document
from pmworkbook.render.fragments import Fragment

FILE_NAME = "service_log.xlsx"


class ServiceLog(Document):
    kind = "service_log"

    def instructions(self) -> Fragment:
        from pmworkbook.render.service_log import instructions

        return self.render("status_log.html.j2", file=FILE_NAME, **instructions(self.client, self.fmt))

    def write_log(self) -> Path | None:
        from pmworkbook.render.service_log import write_service_log

        if self.output_dir is None:
            return None
        return write_service_log(self.client, self.output_dir / FILE_NAME, self.templates)
