"""Writes examples/demo-clients.xlsx and .csv: the demo portfolio as a flat table, one row per client.

Run after changing examples/demo-portfolio.yaml; tests/test_portfolio.py checks that the two agree.
The table has no column for a client's own RACI matrix, so those clients use the catalog's default.
"""

import csv
from pathlib import Path

import yaml
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]


def rows(raw):
    defaults = raw.get("defaults", {})
    people_columns = max(len(c.get("people", [])) for c in raw["clients"])
    header = ["id", "name", "language", "country", "timezone", "project_name", "start", "end", "budget", "currency",
              "deliverables", "milestones", "roles", "meeting_day", "meeting_time", "preset", "response_hours", "days_off",
              "working_days", "evaluation_preset", "raters", "agency_name", "agency_email", "agency_phone", "agency_timezone",
              "tasks", "requests", "decisions", "risks"]
    header += [f"person{n}_{f}" for n in range(1, people_columns + 1) for f in ("name", "role", "side", "email", "phone", "title")]
    yield header
    for client in raw["clients"]:
        comm = {**defaults.get("communication", {}), **client.get("communication", {})}
        ev = {**defaults.get("evaluation", {}), **client.get("evaluation", {})}
        agency = {**defaults.get("agency", {}), **client.get("agency", {})}
        project = client["project"]
        row = [client["id"], client["name"], client.get("language", defaults.get("language")), client.get("country", defaults.get("country")),
               client.get("timezone", defaults.get("timezone")), project["name"], project["start"], project["end"],
               project["budget"]["amount"], project["budget"]["currency"], "; ".join(project.get("deliverables", [])),
               "; ".join(f"{m['name']}={m['date']}" for m in project.get("milestones", [])), "; ".join(client.get("roles", [])),
               comm.get("meeting_day"), comm.get("meeting_time"), comm.get("preset"), comm.get("response_hours"),
               "; ".join(str(d) for d in comm.get("days_off", [])), "; ".join(str(d) for d in comm.get("working_days", [])),
               ev.get("preset"), "; ".join(f"{k}={v}" for k, v in ev.get("raters", {}).items()),
               agency.get("name"), agency.get("email"), agency.get("phone"), agency.get("timezone"),
               client.get("tasks"), client.get("requests"), client.get("decisions"), client.get("risks")]
        for person in client.get("people", []) + [{}] * (people_columns - len(client.get("people", []))):
            row += [person.get(f) for f in ("name", "role", "side", "email", "phone", "title")]
        yield [("" if v is None else v) for v in row]


def main():
    raw = yaml.safe_load((ROOT / "examples" / "demo-portfolio.yaml").read_text(encoding="utf-8"))
    table = list(rows(raw))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "clients"
    for row in table:
        sheet.append([str(v) if not isinstance(v, (int, float)) else v for v in row])
    workbook.save(ROOT / "examples" / "demo-clients.xlsx")
    with (ROOT / "examples" / "demo-clients.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)


if __name__ == "__main__":
    main()
