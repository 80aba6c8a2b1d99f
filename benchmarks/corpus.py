"""Seeded, deterministic benchmark corpora for weir: logs, MCP tool results and prose.

Why generated rather than downloaded: a benchmark must be reproducible anywhere (CI reaches no
data hub), it must carry a known number of true positives (the manifest), and it must be noisy in
the ways real data is noisy: request ids, UUIDs, hashes, timestamps, version strings and order
numbers that look like card numbers, SSNs or IP addresses but are not. That noise is what makes a
DLP engine slow or imprecise, so most of the bytes here are noise and the planted values are rare
(about one per 2-5 KB), as they are in real logs.

CLI::

    python benchmarks/corpus.py --out benchmarks/data --size-mb 50 --seed 7

writes ``logs.log``, ``tool_results.jsonl``, ``prose.txt`` (a third of the size each) and
``manifest.json`` (the planted counts per kind, background and decoy counts, bytes per file).
The same seed always gives byte-identical files.

In memory: ``make_text(size_bytes, seed, kind)`` for benchmarks, ``make_corpus`` when the
planted counts are wanted too.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python benchmarks/corpus.py): make the sibling module importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import planted
from planted import KINDS, pick_kind

DEFAULT_SEED = 7
GAP_MIN = 2048
GAP_MAX = 5120
MIXED_BLOCK = 16 * 1024
EPOCH_START = 1_709_251_200  # 2024-03-01T00:00:00Z: fixed so output never depends on "now"

FILES: dict[str, str] = {"logs": "logs.log", "json": "tool_results.jsonl", "prose": "prose.txt"}
TEXT_KINDS = ("logs", "json", "prose", "mixed")

Maker = Callable[[], str]


class _Fill(dict[str, str]):
    """A format_map mapping that makes each placeholder's value on first use.

    Templates stay readable strings ("{ts} GET {path}") while only the placeholders a template
    names cost a random draw, and a placeholder used twice in one template gets one value.
    """

    __slots__ = ("_makers",)

    def __init__(self, makers: Mapping[str, Maker], **fixed: str) -> None:
        super().__init__(fixed)
        self._makers = makers

    def __missing__(self, key: str) -> str:
        value = self._makers[key]()
        self[key] = value
        return value


def _weighted(rng: random.Random, table: tuple[tuple[int, str], ...]) -> str:
    """Pick a template from (weight, template) pairs."""
    return rng.choices([t for _, t in table], weights=[w for w, _ in table])[0]


def _non_luhn(rng: random.Random, n: int) -> str:
    """n digits that fail Luhn: order numbers and ids that only look like card numbers."""
    number = planted.digits(rng, n - 1)
    number = str(rng.randint(1, 9)) + number[1:]
    good = planted.luhn_check_digit(number)
    return number + str((int(good) + rng.randint(1, 9)) % 10)


# --- shared vocabulary --------------------------------------------------------------------

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.6261.112 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Go-http-client/2.0",
    "kube-probe/1.29",
    "Prometheus/2.50.1",
    "okhttp/4.12.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
)
HTTP_PATHS = (
    "/api/v1/orders/{num}",
    "/api/v1/orders?page={small}&limit=50",
    "/api/v2/users/{uuid}/sessions",
    "/api/v2/accounts/{num}/invoices?status=open",
    "/static/js/app.{hex8}.js",
    "/static/css/main.{hex8}.css",
    "/healthz",
    "/readyz",
    "/metrics",
    "/login",
    "/graphql",
    "/api/v1/search?q=widgets&sort=price_asc",
    "/webhooks/stripe",
    "/api/v1/tickets/{num}/comments",
    "/favicon.ico",
)
SERVICES = (
    "api-gateway",
    "orders",
    "payments",
    "billing",
    "auth",
    "search",
    "notifier",
    "ingest",
    "crm-sync",
    "ticket-import",
    "reporting",
    "scheduler",
)
JAVA_CLASSES = (
    "com.acme.payments.ChargeService",
    "com.acme.orders.OrderController",
    "com.acme.auth.TokenVerifier",
    "com.acme.crm.ContactRepository",
    "com.acme.billing.InvoiceRenderer",
    "org.springframework.web.servlet.FrameworkServlet",
    "org.springframework.transaction.interceptor.TransactionInterceptor",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
    "com.zaxxer.hikari.pool.HikariPool",
    "io.netty.channel.AbstractChannelHandlerContext",
    "java.base/java.util.concurrent.FutureTask",
    "org.apache.catalina.core.ApplicationFilterChain",
)
JAVA_EXCEPTIONS = (
    "java.lang.IllegalStateException: Order {num} is already settled",
    "java.net.SocketTimeoutException: Read timed out after {ms}ms",
    "org.postgresql.util.PSQLException: ERROR: deadlock detected (pid {pid})",
    'java.lang.NullPointerException: Cannot invoke "Invoice.getTotal()" because "inv" is null',
    "com.acme.payments.GatewayException: upstream returned 502 (attempt {small}/5)",
    "java.util.concurrent.TimeoutException: Waited {ms} milliseconds for pool connection",
)
COMPANIES = (
    "Acme Logistics",
    "Northwind Traders",
    "Globex Systems",
    "Initech",
    "Umbrella Health",
    "Hooli Cloud",
    "Vandelay Imports",
    "Soylent Foods",
    "Wonka Industries",
    "Cyberdyne Labs",
    "Tyrell Biotech",
    "Wayne Enterprises",
    "Stark Manufacturing",
    "Pied Piper",
    "Massive Dynamic",
    "Oceanic Air",
    "Gringotts Finance",
    "Monarch Solutions",
    "Aperture Science",
    "Dunder Mifflin",
)
PRODUCTS = ("Starter", "Team", "Business", "Enterprise", "Analytics add-on", "API Pro")
FEATURES = (
    "single sign-on",
    "audit log export",
    "custom retention",
    "priority support",
    "the data residency option",
    "SCIM provisioning",
    "webhook retries",
)
TEAMS = ("platform", "billing", "data", "mobile", "security", "support", "growth")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
PEOPLE = (
    "Maria Garcia",
    "Wei Chen",
    "Olivia Murphy",
    "Ahmed Khan",
    "Sofia Rossi",
    "Liam Walsh",
    "Priya Patel",
    "Noah Baker",
    "Emma Fischer",
    "Kenji Tanaka",
    "José Álvarez",
    "Zoë Martin",
    "Ingrid Andersen",
    "Omar Haddad",
    "Grace Okafor",
    "Lena Müller",
    "François Dubois",
)


# --- sources ------------------------------------------------------------------------------


@dataclass
class Tally:
    """What a generated text contains: planted values, background entities, decoys."""

    planted: Counter[str] = field(default_factory=Counter)
    background: Counter[str] = field(default_factory=Counter)
    decoys: Counter[str] = field(default_factory=Counter)


class _Source:
    """Base of the three text sources: a clock, the common placeholder makers, a tally."""

    kinds: tuple[str, ...] = tuple(KINDS)

    def __init__(self, rng: random.Random, tally: Tally) -> None:
        self.rng = rng
        self.tally = tally
        self.t = float(EPOCH_START + rng.randint(0, 86_400 * 60))
        self.makers: dict[str, Maker] = self._common_makers()

    def tick(self) -> None:
        """Advance the clock a little, so timestamps rise like a real log's."""
        self.t += self.rng.random() * 0.8

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, timezone.utc)

    def _ip(self) -> str:
        self.tally.background["ip_address"] += 1
        return planted.ipv4(self.rng)

    def _decoy(self, name: str, value: str) -> str:
        self.tally.decoys[name] += 1
        return value

    def _common_makers(self) -> dict[str, Maker]:
        r = self.rng
        return {
            "ts_iso": lambda: f"{self.now():%Y-%m-%dT%H:%M:%S}.{int(self.t * 1000) % 1000:03d}Z",
            "ts_py": lambda: f"{self.now():%Y-%m-%d %H:%M:%S},{int(self.t * 1000) % 1000:03d}",
            "ts_nginx": lambda: f"{self.now():%d/%b/%Y:%H:%M:%S} +0000",
            "ts_syslog": lambda: f"{self.now():%b %d %H:%M:%S}",
            "ts_klog": lambda: f"{self.now():%m%d %H:%M:%S}.{int(self.t * 1e6) % 1_000_000:06d}",
            "date": lambda: f"{self.now():%Y-%m-%d}",
            "ip": self._ip,
            "ip2": self._ip,
            "hex8": lambda: f"{r.getrandbits(32):08x}",
            "hex16": lambda: f"{r.getrandbits(64):016x}",
            "hex32": lambda: f"{r.getrandbits(128):032x}",
            "sha1": lambda: f"{r.getrandbits(160):040x}",
            "sha256": lambda: f"{r.getrandbits(256):064x}",
            "uuid": lambda: _uuid(r),
            "num": lambda: str(r.randint(1000, 9_999_999)),
            "small": lambda: str(r.randint(1, 12)),
            "n4": lambda: planted.digits(r, 4),
            "pid": lambda: str(r.randint(300, 65_000)),
            "ms": lambda: str(r.randint(2, 4000)),
            "ms2": lambda: str(r.randint(2, 4000)),
            "dur": lambda: f"{r.expovariate(20):.3f}",
            "bytes": lambda: str(int(r.expovariate(1 / 6000))),
            "status": lambda: r.choices(
                ("200", "201", "204", "301", "304", "400", "401", "403", "404", "429", "500", "502", "503"),
                weights=(60, 5, 4, 2, 6, 3, 3, 1, 6, 2, 2, 1, 1),
            )[0],
            "method": lambda: r.choices(("GET", "POST", "PUT", "DELETE", "PATCH"), weights=(70, 18, 5, 3, 4))[
                0
            ],
            "path": lambda: r.choice(HTTP_PATHS).format_map(_Fill(self.makers)),
            "ua": lambda: r.choice(USER_AGENTS),
            "ver": lambda: f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 40)}",
            "svc": lambda: r.choice(SERVICES),
            "pod": lambda: f"{r.choice(SERVICES)}-{r.getrandbits(40):010x}-{_pod_suffix(r)}",
            "cls": lambda: r.choice(JAVA_CLASSES),
            "thread": lambda: f"http-nio-8080-exec-{r.randint(1, 200)}",
            "amount": lambda: f"{r.randint(1, 2500)}.{r.randint(0, 99):02d}",
            "currency": lambda: r.choice(("USD", "EUR", "GBP", "CAD")),
            "user": lambda: f"usr_{r.getrandbits(48):012x}",
            "account": lambda: f"ACC-{r.randint(10000, 99999)}",
            "ticket": lambda: f"TCK-{r.randint(10000, 99999)}",
            "invoice": lambda: f"INV-{r.randint(2021, 2024)}-{r.randint(1, 999_999):06d}",
            "company": lambda: r.choice(COMPANIES),
            "person": lambda: r.choice(PEOPLE),
            "person2": lambda: r.choice(PEOPLE),
            "person3": lambda: r.choice(PEOPLE),
            "first": lambda: r.choice(PEOPLE).split()[0],
            "product": lambda: r.choice(PRODUCTS),
            "feature": lambda: r.choice(FEATURES),
            "team": lambda: r.choice(TEAMS),
            "weekday": lambda: r.choice(WEEKDAYS),
            "hour": lambda: f"{r.randint(7, 22):02d}",
            "minute": lambda: f"{r.randrange(0, 60, 5):02d}",
            "subject": lambda: self.fill(r.choice(SUBJECTS)),
            "octet": lambda: str(r.randint(1, 254)),
            "quarter": lambda: str(r.randint(1, 4)),
            "months": lambda: str(r.choice((3, 6, 12, 24, 36))),
            # Decoys: shaped like sensitive values, failing the checks that tell them apart.
            "order16": lambda: self._decoy("non_luhn_16_digits", _non_luhn(r, 16)),
            "id9": lambda: self._decoy("bare_9_digits", planted.digits(r, 9)),
            "epoch_ms": lambda: self._decoy("epoch_millis", str(int(self.t * 1000))),
            "quad": lambda: self._decoy(
                "version_quad", f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 250)}"
            ),
            "build": lambda: self._decoy(
                "build_number", f"10.0.{r.randint(17000, 22631)}.{r.randint(256, 4000)}"
            ),
            "fiction_phone": lambda: self._decoy(
                "phone_555_01xx",
                f"({r.randint(2, 9)}{r.randint(0, 8)}{r.randint(0, 9)}) 555-01{r.randint(0, 99):02d}",
            ),
            "bad_ssn": lambda: self._decoy(
                "ssn_group_00", f"{r.randint(100, 665):03d}-00-{r.randint(1000, 9999)}"
            ),
        }

    def fill(self, template: str, **fixed: str) -> str:
        return template.format_map(_Fill(self.makers, **fixed))

    def noise(self) -> str:
        """One unit of harmless text (a line, a trace, a record, a paragraph), newline-ended."""
        raise NotImplementedError

    def plant(self, kind: str, value: str) -> str:
        """One unit of text that carries ``value`` of ``kind`` in a realistic context."""
        raise NotImplementedError


def _uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _pod_suffix(r: random.Random) -> str:
    return "".join(r.choices("bcdfghjklmnpqrstvwxz2456789", k=5))


# --- logs ---------------------------------------------------------------------------------

LOG_LINES: tuple[tuple[int, str], ...] = (
    (
        24,
        '{ip} - - [{ts_nginx}] "{method} {path} HTTP/1.1" {status} {bytes} "-" "{ua}" '
        'rt={dur} uct="0.000" urt="{dur}" req_id={hex32}',
    ),
    (6, '{ip} - - [{ts_nginx}] "{method} {path} HTTP/2.0" {status} {bytes}'),
    (
        9,
        '{{"ts":"{ts_iso}","level":"info","logger":"{svc}.http","msg":"request completed",'
        '"method":"{method}","path":"{path}","status":{status},"duration_ms":{ms},'
        '"trace_id":"{hex32}","span_id":"{hex16}","user_id":"{uuid}"}}',
    ),
    (
        5,
        '{{"ts":"{ts_iso}","level":"debug","logger":"{svc}.db","msg":"query ok","rows":{ms},'
        '"elapsed":"{dur}s","pool":{{"active":{small},"idle":{small},"max":20}}}}',
    ),
    (
        4,
        '{{"ts":"{ts_iso}","level":"warn","logger":"{svc}.client","msg":"retrying upstream",'
        '"attempt":{small},"backoff_ms":{ms},"upstream":"{ip}:8443","err":"context deadline '
        'exceeded"}}',
    ),
    (
        4,
        '{{"ts":"{ts_iso}","level":"info","logger":"orders","msg":"order created",'
        '"order_id":"{order16}","amount":"{amount}","currency":"{currency}","items":{small}}}',
    ),
    (
        7,
        "{ts_py} INFO [worker-{small}] tasks.sync: synced {num} records in {dur}s "
        "(batch={ms}, cursor={epoch_ms})",
    ),
    (
        4,
        "{ts_py} WARNING [worker-{small}] tasks.import: skipped row {num}: missing field "
        '"external_id" (file=export_{date}.csv, sha256={sha256})',
    ),
    (
        7,
        'I{ts_klog}       1 reconciler.go:{ms}] "Reconciled object" controller="deployment" '
        'pod="default/{pod}" podIP="{ip}" generation={small} duration="{dur}s"',
    ),
    (
        3,
        'E{ts_klog}       1 kubelet.go:{ms}] "Error syncing pod, skipping" err="failed to '
        '\\"StartContainer\\" with CrashLoopBackOff: back-off {small}m0s" pod="prod/{pod}" '
        'podUID="{uuid}"',
    ),
    (
        6,
        "{ts_syslog} ip-10-0-{small}-{octet} systemd[1]: Started {svc}.service - {svc} "
        "API server (pid {pid}).",
    ),
    (
        3,
        "{ts_syslog} ip-10-0-{small}-{octet} sshd[{pid}]: Accepted publickey for deploy from "
        "{ip} port {pid} ssh2: ED25519 SHA256:{hex32}",
    ),
    (
        3,
        "{ts_syslog} ip-10-0-{small}-{octet} kernel: [{num}.{n4}] oom-kill:constraint="
        "CONSTRAINT_MEMCG,task={svc},pid={pid},uid=1000 total-vm:{num}kB",
    ),
    (4, "{ts_iso} INFO  [{thread}] {cls} - Processed invoice {invoice} total={amount} {currency} in {ms}ms"),
    (
        3,
        "{ts_iso} INFO  [main] c.a.Application - Started Application in {dur} seconds "
        "(process running for {dur}) version={ver} build={build} agent={quad}",
    ),
    (
        2,
        'level=info ts={ts_iso} caller=scrape.go:{ms} component="scrape manager" '
        "target=http://{ip}:9100/metrics samples={num} duration_seconds={dur}",
    ),
    (
        2,
        "{ts_py} INFO support.import: ticket {ticket} imported (account {account}, ref "
        "{id9}, callback {fiction_phone})",
    ),
    (1, "{ts_py} DEBUG legacy.forms: normalised reference {bad_ssn} for claim {num}"),
    (
        2,
        "metrics cpu_user={dur} cpu_sys={dur} rss_mb={ms} gc_pause_ms={dur} goroutines={ms} "
        "uptime_s={num} ts={epoch_ms}",
    ),
)

LOG_PLANTS: dict[str, tuple[str, ...]] = {
    "email": (
        "{ts_iso} INFO  [{thread}] c.a.auth.PasswordResetService - reset link sent to {v}",
        "{ts_py} WARNING auth.login: failed login for user={v} from {ip} (attempt {small})",
        '{{"ts":"{ts_iso}","level":"info","logger":"mailer","msg":"receipt sent","to":"{v}",'
        '"message_id":"{hex32}"}}',
    ),
    "phone": (
        "{ts_py} INFO sms.gateway: delivered OTP to {v} sid=SM{hex32} segments=1",
        '{{"ts":"{ts_iso}","level":"info","logger":"crm-sync","msg":"contact updated",'
        '"contact_id":"{uuid}","phone":"{v}"}}',
    ),
    "credit_card": (
        "{ts_iso} DEBUG [{thread}] c.a.payments.ChargeService - PaymentRequest{{pan={v}, "
        "exp=0{small}/27, amount={amount}, currency={currency}}}",
        "{ts_py} ERROR payments.gateway: charge declined card={v} code=insufficient_funds order={order16}",
        '{{"ts":"{ts_iso}","level":"debug","logger":"checkout","msg":"tokenize request",'
        '"card_number":"{v}","amount":"{amount}"}}',
    ),
    "ipv4": (
        "{ts_syslog} ip-10-0-{small}-{octet} kernel: [UFW BLOCK] IN=eth0 OUT= SRC={v} "
        "PROTO=TCP SPT={pid} DPT=22",
        "{ts_syslog} ip-10-0-{small}-{octet} fail2ban.actions[{pid}]: NOTICE [sshd] Ban {v}",
    ),
    "us_ssn": (
        "{ts_py} INFO kyc.verify: submitted applicant {uuid} ssn={v} status=pending",
        '{ts_py} DEBUG hr.import: row {num}: {{"employee_id": "{num}", "ssn": "{v}"}}',
    ),
    "iban": (
        "{ts_py} INFO payouts: transfer {uuid} to iban={v} amount={amount} EUR queued",
        '{{"ts":"{ts_iso}","level":"info","logger":"sepa","msg":"mandate signed",'
        '"iban":"{v}","mandate_id":"MD{num}"}}',
    ),
    "jwt": (
        '{ip} - - [{ts_nginx}] "GET /api/v1/me?access_token={v} HTTP/1.1" 200 {bytes} "-" "{ua}"',
        "{ts_iso} DEBUG [{thread}] c.a.auth.TokenVerifier - verifying Authorization: Bearer {v}",
    ),
    "aba_routing": (
        "{ts_py} INFO ach.link: verified routing_number={v} account=****{n4} micro_deposits=2",
        "{ts_py} DEBUG payroll.export: ABA routing {v} acct ending {n4} amount={amount}",
    ),
    "aws_access_key_id": (
        "{ts_py} DEBUG botocore.credentials: Found credentials in environment variables "
        "aws_access_key_id={v}",
        "{ts_iso} INFO  [main] c.a.config.Env - AWS_ACCESS_KEY_ID={v}",
    ),
    "aws_secret_access_key": (
        "{ts_iso} INFO  [main] c.a.config.Env - aws_secret_access_key={v}",
        "{ts_py} DEBUG settings: loaded ~/.aws/credentials [default] aws_secret_access_key = {v}",
    ),
    "github_token": (
        "{ts_py} INFO deploy: git clone https://x-access-token:{v}@github.com/acme/infra.git",
        "{ts_iso} INFO  [main] c.a.config.Env - GITHUB_TOKEN={v}",
    ),
    "slack_bot_token": (
        "{ts_py} DEBUG notifier.slack: posting to #alerts with token {v}",
        "{ts_iso} INFO  [main] c.a.config.Env - SLACK_BOT_TOKEN={v}",
    ),
    "slack_webhook_url": ("{ts_py} INFO alerts: delivered page for {svc} via webhook {v} status=200",),
    "stripe_live_key": (
        "{ts_py} ERROR payments.stripe: request failed api_key={v} code=rate_limit request_id=req_{hex16}",
        "{ts_iso} INFO  [main] c.a.config.Env - STRIPE_SECRET_KEY={v}",
    ),
    "openai_key": (
        "{ts_py} DEBUG llm.client: POST https://api.openai.com/v1/chat/completions "
        "headers={{'Authorization': 'Bearer {v}'}}",
        "{ts_iso} INFO  [main] c.a.config.Env - OPENAI_API_KEY={v}",
    ),
    "postgres_url": (
        "{ts_py} INFO db.pool: connecting to {v} (pool_size=20)",
        "{ts_iso} INFO  [main] c.a.config.Env - DATABASE_URL={v}",
    ),
    "private_key": ("{ts_iso} DEBUG [main] c.a.config.TlsConfig - loaded tls.key from env:\n{v}",),
}


class LogSource(_Source):
    """Access logs, JSON app logs, Python/Java/klog/syslog lines and Java stack traces."""

    def noise(self) -> str:
        self.tick()
        if self.rng.random() < 0.025:
            return self._stack_trace()
        return self.fill(_weighted(self.rng, LOG_LINES)) + "\n"

    def _stack_trace(self) -> str:
        r = self.rng
        head = self.fill("{ts_iso} ERROR [{thread}] {cls} - Request {hex16} failed")
        lines = [head, self.fill(r.choice(JAVA_EXCEPTIONS))]
        for _ in range(r.randint(5, 14)):
            cls = r.choice(JAVA_CLASSES)
            method = r.choice(("handle", "invoke", "process", "doFilter", "execute", "apply"))
            lines.append(f"\tat {cls}.{method}({cls.rsplit('.', 1)[-1]}.java:{r.randint(20, 900)})")
        if r.random() < 0.4:
            lines.append(self.fill("Caused by: " + r.choice(JAVA_EXCEPTIONS)))
            lines.append(f"\t... {r.randint(8, 60)} common frames omitted")
        return "\n".join(lines) + "\n"

    def plant(self, kind: str, value: str) -> str:
        self.tick()
        return self.fill(self.rng.choice(LOG_PLANTS[kind]), v=value) + "\n"


# --- MCP tool results ---------------------------------------------------------------------

CONTACT_FIELDS: dict[str, tuple[str, str]] = {
    "email": ("email", "email"),
    "phone": ("phone", "phone"),
    "credit_card": ("card_on_file", "card on file"),
    "us_ssn": ("ssn", "SSN"),
    "iban": ("iban", "IBAN"),
    "aba_routing": ("routing_number", "routing number"),
}
ENV_KEYS: dict[str, str] = {
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "aws_secret_access_key",
    "github_token": "GITHUB_TOKEN",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_webhook_url": "SLACK_WEBHOOK_URL",
    "stripe_live_key": "STRIPE_SECRET_KEY",
    "openai_key": "OPENAI_API_KEY",
    "postgres_url": "DATABASE_URL",
    "jwt": "SERVICE_TOKEN",
}
ENV_FILLER = (
    "LOG_LEVEL=info",
    "PORT=8080",
    "REGION=us-east-1",
    "WORKERS={small}",
    "FEATURE_FLAGS=new_checkout,dark_mode",
    "REDIS_URL=redis://cache:6379/0",
    "SENTRY_SAMPLE_RATE=0.25",
    "BUILD_SHA={sha1}",
    "RELEASE={ver}",
    "TIMEOUT_MS={ms}",
)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _tool_result(structured: Mapping[str, object] | None, text: str, is_error: bool = False) -> str:
    """One MCP CallToolResult as a JSON line."""
    result: dict[str, object] = {"content": [{"type": "text", "text": text}]}
    if structured is not None:
        result["structuredContent"] = structured
    result["isError"] = is_error
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n"


class ToolResultSource(_Source):
    """MCP CallToolResult lines: CRM accounts, tickets, mail searches, invoices, deploys."""

    kinds = tuple(k for k in KINDS if k != "private_key")  # PEM blocks do not live in JSON

    def noise(self) -> str:
        self.tick()
        r = self.rng
        roll = r.random()
        structured: dict[str, object]
        if roll < 0.25:
            accounts = [self._account() for _ in range(r.randint(1, 4))]
            structured, summary = {"accounts": accounts}, f"Found {_plural(len(accounts), 'account')}."
        elif roll < 0.5:
            tickets = [self._ticket() for _ in range(r.randint(1, 3))]
            structured, summary = {"tickets": tickets}, f"{_plural(len(tickets), 'open ticket')}."
        elif roll < 0.7:
            messages = [self._message() for _ in range(r.randint(1, 3))]
            structured = {"messages": messages}
            summary = f"{_plural(len(messages), 'message')} in the last 7 days."
        elif roll < 0.85:
            structured = self._invoice()
            summary = f"Invoice {structured['invoice_id']} is {structured['status']}."
        elif roll < 0.97:
            structured = self._deploy()
            summary = f"{structured['service']} {structured['version']} is {structured['state']}."
        else:
            return _tool_result(
                None,
                self.fill("Error: upstream timeout after {small}s (request_id={hex32})"),
                is_error=True,
            )
        return self._finish(structured, summary)

    def _finish(self, structured: Mapping[str, object], summary: str) -> str:
        """Per MCP's advice, often serialise the structured content into the text block too."""
        serialised = self.rng.random() < 0.4
        text = json.dumps(structured, ensure_ascii=False) if serialised else summary
        return _tool_result(structured, text)

    def _account(self) -> dict[str, object]:
        r = self.rng
        return {
            "id": self.fill("{account}"),
            "name": r.choice(COMPANIES),
            "industry": r.choice(("logistics", "healthcare", "fintech", "retail", "saas")),
            "tier": r.choice(PRODUCTS),
            "arr": r.randint(5, 900) * 1000,
            "employees": r.randint(10, 40_000),
            "owner_id": self.fill("{user}"),
            "created_at": self.fill("{ts_iso}"),
            "health_score": round(r.random(), 2),
            "region": r.choice(("na", "emea", "apac", "latam")),
            "open_tickets": r.randint(0, 12),
            "external_ref": self.fill("{id9}"),
        }

    def _ticket(self) -> dict[str, object]:
        r = self.rng
        return {
            "id": self.fill("{ticket}"),
            "subject": self.fill(r.choice(SUBJECTS)),
            "status": r.choice(("open", "pending", "on_hold", "solved")),
            "priority": r.choice(("low", "normal", "high", "urgent")),
            "created_at": self.fill("{ts_iso}"),
            "assignee_id": self.fill("{user}"),
            "tags": r.sample(("billing", "bug", "sso", "export", "api", "refund", "urgent"), 2),
            "sla_minutes": r.choice((60, 240, 480, 1440)),
            "body": self.fill(" ".join(r.sample(SENTENCES, r.randint(1, 3)))),
        }

    def _message(self) -> dict[str, object]:
        r = self.rng
        return {
            "id": self.fill("{hex16}"),
            "thread_id": self.fill("{hex16}"),
            "subject": self.fill(r.choice(SUBJECTS)),
            "from_name": r.choice(PEOPLE),
            "received_at": self.fill("{ts_iso}"),
            "snippet": self.fill(r.choice(SENTENCES)),
            "labels": r.sample(("inbox", "important", "customers", "finance", "vendors"), 2),
        }

    def _invoice(self) -> dict[str, object]:
        r = self.rng
        items: list[dict[str, int | str]] = [
            {
                "sku": f"SKU-{r.randint(1000, 9999)}",
                "qty": r.randint(1, 40),
                "unit_price_cents": r.randint(99, 250_000),
            }
            for _ in range(r.randint(1, 5))
        ]
        return {
            "invoice_id": self.fill("{invoice}"),
            "account_id": self.fill("{account}"),
            "order_number": self.fill("{order16}"),
            "status": r.choice(("draft", "open", "paid", "overdue")),
            "currency": r.choice(("USD", "EUR", "GBP")),
            "amount_cents": sum(int(i["qty"]) * int(i["unit_price_cents"]) for i in items),
            "due_date": self.fill("{date}"),
            "line_items": items,
        }

    def _deploy(self) -> dict[str, object]:
        r = self.rng
        svc = r.choice(SERVICES)
        return {
            "service": svc,
            "version": self.fill("{ver}"),
            "state": r.choice(("healthy", "progressing", "degraded")),
            "replicas": {"desired": 3, "ready": r.randint(0, 3)},
            "image": self.fill(f"registry.internal/{svc}@sha256:{{sha256}}"),
            "commit": self.fill("{sha1}"),
            "started_at": self.fill("{ts_iso}"),
            "node_ip": self.fill("{ip}"),
        }

    def plant(self, kind: str, value: str) -> str:
        self.tick()
        r = self.rng
        if kind in ENV_KEYS:
            return self._env_file(kind, value)
        if kind == "ipv4":
            structured = {
                "ip": value,
                "asn": f"AS{r.randint(1000, 64000)}",
                "country": r.choice(("US", "DE", "BR", "IN", "NL")),
                "abuse_score": r.randint(0, 100),
            }
            return self._finish(structured, f"Lookup complete for {value}.")
        if r.random() < 0.6:
            return self._contact(kind, value)
        ticket = self._ticket()
        ticket["body"] = self.fill(r.choice(PROSE_PLANTS[kind]), v=value)
        return self._finish({"tickets": [ticket]}, "1 open ticket.")

    def _contact(self, kind: str, value: str) -> str:
        first, last = planted.person_name(self.rng)
        key, label = CONTACT_FIELDS[kind]
        contact = {
            "id": self.fill("{uuid}"),
            "first_name": first.title(),
            "last_name": last.title(),
            "company": self.rng.choice(COMPANIES),
            key: value,
            "lifecycle_stage": self.rng.choice(("lead", "customer", "churned")),
            "updated_at": self.fill("{ts_iso}"),
        }
        return self._finish(
            {"contact": contact},
            f"Contact {first.title()} {last.title()}: {label} {value}",
        )

    def _env_file(self, kind: str, value: str) -> str:
        r = self.rng
        lines = [self.fill(line) for line in r.sample(ENV_FILLER, r.randint(3, 7))]
        lines.insert(r.randint(0, len(lines)), f"{ENV_KEYS[kind]}={value}")
        text = "\n".join(lines) + "\n"
        structured = {
            "path": r.choice((".env", ".env.production", "deploy/app.env")),
            "size": len(text),
            "truncated": False,
        }
        return _tool_result(structured, text)


# --- prose --------------------------------------------------------------------------------

SUBJECTS = (
    "Re: export job failing since {ver}",
    "Invoice {invoice} question",
    "Refund request for order {order16}",
    "Quarterly business review - {company}",
    "SSO login loop after upgrade",
    "Follow-up from {weekday}'s call",
    "Ticket {ticket}: API rate limits",
    "Meeting notes: {team} sync",
)
SENTENCES = (
    "Thanks for getting back to me so quickly about order #{num}.",
    "We upgraded to version {ver} on {date} and the export job has been failing ever since.",
    "The dashboard shows {num} failed syncs over the last {small} days, well above our baseline.",
    "Could you confirm whether the {product} plan includes {feature}?",
    "I cleared the cache and logged in again, but the page still times out after {small} seconds.",
    "Our finance team noticed a charge of ${amount} on invoice {invoice} that we do not recognise.",
    "{person} will follow up with the vendor and report back at the next sync.",
    "Action item: {person} to draft the migration plan for the {team} team by {weekday}.",
    "We agreed to postpone the rollout until the load tests pass at {num} requests per second.",
    "The incident started at {hour}:{minute} UTC and was mitigated about {small} minutes later.",
    "Latency at p99 went from {ms} ms to {ms2} ms after the cache change, which nobody expected.",
    "Please find the updated quote attached; it covers {ms} seats for {months} months.",
    "I am travelling until {weekday}, so my replies may be slower than usual.",
    "Ticket {ticket} was merged into this one because they describe the same problem.",
    "Let me know if a call on {weekday} at {hour}:{minute} works for your team.",
    "The customer on account {account} asked for a refund of ${amount}.",
    "We saw {num} errors with status {status} between {hour}:{minute} and midnight.",
    "Build {build} fixed the crash on startup, but memory usage still sits around {ms} MB.",
    "Room {n4} is booked for the quarterly review with {company}.",
    "Revenue for Q{quarter} came in at ${num}, roughly {small}% above plan.",
    "Honestly the new onboarding flow is much better, and the team at {company} noticed.",
    "We still need a decision on whether {feature} ships in the {product} tier.",
    "Legal asked us to keep the signed contract on file for seven years.",
    "The nightly report was empty again, although the job itself reported success.",
    "Could someone from the {team} team take a look before the end of the week?",
    "The reference number on their side is {id9}, in case you need to quote it.",
    "If the issue persists, please call the front desk at {fiction_phone} and ask for support.",
    "Attendees: {person}, {person2}, {person3}.",
    "Our agent reports version {quad}, which should already include the fix.",
    "Decision: keep the current vendor for another {small} months and revisit in the autumn.",
)
PROSE_PLANTS: dict[str, tuple[str, ...]] = {
    "email": (
        "You can reach me directly at {v} if that is easier.",
        "Please send the signed copy to {v} rather than the shared inbox.",
        "The invoice went to {v} instead of our billing alias.",
    ),
    "phone": (
        "My direct line is {v}, and I am usually free after two.",
        "Call me on {v} when you have a minute.",
    ),
    "credit_card": (
        "My card number is {v} and it was charged twice this month.",
        "Please update the card on file to {v}, expiry 0{small}/28.",
    ),
    "us_ssn": (
        "For the background check, my social security number is {v}.",
        "The form asked for the SSN, so I entered {v}.",
    ),
    "iban": (
        "Please wire the refund to IBAN {v}.",
        "Our new bank details for payouts are IBAN {v}.",
    ),
    "aba_routing": (
        "The routing number is {v} and the checking account ends in {n4}.",
        "For the ACH transfer use ABA routing number {v}.",
    ),
    "ipv4": (
        "All of the failed logins came from {v}, which is not one of our office addresses.",
        "Could you allowlist {v} for the SFTP import?",
    ),
    "aws_access_key_id": (
        "I think the key {v} was committed to the repo last week.",
        "The deploy script still exports AWS_ACCESS_KEY_ID={v} at the top.",
    ),
    "aws_secret_access_key": ("The old config had aws_secret_access_key = {v} in plain text.",),
    "github_token": ("Someone pasted a token ({v}) into the build log, please revoke it.",),
    "slack_bot_token": ("The reminder bot is configured with {v} and nobody knows who owns it.",),
    "slack_webhook_url": ("Alerts are posted to {v} at the moment, which goes to the old channel.",),
    "stripe_live_key": (
        "The checkout service still uses {v} as its key, so please rotate it after the audit.",
    ),
    "openai_key": ("I set OPENAI_API_KEY to {v} in my shell and the script worked.",),
    "jwt": ("Here is the token from the failing request: {v}",),
    "postgres_url": ("The report job connects with {v} and fails only on the replica.",),
    "private_key": (
        "Here is the key the vendor sent over:\n\n{v}\n\nPlease store it somewhere safer than email.",
    ),
}
OPENERS = (
    "Subject: {subject}\n\nHi {first},\n\n",
    "Ticket {ticket} - {subject}\nRequester: {person} ({company})\nPriority: normal\n\n",
    "Meeting notes - {team} sync, {date}\n\n",
    "From: {person}\nSubject: {subject}\n\nHello team,\n\n",
)
CLOSERS = ("\nThanks,\n{first}\n\n", "\nBest regards,\n{person}\n{company}\n\n", "\n")


class ProseSource(_Source):
    """Support tickets, emails and meeting notes: paragraphs of plain English."""

    def _paragraph(self, extra: str | None = None) -> str:
        sentences = [self.fill(s) for s in self.rng.sample(SENTENCES, self.rng.randint(2, 6))]
        if extra is not None:
            sentences.insert(self.rng.randint(0, len(sentences)), extra)
        return " ".join(sentences) + "\n"

    def noise(self) -> str:
        self.tick()
        r = self.rng
        roll = r.random()
        if roll < 0.2:
            return self.fill(r.choice(OPENERS)) + self._paragraph() + "\n"
        if roll < 0.3:
            return self._paragraph() + self.fill(r.choice(CLOSERS))
        return self._paragraph() + "\n"

    def plant(self, kind: str, value: str) -> str:
        self.tick()
        sentence = self.fill(self.rng.choice(PROSE_PLANTS[kind]), v=value)
        if "\n" in sentence:  # a pasted block reads as its own paragraph
            return self._paragraph() + "\n" + sentence + "\n\n"
        return self._paragraph(sentence) + "\n"


SOURCES: dict[str, type[_Source]] = {
    "logs": LogSource,
    "json": ToolResultSource,
    "prose": ProseSource,
}


# --- assembly -----------------------------------------------------------------------------


def _fill_to(source: _Source, size: int, state: list[int]) -> list[str]:
    """Units from ``source`` until ``size`` characters, planting when the byte gap runs out.

    ``state`` is [characters since the last plant, the current gap], shared across calls so
    the rate holds across the blocks of a mixed corpus.
    """
    rng, tally = source.rng, source.tally
    parts: list[str] = []
    total = 0
    while total < size:
        if state[0] >= state[1]:
            kind = pick_kind(rng, source.kinds)
            value = KINDS[kind].make(rng)
            unit = source.plant(kind, value)
            occurrences = unit.count(value)
            if occurrences == 0:  # a template that dropped its value is a bug, not noise
                raise AssertionError(f"planted {kind} value missing from its {type(source)}")
            tally.planted[kind] += occurrences
            state[0] = 0
            state[1] = rng.randint(GAP_MIN, GAP_MAX)
        else:
            unit = source.noise()
            state[0] += len(unit)
        parts.append(unit)
        total += len(unit)
    return parts


@dataclass
class Corpus:
    """An in-memory corpus with what was planted in it."""

    text: str
    tally: Tally


def make_corpus(size_bytes: int, seed: int, kind: str = "mixed") -> Corpus:
    """Generate about ``size_bytes`` characters of ``kind`` text, with its tally.

    ``mixed`` interleaves 16 KB blocks of logs, tool results and prose, so a scan of any slice
    sees all three shapes.
    """
    if kind not in TEXT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TEXT_KINDS)}, not {kind!r}")
    rng = random.Random(f"weir-corpus:{seed}:{kind}")
    tally = Tally()
    state = [0, rng.randint(GAP_MIN, GAP_MAX)]
    if kind != "mixed":
        return Corpus("".join(_fill_to(SOURCES[kind](rng, tally), size_bytes, state)), tally)
    sources = [cls(rng, tally) for cls in SOURCES.values()]
    parts: list[str] = []
    total, i = 0, 0
    while total < size_bytes:
        block = _fill_to(sources[i % len(sources)], min(MIXED_BLOCK, size_bytes - total), state)
        parts.extend(block)
        total += sum(len(p) for p in block)
        i += 1
    return Corpus("".join(parts), tally)


def make_text(size_bytes: int, seed: int, kind: str = "mixed") -> str:
    """Generate about ``size_bytes`` characters of ``kind`` text (logs, json, prose, mixed)."""
    return make_corpus(size_bytes, seed, kind).text


def _tally_json(tally: Tally) -> dict[str, dict[str, int]]:
    return {
        "planted": dict(sorted(tally.planted.items())),
        "background": dict(sorted(tally.background.items())),
        "decoys": dict(sorted(tally.decoys.items())),
    }


def generate(out_dir: str | Path, size_mb: float, seed: int) -> dict[str, object]:
    """Write the three corpus files and manifest.json under ``out_dir``; return the manifest.

    Each file gets a third of the size and its own seeded generator, so one file's content
    does not shift when another's templates change.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    share = int(size_mb * 1_000_000 / len(FILES))
    files: dict[str, object] = {}
    totals = Tally()
    total_bytes = 0
    for kind, name in FILES.items():
        corpus = make_corpus(share, seed, kind)
        data = corpus.text.encode("utf-8")
        (out / name).write_bytes(data)
        total_bytes += len(data)
        files[name] = {"bytes": len(data), "lines": data.count(b"\n"), **_tally_json(corpus.tally)}
        totals.planted.update(corpus.tally.planted)
        totals.background.update(corpus.tally.background)
        totals.decoys.update(corpus.tally.decoys)
    manifest: dict[str, object] = {
        "generator": "benchmarks/corpus.py",
        "seed": seed,
        "size_mb": size_mb,
        "total_bytes": total_bytes,
        "planted_total": sum(totals.planted.values()),
        **_tally_json(totals),
        "entities": {name: k.entity for name, k in KINDS.items()},
        "files": files,
        "notes": (
            "planted counts are occurrences (a value serialised into both text and "
            "structuredContent counts twice); background.ip_address counts the IP addresses "
            "that access and k8s log lines carry anyway; decoys are look-alikes that fail "
            "their checks and should not be reported"
        ),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate weir's benchmark corpus.")
    parser.add_argument("--out", default="benchmarks/data", help="output directory")
    parser.add_argument("--size-mb", type=float, default=50.0, help="total size in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed; same seed, same bytes")
    args = parser.parse_args(argv)
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    start = time.perf_counter()
    manifest = generate(args.out, args.size_mb, args.seed)
    elapsed = time.perf_counter() - start
    mb = int(manifest["total_bytes"]) / 1e6  # type: ignore[call-overload]
    print(
        f"wrote {mb:.1f} MB to {args.out} in {elapsed:.1f}s ({mb / elapsed:.1f} MB/s), "
        f"{manifest['planted_total']} planted values"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
