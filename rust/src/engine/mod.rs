//! The engine: one pass over every byte marks where matches end, then exact spans, validation
//! and scoring run on the few places it pointed at.
//!
//! The stages, one module each:
//! - `compile`: which pass runs each rule, and the Vectorscan databases;
//! - `prefilter`: the match-end pass over every byte: rules with a literal to anchor on in one
//!   Vectorscan database, the rest in one lazy DFA (`shape`);
//! - `clusters`: ends of the same rule that lie close together are grouped into a region;
//! - `recover`: the rule's regex runs once over each region's window (from its first end minus
//!   the rule's longest match up to its last end: the Nosey Parker approach), then validators,
//!   entropy and hotwords;
//! - `resolve`: overlapping findings;
//! - `batch` (many small items in one pass) and `stream` (chunks in, final findings out).
//!
//! Regions are decided by the end offsets alone, so block and stream scans of the same bytes agree.

mod batch;
mod clusters;
mod compile;
mod finding;
mod prefilter;
mod recover;
mod resolve;
mod shape;
mod stream;
#[cfg(test)]
mod tests;

use std::sync::OnceLock;
use std::time::Instant;

use crate::hs;
use crate::join::{self, JoinInfo};
use crate::rules::{Rule, RuleError, RuleSpec};
use crate::views::{ViewOptions, Views};
use batch::Joined;
use clusters::Clusters;
use prefilter::Prefilter;
use recover::CachePool;
use resolve::resolve;

pub use clusters::CLUSTER_CAP;
pub use compile::MIN_ANCHOR;
pub use finding::Finding;
pub use shape::SHAPE_CACHE_CAPACITY;
pub use stream::{Located, StreamScan};

/// A block is shared between threads only when each gets at least this much.
pub const PARALLEL_MIN_PART: u64 = 256 * 1024;
/// Bytes kept around a window so word boundaries and hotwords can see their neighbours.
pub const CONTEXT_MARGIN: u64 = 8;

/// The longest stretch of a stream without a newline that is viewed (normalised, decoded) as one
/// piece; a longer line is viewed in pieces of this size.
pub const STREAM_VIEW_CAP: u64 = 1 << 20;

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
    prefilter: Option<Prefilter>,
    compile_seconds: f64,
    max_window: usize,
    /// Per rule, how it behaves when `scan_many` joins items; None when some rule rules joining
    /// out (see `join`), and `scan_many` scans item by item.
    join: Option<Vec<JoinInfo>>,
    /// The match-end pass `scan_many` runs over joined items, built on first use.
    joined: OnceLock<Joined>,
    /// Normalised and decoded views scanned besides the input (see `views`).
    views: ViewOptions,
    /// Memory each lazy DFA cache of the shape pass may take.
    shape_cache: usize,
    /// The rules' regex caches, a set per worker.
    regex_caches: CachePool,
}

impl Engine {
    /// Compile `specs` into the match-end pass. Errors name the rule at fault.
    pub fn new(specs: &[RuleSpec]) -> Result<Engine, EngineError> {
        Engine::build(specs, SHAPE_CACHE_CAPACITY)
    }

    /// `new`, with `shape_cache` bytes for each lazy DFA cache (tests make it small to see the
    /// fallback to Vectorscan work).
    fn build(specs: &[RuleSpec], shape_cache: usize) -> Result<Engine, EngineError> {
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
        let prefilter = if rules.is_empty() {
            None
        } else {
            let plain = vec![false; rules.len()];
            let (prefilter, needs) = Prefilter::build(&rules, &plain, shape_cache)?;
            for i in needs {
                rules[i as usize].prefilter = true;
            }
            Some(prefilter)
        };
        let max_window = rules.iter().map(|r| r.window).max().unwrap_or(0);
        let join = rules
            .iter()
            .map(|r| join::analyse(&r.hs_pattern, r.prefilter))
            .collect();
        Ok(Engine {
            rules,
            entities,
            prefilter,
            compile_seconds: started.elapsed().as_secs_f64(),
            max_window,
            join,
            joined: OnceLock::new(),
            views: ViewOptions::default(),
            shape_cache,
            regex_caches: CachePool::default(),
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

    /// Bytes of the compiled match-end pass (Vectorscan databases and the shape DFA).
    pub fn database_bytes(&self) -> usize {
        self.prefilter.as_ref().map_or(0, Prefilter::memory_bytes)
    }

    /// Rules the shape pass (the lazy DFA) runs, by id; the rest run in Vectorscan.
    pub fn shape_rules(&self) -> Vec<&str> {
        self.prefilter.as_ref().map_or(Vec::new(), |p| {
            p.shape_rules()
                .iter()
                .map(|&i| self.rules[i as usize].id.as_str())
                .collect()
        })
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
        if !self.views.enabled() || self.prefilter.is_none() {
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
        let Some(prefilter) = &self.prefilter else {
            return Ok(Vec::new());
        };
        let mut clusters = Clusters::new(self.rules.len());
        prefilter.ends(data, |id, end| clusters.push(&self.rules, id, end))?;
        clusters.close_all();
        let mut found = Vec::new();
        self.regex_caches.with(self.rules.len(), |caches| {
            for region in &clusters.closed {
                self.recover(data, 0, region, context, caches, &mut found);
            }
        });
        Ok(self.finish(found))
    }

    /// The match-end pass alone: how many match ends it reports. A baseline for benchmarks.
    pub fn scan_raw(&self, data: &[u8]) -> Result<u64, EngineError> {
        let mut count = 0u64;
        let Some(prefilter) = &self.prefilter else {
            return Ok(0);
        };
        for piece in data.chunks(u32::MAX as usize) {
            prefilter.ends(piece, |_, _| count += 1)?;
        }
        Ok(count)
    }

    /// Drop a rule's duplicate finds (clusters cut at the cap may overlap), then resolve overlaps.
    ///
    /// The duplicate pass keeps the earliest of overlapping finds, which depends on which finds
    /// are present, so it runs on plain finds and on finds from views separately: a block scan
    /// resolves its plain finds before the views' join them, a stream as they arrive, and both
    /// must end the same. `resolve` gives the same result however its input was grouped.
    pub(super) fn finish(&self, mut found: Vec<Finding>) -> Vec<Finding> {
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
