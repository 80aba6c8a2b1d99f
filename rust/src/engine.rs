//! The engine: all rules in one Vectorscan database, one pass over the data, then exact spans,
//! validation and scoring on the few places Vectorscan pointed at.
//!
//! Vectorscan reports only where a match *ends*. Ends of the same rule that lie close together are
//! grouped into a cluster; the rule's regex then runs once over the window from the cluster's first
//! end minus the rule's longest match up to its last end (the Nosey Parker approach). Clusters are
//! decided by the end offsets alone, so block and stream scans of the same bytes agree.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::Input;

use crate::hs::{self, Database, Mode, Scratch};
use crate::resolve::resolve;
use crate::rules::{Rule, RuleError, RuleSpec, MAX_HOTWORD_WINDOW, VALIDATED_BOOST};
use crate::validators::shannon_entropy;

/// A cluster may not grow past this many bytes between its first and last end; a longer run of
/// matches (a megabyte of digits) is cut into pieces so memory and work stay bounded.
pub const CLUSTER_CAP: u64 = 1 << 20;
/// A block is shared between threads only when each gets at least this much.
pub const PARALLEL_MIN_PART: u64 = 256 * 1024;
/// Bytes kept around a window so word boundaries and hotwords can see their neighbours.
pub const CONTEXT_MARGIN: u64 = 8;

/// A finding as the engine reports it: the rule's index, a byte span, and a score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    pub rule: u32,
    pub start: usize,
    pub end: usize,
    pub score: f64,
}

/// Why a scan or compile failed.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    Rule(RuleError),
    Compile(String),
    Scan(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Rule(e) => write!(f, "{e}"),
            EngineError::Compile(m) => write!(f, "could not build the rule database: {m}"),
            EngineError::Scan(m) => write!(f, "scan failed: {m}"),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<hs::HsError> for EngineError {
    fn from(e: hs::HsError) -> Self {
        EngineError::Scan(e.to_string())
    }
}

/// A compiled rule set, shared by any number of threads.
pub struct Engine {
    rules: Vec<Rule>,
    entities: Vec<String>,
    /// None for an empty rule set (a caller that only wants NER): every scan finds nothing.
    block_db: Option<Database>,
    scratch: Mutex<Vec<Scratch>>,
    compile_seconds: f64,
    max_window: usize,
}

impl Engine {
    /// Compile `specs` into one database. Errors name the rule at fault.
    pub fn new(specs: &[RuleSpec]) -> Result<Engine, EngineError> {
        let started = Instant::now();
        let mut entities: Vec<String> = Vec::new();
        let mut rules = Vec::with_capacity(specs.len());
        let mut seen = std::collections::HashSet::new();
        for spec in specs {
            if !seen.insert(spec.id.as_str()) {
                return Err(EngineError::Rule(RuleError {
                    rule_id: spec.id.clone(),
                    message: "duplicate rule id".into(),
                }));
            }
            let entity = match entities.iter().position(|e| e == &spec.entity) {
                Some(i) => i,
                None => {
                    entities.push(spec.entity.clone());
                    entities.len() - 1
                }
            } as u32;
            rules.push(Rule::compile(spec, entity).map_err(EngineError::Rule)?);
        }
        let block_db = if rules.is_empty() {
            None
        } else {
            Some(compile_database(&mut rules, Mode::Block)?)
        };
        let max_window = rules.iter().map(|r| r.window).max().unwrap_or(0);
        Ok(Engine {
            rules,
            entities,
            block_db,
            scratch: Mutex::new(Vec::new()),
            compile_seconds: started.elapsed().as_secs_f64(),
            max_window,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn entity_name(&self, rule: u32) -> &str {
        &self.entities[self.rules[rule as usize].entity as usize]
    }

    pub fn database_bytes(&self) -> usize {
        self.block_db.as_ref().map_or(0, Database::size)
    }

    pub fn compile_seconds(&self) -> f64 {
        self.compile_seconds
    }

    /// Rules that Vectorscan runs as prefilters (the regex decides), by id.
    pub fn prefilter_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.prefilter)
            .map(|r| r.id.as_str())
            .collect()
    }

    /// Scan a whole buffer. `context` (a JSON key name, say) counts as near every match for hotwords.
    pub fn scan(&self, data: &[u8], context: Option<&[u8]>) -> Result<Vec<Finding>, EngineError> {
        if data.len() > u32::MAX as usize {
            // Block mode takes a 32-bit length; the caller must stream larger buffers.
            return Err(EngineError::Scan(format!(
                "input of {} bytes is over the 4 GiB block limit; scan it as a stream (Scanner.stream())",
                data.len()
            )));
        }
        let Some(db) = &self.block_db else {
            return Ok(Vec::new());
        };
        let mut clusters = Clusters::new(self.rules.len());
        self.with_scratch(db, |scratch| {
            db.scan(data, scratch, |id, end| {
                clusters.push(&self.rules, id, end);
                true
            })
        })?;
        clusters.close_all();
        let mut found = Vec::new();
        for region in &clusters.closed {
            self.recover(data, 0, region, context, &mut found);
        }
        Ok(self.finish(found))
    }

    /// The Vectorscan pass alone: how many raw match ends it reports. A baseline for benchmarks.
    pub fn scan_raw(&self, data: &[u8]) -> Result<u64, EngineError> {
        let mut count = 0u64;
        let Some(db) = &self.block_db else {
            return Ok(0);
        };
        for piece in data.chunks(u32::MAX as usize) {
            self.with_scratch(db, |scratch| {
                db.scan(piece, scratch, |_, _| {
                    count += 1;
                    true
                })
            })?;
        }
        Ok(count)
    }

    /// Open a stream: feed chunks, get findings with absolute offsets. Bytes are scanned once at
    /// least `min_block` of them are waiting (and at close), so tiny chunks cost no more than big ones.
    pub fn stream(self: &Arc<Self>, min_block: usize, threads: usize) -> StreamScan {
        StreamScan {
            engine: Arc::clone(self),
            closed: false,
            min_block: min_block.max(1) as u64,
            threads: threads.max(1),
            clusters: Clusters::new(self.rules.len()),
            buf: Vec::new(),
            buf_base: 0,
            pos: 0,
            scanned_to: 0,
            pending: Vec::new(),
            lines_before_base: 0,
            column_at_base: 0,
            watermark: 0,
        }
    }

    /// Run `f` with a scratch from the pool (allocated on first need, one per concurrent scan).
    fn with_scratch<T>(
        &self,
        db: &Database,
        f: impl FnOnce(&mut Scratch) -> Result<T, hs::HsError>,
    ) -> Result<T, EngineError> {
        let taken = self
            .scratch
            .lock()
            .map_err(|_| EngineError::Scan("scratch pool poisoned".into()))?
            .pop();
        let mut scratch = match taken {
            Some(s) => s,
            None => db.alloc_scratch()?,
        };
        let result = f(&mut scratch);
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(scratch);
        }
        Ok(result?)
    }

    /// Run the rule's regex over one cluster's window of `data` (whose first byte sits at absolute
    /// offset `base`), validate and score what it finds.
    fn recover(
        &self,
        data: &[u8],
        base: u64,
        region: &Region,
        context: Option<&[u8]>,
        out: &mut Vec<Finding>,
    ) {
        let rule = &self.rules[region.rule as usize];
        let lo = region.min_end.saturating_sub(rule.window as u64).max(base);
        let hi = region.max_end;
        let (lo, hi) = ((lo - base) as usize, ((hi - base) as usize).min(data.len()));
        if lo >= hi {
            return;
        }
        let group = rule.value_group.unwrap_or(0);
        let mut slots: [Option<NonMaxUsize>; 2] = [None, None];
        let mut group_slots: Vec<Option<NonMaxUsize>> = Vec::new();
        let mut input = Input::new(data).span(lo..hi);
        let mut at = lo;
        while at < hi {
            input.set_start(at);
            let (ms, me, vs, ve) = if group == 0 {
                if rule.regex.search_slots(&input, &mut slots).is_none() {
                    break;
                }
                let (s, e) = (slots[0].unwrap().get(), slots[1].unwrap().get());
                (s, e, s, e)
            } else {
                group_slots.resize(2 * (group + 1), None);
                if rule.regex.search_slots(&input, &mut group_slots).is_none() {
                    break;
                }
                let (s, e) = (group_slots[0].unwrap().get(), group_slots[1].unwrap().get());
                match (group_slots[2 * group], group_slots[2 * group + 1]) {
                    (Some(vs), Some(ve)) => (s, e, vs.get(), ve.get()),
                    _ => (s, e, s, e),
                }
            };
            at = if me > ms { me } else { me + 1 };
            if let Some(score) = self.score(rule, data, vs, ve, context) {
                out.push(Finding {
                    rule: region.rule,
                    start: base as usize + vs,
                    end: base as usize + ve,
                    score,
                });
            }
        }
    }

    /// Validator, entropy and hotwords; None drops the candidate.
    fn score(
        &self,
        rule: &Rule,
        data: &[u8],
        vs: usize,
        ve: usize,
        context: Option<&[u8]>,
    ) -> Option<f64> {
        if vs >= ve {
            return None;
        }
        let value = &data[vs..ve];
        let mut score = rule.score;
        if let Some(v) = rule.validator {
            if !v.check(value) {
                return None;
            }
            score += VALIDATED_BOOST;
        }
        if let Some(min) = rule.min_entropy {
            if shannon_entropy(value) < min {
                return None;
            }
        }
        if let Some(hotwords) = &rule.hotwords {
            let before = &data[vs.saturating_sub(rule.hotword_window)..vs];
            let after = &data[ve..(ve + rule.hotword_window).min(data.len())];
            let near = hotwords.is_match(before)
                || hotwords.is_match(after)
                || context.is_some_and(|c| hotwords.is_match(c));
            if near {
                score += rule.hotword_boost;
            }
        }
        Some(score.min(1.0))
    }

    /// Drop a rule's duplicate finds (clusters cut at the cap may overlap), then resolve overlaps.
    fn finish(&self, mut found: Vec<Finding>) -> Vec<Finding> {
        found.sort_by_key(|f| (f.rule, f.start, f.end));
        let mut last: Option<(u32, usize)> = None;
        found.retain(|f| {
            let keep = !matches!(last, Some((rule, end)) if rule == f.rule && f.start < end);
            if keep {
                last = Some((f.rule, f.end));
            }
            keep
        });
        resolve(found, |rule| self.rules[rule as usize].entity)
    }
}

/// Code points in (mostly) UTF-8 bytes: bytes that do not continue a sequence.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

fn hs_flags(rule: &Rule) -> u32 {
    if rule.prefilter {
        hs::FLAG_PREFILTER
    } else {
        0
    }
}

/// Compile all rules into one database. A pattern Vectorscan cannot take exactly is retried as a
/// prefilter (a superset the regex then narrows); one it cannot take at all is an error naming it.
fn compile_database(rules: &mut [Rule], mode: Mode) -> Result<Database, EngineError> {
    let key = crate::cache::key(
        &rules
            .iter()
            .map(|r| (r.hs_pattern.as_str(), hs_flags(r)))
            .collect::<Vec<_>>(),
        mode,
    );
    if let Some((db, prefilter)) = crate::cache::load(&key, mode) {
        if prefilter.iter().all(|&i| (i as usize) < rules.len()) {
            for i in prefilter {
                rules[i as usize].prefilter = true;
            }
            return Ok(db);
        }
    }
    let db = compile_uncached(rules, mode)?;
    let prefilter: Vec<u32> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.prefilter)
        .map(|(i, _)| i as u32)
        .collect();
    crate::cache::store(&key, &db, &prefilter);
    Ok(db)
}

fn compile_uncached(rules: &mut [Rule], mode: Mode) -> Result<Database, EngineError> {
    loop {
        let patterns: Vec<(&str, u32, u32)> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.hs_pattern.as_str(), hs_flags(r), i as u32))
            .collect();
        match Database::compile(&patterns, mode) {
            Ok(db) => return Ok(db),
            Err(hs::HsError::Compile {
                message,
                expression: Some(i),
            }) if i < rules.len() => {
                let rule = &mut rules[i];
                if rule.prefilter {
                    return Err(EngineError::Rule(RuleError {
                        rule_id: rule.id.clone(),
                        message: format!("Vectorscan cannot compile the pattern: {message}"),
                    }));
                }
                // Only switch to prefilter mode if that alone compiles; otherwise report the rule.
                match Database::compile(&[(rule.hs_pattern.as_str(), hs::FLAG_PREFILTER, 0)], mode)
                {
                    Ok(_) => rule.prefilter = true,
                    Err(_) => {
                        return Err(EngineError::Rule(RuleError {
                            rule_id: rule.id.clone(),
                            message: format!("Vectorscan cannot compile the pattern: {message}"),
                        }))
                    }
                }
            }
            Err(e) => return Err(EngineError::Compile(e.to_string())),
        }
    }
}

/// A closed cluster: match ends of one rule that are recovered with one regex run.
#[derive(Clone, Copy, Debug)]
struct Region {
    rule: u32,
    min_end: u64,
    max_end: u64,
}

/// Groups match ends per rule. Whether an end joins the open cluster depends only on the ends
/// seen before it, never on how the input was chunked.
struct Clusters {
    open: Vec<Option<(u64, u64)>>,
    active: Vec<u32>,
    closed: Vec<Region>,
}

impl Clusters {
    fn new(rules: usize) -> Clusters {
        Clusters {
            open: vec![None; rules],
            active: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn push(&mut self, rules: &[Rule], id: u32, end: u64) {
        let window = rules[id as usize].window as u64;
        let slot = &mut self.open[id as usize];
        match slot {
            Some((lo, hi))
                if end + window >= *lo
                    && end <= *hi + window
                    && end.max(*hi) - end.min(*lo) <= CLUSTER_CAP =>
            {
                *lo = (*lo).min(end);
                *hi = (*hi).max(end);
            }
            Some((lo, hi)) => {
                self.closed.push(Region {
                    rule: id,
                    min_end: *lo,
                    max_end: *hi,
                });
                *slot = Some((end, end));
            }
            None => {
                *slot = Some((end, end));
                self.active.push(id);
            }
        }
    }

    fn close_all(&mut self) {
        for id in self.active.drain(..) {
            if let Some((lo, hi)) = self.open[id as usize].take() {
                self.closed.push(Region {
                    rule: id,
                    min_end: lo,
                    max_end: hi,
                });
            }
        }
    }

    /// Close clusters no future end can join, given the stream has reached `pos`.
    fn close_before(&mut self, rules: &[Rule], pos: u64) {
        let open = &mut self.open;
        let closed = &mut self.closed;
        self.active.retain(|&id| {
            let rule = &rules[id as usize];
            let reach = rule.window.max(rule.hotword_window) as u64 + CONTEXT_MARGIN;
            match open[id as usize] {
                Some((lo, hi)) if hi + reach < pos => {
                    closed.push(Region {
                        rule: id,
                        min_end: lo,
                        max_end: hi,
                    });
                    open[id as usize] = None;
                    false
                }
                Some(_) => true,
                None => false,
            }
        });
    }

    /// The earliest absolute offset an open cluster's window may still need.
    fn earliest_needed(&self, rules: &[Rule]) -> Option<u64> {
        self.active
            .iter()
            .filter_map(|&id| {
                self.open[id as usize]
                    .map(|(lo, _)| lo.saturating_sub(rules[id as usize].window as u64))
            })
            .min()
    }
}

/// A scan over a stream of chunks. Findings come back once nothing later in the stream can change
/// them; their offsets count from the start of the stream. Memory stays bounded by the longest
/// rule window, whatever the stream's length.
pub struct StreamScan {
    engine: Arc<Engine>,
    closed: bool,
    min_block: u64,
    /// Threads a large block is shared between.
    threads: usize,
    clusters: Clusters,
    /// The retained tail of the stream; `buf[0]` is at absolute offset `buf_base`.
    buf: Vec<u8>,
    buf_base: u64,
    pos: u64,
    /// Every match ending before this offset has been reported; later ones are still to come.
    scanned_to: u64,
    /// Findings not yet final: a later one might still overlap them.
    pending: Vec<Finding>,
    /// Newlines before `buf_base`, and code points between the last of them and `buf_base`.
    lines_before_base: u64,
    column_at_base: u64,
    /// No finding still to come starts before this offset.
    watermark: u64,
}

/// A final stream finding: where it is, in bytes and as a 1-based line and code-point column,
/// and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub finding: Finding,
    pub line: u64,
    pub column: u64,
    pub value: Vec<u8>,
}

impl StreamScan {
    /// Bytes fed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Every finding not yet returned starts at or after this offset: a redacting writer may
    /// emit the bytes before it.
    pub fn watermark(&self) -> u64 {
        self.watermark
    }

    /// Feed the next chunk; returns the findings that became final, each with its value.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Located>, EngineError> {
        if self.closed {
            return Err(EngineError::Scan("stream is closed".into()));
        }
        self.buf.extend_from_slice(chunk);
        self.pos += chunk.len() as u64;
        if self.pos - self.scanned_to < self.min_block {
            return Ok(Vec::new());
        }
        self.scan_block(false)?;
        self.clusters
            .close_before(&self.engine.rules, self.scanned_to);
        self.drain_closed();
        Ok(self.release(false))
    }

    /// End the stream: the remaining findings.
    pub fn close(&mut self) -> Result<Vec<Located>, EngineError> {
        if self.closed {
            return Ok(Vec::new());
        }
        self.closed = true;
        self.scan_block(true)?;
        self.clusters.close_all();
        self.drain_closed();
        Ok(self.release(true))
    }

    /// Block-scan the unscanned tail together with the longest rule window before it, and take
    /// the match ends from `scanned_to` on. An end at the very end of the bytes so far is left for
    /// the next block unless the stream is over: a trailing `\b` there is not decided yet.
    ///
    /// Why not Vectorscan's own stream mode: Debian's 5.4.9 drops `\b`-anchored matches that
    /// straddle a chunk boundary (see benchmarks/README.md). Overlapping block scans are exact
    /// by construction and cost one window of rescanning per block.
    fn scan_block(&mut self, last: bool) -> Result<(), EngineError> {
        let overlap = self.engine.max_window as u64 + CONTEXT_MARGIN;
        let (from, pos, base) = (self.scanned_to, self.pos, self.buf_base);
        // Split [from, pos) into parts: several when there is enough to share between threads,
        // and always pieces under Vectorscan's 4 GiB block limit. Part j scans its range with
        // `overlap` bytes of look-behind and takes the ends inside its own range.
        let span = pos - from;
        let wanted = if span >= PARALLEL_MIN_PART * self.threads as u64 {
            self.threads as u64
        } else {
            1
        };
        let parts = wanted
            .max(span.div_ceil(u32::MAX as u64 - overlap - 1))
            .max(1);
        let step = span.div_ceil(parts).max(1);
        let ranges: Vec<(u64, u64)> = (0..parts)
            .map(|j| (from + j * step, (from + (j + 1) * step).min(pos)))
            .collect();
        let engine = &self.engine;
        let buf = &self.buf;
        let scan_part = |(a, b): (u64, u64)| -> Result<Vec<(u32, u64)>, EngineError> {
            let start = a.saturating_sub(overlap).max(base);
            let data = &buf[(start - base) as usize..(b - base) as usize];
            let mut ends = Vec::new();
            let Some(db) = &engine.block_db else {
                return Ok(ends);
            };
            engine.with_scratch(db, |scratch| {
                db.scan(data, scratch, |id, end| {
                    let end = start + end;
                    // An end at b needs the byte after it (a trailing \b): the next part, or
                    // the next block, decides it — unless the stream is over.
                    if end >= a && (end < b || (last && b == pos)) {
                        ends.push((id, end));
                    }
                    true
                })
            })?;
            Ok(ends)
        };
        let results: Vec<Result<Vec<(u32, u64)>, EngineError>> =
            if ranges.len() > 1 && self.threads > 1 {
                std::thread::scope(|scope| {
                    let handles: Vec<_> = ranges
                        .iter()
                        .map(|&r| scope.spawn(move || scan_part(r)))
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| {
                            h.join().unwrap_or_else(|_| {
                                Err(EngineError::Scan("a scan thread panicked".into()))
                            })
                        })
                        .collect()
                })
            } else {
                ranges.iter().map(|&r| scan_part(r)).collect()
            };
        for ends in results {
            for (id, end) in ends? {
                self.clusters.push(&self.engine.rules, id, end);
            }
        }
        self.scanned_to = if last { pos + 1 } else { pos };
        Ok(())
    }

    fn drain_closed(&mut self) {
        let regions = std::mem::take(&mut self.clusters.closed);
        for region in &regions {
            self.engine
                .recover(&self.buf, self.buf_base, region, None, &mut self.pending);
        }
    }

    /// Hand back findings no future finding can overlap, and trim the retained tail.
    fn release(&mut self, all: bool) -> Vec<Located> {
        let rules = &self.engine.rules;
        let reach = (self.engine.max_window + MAX_HOTWORD_WINDOW) as u64 + CONTEXT_MARGIN;
        let open_floor = self.clusters.earliest_needed(rules);
        let future_floor = self
            .scanned_to
            .saturating_sub(self.engine.max_window as u64);
        let horizon = open_floor.map_or(future_floor, |o| o.min(future_floor));
        let pending = self.engine.finish(std::mem::take(&mut self.pending));
        let (ready, keep): (Vec<Finding>, Vec<Finding>) = pending
            .into_iter()
            .partition(|f| all || (f.end as u64) <= horizon);
        let mut ready = ready;
        ready.sort_by_key(|f| (f.start, f.end, f.rule));
        let ready = self.locate_all(ready);
        self.pending = keep;
        self.watermark = if all {
            self.pos
        } else {
            let pending_floor = self
                .pending
                .iter()
                .map(|f| f.start as u64)
                .min()
                .unwrap_or(u64::MAX);
            horizon.min(pending_floor).max(self.watermark)
        };
        // Keep what open clusters, pending findings, the next block's overlap and future windows
        // may need.
        let mut keep_from = self.scanned_to.saturating_sub(reach);
        if let Some(o) = open_floor {
            keep_from = keep_from.min(o.saturating_sub(MAX_HOTWORD_WINDOW as u64 + CONTEXT_MARGIN));
        }
        if let Some(p) = self.pending.iter().map(|f| f.start as u64).min() {
            keep_from = keep_from.min(p);
        }
        if keep_from > self.buf_base {
            let cut = ((keep_from - self.buf_base) as usize).min(self.buf.len());
            let gone = &self.buf[..cut];
            match memchr::memrchr(b'\n', gone) {
                Some(nl) => {
                    self.lines_before_base += memchr::memchr_iter(b'\n', gone).count() as u64;
                    self.column_at_base = count_chars(&gone[nl + 1..]);
                }
                None => self.column_at_base += count_chars(gone),
            }
            self.buf.drain(..cut);
            self.buf_base += cut as u64;
        }
        ready
    }

    /// Line and column for findings in ascending start order: one pass over the buffer for all
    /// of them, however many there are.
    fn locate_all(&self, ready: Vec<Finding>) -> Vec<Located> {
        let mut cursor = 0usize; // buffer index the counts below are valid at
        let mut lines = self.lines_before_base; // newlines before `cursor`
        let mut column = self.column_at_base; // code points from the line start to `cursor`
        ready
            .into_iter()
            .map(|finding| {
                let s = (finding.start as u64 - self.buf_base) as usize;
                let e = (finding.end as u64 - self.buf_base) as usize;
                if s > cursor {
                    let gap = &self.buf[cursor..s];
                    match memchr::memrchr(b'\n', gap) {
                        Some(nl) => {
                            lines += memchr::memchr_iter(b'\n', gap).count() as u64;
                            column = count_chars(&gap[nl + 1..]);
                        }
                        None => column += count_chars(gap),
                    }
                    cursor = s;
                }
                Located {
                    finding,
                    line: lines + 1,
                    column: column + 1,
                    value: self.buf[s..e].to_vec(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
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
    fn threads_give_the_same_findings() {
        let e = engine();
        let mut text = Vec::new();
        for i in 0..40_000 {
            text.extend_from_slice(
                format!("row {i} u{i}@ex.example.org 4111 1111 1111 1111 key=K{i:07}zz\n")
                    .as_bytes(),
            );
        }
        let block = e.scan(&text, None).unwrap();
        for threads in [1, 2, 3] {
            let mut s = e.stream(1 << 20, threads);
            let mut got = Vec::new();
            for chunk in text.chunks(1 << 20) {
                got.extend(s.feed(chunk).unwrap().into_iter().map(|l| l.finding));
            }
            got.extend(s.close().unwrap().into_iter().map(|l| l.finding));
            got.sort_by_key(|f| (f.start, f.end, f.rule));
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

    #[test]
    fn long_runs_stay_bounded() {
        let e = Engine::new(&[spec("digits", "N", r"[0-9]{4,8}")]).unwrap();
        let data = vec![b'7'; 3 << 20];
        let found = e.scan(&data, None).unwrap();
        // Leftmost-first, non-overlapping 8-digit runs.
        assert_eq!(found.len(), data.len() / 8);
    }
}
