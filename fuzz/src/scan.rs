//! `scan`: random rules × random input. Builds 1-4 rule specs (patterns from a small grammar of
//! regex fragments and raw fuzz strings, so valid and invalid patterns both appear; validators by
//! name; hotwords, windows, scores, entropy floors) and an input, then checks what the engine
//! promises: `Engine::new` fails or succeeds but never panics; every finding lies inside the input
//! and passes its rule's validator and entropy floor; findings come back as `resolve` leaves them;
//! `scan_many` over the input cut into items equals `scan` per item; a stream fed the same bytes in
//! random chunks finds what the block scan finds, with the right values, lines and columns, and
//! never releases a finding before its watermark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once, OnceLock};

use arbitrary::{Result, Unstructured};
use weir_core::validators::{shannon_entropy, Validator};
use weir_core::{Engine, Finding, RuleSpec, ViewOptions};

/// Pieces the patterns are built from: classes, counted and open repetitions, word boundaries,
/// anchors (plain and multiline), alternation, groups (value, named, plain, non-capturing, with
/// flags), escapes Vectorscan and regex-syntax read differently, and newline-matching pieces
/// (which `scan_many` treats specially). A stray `)` or `(` makes an invalid pattern.
const FRAGMENTS: &[&str] = &[
    "a",
    "b",
    "ab",
    "0",
    "[0-9]",
    "[0-9]{2,4}",
    "[a-z]+",
    r"\d{3}",
    r"\w{1,8}",
    r"\s",
    r"\S+",
    ".",
    ".*",
    "[^a]",
    r"[\x00-\xff]",
    r"\n",
    r"[\r\n]",
    "x?",
    "@",
    "-",
    "=",
    r"\.",
    r"\b",
    r"\B",
    "^",
    "$",
    "(?m)",
    "(?i)",
    "(?s)",
    "|",
    "(?P<value>",
    "(?<value>",
    "(?P<v>",
    "(",
    "(?:",
    ")",
    "*",
    "+",
    "{2}",
    r"\A",
    r"\z",
    r"\v",
    r"\h",
    r"\N",
    "é",
    r"\xff",
];

/// What the input is drawn from when it is not raw bytes: the fragments' literals and their
/// neighbours, so patterns actually match.
const ALPHABET: &[u8] = b"aaabbb0123456789xyzAB @.-=_\n\n\r\t\xc3\xa9\xff\x00key:";

const ENTITIES: &[&str] = &["A", "B", "C"];
const HOTWORDS: &[&str] = &["key", "ab", "x", "AB", "\n", "é"];

/// Engines compiled so far, by rule set (Vectorscan compiles take milliseconds; inputs mutate far
/// more often than rules). An `Err` is cached too: a rule set that fails keeps failing.
type EngineCache = HashMap<String, Option<Arc<Engine>>>;
const ENGINE_CACHE_MAX: usize = 512;

fn engines() -> &'static Mutex<EngineCache> {
    static CACHE: OnceLock<Mutex<EngineCache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn pattern(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    for _ in 0..u.int_in_range(1..=6)? {
        if u.ratio(1, 8)? {
            // Raw fuzz text, cut short: anything at all, valid or not.
            let raw: &str = u.arbitrary()?;
            out.extend(raw.chars().take(6));
        } else {
            out.push_str(u.choose(FRAGMENTS)?);
        }
    }
    if u.ratio(1, 3)? {
        out = format!(
            "{}(?P<value>{out}){}",
            u.choose(FRAGMENTS)?,
            u.choose(FRAGMENTS)?
        );
    }
    Ok(out)
}

fn unit(u: &mut Unstructured<'_>) -> Result<f64> {
    Ok(f64::from(u.int_in_range(0u8..=100)?) / 100.0)
}

fn rule(u: &mut Unstructured<'_>, i: usize) -> Result<RuleSpec> {
    // Now and then a duplicate id or an out-of-range score, which `Engine::new` must refuse.
    let id = if i > 0 && u.ratio(1, 32)? { 0 } else { i };
    let score = match u.int_in_range(0u8..=40)? {
        0 => f64::NAN,
        1 => 1.5,
        2 => -0.1,
        _ => unit(u)?,
    };
    let validator = match u.int_in_range(0u8..=9)? {
        0..=5 => None,
        6 => Some("no_such_validator".to_string()),
        _ => Some(u.choose(Validator::all())?.name().to_string()),
    };
    let mut hotwords = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        hotwords.push(u.choose(HOTWORDS)?.to_string());
    }
    Ok(RuleSpec {
        id: format!("r{id}"),
        entity: u.choose(ENTITIES)?.to_string(),
        pattern: pattern(u)?,
        validator,
        score,
        hotwords,
        hotword_window: u.int_in_range(0..=300)?,
        hotword_boost: unit(u)?,
        min_entropy: if u.ratio(1, 6)? {
            Some(f64::from(u.int_in_range(0u8..=40)?) / 10.0)
        } else {
            None
        },
    })
}

/// xorshift64: the cut points and chunk sizes, from one seed the fuzzer chooses.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Findings as `finish`/`resolve` promise them: inside the input, sorted by (start, end, rule),
/// no span twice, a rule's own findings disjoint, none inside another of the same entity; each
/// passes its validator and entropy floor and scores within [0, 1].
fn check_findings(engine: &Engine, specs: &[RuleSpec], data: &[u8], found: &[Finding]) {
    for f in found {
        assert!(
            f.start < f.end && f.end <= data.len(),
            "span {f:?} in {} bytes",
            data.len()
        );
        let spec = &specs[f.rule as usize];
        assert!((0.0..=1.0).contains(&f.score), "score {f:?}");
        let value = &data[f.start..f.end];
        if let Some(name) = &spec.validator {
            let v = Validator::from_name(name).expect("the engine compiled it");
            assert!(v.check(value), "{f:?} fails {name}");
        }
        if let Some(min) = spec.min_entropy {
            assert!(shannon_entropy(value) >= min, "{f:?} under entropy {min}");
        }
    }
    for w in found.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(
            (a.start, a.end, a.rule) < (b.start, b.end, b.rule),
            "not sorted: {a:?} {b:?}"
        );
        assert!(
            (a.start, a.end) != (b.start, b.end),
            "same span twice: {a:?} {b:?}"
        );
    }
    for (i, a) in found.iter().enumerate() {
        for b in &found[i + 1..] {
            if a.rule == b.rule {
                assert!(b.start >= a.end, "one rule's findings overlap: {a:?} {b:?}");
            }
            if engine.entity_name(a.rule) == engine.entity_name(b.rule) {
                let inside = |x: &Finding, y: &Finding| y.start <= x.start && x.end <= y.end;
                assert!(
                    !inside(a, b) && !inside(b, a),
                    "one inside another of the same entity: {a:?} {b:?}"
                );
            }
        }
    }
}

fn engine_for(specs: &[RuleSpec], views: ViewOptions) -> Option<Arc<Engine>> {
    let key = format!("{specs:?} {views:?}");
    if let Some(hit) = engines().lock().unwrap().get(&key) {
        return hit.clone();
    }
    // Outside the lock: a panic here is the finding, and must not poison the cache for the rest.
    let built = Engine::new(specs)
        .and_then(|e| e.with_views(views))
        .ok()
        .map(Arc::new);
    let mut cache = engines().lock().unwrap();
    if cache.len() >= ENGINE_CACHE_MAX {
        cache.clear();
    }
    cache.insert(key, built.clone());
    built
}

/// Everything but the input, which is the rest of the fuzzer's bytes.
struct Case<'a> {
    specs: Vec<RuleSpec>,
    /// Cut points for `scan_many`, chunk sizes for the stream.
    seed: u64,
    min_block: usize,
    context: Option<&'a [u8]>,
    /// The input's bytes index into `ALPHABET` (else they are the input).
    mapped: bool,
}

fn case<'a>(u: &mut Unstructured<'a>) -> Result<Case<'a>> {
    let n = u.int_in_range(1..=4)?;
    let specs = (0..n).map(|i| rule(u, i)).collect::<Result<Vec<_>>>()?;
    let context = if u.arbitrary()? {
        let len = u.int_in_range(0..=8)?;
        Some(u.bytes(len)?)
    } else {
        None
    };
    Ok(Case {
        specs,
        seed: u.arbitrary()?,
        min_block: u.int_in_range(1..=64)?,
        context,
        mapped: u.ratio(3, 4)?,
    })
}

/// The target: every check, except that block, joined (`scan_many`) and stream scans are compared
/// only where Vectorscan itself is consistent (see `position_dependent`) and, for `scan_many`, only
/// for rule sets without an anchored rule (see `run_strict`).
pub fn run(data: &[u8]) {
    check(data, false);
}

/// Every check, unconditionally. A known stream-scoring bug in the engine fails it (see the
/// stream check in `check`), and so do two Vectorscan 5.4.9 bugs: matches missed depending on
/// where bytes sit in the buffer (see `position_dependent`), and, for rule sets with an anchored
/// rule (`^`/`$` without `(?m)`), which `scan_many` compiles with the multiline flag, `$` ends
/// missed before a `\n` (`\w{1,8}$` over `"y" * 72 + "\nyyyyyyyaaa "` reports no end at 72; with
/// 71 `y`s it does), so a finding at the end of an item goes missing. The inputs are in
/// fuzz/regressions/scan-strict/, replayed by an ignored test.
pub fn run_strict(data: &[u8]) {
    check(data, true);
}

fn check(data: &[u8], strict: bool) {
    // Thousands of rule sets per minute would each leave a database in the on-disk cache.
    static NO_DISK_CACHE: Once = Once::new();
    NO_DISK_CACHE.call_once(|| std::env::set_var("WEIR_CACHE_DIR", "off"));

    let mut u = Unstructured::new(data);
    let Ok(Case {
        specs,
        seed,
        min_block,
        context,
        mapped,
    }) = case(&mut u)
    else {
        return;
    };
    let raw = u.take_rest();
    let input: Vec<u8> = if mapped {
        raw.iter()
            .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
            .collect()
    } else {
        raw.to_vec()
    };
    // The block, joined and stream comparisons are about the plain scan. Views (normalised and
    // decoded copies) are built over whole lines in a stream but over the whole buffer in a block
    // scan, so they are checked on their own below.
    let Some(engine) = engine_for(&specs, ViewOptions::OFF) else {
        return;
    };
    if let Some(viewed) = engine_for(&specs, ViewOptions::default()) {
        let found = viewed.scan(&input, context).expect("block scan with views");
        check_findings(&viewed, &specs, &input, &found);
    }
    if std::env::var_os("WEIR_FUZZ_DEBUG").is_some() {
        // `WEIR_FUZZ_DEBUG=1 cargo fuzz run scan <input>` shows the case a crash decoded to.
        eprintln!(
            "{specs:#?}\ncontext {context:?}, min_block {min_block}, seed {seed}\ninput {:?}\n{input:?}",
            String::from_utf8_lossy(&input)
        );
    }
    let mut rng = Rng(seed | 1);

    // Block scan.
    let found = engine.scan(&input, context).expect("block scan");
    check_findings(&engine, &specs, &input, &found);

    // scan_many over the input cut into items equals scan per item.
    let mut cuts: Vec<usize> = (0..rng.below(6))
        .map(|_| rng.below(input.len() + 1))
        .collect();
    cuts.push(0);
    cuts.push(input.len());
    cuts.sort_unstable();
    let items: Vec<&[u8]> = cuts.windows(2).map(|w| &input[w[0]..w[1]]).collect();
    let contexts: Vec<Option<&[u8]>> = (0..items.len())
        .map(|_| if rng.below(2) == 0 { context } else { None })
        .collect();
    let many = engine.scan_many(&items, &contexts).expect("scan_many");
    assert_eq!(many.len(), items.len());
    let anchored = engine
        .rules()
        .iter()
        .any(|r| weir_core::join::analyse(&r.hs_pattern, r.prefilter).is_some_and(|j| j.anchored));
    let joined = items.join(&b'\n');
    for (i, (item, ctx)) in items.iter().zip(&contexts).enumerate() {
        let alone = engine.scan(item, *ctx).expect("item scan");
        if many[i] == alone
            || (!strict
                && (anchored
                    || joined_ends_differ(&engine, &items, &joined)
                    || position_dependent(&engine, &joined)))
        {
            continue;
        }
        panic!(
            "scan_many item {i} of {} ({item:?}):\n{:?}\nscan alone:\n{alone:?}",
            items.len(),
            many[i]
        );
    }

    // A stream of random chunks finds what the block scan finds (a stream has no context).
    let expected = if context.is_some() {
        engine.scan(&input, None).expect("block scan")
    } else {
        found
    };
    let mut stream = engine.stream(min_block, 1);
    let mut streamed = Vec::new();
    let mut at = 0;
    let mut watermark = 0u64;
    while at < input.len() {
        let end = (at + 1 + rng.below(48)).min(input.len());
        let released = stream.feed(&input[at..end]).expect("feed");
        for l in &released {
            assert!(
                l.finding.start as u64 >= watermark,
                "{l:?} before watermark {watermark}"
            );
        }
        streamed.extend(released);
        assert!(stream.watermark() >= watermark, "watermark went back");
        watermark = stream.watermark();
        at = end;
    }
    let closed = stream.close().expect("close");
    for l in &closed {
        assert!(
            l.finding.start as u64 >= watermark,
            "{l:?} before watermark {watermark}"
        );
    }
    streamed.extend(closed);
    for l in &streamed {
        let f = &l.finding;
        assert!(f.end <= input.len(), "stream span {f:?}");
        assert_eq!(l.value, &input[f.start..f.end], "stream value of {f:?}");
        let before = &input[..f.start];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
        let column = 1 + input[line_start..f.start]
            .iter()
            .filter(|&&b| !(0x80..0xC0).contains(&b))
            .count() as u64;
        assert_eq!((l.line, l.column), (line, column), "position of {f:?}");
    }
    let mut streamed: Vec<Finding> = streamed.into_iter().map(|l| l.finding).collect();
    streamed.sort_by_key(|f| (f.start, f.end, f.rule));
    // Known engine bug (reported, engine.rs is being reworked): a stream recovers a cluster as soon
    // as the rule's next match closes it, before the `hotword_window` bytes after it have arrived,
    // so a hotword after a match can be missed and the finding under-scored (and, on a span two
    // rules share, the other rule kept). Outside `run_strict`, rule sets with hotwords are compared
    // by span only.
    let spans = |found: &[Finding]| found.iter().map(|f| (f.start, f.end)).collect::<Vec<_>>();
    let hotwords = specs.iter().any(|s| !s.hotwords.is_empty());
    let agree = if hotwords && !strict {
        spans(&streamed) == spans(&expected)
    } else {
        streamed == expected
    };
    assert!(
        agree || (!strict && position_dependent(&engine, &input)),
        "stream (min_block {min_block}):\n{streamed:?}\nblock scan:\n{expected:?}"
    );
}

/// Raw Vectorscan match ends for `data`, sorted, each shifted by `shift`.
fn raw_ends(engine: &Engine, data: &[u8], shift: u64) -> Option<Vec<(u32, u64)>> {
    use weir_core::hs::{Database, Mode, FLAG_PREFILTER};
    let patterns: Vec<(&str, u32, u32)> = engine
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let flags = if r.prefilter { FLAG_PREFILTER } else { 0 };
            (r.hs_pattern.as_str(), flags, i as u32)
        })
        .collect();
    let db = Database::compile(&patterns, Mode::Block).ok()?;
    let mut scratch = db.alloc_scratch().ok()?;
    let mut out = Vec::new();
    db.scan(data, &mut scratch, |id, end| {
        out.push((id, end + shift));
        true
    })
    .ok()?;
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// For rule sets `scan_many` joins without the multiline flag: does Vectorscan report other ends
/// inside an item of the joined buffer than for the item alone, for a rule no match of which can
/// contain the `\n` separator (the `join` module's premise)? Then Vectorscan, not weir, is at fault.
fn joined_ends_differ(engine: &Engine, items: &[&[u8]], joined: &[u8]) -> bool {
    let plain: Vec<bool> = engine
        .rules()
        .iter()
        .map(|r| {
            weir_core::join::analyse(&r.hs_pattern, r.prefilter)
                .is_some_and(|j| !j.anchored && j.reach == 0)
        })
        .collect();
    let Some(all) = raw_ends(engine, joined, 0) else {
        return false;
    };
    let mut start = 0u64;
    for item in items {
        let end = start + item.len() as u64;
        let inside: Vec<_> = all
            .iter()
            .copied()
            .filter(|&(id, e)| plain[id as usize] && e > start && e <= end)
            .collect();
        let alone: Vec<_> = raw_ends(engine, item, start)
            .unwrap_or_default()
            .into_iter()
            .filter(|&(id, _)| plain[id as usize])
            .collect();
        if inside != alone {
            return true;
        }
        start = end + 1;
    }
    false
}

/// Does Vectorscan itself report different match ends for the same bytes depending on where they
/// sit in the buffer? Vectorscan 5.4.9 (Debian) does, for some rule sets: with `[0-9]{2}b` and
/// `ab` in one database, `" " * n + "abxxxxxxxx"` reports no end for `ab` for most n >= 63 (for
/// n < 63 it does), and multiline `\w$` misses ends before a `\n` preceded by 64 or more word bytes.
/// Block, joined and stream scans put the same bytes at different offsets, so they then disagree
/// through no fault of weir's; `run` checks their agreement only where this returns false.
///
/// Every suffix and prefix of `data` is scanned on its own; a rule's end far enough from the cut
/// (more than its longest match from a start cut, two bytes before an end cut) must be reported
/// exactly when the whole-buffer scan reports it.
fn position_dependent(engine: &Engine, data: &[u8]) -> bool {
    use weir_core::hs::{Database, Mode, FLAG_PREFILTER};
    let rules = engine.rules();
    let patterns: Vec<(&str, u32, u32)> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let flags = if r.prefilter { FLAG_PREFILTER } else { 0 };
            (r.hs_pattern.as_str(), flags, i as u32)
        })
        .collect();
    let Ok(db) = Database::compile(&patterns, Mode::Block) else {
        return false;
    };
    let Ok(mut scratch) = db.alloc_scratch() else {
        return false;
    };
    let mut ends = |bytes: &[u8], shift: u64| -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        let _ = db.scan(bytes, &mut scratch, |id, end| {
            out.push((id, end + shift));
            true
        });
        out.sort_unstable();
        out.dedup();
        out
    };
    let full = ends(data, 0);
    let reach = |id: u32| rules[id as usize].window as u64 + 2;
    for cut in 1..data.len() {
        let c = cut as u64;
        let far_from_start = |&(id, end): &(u32, u64)| end > c + reach(id);
        let suffix: Vec<_> = ends(&data[cut..], c)
            .into_iter()
            .filter(far_from_start)
            .collect();
        let whole: Vec<_> = full.iter().copied().filter(far_from_start).collect();
        let before_end = |&(_, end): &(u32, u64)| end + 2 <= c;
        let prefix: Vec<_> = ends(&data[..cut], 0)
            .into_iter()
            .filter(before_end)
            .collect();
        let whole_prefix: Vec<_> = full.iter().copied().filter(before_end).collect();
        if suffix != whole || prefix != whole_prefix {
            return true;
        }
    }
    false
}
