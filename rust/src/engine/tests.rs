//! The engine's tests: block, stream and batch scans agree on built-in and hand-made rules.

use std::sync::Arc;

use super::*;

fn spec(id: &str, entity: &str, pattern: &str) -> RuleSpec {
    RuleSpec {
        id: id.into(),
        entity: entity.into(),
        pattern: pattern.into(),
        score: 0.5,
        hotword_window: 32,
        hotword_boost: 0.25,
        ..Default::default()
    }
}

fn engine() -> Arc<Engine> {
    let mut card = spec(
        "card",
        "CREDIT_CARD",
        r"\b(?P<value>4[0-9]{3}(?:[ -]?[0-9]{4}){3})\b",
    );
    card.validator = Some("luhn".into());
    card.hotwords = vec!["card".into()];
    Arc::new(
        Engine::new(&[
            card,
            spec(
                "email",
                "EMAIL_ADDRESS",
                r"\b[a-z0-9._-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z]{2,10}){1,3}\b",
            ),
            spec("key", "SECRET", r"key=(?P<value>[A-Za-z0-9]{8,32})"),
        ])
        .unwrap(),
    )
}

#[test]
fn finds_exact_spans() {
    let e = engine();
    let text = b"mail bob@example.com, card 4111 1111 1111 1111 ok";
    let found = e.scan(text, None).unwrap();
    let spans: Vec<_> = found
        .iter()
        .map(|f| {
            (
                e.rules()[f.rule as usize].id.as_str(),
                &text[f.start..f.end],
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            ("email", &b"bob@example.com"[..]),
            ("card", &b"4111 1111 1111 1111"[..])
        ]
    );
    let card = found[1];
    assert!(
        (card.score - 0.9).abs() < 1e-6,
        "base + validated + hotword = {}",
        card.score
    );
}

#[test]
fn failing_validator_drops() {
    let e = engine();
    assert!(e.scan(b"4111 1111 1111 1112", None).unwrap().is_empty());
}

#[test]
fn value_group_is_the_finding() {
    let e = engine();
    let text = b"x key=abcdEFGH1234 y";
    let f = e.scan(text, None).unwrap();
    assert_eq!(&text[f[0].start..f[0].end], b"abcdEFGH1234");
}

#[test]
fn context_counts_as_hotword() {
    let e = engine();
    let plain = e.scan(b"4111111111111111", None).unwrap()[0].score;
    let keyed = e.scan(b"4111111111111111", Some(b"card_number")).unwrap()[0].score;
    assert!(keyed > plain);
}

#[test]
fn stream_matches_block_at_any_chunking() {
    let e = engine();
    let mut text = Vec::new();
    for i in 0..200 {
        text.extend_from_slice(format!("line {i} user{i}@mail.example.org paid with 4111-1111-1111-1111 key=Abc{i:05}xyz\n").as_bytes());
    }
    let block = e.scan(&text, None).unwrap();
    for size in [1usize, 7, 64, 4096, text.len()] {
        let mut s = e.stream(if size < 100 { 1 } else { 4096 }, 1);
        let mut got = Vec::new();
        for chunk in text.chunks(size) {
            got.extend(s.feed(chunk).unwrap().into_iter().map(|l| {
                assert_eq!(l.value, &text[l.finding.start..l.finding.end]);
                let line_start = text[..l.finding.start]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                assert_eq!(
                    l.line,
                    1 + text[..l.finding.start]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count() as u64
                );
                assert_eq!(l.column, 1 + (l.finding.start - line_start) as u64);
                l.finding
            }));
        }
        got.extend(s.close().unwrap().into_iter().map(|l| l.finding));
        got.sort_by_key(|f| (f.start, f.end, f.rule));
        assert_eq!(got, block, "chunk size {size}");
    }
}

#[test]
fn stream_scores_hotwords_after_the_value() {
    // The first card's cluster closes when the second card arrives, before the hotword after
    // both has been fed; its score must still count that hotword, as a block scan does.
    let e = engine();
    let text = b"4111 1111 1111 1111 4111-1111-1111-1111 card\n";
    let block = e.scan(text, None).unwrap();
    assert_eq!(block.len(), 2);
    assert!(
        block.iter().all(|f| (f.score - 0.9).abs() < 1e-6),
        "{block:?}"
    );
    for size in 1..text.len() {
        for min_block in [1, 8, 40] {
            let mut s = e.stream(min_block, 1);
            let mut got = Vec::new();
            for chunk in text.chunks(size) {
                got.extend(s.feed(chunk).unwrap().into_iter().map(|l| l.finding));
            }
            got.extend(s.close().unwrap().into_iter().map(|l| l.finding));
            assert_eq!(got, block, "chunk size {size}, min_block {min_block}");
        }
    }
}

#[test]
fn threads_give_the_same_findings() {
    let e = engine();
    let mut text = Vec::new();
    for i in 0..40_000 {
        text.extend_from_slice(
            format!("row {i} u{i}@ex.example.org 4111 1111 1111 1111 key=K{i:07}zz\n").as_bytes(),
        );
    }
    let block = e.scan(&text, None).unwrap();
    for threads in [1, 2, 3] {
        let got = streamed(&e, &text, 1 << 20, threads);
        assert_eq!(got.len(), block.len(), "threads {threads}");
        assert_eq!(got, block, "threads {threads}");
    }
}

#[test]
fn empty_rule_set_finds_nothing() {
    let e = Arc::new(Engine::new(&[]).unwrap());
    assert!(e.scan(b"anything at all", None).unwrap().is_empty());
    assert_eq!(e.scan_raw(b"x").unwrap(), 0);
    let mut s = e.stream(1, 2);
    assert!(s.feed(b"abc").unwrap().is_empty() && s.close().unwrap().is_empty());
}

#[test]
fn duplicate_ids_are_refused() {
    let err = Engine::new(&[spec("a", "X", "abc"), spec("a", "X", "def")])
        .err()
        .unwrap();
    assert!(err.to_string().contains("duplicate"));
}

/// A TOML string value: a triple-quoted literal, a '-literal or a "-basic string (JSON
/// escapes).
/// The built-in rules, decoded as weir decodes them, and every rule's examples.
fn builtin_specs() -> (Vec<RuleSpec>, Vec<String>) {
    let mut specs = Vec::new();
    for (name, text) in crate::builtin::BUILTIN_RULE_FILES {
        specs.extend(crate::rule_file::parse(text, name).expect("built-in rules decode"));
    }
    let examples = specs.iter().flat_map(|s| s.examples.clone()).collect();
    (specs, examples)
}

/// A small seeded generator (xorshift64*): the same items on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Random items built from the rules' own examples, pieces of them (so that matches start in
/// one item and end in the next), digits, words, white space, `\n` and non-ASCII text.
fn random_item(rng: &mut Rng, examples: &[String]) -> Vec<u8> {
    const BITS: &[&str] = &[
        " ",
        "\n",
        "\n",
        "\r\n",
        "\t",
        ",",
        ":",
        "\"",
        "'",
        "=",
        "-",
        "_",
        "/",
        "@",
        "é",
        "€",
        "日本",
        "card",
        "ssn",
        "password=",
        "token: ",
        "key",
        "AKIA",
        "4111",
        "1111",
        "0000",
        "123-45-",
        "6789",
        "user",
        ".com",
        "example",
        "$",
        "sk-",
        "eyJ",
        "BEGIN",
        "-----",
    ];
    let mut item = Vec::new();
    let pieces = match rng.below(8) {
        0 => 0,
        1 => 1,
        _ => rng.below(12),
    };
    for _ in 0..pieces {
        match rng.below(10) {
            0..=3 => {
                let e = examples[rng.below(examples.len())].as_bytes();
                match rng.below(4) {
                    0 => item.extend_from_slice(&e[..rng.below(e.len() + 1)]),
                    1 => item.extend_from_slice(&e[rng.below(e.len() + 1)..]),
                    _ => item.extend_from_slice(e),
                }
            }
            4..=5 => {
                for _ in 0..rng.below(20) {
                    item.push(b'0' + rng.below(10) as u8);
                    if rng.below(5) == 0 {
                        item.push(if rng.below(2) == 0 { b' ' } else { b'-' });
                    }
                }
            }
            _ => item.extend_from_slice(BITS[rng.below(BITS.len())].as_bytes()),
        }
    }
    item
}

#[test]
fn scan_many_equals_scan_per_item_for_builtin_rules() {
    let (specs, examples) = builtin_specs();
    assert!(specs.len() > 100, "found {} built-in rules", specs.len());
    assert!(examples.len() > 300, "found {} examples", examples.len());
    let e = Engine::new(&specs).unwrap();
    assert!(e.join.is_some(), "built-in rules must allow joined scans");
    assert!(e.joined_prefilter().is_some());
    let pool: [Option<&[u8]>; 4] = [None, Some(b"ssn"), Some(b"card_number"), Some(b"x")];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut joined, mut alone, mut found) = (0usize, 0usize, 0usize);
    for round in 0..1500 {
        let n = 1 + rng.below(if round % 10 == 0 { 200 } else { 24 });
        let items: Vec<Vec<u8>> = (0..n).map(|_| random_item(&mut rng, &examples)).collect();
        let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        let contexts: Vec<Option<&[u8]>> = (0..n).map(|_| pool[rng.below(4)]).collect();
        let mut rescanned = Vec::new();
        let many = e
            .scan_many_noting(&refs, &contexts, &mut rescanned)
            .unwrap();
        assert_eq!(many.len(), n);
        for (i, got) in many.iter().enumerate() {
            let want = e.scan_plain(refs[i], contexts[i]).unwrap();
            assert_eq!(
                got,
                &want,
                "round {round}, item {i} of {n}: {:?}",
                String::from_utf8_lossy(refs[i])
            );
            found += want.len();
            joined += usize::from(!want.is_empty() && !rescanned.contains(&i));
        }
        alone += rescanned.len();
    }
    // The joined path must carry much of the work, not only the per-item fallback. (These
    // items are dense with rule examples, `\n` and edge cases; real payloads rescan far less.)
    assert!(
        found > 10_000,
        "only {found} findings: the test is too weak"
    );
    assert!(
        joined > 5_000,
        "{joined} items with findings came from the joined scan ({alone} rescanned alone)"
    );
}

#[test]
fn scan_many_edges() {
    let (specs, _) = builtin_specs();
    let e = Engine::new(&specs).unwrap();
    let check = |items: &[&[u8]]| {
        let contexts = vec![None; items.len()];
        let many = e.scan_many(items, &contexts).unwrap();
        assert_eq!(many.len(), items.len());
        for (i, item) in items.iter().enumerate() {
            assert_eq!(
                many[i],
                e.scan(item, None).unwrap(),
                "item {i}: {:?}",
                String::from_utf8_lossy(item)
            );
        }
        many
    };
    assert!(check(&[]).is_empty());
    assert_eq!(check(&[b""]), vec![vec![]]);
    check(&[b"", b"", b""]);
    // A card cut in two by the separator is found in neither half.
    let many = check(&[b"4111 1111", b"1111 1111"]);
    assert!(many.iter().all(Vec::is_empty));
    // Whole-value anchors: `(?m)^...$` and `(?:^|...)`/`(?:...|$)` at item edges.
    let many = check(&[b"123456789", b"4111111111111111", b"x", b"jane@example.com"]);
    assert!(many.iter().filter(|f| !f.is_empty()).count() >= 2);
    // Items with newlines inside, next to items without.
    check(&[
        b"a\n4111111111111111\nb",
        b"4111111111111111",
        b"\n",
        b"123456789\n",
    ]);
    // A private key split over items, and whole.
    check(&[
        b"-----BEGIN RSA PRIVATE KEY-----",
        b"MIIEow",
        b"-----END RSA PRIVATE KEY-----",
    ]);
    assert_eq!(
        e.scan_many(&[b"a"], &[]).unwrap_err(),
        EngineError::Scan("scan_many got 1 items but 0 contexts".into())
    );
}

/// Text hiding values in every way the views undo, with plain values between.
fn hidden_text() -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..300 {
        let line = match i % 6 {
            0 => format!("row {i} card 4111\u{200B}1111 1111 1111 ok\n"),
            1 => format!("row {i} card ４１１１ １１１１ １１１１ １１１１ ok\n"),
            2 => format!("row {i} mail amFuZS5kb2VAZXhhbXBsZS5jb20= ok\n"),
            3 => format!("row {i} q=jane%40example.com&x=1\n"),
            4 => format!("row {i} plain 4111-1111-1111-1111 bob@example.com\n"),
            _ => format!("row {i} html jane&#64;example&period;com\n"),
        };
        text.extend_from_slice(line.as_bytes());
    }
    text
}

#[test]
fn views_find_hidden_values_with_original_spans() {
    let e = engine();
    let text = hidden_text();
    let found = e.scan(&text, None).unwrap();
    let plain = e.scan_plain(&text, None).unwrap();
    assert!(found.len() > plain.len());
    let mut labels = std::collections::BTreeSet::new();
    for f in &found {
        let raw = &text[f.start..f.end];
        if f.origin.is_plain() {
            assert!(plain.contains(f));
            continue;
        }
        labels.insert(f.origin.label().unwrap());
        // A hidden value's span is its hidden form, never plain text of the same value.
        assert!(!raw.is_ascii() || raw.contains(&b'%') || raw.contains(&b'&') || raw.len() > 20);
    }
    for want in ["normalized", "base64", "url", "html"] {
        assert!(labels.contains(want), "{want} missing from {labels:?}");
    }
    let off = Engine::new(&[spec(
        "card",
        "CREDIT_CARD",
        r"4[0-9]{3}(?:[ -]?[0-9]{4}){3}",
    )])
    .unwrap()
    .with_views(ViewOptions::OFF)
    .unwrap();
    assert!(off
        .scan(&text, None)
        .unwrap()
        .iter()
        .all(|f| f.origin.is_plain()));
}

#[test]
fn stream_matches_block_with_views() {
    let e = engine();
    let text = hidden_text();
    let block = e.scan(&text, None).unwrap();
    assert!(block.iter().any(|f| !f.origin.is_plain()));
    for size in [1usize, 13, 4096, text.len()] {
        let mut s = e.stream(if size < 100 { 1 } else { 4096 }, 1);
        let mut got = Vec::new();
        for chunk in text.chunks(size) {
            // Nothing returned may start before the watermark a redacting writer relied on.
            let mark = s.watermark();
            for l in s.feed(chunk).unwrap() {
                assert_eq!(l.value, &text[l.finding.start..l.finding.end]);
                assert!(l.finding.start as u64 >= mark, "chunk size {size}");
                got.push(l.finding);
            }
        }
        got.extend(s.close().unwrap().into_iter().map(|l| l.finding));
        got.sort_by_key(|f| (f.start, f.end, f.rule));
        assert_eq!(got, block, "chunk size {size}");
    }
}

#[test]
fn scan_many_with_views_equals_scan_per_item() {
    let (specs, _) = builtin_specs();
    let e = Engine::new(&specs).unwrap();
    let text = hidden_text();
    let items: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let contexts = vec![None; items.len()];
    let many = e.scan_many(&items, &contexts).unwrap();
    let mut hidden = 0;
    for (i, item) in items.iter().enumerate() {
        assert_eq!(many[i], e.scan(item, None).unwrap(), "item {i}");
        hidden += many[i].iter().filter(|f| !f.origin.is_plain()).count();
    }
    assert!(hidden >= 200, "{hidden} hidden findings");
}

#[test]
fn decode_depth_is_bounded() {
    let e = Engine::new(&[spec("x", "X", "abc")]).unwrap();
    assert!(e
        .with_views(ViewOptions {
            normalize: true,
            decode_depth: ViewOptions::MAX_DEPTH + 1
        })
        .is_err());
}

#[test]
fn long_runs_stay_bounded() {
    let e = Engine::new(&[spec("digits", "N", r"[0-9]{4,8}")]).unwrap();
    let data = vec![b'7'; 3 << 20];
    let found = e.scan(&data, None).unwrap();
    // Leftmost-first, non-overlapping 8-digit runs.
    assert_eq!(found.len(), data.len() / 8);
}

/// A buffer of rule examples and noise, long enough for the shape pass to run in lanes.
fn long_text(rng: &mut Rng, examples: &[String], len: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(len + 256);
    let seps: [&[u8]; 5] = [b" ", b"\n", b", ", b"", b"\t"];
    while data.len() < len {
        data.extend(random_item(rng, examples));
        data.extend_from_slice(seps[rng.below(seps.len())]);
    }
    data
}

#[test]
fn shape_pass_lanes_and_fallback_agree_with_vectorscan() {
    let (specs, examples) = builtin_specs();
    let dfa = Engine::new(&specs).unwrap();
    assert!(dfa.shape_rules().len() > 20, "{:?}", dfa.shape_rules());
    // No cache at all: the lazy DFA cannot be built, and Vectorscan runs every rule.
    let vectorscan = Engine::build(&specs, 0).unwrap();
    assert!(vectorscan.shape_rules().is_empty());
    // A cache so small it is cleared again and again (lanes restart) or gives up (fallback).
    let small = [256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20]
        .into_iter()
        .map(|cap| Engine::build(&specs, cap).unwrap())
        .find(|e| !e.shape_rules().is_empty())
        .expect("some small cache builds");
    let mut rng = Rng(0x1a7e_5eed_0000_0042);
    let mut found = 0;
    for round in 0..6 {
        let data = long_text(&mut rng, &examples, 70_000 + round * 23_011);
        for cut in [data.len(), data.len() - 1, 64 * 1024 + 3] {
            let data = &data[..cut];
            let want = vectorscan.scan_plain(data, None).unwrap();
            assert_eq!(
                dfa.scan_plain(data, None).unwrap(),
                want,
                "round {round}, {cut} bytes"
            );
            assert_eq!(
                small.scan_plain(data, None).unwrap(),
                want,
                "round {round}, {cut} bytes, small cache"
            );
            found += want.len();
        }
    }
    assert!(found > 5_000, "only {found} findings: the test is too weak");
}

#[test]
fn threaded_stream_equals_block_for_builtin_rules_with_views() {
    let (specs, examples) = builtin_specs();
    let e = Arc::new(Engine::new(&specs).unwrap());
    let mut rng = Rng(0x7e4d_5eed_0000_0007);
    let mut text = long_text(&mut rng, &examples, 1_500_000);
    for _ in 0..200 {
        text.extend(hidden_text());
        text.push(b'\n');
    }
    let block = e.scan(&text, None).unwrap();
    assert!(block.len() > 2_000 && block.iter().any(|f| !f.origin.is_plain()));
    for threads in [1, 2] {
        let got = streamed(&e, &text, 1 << 20, threads);
        // The same findings; a view's finding may score lower in the stream, where a hotword on
        // a line of an earlier piece is out of sight (see `StreamScan::view_lines`).
        let key = |f: &Finding| (f.rule, f.start, f.end, f.origin);
        let keys = |v: &[Finding]| v.iter().map(key).collect::<Vec<_>>();
        assert_eq!(keys(&got), keys(&block), "threads {threads}");
        for (g, b) in got.iter().zip(&block) {
            if g.origin.is_plain() {
                assert_eq!(g.score, b.score, "threads {threads}: {g:?}");
            } else {
                assert!(g.score <= b.score, "threads {threads}: {g:?} against {b:?}");
            }
        }
    }
}

/// The findings of a stream fed `text` in chunks of `chunk` bytes (also its `min_block`), in
/// block-scan order.
fn streamed(e: &Arc<Engine>, text: &[u8], chunk: usize, threads: usize) -> Vec<Finding> {
    let mut s = e.stream(chunk, threads);
    let mut got = Vec::new();
    for piece in text.chunks(chunk) {
        got.extend(s.feed(piece).unwrap().into_iter().map(|l| l.finding));
    }
    got.extend(s.close().unwrap().into_iter().map(|l| l.finding));
    got.sort_by_key(|f| (f.start, f.end, f.rule));
    got
}
