//! The match-end pass over every byte: where some match of some rule ends. Rules with a literal
//! to anchor on run in one Vectorscan database, the rest in one lazy DFA (see `shape`); both
//! report (rule, end) pairs, and nothing downstream knows which pass found an end.

use std::sync::Mutex;

use super::compile::{compile_database, pass_of, Pass};
use super::shape::ShapeDfa;
use super::EngineError;
use crate::hs::{Database, Scratch};
use crate::rules::Rule;

/// One Vectorscan database and a pool of scratch space for it (one per concurrent scan).
struct HsPass {
    db: Database,
    scratch: Mutex<Vec<Scratch>>,
}

impl HsPass {
    fn new(db: Database) -> HsPass {
        HsPass {
            db,
            scratch: Mutex::new(Vec::new()),
        }
    }

    fn scan(&self, data: &[u8], on_end: &mut impl FnMut(u32, u64)) -> Result<(), EngineError> {
        let taken = self
            .scratch
            .lock()
            .map_err(|_| EngineError::Scan("scratch pool poisoned".into()))?
            .pop();
        let mut scratch = match taken {
            Some(s) => s,
            None => self.db.alloc_scratch()?,
        };
        let result = self.db.scan(data, &mut scratch, |id, end| {
            on_end(id, end);
            true
        });
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(scratch);
        }
        Ok(result?)
    }
}

/// The match-end pass for a rule set.
pub struct Prefilter {
    /// Rules with an anchor.
    anchored: Option<HsPass>,
    /// Rules without one, in a lazy DFA; None when it could not be built.
    shape: Option<ShapeDfa>,
    /// The same rules in Vectorscan: what runs when the lazy DFA gives up or could not be built.
    shape_fallback: Option<HsPass>,
}

impl Prefilter {
    /// Build the pass for `rules`; `multiline[i]` gives rule i Vectorscan's multiline flag (and
    /// `(?m)` in the lazy DFA). Returns the pass and the rules Vectorscan runs as prefilters that
    /// were not marked so.
    pub fn build(
        rules: &[Rule],
        multiline: &[bool],
        shape_cache: usize,
    ) -> Result<(Prefilter, Vec<u32>), EngineError> {
        let (mut anchored, mut shape) = (Vec::new(), Vec::new());
        for (i, rule) in rules.iter().enumerate() {
            match pass_of(rule) {
                Pass::Vectorscan => anchored.push(i as u32),
                Pass::Shape => shape.push(i as u32),
            }
        }
        let mut prefilter = Vec::new();
        let mut hs_pass = |ids: &[u32]| -> Result<Option<HsPass>, EngineError> {
            if ids.is_empty() {
                return Ok(None);
            }
            let (db, needs) = compile_database(rules, ids, multiline)?;
            prefilter.extend(needs);
            Ok(Some(HsPass::new(db)))
        };
        let anchored_pass = hs_pass(&anchored)?;
        let shape_fallback = hs_pass(&shape)?;
        let dfa = if shape.is_empty() {
            None
        } else {
            let patterns: Vec<String> = shape
                .iter()
                .map(|&i| {
                    let p = &rules[i as usize].hs_pattern;
                    if multiline[i as usize] {
                        format!("(?m:{p})")
                    } else {
                        p.clone()
                    }
                })
                .collect();
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let overlap = shape
                .iter()
                .map(|&i| rules[i as usize].window)
                .max()
                .unwrap_or(0);
            // A rule set the lazy DFA cannot take runs in Vectorscan whole, as before.
            ShapeDfa::build(&patterns, shape.clone(), overlap, shape_cache).ok()
        };
        Ok((
            Prefilter {
                anchored: anchored_pass,
                shape: dfa,
                shape_fallback,
            },
            prefilter,
        ))
    }

    /// Call `on_end(rule, end)` for every match end in `data` (at most 4 GiB): all ends of one
    /// rule in ascending order, rules in no particular order.
    pub fn ends(&self, data: &[u8], mut on_end: impl FnMut(u32, u64)) -> Result<(), EngineError> {
        if let Some(pass) = &self.anchored {
            pass.scan(data, &mut on_end)?;
        }
        if let Some(dfa) = &self.shape {
            if let Ok(ends) = dfa.ends(data) {
                for (rule, end) in ends {
                    on_end(rule, end as u64);
                }
                return Ok(());
            }
        }
        if let Some(pass) = &self.shape_fallback {
            pass.scan(data, &mut on_end)?;
        }
        Ok(())
    }

    /// Bytes of the compiled databases and DFA (not counting per-scan scratch and caches).
    pub fn memory_bytes(&self) -> usize {
        let hs = |p: &Option<HsPass>| p.as_ref().map_or(0, |p| p.db.size());
        hs(&self.anchored)
            + hs(&self.shape_fallback)
            + self.shape.as_ref().map_or(0, ShapeDfa::memory_usage)
    }

    /// The rules the lazy DFA runs (none when it could not be built).
    pub fn shape_rules(&self) -> &[u32] {
        self.shape.as_ref().map_or(&[], ShapeDfa::rules)
    }
}
