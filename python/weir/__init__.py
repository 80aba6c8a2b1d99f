"""weir: find and mask sensitive data — PII, financial identifiers, secrets, injected
instructions — in text, bytes and JSON payloads, with one native Vectorscan pass over all rules.

    >>> import weir
    >>> weir.scan("mail me at jane.doe@example.com").findings[0].entity
    'EMAIL_ADDRESS'
"""

from weir._core import RuleError, ScanError
from weir.limits import LimitExceeded, Limits
from weir.payload import PayloadError
from weir.policy import Blocked, Policy, PolicyError
from weir.results import Finding, ScanResult
from weir.rules import Rule, RuleFileError
from weir.scanner import DEFAULT_MIN_SCORE, Scanner, Stream, redact, scan
from weir.vault import Vault, detokenize

__all__ = [
    "DEFAULT_MIN_SCORE",
    "Blocked",
    "Finding",
    "LimitExceeded",
    "Limits",
    "PayloadError",
    "Policy",
    "PolicyError",
    "Rule",
    "RuleError",
    "RuleFileError",
    "ScanError",
    "ScanResult",
    "Scanner",
    "Stream",
    "Vault",
    "detokenize",
    "redact",
    "scan",
]
__version__ = "0.1.0"
