"""Writes the document notebooks (run once; they are committed without outputs)."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "lib" / "pmworkbook" / "notebooks"
ONLY = set(__import__("sys").argv[1:])  # notebook names to write; none: all


def notebook(title, intro, params, body):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [new_markdown_cell(f"# {title}\n\n{intro}\n\nChange the parameters below, then run all cells.")]
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    cells.append(p)
    for src in body:
        cells.append(new_markdown_cell(src[1:]) if src.startswith("#") else new_code_cell(src))
    nb.cells = cells
    return nb

# The parameters every document notebook has (pmworkbook.documents.kinds.COMMON_PARAMETERS).
common = ('client = None  # the client\'s validated data, which `pmworkbook build` passes; None in JupyterLab: a demo client\n'
          'output_dir = ""  # where side files (.ics, .xlsx, .eml) go; empty: none are written\n'
          'templates = ""  # a templates folder laid over the bundled one; empty: the bundled templates\n')

nbs = {
 "role_description": notebook("Role description",
   "The role description of one role for one client: purpose, responsibilities, RACI, expectations, support and the announcement letter.",
   common + 'role_id = "client_pm"\n',
   ["from pmworkbook.documents.role import RoleDescription\n\ndoc = RoleDescription.from_parameters(client, output_dir, templates, role_id=role_id)\ndoc.header()",
    "doc.purpose_and_facts()", "doc.responsibilities()", "## RACI matrix\nChecked: exactly one A and at least one R per deliverable.", "doc.raci()",
    "doc.expectations()", "doc.support()", "## Announcement letter\nAlso written as `announcement_<role>.eml` when `output_dir` is set.", "doc.announcement()"]),
 "communication_calendar": notebook("Communication calendar",
   "Cadences and project triggers on the client's working days, with the month view, the timeline and the `.ics` file.",
   common,
   ["from pmworkbook.documents.calendar import CommunicationCalendar\n\ndoc = CommunicationCalendar.from_parameters(client, output_dir, templates)\ndoc.header()",
    "doc.summary()", "doc.response_and_escalation()", "doc.schedule()", "doc.moves()", "doc.timeline()", "doc.month_view()",
    "## The calendar file\n`doc.occurrences` is the plan as a DataFrame; the `.ics` holds exactly these rows.", "doc.write_ics();"]),
 "evaluation_sheet": notebook("Evaluation sheet",
   "The printable evaluation sheet and one fillable `.xlsx` form per rater group.",
   common,
   ["from pmworkbook.documents.evaluation_sheet import EvaluationSheet\n\ndoc = EvaluationSheet.from_parameters(client, output_dir, templates)\ndoc.header()",
    "doc.instructions()", "doc.sheet()", "forms = doc.write_forms()\nif forms:\n    display(doc.forms_list(forms))"]),
 "evaluation_report": notebook("Evaluation report",
   "The 360-degree report from the responses that `pmworkbook collect` gathered into `evaluation_responses.json`.",
   common + 'responses = ""  # evaluation_responses.json; empty: the one in output_dir\n',
   ["from pmworkbook.documents.evaluation_report import EvaluationReport\n\ndoc = EvaluationReport.from_parameters(client, output_dir, templates, responses=responses or None)\ndoc.header()",
    "doc.summary()", "doc.by_group()", "doc.by_criterion()", "doc.charts()", "doc.comments()"]),
 "service_log": notebook("Service log",
   "How requests are recorded and answered, and the blank requests log `service_log.xlsx` that the weekly status report reads back.",
   common,
   ["from pmworkbook.documents.service_log import ServiceLog\n\ndoc = ServiceLog.from_parameters(client, output_dir, templates)\ndoc.header()",
    "doc.instructions()", "## The log\nWritten as `service_log.xlsx` when `output_dir` is set.", "doc.write_log();"]),
 "status_report": notebook("Weekly status report",
   "The week's status of one client: RAG per dimension, tasks by state and side, milestones, effort, service, decisions, "
   "risks and next week's meetings, from the task register and the requests log. `pmworkbook status` runs it for every "
   "client with a task register.",
   common + 'week = ""  # the ISO week, e.g. 2027-W05; empty: the last completed week\n'
   'as_of = ""  # YYYY-MM-DD within the week; empty: its Sunday\n'
   'inputs = None  # the register files `pmworkbook status` passes; None: the client\'s own, beside the demo portfolio\n',
   ["from pmworkbook.documents.status_report import StatusReport\n\ndoc = StatusReport.from_parameters(client, output_dir, templates, week=week, as_of=as_of, inputs=inputs)\ndoc.header()",
    "doc.summary()", "doc.tasks()", "doc.milestones()", "doc.effort()", "doc.service()", "doc.decisions_and_meetings()",
    "doc.risks()", "doc.appendix()", "doc.full_lists()",
    "## The figures\nAlso written as `status_<week>.json` when `output_dir` is set.", "doc.write_json();"]),
 "workshop": notebook("Workshop",
   "Shape a client's communication plan with the client in the room: change the cadences, the meeting day and time, "
   "the milestones and the days off; the calendar beside the form follows. **Save** writes the changes back to the portfolio "
   "file (its comments and order kept); **Build pack** builds the client's documents, with links that open them. "
   "`make workshop` shows this page as an app (Voila), without code; `make lab` opens it here.",
   'portfolio = ""  # the portfolio file to edit; empty: the one `make workshop` serves, else the bundled demo\n'
   'client_id = ""  # the client to start with; empty: ?client= in the app\'s address, else the first\n'
   'out = ""  # where Build pack writes; empty: outputs/ of the served folder (../outputs here)\n',
   ["from pmworkbook.apps.server import query, setting\nfrom pmworkbook.apps.widgets import WorkshopForm\nfrom pmworkbook.core.templates import DEMO_PORTFOLIO\n\n"
    "WorkshopForm(setting(\"portfolio\", portfolio, DEMO_PORTFOLIO), client_id or query(\"client\"), setting(\"out\", out, \"../outputs\"),\n"
    "             language=query(\"lang\"))"]),
 "evaluation_form": notebook("Evaluation form",
   "A rater chooses the client, the person evaluated and their own rater group, answers every criterion and saves. "
   "Each save is a new response file in `responses_dir/<client id>/`, the folder that "
   "`pmworkbook collect responses/<client id> --client <client id>` reads into the evaluation report. "
   "`make rate` shows this page as an app (Voila), without code.",
   'portfolio = ""  # empty: the one `make rate` serves, else the bundled demo\n'
   'responses_dir = ""  # answers go to <responses_dir>/<client id>/; empty: responses/ of the served folder (../responses here)\n'
   'client_id = ""  # empty: ?client= in the app\'s address, else the first\n'
   'rater_group = ""  # empty: the rater chooses\n',
   ["from pmworkbook.apps.server import query, setting\nfrom pmworkbook.apps.widgets import EvaluationForm\nfrom pmworkbook.core.templates import DEMO_PORTFOLIO\n\n"
    "EvaluationForm(setting(\"portfolio\", portfolio, DEMO_PORTFOLIO), setting(\"responses\", responses_dir, \"../responses\"),\n"
    "               client_id or query(\"client\"), rater_group or None, language=query(\"lang\"))"]),
}
for name, nb in nbs.items():
    if name in ONLY or not ONLY:
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
