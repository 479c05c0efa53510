"""The `pmworkbook` command: validate a portfolio, build client packs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pmworkbook.errors import PortfolioError
from pmworkbook.paths import DEMO_PORTFOLIO

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _load(path: Path):
    from pmworkbook.portfolio import load_portfolio

    try:
        return load_portfolio(path)
    except PortfolioError as exc:
        print(f"pmworkbook: {len(exc.problems)} problem(s) in the portfolio; nothing was built:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    portfolio = _load(args.portfolio)
    if portfolio is None:
        return EXIT_BAD_INPUT
    print(f"{args.portfolio}: {len(portfolio.clients)} client(s), no problems")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from pmworkbook import build

    portfolio = _load(args.portfolio)
    if portfolio is None:
        return EXIT_BAD_INPUT
    clients = [c.strip() for c in args.clients.split(",") if c.strip()] if args.clients else None
    known = {c.id for c in portfolio.clients}
    unknown = [c for c in clients or [] if c not in known]
    if unknown:
        print(f"pmworkbook: {args.portfolio}: no client {', '.join(map(repr, unknown))} (--clients); "
              f"the portfolio has: {', '.join(sorted(known))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = [f for f in formats if f not in build.FORMATS]
    if bad:
        print(f"pmworkbook: unknown format(s) {', '.join(bad)} (--formats); use html, pdf", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = "quiet" if args.quiet else ("lines" if args.verbose else "auto")
    try:
        results = build.build(portfolio, args.portfolio, args.out, clients=clients, jobs=args.jobs, formats=formats,
                              timeout=args.timeout, force=args.force, fail_fast=args.fail_fast, dask_address=args.dask,
                              progress=progress)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK if all(r.status == "ok" for r in results) else EXIT_FAILED


def cmd_collect(args: argparse.Namespace) -> int:
    from pmworkbook.collect import collect_and_report

    portfolio = _load(args.portfolio)
    if portfolio is None:
        return EXIT_BAD_INPUT
    if args.client not in {c.id for c in portfolio.clients}:
        print(f"pmworkbook: {args.portfolio}: no client {args.client!r} (--client); the portfolio has: "
              f"{', '.join(c.id for c in portfolio.clients)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.responses.is_dir():
        print(f"pmworkbook: {args.responses}: not a folder of returned forms (RESPONSES_DIR)", file=sys.stderr)
        return EXIT_BAD_INPUT
    collected, result = collect_and_report(portfolio, args.portfolio, args.client, args.responses, args.out)
    print(f"{args.responses}: {len(collected.responses)} response(s) counted, {len(collected.rejected)} rejected")
    for rejection in collected.rejected:
        print(f"  rejected {rejection.file}: {rejection.reason}", file=sys.stderr)
    if result.status != "ok":
        print(f"pmworkbook: the report failed: {result.error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Report: {args.out / args.client / 'evaluation_report.html'} and .pdf")
    return EXIT_FAILED if collected.rejected else EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pmworkbook", description="Client packs from a portfolio file.")
    root.add_argument("--templates", type=Path, help="use this templates folder instead of the bundled one")
    commands = root.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check a portfolio and list every problem")
    validate.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO)
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser("build", help="build client packs")
    build.add_argument("portfolio", type=Path, nargs="?", default=DEMO_PORTFOLIO, help="YAML, CSV or XLSX (default: the demo)")
    build.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    build.add_argument("--clients", help="comma-separated client ids (default: all)")
    build.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of cores)")
    build.add_argument("--formats", default="html,pdf", help="html,pdf (default: both)")
    build.add_argument("--timeout", type=int, default=600, help="seconds a notebook may run before it fails (default: 600)")
    build.add_argument("--force", action="store_true", help="rebuild every document, changed or not")
    build.add_argument("--fail-fast", action="store_true", help="stop at the first failed document")
    build.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    noise = build.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    noise.add_argument("--verbose", action="store_true", help="a line per document, even on a terminal")
    build.set_defaults(run=cmd_build)

    collect = commands.add_parser("collect", help="read returned evaluation forms and build the evaluation report")
    collect.add_argument("responses", type=Path, metavar="RESPONSES_DIR", help="folder of filled .xlsx forms and .json responses")
    collect.add_argument("--portfolio", type=Path, default=DEMO_PORTFOLIO, help="the portfolio (default: the demo)")
    collect.add_argument("--client", required=True, help="the client id whose forms these are")
    collect.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    collect.set_defaults(run=cmd_collect)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.templates:
        import os

        if not (args.templates / "i18n").is_dir():
            print(f"pmworkbook: {args.templates}: not a templates folder (no i18n/ inside) (--templates)", file=sys.stderr)
            return EXIT_BAD_INPUT
        os.environ["PMWORKBOOK_TEMPLATES"] = str(args.templates.resolve())  # workers and kernels inherit it
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
