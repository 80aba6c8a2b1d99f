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
    let require_hotword = !hotwords.is_empty() && u.ratio(1, 4)?;
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
        require_hotword,
        ..RuleSpec::default()
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
/// no span twice for one entity (another entity's candidate may share it), a rule's plain findings disjoint (and those from views), none inside another of
/// the same entity; each scores within [0, 1], and each plain one passes its validator and entropy
/// floor.
fn check_findings(engine: &Engine, specs: &[RuleSpec], data: &[u8], found: &[Finding]) {
    for f in found {
        assert!(
            f.start < f.end && f.end <= data.len(),
            "span {f:?} in {} bytes",
            data.len()
        );
        let spec = &specs[f.rule as usize];
        assert!((0.0..=1.0).contains(&f.score), "score {f:?}");
        if !f.origin.is_plain() {
            // Found in a view: the validator and entropy floor were checked on the view's value
            // (decoded, normalised), which the input's bytes at the span are not.
            continue;
        }
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
        if (a.start, a.end) == (b.start, b.end) {
            // Another entity's candidate may stand beside a span's best reading; never the same
            // entity twice, and never two confident readings.
            let (ea, eb) = (
                &specs[a.rule as usize].entity,
                &specs[b.rule as usize].entity,
            );
            assert!(ea != eb, "same span twice for {ea}: {a:?} {b:?}");
            assert!(
                a.score.min(b.score) < 0.5,
                "two confident readings: {a:?} {b:?}"
            );
        }
    }
    for (i, a) in found.iter().enumerate() {
        for b in &found[i + 1..] {
            if a.rule == b.rule && a.origin.is_plain() == b.origin.is_plain() {
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

/// A `require_hotword` rule's plain findings each have one of its hotwords within its window
/// before or after the value, or in the context.
fn check_required_hotwords(
    specs: &[RuleSpec],
    data: &[u8],
    context: Option<&[u8]>,
    found: &[Finding],
) {
    let has = |hay: &[u8], words: &[String]| {
        let hay = hay.to_ascii_lowercase();
        words.iter().any(|w| {
            let w = w.to_ascii_lowercase();
            let w = w.as_bytes();
            hay.windows(w.len()).any(|x| x == w)
        })
    };
    for f in found.iter().filter(|f| f.origin.is_plain()) {
        let spec = &specs[f.rule as usize];
        if !spec.require_hotword {
            continue;
        }
        let reach = spec
            .hotword_window
            .min(weir_core::rules::MAX_HOTWORD_WINDOW);
        let before = &data[f.start.saturating_sub(reach)..f.start];
        let after = &data[f.end..(f.end + reach).min(data.len())];
        assert!(
            has(before, &spec.hotwords)
                || has(after, &spec.hotwords)
                || context.is_some_and(|c| has(c, &spec.hotwords)),
            "{f:?} has no hotword near it"
        );
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

/// The target. Every check is unconditional since weir links Vectorscan 5.4.12: with Debian's
/// 5.4.9 the block, joined and stream scans disagreed wherever Vectorscan missed a match depending
/// on where the bytes sat in the buffer (the inputs are kept in fuzz/regressions/scan/).
pub fn run(data: &[u8]) {
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
    // The plain engine is compared across block, joined and stream scans; the one with views
    // (normalised and decoded copies) checks its findings, and its stream on single-line inputs.
    let Some(engine) = engine_for(&specs, ViewOptions::OFF) else {
        return;
    };
    let viewed = engine_for(&specs, ViewOptions::default());
    if let Some(viewed) = &viewed {
        let found = viewed.scan(&input, context).expect("block scan with views");
        check_findings(viewed, &specs, &input, &found);
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
    check_required_hotwords(&specs, &input, context, &found);

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
    for (i, (item, ctx)) in items.iter().zip(&contexts).enumerate() {
        let alone = engine.scan(item, *ctx).expect("item scan");
        assert!(
            many[i] == alone,
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
    let streamed = stream_scan(&engine, &input, min_block, &mut rng);
    show_difference(&expected, &streamed, &input);
    assert!(
        streamed == expected,
        "stream (min_block {min_block}):\n{streamed:?}\nblock scan:\n{expected:?}"
    );

    // With views, a stream views whole lines where a block scan views the whole buffer, so they
    // agree on single-line inputs (a value hidden across a line break is only seen in a block).
    if let Some(viewed) = viewed.filter(|_| !input.contains(&b'\n')) {
        let block = viewed.scan(&input, None).expect("block scan with views");
        let streamed = stream_scan(&viewed, &input, min_block, &mut rng);
        show_difference(&block, &streamed, &input);
        assert!(
            streamed == block,
            "stream with views (min_block {min_block}):\n{streamed:?}\nblock scan:\n{block:?}"
        );
    }
}

/// Under `WEIR_FUZZ_DEBUG`, the findings only one of a block scan and a stream has, with values.
fn show_difference(block: &[Finding], streamed: &[Finding], input: &[u8]) {
    if std::env::var_os("WEIR_FUZZ_DEBUG").is_none() {
        return;
    }
    for (name, these, others) in [("block", block, streamed), ("stream", streamed, block)] {
        for f in these.iter().filter(|f| !others.contains(f)) {
            let value = String::from_utf8_lossy(&input[f.start..f.end]);
            eprintln!("{name} only: {f:?} {value:?}");
        }
    }
}

/// Feed `input` to a stream in random chunks, checking the watermark and each finding's value,
/// line and column; the findings in block-scan order.
fn stream_scan(
    engine: &Arc<Engine>,
    input: &[u8],
    min_block: usize,
    rng: &mut Rng,
) -> Vec<Finding> {
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
    streamed
}
