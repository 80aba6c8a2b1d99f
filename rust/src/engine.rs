//! The engine: all rules in one Vectorscan database, one pass over the data, then exact spans,
//! validation and scoring on the few places Vectorscan pointed at.
//!
//! Vectorscan reports only where a match *ends*. Ends of the same rule that lie close together are
//! grouped into a cluster; the rule's regex then runs once over the window from the cluster's first
//! end minus the rule's longest match up to its last end (the Nosey Parker approach). Clusters are
//! decided by the end offsets alone, so block and stream scans of the same bytes agree.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::Input;

use crate::hs::{self, Database, Mode, Scratch};
use crate::join::{self, JoinInfo};
use crate::resolve::resolve;
use crate::rules::{Rule, RuleError, RuleSpec, MAX_HOTWORD_WINDOW, VALIDATED_BOOST};
use crate::validators::shannon_entropy;
use crate::viewmap::Origin;
use crate::views::{ViewOptions, Views};

/// A cluster may not grow past this many bytes between its first and last end; a longer run of
/// matches (a megabyte of digits) is cut into pieces so memory and work stay bounded.
pub const CLUSTER_CAP: u64 = 1 << 20;
/// A block is shared between threads only when each gets at least this much.
pub const PARALLEL_MIN_PART: u64 = 256 * 1024;
/// Bytes kept around a window so word boundaries and hotwords can see their neighbours.
pub const CONTEXT_MARGIN: u64 = 8;

/// The longest stretch of a stream without a newline that is viewed (normalised, decoded) as one
/// piece; a longer line is viewed in pieces of this size.
pub const STREAM_VIEW_CAP: u64 = 1 << 20;

/// A finding as the engine reports it: the rule's index, a byte span, a score, and whether it
/// was found in the text as given or in a normalised or decoded view of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    pub rule: u32,
    pub start: usize,
    pub end: usize,
    pub score: f64,
    pub origin: Origin,
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
    /// Per rule, how it behaves when `scan_many` joins items; None when some rule rules joining
    /// out (see `join`), and `scan_many` scans item by item.
    join: Option<Vec<JoinInfo>>,
    /// The database `scan_many` runs over joined items, built on first use.
    joined_db: OnceLock<JoinedDb>,
    joined_scratch: Mutex<Vec<Scratch>>,
    /// Normalised and decoded views scanned besides the input (see `views`).
    views: ViewOptions,
}

/// The database for joined items.
enum JoinedDb {
    /// No rule is anchored: the block database serves as is.
    Block,
    /// Anchored rules compiled with the multiline flag.
    Own(Database),
    /// It did not compile: items are scanned one by one.
    Unavailable,
}

/// A match end inside one of `scan_many`'s items: (item, rule, end relative to the item).
#[derive(Clone, Copy)]
struct Hit {
    item: u32,
    rule: u32,
    end: u64,
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
        let join = rules
            .iter()
            .map(|r| join::analyse(&r.hs_pattern, r.prefilter))
            .collect();
        Ok(Engine {
            rules,
            entities,
            block_db,
            scratch: Mutex::new(Vec::new()),
            compile_seconds: started.elapsed().as_secs_f64(),
            max_window,
            join,
            joined_db: OnceLock::new(),
            joined_scratch: Mutex::new(Vec::new()),
            views: ViewOptions::default(),
        })
    }

    /// Set how the engine looks at hidden text (normalisation, decode depth) before sharing it.
    pub fn with_views(mut self, views: ViewOptions) -> Result<Engine, EngineError> {
        if views.decode_depth > ViewOptions::MAX_DEPTH {
            return Err(EngineError::Scan(format!(
                "decode depth {} is over the limit of {}",
                views.decode_depth,
                ViewOptions::MAX_DEPTH
            )));
        }
        self.views = views;
        Ok(self)
    }

    pub fn views(&self) -> ViewOptions {
        self.views
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

    /// Scan a whole buffer and its normalised and decoded views. `context` (a JSON key name, say)
    /// counts as near every match for hotwords.
    pub fn scan(&self, data: &[u8], context: Option<&[u8]>) -> Result<Vec<Finding>, EngineError> {
        let plain = self.scan_plain(data, context)?;
        let mut hidden = self.view_findings(&[data], &[context])?;
        Ok(self.merge(plain, hidden.pop().unwrap_or_default()))
    }

    /// Plain findings plus those from views, resolved together (plain first: on a tie with the
    /// same rule and span, the plain one stays).
    fn merge(&self, plain: Vec<Finding>, hidden: Vec<Finding>) -> Vec<Finding> {
        if hidden.is_empty() {
            return plain;
        }
        let mut all = plain;
        all.extend(hidden);
        self.finish(all)
    }

    /// The findings in the views of each input, with spans in the input; one Vectorscan pass
    /// over the views of all inputs.
    fn view_findings(
        &self,
        inputs: &[&[u8]],
        contexts: &[Option<&[u8]>],
    ) -> Result<Vec<Vec<Finding>>, EngineError> {
        let mut out: Vec<Vec<Finding>> = vec![Vec::new(); inputs.len()];
        if !self.views.enabled() || self.block_db.is_none() {
            return Ok(out);
        }
        let views: Vec<Views> = inputs.iter().map(|i| Views::build(i, self.views)).collect();
        let mut items: Vec<&[u8]> = Vec::new();
        let mut item_contexts: Vec<Option<&[u8]>> = Vec::new();
        let mut owner: Vec<(usize, usize)> = Vec::new();
        for (i, v) in views.iter().enumerate() {
            for (k, item) in v.items().enumerate() {
                items.push(item);
                item_contexts.push(contexts[i]);
                owner.push((i, k));
            }
        }
        if items.is_empty() {
            return Ok(out);
        }
        let found = self.scan_many_noting(&items, &item_contexts, &mut Vec::new())?;
        for (found, &(i, k)) in found.into_iter().zip(&owner) {
            for f in found {
                if let Some((start, end, origin)) = views[i].map_back(k, f.start, f.end) {
                    out[i].push(Finding {
                        start,
                        end,
                        origin,
                        ..f
                    });
                }
            }
        }
        Ok(out)
    }

    /// Scan a whole buffer as it is.
    fn scan_plain(&self, data: &[u8], context: Option<&[u8]>) -> Result<Vec<Finding>, EngineError> {
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

    /// Scan many small items (the string leaves of a JSON payload, say) in one Vectorscan pass;
    /// `contexts[i]` is item i's context. The findings of each item, with offsets into the item,
    /// are exactly what `scan(items[i], contexts[i])` returns.
    ///
    /// The items are joined with a `\n` between neighbours and scanned once; each match end is
    /// given to the item it falls in (an end on a separator is dropped), and span recovery,
    /// validation, scoring and overlap resolution run on each item's own bytes. An item whose
    /// ends the joined scan cannot vouch for is rescanned alone (see the `join` module).
    ///
    /// Each item's normalised and decoded views are scanned too, in one more pass for all items.
    pub fn scan_many(
        &self,
        items: &[&[u8]],
        contexts: &[Option<&[u8]>],
    ) -> Result<Vec<Vec<Finding>>, EngineError> {
        let plain = self.scan_many_noting(items, contexts, &mut Vec::new())?;
        let hidden = self.view_findings(items, contexts)?;
        Ok(plain
            .into_iter()
            .zip(hidden)
            .map(|(p, h)| self.merge(p, h))
            .collect())
    }

    /// `scan_many` without views, noting in `alone` the items that were rescanned on their own.
    fn scan_many_noting(
        &self,
        items: &[&[u8]],
        contexts: &[Option<&[u8]>],
        alone: &mut Vec<usize>,
    ) -> Result<Vec<Vec<Finding>>, EngineError> {
        if contexts.len() != items.len() {
            return Err(EngineError::Scan(format!(
                "scan_many got {} items but {} contexts",
                items.len(),
                contexts.len()
            )));
        }
        let one_by_one = || -> Result<Vec<Vec<Finding>>, EngineError> {
            items
                .iter()
                .zip(contexts)
                .map(|(data, context)| self.scan_plain(data, *context))
                .collect()
        };
        let total = items.iter().map(|i| i.len() + 1).sum::<usize>();
        if items.len() < 2 || self.block_db.is_none() || total > u32::MAX as usize {
            return one_by_one();
        }
        let (Some(join), Some(db)) = (&self.join, self.joined_database()) else {
            return one_by_one();
        };
        let mut buf = Vec::with_capacity(total);
        let mut starts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                buf.push(b'\n');
            }
            starts.push(buf.len() as u64);
            buf.extend_from_slice(item);
        }
        let item_end = |i: usize| starts[i] + items[i].len() as u64;
        let mut hits: Vec<Hit> = Vec::new();
        let mut current = 0usize;
        self.with_scratch_in(&self.joined_scratch, db, |scratch| {
            db.scan(&buf, scratch, |rule, end| {
                // The item holding the match's last byte: usually the current one.
                let Some(last) = end.checked_sub(1) else {
                    return true;
                };
                if last < starts[current] || last >= item_end(current) {
                    current = starts.partition_point(|&s| s <= last).saturating_sub(1);
                }
                if last < item_end(current) {
                    hits.push(Hit {
                        item: current as u32,
                        rule,
                        end: end - starts[current],
                    });
                }
                true
            })
        })?;
        if !hits.windows(2).all(|w| w[0].item <= w[1].item) {
            hits.sort_by_key(|h| h.item); // stable: each item keeps Vectorscan's order
        }
        let mut out: Vec<Vec<Finding>> = vec![Vec::new(); items.len()];
        let mut clusters = Clusters::new(self.rules.len());
        let mut rest = &hits[..];
        while let Some(first) = rest.first() {
            let i = first.item as usize;
            let n = rest.iter().take_while(|h| h.item == first.item).count();
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let (data, context) = (items[i], contexts[i]);
            let rescan = group
                .iter()
                .any(|h| join[h.rule as usize].doubtful(data, h.end as usize));
            if rescan {
                alone.push(i);
                out[i] = self.scan_plain(data, context)?;
                continue;
            }
            for h in group {
                clusters.push(&self.rules, h.rule, h.end);
            }
            clusters.close_all();
            let mut found = Vec::new();
            for region in clusters.closed.drain(..) {
                self.recover(data, 0, &region, context, &mut found);
            }
            out[i] = self.finish(found);
        }
        Ok(out)
    }

    /// The database for joined items, compiled (or loaded from the cache) on first use.
    fn joined_database(&self) -> Option<&Database> {
        let joined = self.joined_db.get_or_init(|| {
            let (Some(join), Some(_)) = (&self.join, &self.block_db) else {
                return JoinedDb::Unavailable;
            };
            if !join.iter().any(|j| j.anchored) {
                return JoinedDb::Block;
            }
            let patterns: Vec<(&str, u32)> = self
                .rules
                .iter()
                .zip(join)
                .map(|(r, j)| {
                    let multiline = if j.anchored { join::FLAG_MULTILINE } else { 0 };
                    (r.hs_pattern.as_str(), hs_flags(r) | multiline)
                })
                .collect();
            let key = crate::cache::key(&patterns, Mode::Block);
            if let Some((db, _)) = crate::cache::load(&key, Mode::Block) {
                return JoinedDb::Own(db);
            }
            let with_ids: Vec<(&str, u32, u32)> = patterns
                .iter()
                .enumerate()
                .map(|(i, &(p, f))| (p, f, i as u32))
                .collect();
            match Database::compile(&with_ids, Mode::Block) {
                Ok(db) => {
                    let prefilter: Vec<u32> = (0..self.rules.len() as u32)
                        .filter(|&i| self.rules[i as usize].prefilter)
                        .collect();
                    crate::cache::store(&key, &db, &prefilter);
                    JoinedDb::Own(db)
                }
                Err(_) => JoinedDb::Unavailable,
            }
        });
        match joined {
            JoinedDb::Block => self.block_db.as_ref(),
            JoinedDb::Own(db) => Some(db),
            JoinedDb::Unavailable => None,
        }
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
            viewed_to: 0,
            deferred: Vec::new(),
        }
    }

    /// Run `f` with a scratch from the pool (allocated on first need, one per concurrent scan).
    fn with_scratch<T>(
        &self,
        db: &Database,
        f: impl FnOnce(&mut Scratch) -> Result<T, hs::HsError>,
    ) -> Result<T, EngineError> {
        self.with_scratch_in(&self.scratch, db, f)
    }

    /// `with_scratch` for the database `pool`'s scratches were allocated for.
    fn with_scratch_in<T>(
        &self,
        pool: &Mutex<Vec<Scratch>>,
        db: &Database,
        f: impl FnOnce(&mut Scratch) -> Result<T, hs::HsError>,
    ) -> Result<T, EngineError> {
        let taken = pool
            .lock()
            .map_err(|_| EngineError::Scan("scratch pool poisoned".into()))?
            .pop();
        let mut scratch = match taken {
            Some(s) => s,
            None => db.alloc_scratch()?,
        };
        let result = f(&mut scratch);
        if let Ok(mut pool) = pool.lock() {
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
            let (ms, _me, vs, ve) = if group == 0 {
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
            // Go on from the value's end, not the match's: a match may consume a byte of context
            // after its value (`(?:\s|$)`) that the next value needs before it (two MAC addresses
            // with one space between them).
            at = ve.max(ms + 1);
            if let Some(score) = self.score(rule, data, vs, ve, context) {
                out.push(Finding {
                    rule: region.rule,
                    start: base as usize + vs,
                    end: base as usize + ve,
                    score,
                    origin: Origin::PLAIN,
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
            } else if rule.require_hotword {
                return None;
            }
        }
        Some(score.min(1.0))
    }

    /// Drop a rule's duplicate finds (clusters cut at the cap may overlap), then resolve overlaps.
    ///
    /// The duplicate pass keeps the earliest of overlapping finds, which depends on which finds
    /// are present, so it runs on plain finds and on finds from views separately: a block scan
    /// resolves its plain finds before the views' join them, a stream as they arrive, and both
    /// must end the same. `resolve` gives the same result however its input was grouped.
    fn finish(&self, mut found: Vec<Finding>) -> Vec<Finding> {
        found.sort_by_key(|f| (f.rule, !f.origin.is_plain(), f.start, f.end));
        let mut last: Option<((u32, bool), usize)> = None;
        found.retain(|f| {
            let group = (f.rule, f.origin.is_plain());
            let keep = !matches!(last, Some((g, end)) if g == group && f.start < end);
            if keep {
                last = Some((group, f.end));
            }
            keep
        });
        resolve(
            found,
            |rule| self.rules[rule as usize].entity,
            |rule| {
                self.rules[rule as usize]
                    .validator
                    .is_some_and(|v| v.is_checksum())
            },
        )
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
    /// Complete lines before this offset have had their views scanned (see `view_lines`).
    viewed_to: u64,
    /// Closed clusters whose hotword window after the last match has not fully arrived yet.
    deferred: Vec<Region>,
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
        self.view_lines(false)?;
        self.clusters
            .close_before(&self.engine.rules, self.scanned_to);
        self.drain_closed(false);
        Ok(self.release(false))
    }

    /// End the stream: the remaining findings.
    pub fn close(&mut self) -> Result<Vec<Located>, EngineError> {
        if self.closed {
            return Ok(Vec::new());
        }
        self.closed = true;
        self.scan_block(true)?;
        self.view_lines(true)?;
        self.clusters.close_all();
        self.drain_closed(true);
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

    /// Scan the views (normalised, decoded) of the complete lines fed since the last call, or of
    /// everything left at the end of the stream. A line longer than `STREAM_VIEW_CAP` is viewed
    /// in pieces of that size, so a value hidden across such a cut, or across lines, is not seen.
    fn view_lines(&mut self, last: bool) -> Result<(), EngineError> {
        if !self.engine.views.enabled() {
            self.viewed_to = self.pos;
            return Ok(());
        }
        let base = self.buf_base;
        let from = self.viewed_to;
        let tail = &self.buf[(from - base) as usize..(self.pos - base) as usize];
        let cut = if last {
            tail.len()
        } else {
            match memchr::memrchr(b'\n', tail) {
                Some(nl) => nl + 1,
                None if tail.len() as u64 > STREAM_VIEW_CAP => {
                    // Cut a long line at a character boundary.
                    let mut at = STREAM_VIEW_CAP as usize;
                    while at > 0 && (tail[at] as i8) < -0x40 {
                        at -= 1;
                    }
                    at
                }
                None => 0,
            }
        };
        let mut at = 0;
        while at < cut {
            let mut end = (at + STREAM_VIEW_CAP as usize).min(cut);
            if end < cut {
                end = memchr::memrchr(b'\n', &tail[at..end]).map_or(end, |nl| at + nl + 1);
                while end > at + 1 && (tail[end] as i8) < -0x40 {
                    end -= 1;
                }
            }
            let piece = &tail[at..end];
            let offset = (from + at as u64) as usize;
            for f in self
                .engine
                .view_findings(&[piece], &[None])?
                .into_iter()
                .flatten()
            {
                self.pending.push(Finding {
                    start: f.start + offset,
                    end: f.end + offset,
                    ..f
                });
            }
            at = end;
        }
        self.viewed_to = from + cut as u64;
        Ok(())
    }

    /// Recover the closed clusters whose scoring context has arrived: a hotword may follow the
    /// value by up to `hotword_window` bytes, so a cluster waits until those bytes are fed (or
    /// the stream ends) and scores exactly as a block scan would.
    fn drain_closed(&mut self, all: bool) {
        let mut regions = std::mem::take(&mut self.deferred);
        regions.append(&mut self.clusters.closed);
        for region in regions {
            let after = self.engine.rules[region.rule as usize].hotword_window as u64;
            if all || region.max_end + after + CONTEXT_MARGIN <= self.pos {
                self.engine
                    .recover(&self.buf, self.buf_base, &region, None, &mut self.pending);
            } else {
                self.deferred.push(region);
            }
        }
    }

    /// The earliest offset a deferred cluster's findings may start at.
    fn deferred_floor(&self) -> Option<u64> {
        self.deferred
            .iter()
            .map(|r| {
                r.min_end
                    .saturating_sub(self.engine.rules[r.rule as usize].window as u64)
            })
            .min()
    }

    /// Hand back findings no future finding can overlap, and trim the retained tail.
    fn release(&mut self, all: bool) -> Vec<Located> {
        let rules = &self.engine.rules;
        let reach = (self.engine.max_window + MAX_HOTWORD_WINDOW) as u64 + CONTEXT_MARGIN;
        let open_floor = [self.clusters.earliest_needed(rules), self.deferred_floor()]
            .into_iter()
            .flatten()
            .min();
        let future_floor = self
            .scanned_to
            .saturating_sub(self.engine.max_window as u64);
        // Views of the line still being fed may yet add findings from `viewed_to` on.
        let horizon = open_floor
            .map_or(future_floor, |o| o.min(future_floor))
            .min(self.viewed_to);
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
        keep_from = keep_from.min(self.viewed_to);
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

    /// A TOML string value: a triple-quoted literal, a '-literal or a "-basic string (JSON
    /// escapes).
    fn toml_string(v: &str) -> Option<String> {
        let v = v.trim().trim_end_matches(',').trim();
        let triple = "'''";
        if let Some(inner) = v.strip_prefix(triple).and_then(|r| r.strip_suffix(triple)) {
            return Some(inner.to_string());
        }
        if let Some(inner) = v.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            return Some(inner.to_string());
        }
        if v.starts_with('"') {
            return serde_json::from_str(v).ok();
        }
        None
    }

    /// The built-in rules, read from the embedded TOML with just enough parsing for the fields
    /// the engine takes, plus each rule's examples.
    fn builtin_specs() -> (Vec<RuleSpec>, Vec<String>) {
        let mut specs: Vec<RuleSpec> = Vec::new();
        let mut examples = Vec::new();
        for (_, text) in crate::builtin::BUILTIN_RULE_FILES {
            let mut in_examples = false;
            for line in text.lines() {
                let line = line.trim();
                if line == "[[rules]]" {
                    specs.push(RuleSpec {
                        hotword_window: 64,
                        hotword_boost: 0.25,
                        ..Default::default()
                    });
                    continue;
                }
                let Some(spec) = specs.last_mut() else {
                    continue;
                };
                if in_examples {
                    if line == "]" {
                        in_examples = false;
                    } else if let Some(e) = toml_string(line) {
                        examples.push(e);
                    }
                    continue;
                }
                let Some((key, value)) = line.split_once(" = ") else {
                    continue;
                };
                match key {
                    "id" => spec.id = toml_string(value).unwrap_or_default(),
                    "entity" => spec.entity = toml_string(value).unwrap_or_default(),
                    "pattern" => spec.pattern = toml_string(value).unwrap_or_default(),
                    "validator" => spec.validator = toml_string(value),
                    "score" => spec.score = value.parse().unwrap_or(0.5),
                    "hotword_window" => spec.hotword_window = value.parse().unwrap_or(64),
                    "hotword_boost" => spec.hotword_boost = value.parse().unwrap_or(0.25),
                    "min_entropy" => spec.min_entropy = value.parse().ok(),
                    "require_hotword" => spec.require_hotword = value == "true",
                    "hotwords" => spec.hotwords = serde_json::from_str(value).unwrap_or_default(),
                    "examples" if value == "[" => in_examples = true,
                    "examples" => {
                        let list: Vec<String> = serde_json::from_str(value).unwrap_or_default();
                        examples.extend(list);
                    }
                    _ => {}
                }
            }
        }
        specs.retain(|s| !s.pattern.is_empty() && !s.id.is_empty());
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
        assert!(e.joined_database().is_some());
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
            assert!(
                !raw.is_ascii() || raw.contains(&b'%') || raw.contains(&b'&') || raw.len() > 20
            );
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
}
