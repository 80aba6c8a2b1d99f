//! Grouping match ends: ends of one rule that lie close together become one region, which span
//! recovery searches once. Clusters are decided by the end offsets alone, so block and stream scans
//! of the same bytes agree.

use super::CONTEXT_MARGIN;
use crate::rules::Rule;

/// A cluster may not grow past this many bytes between its first and last end; a longer run of
/// matches (a megabyte of digits) is cut into pieces so memory and work stay bounded.
pub const CLUSTER_CAP: u64 = 1 << 20;

/// A closed cluster: match ends of one rule that are recovered with one regex run.
#[derive(Clone, Copy, Debug)]
pub(super) struct Region {
    pub rule: u32,
    pub min_end: u64,
    pub max_end: u64,
}

/// Groups match ends per rule. Whether an end joins the open cluster depends only on the ends
/// seen before it, never on how the input was chunked.
pub(super) struct Clusters {
    open: Vec<Option<(u64, u64)>>,
    active: Vec<u32>,
    pub closed: Vec<Region>,
}

impl Clusters {
    pub fn new(rules: usize) -> Clusters {
        Clusters {
            open: vec![None; rules],
            active: Vec::new(),
            closed: Vec::new(),
        }
    }

    pub fn push(&mut self, rules: &[Rule], id: u32, end: u64) {
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

    pub fn close_all(&mut self) {
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
    pub fn close_before(&mut self, rules: &[Rule], pos: u64) {
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
    pub fn earliest_needed(&self, rules: &[Rule]) -> Option<u64> {
        self.active
            .iter()
            .filter_map(|&id| {
                self.open[id as usize]
                    .map(|(lo, _)| lo.saturating_sub(rules[id as usize].window as u64))
            })
            .min()
    }
}
