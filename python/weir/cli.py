"""The ``weir`` command: scan and redact files, list and check rules.

Exit codes: 0 when nothing at or above ``--fail-on`` was found, 1 when something was, 2 for usage
or input errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import msgspec

from weir import __version__, _core
from weir.filescan import Counts, Records, scan_all
from weir.inputs import DECOMPRESS_ERRORS, InputError, Source, expand, open_source
from weir.keys import MissingKeyError
from weir.limits import LimitExceeded
from weir.masking import Renderer, action_for, decide
from weir.policy import BUILTIN as BUILTIN_POLICIES
from weir.policy import Blocked, Policy, PolicyError
from weir.progress import Progress
from weir.report import SEVERITY_FLOORS, Hit, JsonLinesReport, JsonReport, SarifReport, Totals, make_report
from weir.results import CATEGORIES
from weir.rules import Rule, RuleFileError
from weir.scanner import Scanner, make_finding
from weir.vault import VaultError

CHUNK = 1 << 20
EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weir",
        description="Find and redact sensitive data (PII, financial data, secrets) in files and streams.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"weir {__version__} ({_core.hyperscan_library()})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add_filters(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--entities", type=_csv, help="only these entities, comma-separated (e.g. EMAIL_ADDRESS,US_SSN)"
        )
        p.add_argument("--categories", type=_csv, help=f"only these categories: {', '.join(CATEGORIES)}")
        p.add_argument(
            "--min-score",
            type=float,
            default=None,
            help="ignore findings scored below this (0-1; default 0.5, 0 shows bare low-scored candidates too)",
        )
        p.add_argument(
            "--rules", action="append", default=[], metavar="FILE", help="an extra rule file (repeatable)"
        )

    scan = sub.add_parser("scan", help="scan files, directories or stdin ('-') and report findings")
    scan.add_argument(
        "paths", nargs="*", default=["-"], metavar="PATH", help="files or directories; '-' for stdin"
    )
    scan.add_argument("--format", choices=["text", "json", "jsonl", "sarif"], default="text")
    scan.add_argument(
        "--fail-on",
        choices=["any", "low", "medium", "high", "none"],
        default="any",
        help="exit 1 when a finding at or above this severity is found (default: any)",
    )
    scan.add_argument(
        "--show-values", action="store_true", help="print matched values instead of masked previews"
    )
    scan.add_argument("--binary", action="store_true", help="scan binary files too (skipped by default)")
    scan.add_argument(
        "--policy",
        metavar="FILE|NAME",
        help="report what this policy would act on (its allow-list, thresholds and deny terms)",
    )
    scan.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="threads to use (default: all cores)",
    )
    add_filters(scan)

    redact = sub.add_parser("redact", help="write a copy with every finding replaced by [ENTITY]")
    redact.add_argument("path", nargs="?", default="-", metavar="PATH", help="a file, or '-' for stdin")
    redact.add_argument("-o", "--output", default="-", metavar="OUT", help="where to write (default: stdout)")
    redact.add_argument(
        "--policy", metavar="FILE|NAME", help="a policy file (TOML/YAML/JSON) or default, strict, audit"
    )
    add_filters(redact)

    rules = sub.add_parser("rules", help="list or check rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    listing = rules_sub.add_parser("list", help="list the rules")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.add_argument("--rules", action="append", default=[], metavar="FILE", help="an extra rule file")
    check = rules_sub.add_parser("check", help="compile a rule file and run its examples")
    check.add_argument("files", nargs="+", metavar="FILE")
    verify = rules_sub.add_parser(
        "verify",
        help="check the built-in rule files against their sha256 manifest",
        description="Check the rule files built into weir against patterns/MANIFEST.sha256 (embedded "
        "beside them), or, with --dir, a directory of rule files against the manifest in it. Exits 1 "
        "when a file is modified, missing or unlisted.",
    )
    verify.add_argument(
        "--dir", metavar="DIR", help="check DIR/*.toml against DIR/MANIFEST.sha256 instead (a checkout)"
    )
    verify.add_argument("--format", choices=["text", "json"], default="text")

    proxy = sub.add_parser(
        "proxy",
        help="run an MCP server behind weir: every message checked against a policy",
        usage="weir proxy [--policy FILE|NAME] [--server NAME] [--audit-log PATH] [--max-line BYTES] "
        "(-- CMD ARGS... | --url URL [--header NAME=VALUE] [--header-env NAME=VAR])",
        description="Start CMD (a stdio MCP server, in any language), or connect to the MCP server at "
        "URL (Streamable HTTP), and relay JSON-RPC between it and this process's stdin/stdout, scanning "
        "tool calls and results, listings, resources, prompts and notifications. Exits with CMD's status "
        "(0 in front of a URL, once the client closes stdin).",
    )
    proxy.add_argument(
        "--url", metavar="URL", help="a remote MCP server's Streamable HTTP endpoint (https://host/mcp)"
    )
    proxy.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an HTTP header for every request to --url (repeatable)",
    )
    proxy.add_argument(
        "--header-env",
        action="append",
        default=[],
        metavar="NAME=VAR",
        help="an HTTP header whose value is the environment variable VAR (a token kept out of the "
        "command line; repeatable)",
    )
    proxy.add_argument(
        "--policy", metavar="FILE|NAME", help="a policy file (TOML/YAML/JSON) or default, strict, audit"
    )
    proxy.add_argument("--server", metavar="NAME", help="the server's name in audit events (default: CMD)")
    proxy.add_argument(
        "--audit-log",
        metavar="PATH",
        help="append audit events here (JSON Lines); default: the policy's mcp.audit_log, else WEIR_AUDIT_LOG",
    )
    proxy.add_argument(
        "--max-line",
        type=int,
        default=None,
        metavar="BYTES",
        help="withhold a message longer than this (default: 256 MiB)",
    )
    proxy.add_argument(
        "server_command", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the server command"
    )
    return parser


def make_scanner(args: argparse.Namespace, policy: Policy | None = None) -> Scanner:
    min_score = getattr(args, "min_score", None)
    if min_score is None and policy is not None:
        min_score = 0.0  # the policy's thresholds decide
    return Scanner(
        extra_rules=args.rules,
        entities=getattr(args, "entities", None),
        categories=getattr(args, "categories", None),
        min_score=min_score,
        limits=policy.limits if policy is not None else None,
    )


def cmd_scan(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    policy = load_policy(args.policy)
    scanner = make_scanner(args, policy)
    if policy is not None:
        scanner = scanner.with_deny_terms(policy.deny.terms)
    report = make_report(args.format, sys.stdout, args.show_values, scanner.rules, __version__)
    totals = Totals()
    errors: list[str] = []
    sources = list(expand(args.paths, errors))
    sizes = [s.size() for s in sources]
    progress = Progress(None if None in sizes else sum(s or 0 for s in sizes))

    def emit(hits: list[Hit]) -> None:
        for hit in hits:
            if (
                policy is not None
                and action_for(policy, hit.entity, hit.category, hit.score, hit.value) is None
            ):
                continue
            totals.add(hit)
            report.hit(hit)

    # JSON out and no policy to apply per finding: the engine writes the records itself.
    records = None
    if isinstance(report, (JsonReport, JsonLinesReport)) and policy is None:
        before, after = report.RECORDS
        records = Records(before, after, args.show_values)
    entities = [r.entity for r in scanner.rules]

    def emit_records(blob: bytes, counts: Counts) -> None:
        assert isinstance(report, (JsonReport, JsonLinesReport))
        report.records(blob, totals.add_counts(counts, entities))

    try:
        found = scan_all(scanner, sources, args.jobs, args.binary, progress, emit, records, emit_records)
        for result in found:
            if result.error:
                errors.append(result.error)
            if result.skipped:
                totals.skipped += 1
                print(f"weir: {result.source.name}: skipped: {result.skipped}", file=sys.stderr)
                continue
            totals.files += 1
            totals.bytes_scanned += result.bytes_scanned
            for blob, counts in result.records:
                emit_records(blob, counts)
            emit(result.hits)
    finally:
        progress.finish()
    for message in errors:
        print(f"weir: {message}", file=sys.stderr)
        if isinstance(report, SarifReport):
            report.error(message)
    totals.errors = len(errors)
    report.finish(totals)
    if errors:
        return EXIT_ERROR
    if args.fail_on == "none":
        return EXIT_CLEAN
    floor = 0.0 if args.fail_on == "any" else SEVERITY_FLOORS[args.fail_on]
    failed = any(n for sev, n in totals.by_severity.items() if SEVERITY_FLOORS[sev] >= floor)
    return EXIT_FOUND if failed else EXIT_CLEAN


def load_policy(arg: str | None) -> Policy | None:
    """``--policy``: a built-in name (default, strict, audit) or a policy file."""
    if arg is None:
        return None
    return Policy.builtin(arg) if arg in BUILTIN_POLICIES else Policy.load(arg)


def cmd_redact(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    scanner = make_scanner(args, policy)
    if policy is not None:
        scanner = scanner.with_deny_terms(policy.deny.terms)
    meta = scanner._meta
    floor = scanner.floor
    render = Renderer(policy, {}) if policy is not None else None

    def replacement(raw: _core.StreamFinding) -> bytes | None:
        """What replaces this finding, or None to leave it (below threshold, allowed, report)."""
        i, s, e, score, value, _line, _column, _decoded = raw
        if score < floor:
            return None
        if policy is None or render is None:
            return f"[{meta[i][0]}]".encode()
        finding = make_finding(meta[i], s, e, score, value.decode("utf-8", "replace"))
        decided = decide([finding], policy)  # raises Blocked
        if not decided.actions or decided.actions[0][1].action == "report":
            return None
        return render.render(finding, decided.actions[0][1]).encode()

    stream = scanner.engine.stream()
    source, _compression = open_source(Source(args.path))
    # Fail closed: nothing reaches the destination until the whole input has passed. Output goes
    # to a temporary file (beside OUT, or spooled for stdout) and is released only at the end.
    target = None if args.output == "-" else Path(args.output)
    out: IO[bytes]
    if target is None:
        out = tempfile.SpooledTemporaryFile(max_size=64 << 20)  # noqa: SIM115
    else:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        out = os.fdopen(fd, "wb")
    # Bytes not yet written start at absolute offset `written`; `held` are those bytes.
    held = bytearray()
    written = 0
    completed = False

    def flush_to(limit: int, found: list[_core.StreamFinding]) -> None:
        nonlocal written, held
        at = written
        # Every finding is decided first: one inside a replaced span may still block, and one left
        # as it is (report) must not widen the span that goes. Order as weir.redact merges spans.
        chosen = [(raw, new) for raw in found if (new := replacement(raw)) is not None]
        for raw, new in sorted(chosen, key=lambda c: (c[0][1], -c[0][3], -c[0][2])):
            s, e = raw[1], raw[2]
            if s < at:  # overlaps what was just replaced: the union goes, once
                at = max(at, e)
                continue
            out.write(held[at - written : s - written])
            out.write(new)
            at = e
        limit = max(limit, at)
        out.write(held[at - written : limit - written])
        del held[: limit - written]
        written = limit

    try:
        while chunk := source.read(CHUNK):
            held += chunk
            flush_to(stream.watermark, stream.feed(chunk))
        flush_to(written + len(held), stream.close())
        completed = True
    except Blocked as blocked:
        print(f"weir: {args.path}: {blocked}; output withheld", file=sys.stderr)
        return EXIT_FOUND
    except DECOMPRESS_ERRORS as e:
        raise InputError(f"{args.path}: cannot read past byte {written + len(held)}: {e}") from None
    finally:
        if args.path != "-":
            source.close()
        if target is None:
            if completed:
                out.seek(0)
                shutil.copyfileobj(out, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            out.close()
        else:
            out.close()
            if completed:
                os.replace(tmp_name, target)
            else:  # never leave a partial copy behind
                os.unlink(tmp_name)
    return EXIT_CLEAN


def cmd_rules_list(args: argparse.Namespace) -> int:
    scanner = Scanner(extra_rules=args.rules)
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "entity": r.entity,
                "category": r.category,
                "score": r.score,
                "validator": r.validator,
                "source": r.source,
            }
            for r in scanner.rules
        ]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    width = max(len(r.id) for r in scanner.rules)
    for r in scanner.rules:
        extra = f" [{r.validator}]" if r.validator else ""
        print(f"{r.id:<{width}}  {r.category:<9}  {r.entity:<28} {r.name}{extra}")
    print(f"{len(scanner.rules)} rules, {len({r.entity for r in scanner.rules})} entities", file=sys.stderr)
    return EXIT_CLEAN


def check_examples(scanner: Scanner, rules: Sequence[Rule]) -> list[str]:
    """Run each rule's examples through the engine: the failures, one line each. An example is
    found at any score (a bare value may score under the default threshold); a negative example
    must not be found even as a low-scored candidate."""
    failures = []
    for rule in rules:
        for ex in rule.examples:
            if not any(f.entity == rule.entity for f in scanner.scan(ex, min_score=0)):
                failures.append(
                    f"{rule.source}: rule '{rule.id}': example not found as {rule.entity}: {ex!r}"
                )
        for ex in rule.negative_examples:
            if any(f.rule == rule.id for f in scanner.scan(ex, min_score=0)):
                failures.append(f"{rule.source}: rule '{rule.id}': negative example was found: {ex!r}")
    return failures


def cmd_rules_check(args: argparse.Namespace) -> int:
    from weir.rules import load_file

    status = EXIT_CLEAN
    for path in args.files:
        rules = load_file(path)
        scanner = Scanner(extra_rules=[path])
        failures = check_examples(scanner, rules)
        for line in failures:
            print(line, file=sys.stderr)
        n_ex = sum(len(r.examples) + len(r.negative_examples) for r in rules)
        verdict = "FAILED" if failures else "ok"
        print(f"{path}: {len(rules)} rules, {n_ex} examples: {verdict}")
        if failures:
            status = EXIT_FOUND
    return status


def cmd_rules_verify(args: argparse.Namespace) -> int:
    from weir import manifest

    if args.dir:
        where = args.dir.rstrip("/") or "/"
        verdicts = manifest.verify_directory(args.dir)
    else:
        where = "patterns (built in)"
        sums = manifest.parse(_core.builtin_rule_manifest(), "built-in MANIFEST.sha256")
        files = [(n, t.encode("utf-8")) for n, t in _core.builtin_rule_files()]
        verdicts = manifest.check(files, sums)
    bad = [v for v in verdicts if v.status != "ok"]
    if args.format == "json":
        json.dump(
            {"where": where, "files": msgspec.to_builtins(verdicts), "ok": not bad}, sys.stdout, indent=2
        )
        sys.stdout.write("\n")
    else:
        for v in verdicts:
            print(f"{v.status:<9} {v.name}  {v.actual or v.expected}")
        print(f"{where}: {len(verdicts) - len(bad)} of {len(verdicts)} rule files match the manifest")
    if bad:
        print(f"weir: {manifest.describe(bad, where)}", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_CLEAN


def cmd_proxy(args: argparse.Namespace) -> int:
    from weir.mcp.audit import AuditLog
    from weir.mcp.guard import Guard
    from weir.mcp.http import UpstreamError
    from weir.mcp.proxy import DEFAULT_LINE_LIMIT, SpawnError, run, run_url

    command = args.server_command[1:] if args.server_command[:1] == ["--"] else args.server_command
    if args.url is not None and command:
        raise UsageError("proxy: give either --url or -- CMD ARGS..., not both")
    if args.url is None and not command:
        raise UsageError(
            "proxy: no server command; usage: weir proxy [--policy FILE] -- CMD ARGS... (or --url URL)"
        )
    if args.url is None and (args.header or args.header_env):
        raise UsageError("proxy: --header and --header-env go with --url")
    headers = _headers(args.header, args.header_env)
    line_limit = DEFAULT_LINE_LIMIT if args.max_line is None else args.max_line
    if line_limit < 1024:
        raise UsageError("proxy: --max-line must be at least 1024 bytes")
    policy = load_policy(args.policy) or Policy.builtin("default")
    settings = policy.mcp
    audit: AuditLog | bool = True
    if args.audit_log:
        audit = AuditLog(
            args.audit_log,
            max_bytes=settings.audit_max_bytes,
            backups=settings.audit_backups,
            key_file=policy.key_file,
        )
    name = args.server or (_host(args.url) if args.url is not None else Path(command[0]).name)
    guard = Guard(policy, server=name, audit=audit)
    # A client that goes away is handled as a closed pipe, not by dying of SIGPIPE (the child
    # gets the default disposition back when it starts).
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        if args.url is not None:
            return run_url(guard, args.url, headers=headers, line_limit=line_limit)
        return run(guard, command, line_limit=line_limit)
    except (SpawnError, UpstreamError) as e:
        print(f"weir: proxy: {e}", file=sys.stderr)
        return e.status if isinstance(e, SpawnError) else EXIT_ERROR


def _headers(given: Sequence[str], from_env: Sequence[str]) -> dict[str, str]:
    """--header NAME=VALUE and --header-env NAME=VAR as one mapping; the errors name the flag."""
    headers: dict[str, str] = {}
    for flag, items in (("--header", given), ("--header-env", from_env)):
        for item in items:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name or any(c in name for c in " :\r\n"):
                raise UsageError(f"proxy: {flag} takes NAME=VALUE, e.g. {flag} Authorization=...")
            if flag == "--header-env":
                if value not in os.environ:
                    raise UsageError(f"proxy: --header-env {name}={value}: the variable {value} is not set")
                value = os.environ[value]
            if "\r" in value or "\n" in value:
                raise UsageError(f"proxy: {flag} {name}: a header value cannot hold a line break")
            headers[name] = value
    return headers


def _host(url: str) -> str:
    """The host of a URL, the server's name in audit events."""
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # A closed pipe (weir scan big.log | head) ends the run quietly, as for any Unix filter.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "redact":
            return cmd_redact(args)
        if args.command == "rules" and args.rules_command == "list":
            return cmd_rules_list(args)
        if args.command == "rules" and args.rules_command == "check":
            return cmd_rules_check(args)
        if args.command == "rules" and args.rules_command == "verify":
            return cmd_rules_verify(args)
        if args.command == "proxy":
            return cmd_proxy(args)
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    except LimitExceeded as e:  # its message names the limit and how to raise it
        print(f"weir: {e}", file=sys.stderr)
        return EXIT_ERROR
    except (
        RuleFileError,
        _core.RuleError,
        UsageError,
        InputError,
        PolicyError,
        MissingKeyError,
        VaultError,
        ValueError,
    ) as e:
        print(f"weir: {e}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:
        print(f"weir: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
