"""The `pmworkbook` command: a thin shell over the library. It parses arguments, calls
`validate`, `build` or `collect`, prints what they found and chooses the exit status:
0 all done, 1 a document failed, a form was rejected or two raters used one copy token, 2 bad
input (nothing of it built), 130 interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pmworkbook.core.templates import DEMO_PORTFOLIO

if TYPE_CHECKING:
    from pmworkbook.batch.jobs import Settings
    from pmworkbook.plan.validation import Validation

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _error(message: str) -> None:
    print(f"pmworkbook: {message}", file=sys.stderr)


def _print_problems(validation: Validation, heading: str) -> None:
    errors, warnings = validation.errors, validation.warnings
    if errors:
        _error(f"{len(errors)} error(s) in {validation.source}; {heading}:")
        for problem in errors:
            print(f"  {problem}", file=sys.stderr)
    if warnings:
        print(f"{len(warnings)} warning(s) for the consultant (they do not stop a build):", file=sys.stderr)
        for problem in warnings:
            print(f"  {problem}", file=sys.stderr)


def _settings(args: argparse.Namespace) -> Settings:
    from pmworkbook.batch.jobs import Settings

    formats = tuple(f.strip() for f in getattr(args, "formats", "html,pdf").split(",") if f.strip())
    return Settings(out=args.out, formats=formats, templates_folder=args.templates, timeout=getattr(args, "timeout", None))


def _unknown_formats(settings: Settings) -> bool:
    """Say so when --formats names a format there is no exporter for."""
    from pmworkbook.documents.kinds import FORMATS

    bad = [f for f in settings.formats if f not in FORMATS]
    if bad:
        _error(f"unknown format(s) {', '.join(bad)} (--formats); use {', '.join(FORMATS)}")
    return bool(bad)


def _run_options(args: argparse.Namespace) -> tuple[list[str] | None, str]:
    """--clients as a list (None: all) and the progress mode (--quiet, --verbose) of a run."""
    clients = [c.strip() for c in args.clients.split(",") if c.strip()] if args.clients else None
    return clients, "quiet" if args.quiet else ("lines" if args.verbose else "auto")


def cmd_validate(args: argparse.Namespace) -> int:
    from pmworkbook.plan.validation import validate

    validation = validate(args.portfolio, _settings(args).templates)
    _print_problems(validation, "these clients would not be built" if validation.portfolio else "nothing would be built")
    if validation.errors:
        return EXIT_BAD_INPUT
    clients = len(validation.portfolio.clients) if validation.portfolio else 0
    print(f"{args.portfolio}: {clients} client(s), no errors")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from pmworkbook.batch.build import BuildLocked, OutputNotWritable, UnknownClients, build
    from pmworkbook.batch.run import SchedulerUnreachable

    settings = _settings(args)
    if _unknown_formats(settings):
        return EXIT_BAD_INPUT
    clients, progress = _run_options(args)
    try:
        outcome = build(args.portfolio, settings, clients=clients, jobs=args.jobs, force=args.force,
                        fail_fast=args.fail_fast, strict=args.strict, dask_address=args.dask, progress=progress,
                        wait=not args.no_wait, prune=args.prune)
    except (UnknownClients, BuildLocked, SchedulerUnreachable, OutputNotWritable) as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if outcome.validation.warnings and not outcome.refused_whole:
        print(f"{len(outcome.validation.warnings)} warning(s) for the consultant; `pmworkbook validate "
              f"{args.portfolio}` lists them", file=sys.stderr)
    if outcome.refused_whole:
        _print_problems(outcome.validation, "nothing was built" + (" (--strict)" if args.strict else ""))
        return EXIT_BAD_INPUT
    if outcome.refused:
        _error(f"{len(outcome.refused)} client(s) refused, their previous packs left as they were (marked stale): "
               f"{', '.join(outcome.refused)}")
        for problems in outcome.refused.values():
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
    if outcome.report_error:
        _error(outcome.report_error)
    if outcome.refused:
        return EXIT_BAD_INPUT
    return EXIT_FAILED if outcome.failed or outcome.report_error else EXIT_OK


def _evaluation_client(args: argparse.Namespace, validation: Validation) -> bool:
    """Whether --client names a client of the portfolio that validates; says why not."""
    valid = {c.id for c in validation.portfolio.clients} if validation.portfolio else set()
    if args.client in valid:
        return True
    if validation.portfolio is None or validation.problems_of(args.client):
        _print_problems(validation, f"client {args.client!r} cannot be used")
    else:
        _error(f"{args.portfolio}: no client {args.client!r} (--client); the portfolio has: {', '.join(sorted(valid))}")
    return False


def cmd_collect(args: argparse.Namespace) -> int:
    from pmworkbook.batch.collect import collect_and_report, responses_path
    from pmworkbook.plan.validation import validate

    settings = _settings(args)
    validation = validate(args.portfolio, settings.templates)
    if not _evaluation_client(args, validation):
        return EXIT_BAD_INPUT
    if not args.responses.is_dir():
        _error(f"{args.responses}: not a folder of returned forms (RESPONSES_DIR)")
        return EXIT_BAD_INPUT
    collected, results = collect_and_report(validation, args.client, args.responses, settings)
    print(f"{args.responses}: {len(collected.responses)} response(s) counted, {len(collected.rejected)} rejected, "
          f"{len(collected.replaced)} replaced by a later copy, {len(collected.clashes)} copy token clash(es)")
    for replaced in collected.replaced:
        copy = f"copy {replaced.copy} of " if replaced.copy else ""
        print(f"  replaced {replaced.file} by {replaced.by}: {copy}the {replaced.rater_group} form of {replaced.subject} "
              "sent again; the later file counts")
    for clash in collected.clashes:
        copy = f"copy {clash.copy} of " if clash.copy else ""
        print(f"  clash: {clash.file} and {clash.other} carry the same copy token ({copy}the {clash.rater_group} form of "
              f"{clash.subject}) but look like two raters' answers: {clash.reason}; both are counted. If one is a "
              "correction of the other, delete the earlier file and run collect again; if two raters shared a copy, "
              "give each their own next time (pmworkbook forms --copies)", file=sys.stderr)
    for rejection in collected.rejected:
        print(f"  rejected {rejection.file}: {rejection.reason}", file=sys.stderr)
        if rejection.rater_message:
            print(f"    for the rater: {rejection.rater_message}", file=sys.stderr)
    failed = [r for r in results if r.status != "ok"]
    for result in failed:
        _error(f"the report {result.name} failed: {result.error}")
    for result in results:
        if result.status == "ok":
            print(f"Report: {settings.out / args.client / result.name}.html" + (" and .pdf" if "pdf" in settings.formats else ""))
    print(f"Raw responses, kept out of the pack (do not hand them over): {responses_path(settings.out, args.client)}")
    return EXIT_FAILED if failed or collected.rejected or collected.clashes else EXIT_OK


def cmd_forms(args: argparse.Namespace) -> int:
    from pmworkbook.batch.collect import write_copies
    from pmworkbook.plan.evaluation import subjects
    from pmworkbook.plan.validation import validate

    settings = _settings(args)
    validation = validate(args.portfolio, settings.templates)
    if not _evaluation_client(args, validation):
        return EXIT_BAD_INPUT
    if args.copies is not None and not 1 <= args.copies <= 500:
        _error(f"--copies {args.copies}: give a number of copies from 1 to 500")
        return EXIT_BAD_INPUT
    if validation.portfolio is None:  # _evaluation_client has said why
        return EXIT_BAD_INPUT
    client = validation.portfolio.client(args.client)
    wanted = [k.strip() for k in args.subject.split(",") if k.strip()] if args.subject else None
    known = [s.key for s in subjects(client)]
    if wanted and (unknown := [k for k in wanted if k not in known]):
        _error(f"no evaluation {', '.join(unknown)} (--subject); client {client.id!r} has: {', '.join(known) or 'none'}")
        return EXIT_BAD_INPUT
    folder = args.to or settings.out / client.id / "forms"
    written = write_copies(client, folder, settings, args.copies, wanted)
    for path in written:
        print(path)
    print(f"{len(written)} numbered form(s) in {folder}; send each rater a copy of their own: a copy sent back twice "
          "counts once (the later file)")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    import datetime as dt

    from pmworkbook.batch.build import BuildLocked, OutputNotWritable, UnknownClients
    from pmworkbook.batch.run import SchedulerUnreachable
    from pmworkbook.batch.status import status

    settings = _settings(args)
    if _unknown_formats(settings):
        return EXIT_BAD_INPUT
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        _error(f"--as-of {args.as_of!r} is not a date; write it as YYYY-MM-DD")
        return EXIT_BAD_INPUT
    clients, progress = _run_options(args)
    try:
        outcome = status(args.portfolio, settings, week=args.week, as_of=as_of, clients=clients, jobs=args.jobs, force=args.force,
                         dask_address=args.dask, progress=progress, wait=not args.no_wait)
    except (UnknownClients, ValueError, BuildLocked, SchedulerUnreachable, OutputNotWritable) as exc:  # a week that is not one
        _error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if outcome.refused_whole:
        _print_problems(outcome.validation, "no status report was built")
        return EXIT_BAD_INPUT
    for client_id, problems in outcome.bad_inputs.items():
        _error(f"client {client_id!r}: no status report for {outcome.week}; its inputs have {len(problems)} problem(s):")
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    if outcome.refused:
        _error(f"{len(outcome.refused)} client(s) refused (`pmworkbook validate` lists why): {', '.join(outcome.refused)}")
    for result in outcome.failed:
        if result.client_id not in outcome.bad_inputs:
            _error(f"the status report of {result.client_id} failed: {result.error}")
    if outcome.without_register and not args.quiet:
        print(f"Without a task register (field tasks), so without a report: {', '.join(outcome.without_register)}")
    if outcome.report_error:
        _error(outcome.report_error)
    if outcome.bad_inputs or outcome.refused:
        return EXIT_BAD_INPUT
    return EXIT_FAILED if outcome.failed or outcome.report_error else EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pmworkbook", description="Client packs from a portfolio file.")
    root.add_argument("--templates", type=Path, help="a templates folder laid over the bundled one (its files win)")
    commands = root.add_subparsers(dest="command", required=True)
    portfolio_help = "YAML, CSV or XLSX (default: the demo)"

    validate = commands.add_parser("validate", help="check a portfolio: every error and warning at once")
    validate.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO, help=portfolio_help)
    validate.set_defaults(run=cmd_validate, out=Path("outputs"))

    build = commands.add_parser("build", help="build client packs")
    build.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO, help=portfolio_help)
    build.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    build.add_argument("--clients", help="comma-separated client ids (default: all)")
    build.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    build.add_argument("--formats", default="html,pdf", help="html,pdf (default: both)")
    build.add_argument("--timeout", type=int, default=600, help="seconds a document (its notebook, HTML and PDF) may take "
                                                               "before it fails (default: 600)")
    build.add_argument("--force", action="store_true", help="rebuild every document, changed or not")
    build.add_argument("--fail-fast", action="store_true", help="stop at the first failed document")
    build.add_argument("--strict", action="store_true", help="refuse the whole portfolio if any client has an error "
                                                             "(default: refuse that client alone and build the others)")
    build.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    build.add_argument("--prune", action="store_true", help="delete the folders of clients no longer in the portfolio "
                                                            "(listed as orphaned in the index until then)")
    build.add_argument("--no-wait", action="store_true", help="exit (status 2) instead of waiting when another build "
                                                              "is writing into the same --out")
    noise = build.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    noise.add_argument("--verbose", action="store_true", help="a line per document, even on a terminal")
    build.set_defaults(run=cmd_build)

    collect = commands.add_parser("collect", help="read returned evaluation forms and build the evaluation report")
    collect.add_argument("responses", type=Path, metavar="RESPONSES_DIR", help="folder of filled .xlsx forms and .json responses")
    collect.add_argument("--portfolio", type=Path, default=DEMO_PORTFOLIO, help=portfolio_help)
    collect.add_argument("--client", required=True, help="the client id whose forms these are")
    collect.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    collect.set_defaults(run=cmd_collect)

    status = commands.add_parser("status", help="the weekly status report of every client with a task register")
    status.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO, help=portfolio_help)
    status.add_argument("--week", help="the ISO week, e.g. 2027-W07 (default: the last completed week, or the week of --as-of)")
    status.add_argument("--as-of", help="the day the figures are taken at the end of, YYYY-MM-DD (default: the week's Sunday)")
    status.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    status.add_argument("--clients", help="comma-separated client ids (default: every client with a task register)")
    status.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    status.add_argument("--formats", default="html,pdf", help="html,pdf (default: both; the e-mail attaches the PDF, else the HTML)")
    status.add_argument("--timeout", type=int, default=600, help="seconds a report may take (default: 600)")
    status.add_argument("--force", action="store_true", help="rebuild every report, changed or not")
    status.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    status.add_argument("--no-wait", action="store_true", help="exit (status 2) when another build writes into the same --out")
    status_noise = status.add_mutually_exclusive_group()
    status_noise.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    status_noise.add_argument("--verbose", action="store_true", help="a line per report, even on a terminal")
    status.set_defaults(run=cmd_status)

    forms = commands.add_parser("forms", help="numbered copies of a client's evaluation forms, one per rater")
    forms.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO, help=portfolio_help)
    forms.add_argument("--client", required=True, help="the client id whose forms to copy")
    forms.add_argument("--copies", type=int, help="copies of each rater group's form (default: as many as the portfolio plans raters)")
    forms.add_argument("--subject", help="comma-separated evaluations, e.g. client_pm,project_manager (default: all)")
    forms.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs); copies go to OUT/CLIENT/forms")
    forms.add_argument("--to", type=Path, help="write the copies into this folder instead")
    forms.set_defaults(run=cmd_forms)
    return root


def main(argv: list[str] | None = None) -> int:
    from pmworkbook.core.templates import Templates, TemplatesError

    args = parser().parse_args(argv)
    if args.templates:
        try:
            Templates.get(args.templates)
        except TemplatesError as exc:
            _error(f"{exc} (--templates)")
            return EXIT_BAD_INPUT
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
