//! Many small items (the string leaves of a JSON payload) in one match-end pass: the items are
//! joined with a `\n` between neighbours, and each end is given back to its item (see `join`).

use super::clusters::Clusters;
use super::prefilter::Prefilter;
use super::{Engine, EngineError, Finding};

/// The match-end pass for joined items.
pub(super) enum Joined {
    /// No rule is anchored: the plain pass serves as is.
    Plain,
    /// Anchored rules compiled with the multiline flag.
    Own(Box<Prefilter>),
    /// It could not be built: items are scanned one by one.
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
    pub(super) fn scan_many_noting(
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
        if items.len() < 2 || self.prefilter.is_none() || total > u32::MAX as usize {
            return one_by_one();
        }
        let (Some(join), Some(prefilter)) = (&self.join, self.joined_prefilter()) else {
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
        prefilter.ends(&buf, |rule, end| {
            // The item holding the match's last byte: usually the current one.
            let Some(last) = end.checked_sub(1) else {
                return;
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
            self.regex_caches.with(self.rules.len(), |caches| {
                for region in clusters.closed.drain(..) {
                    self.recover(data, 0, &region, context, caches, &mut found);
                }
            });
            out[i] = self.finish(found);
        }
        Ok(out)
    }

    /// The match-end pass for joined items, built on first use: anchored rules get the multiline
    /// flag (see `join`). None when it cannot be built, and items are scanned one by one.
    pub(super) fn joined_prefilter(&self) -> Option<&Prefilter> {
        let joined = self.joined.get_or_init(|| {
            let (Some(join), Some(_)) = (&self.join, &self.prefilter) else {
                return Joined::Unavailable;
            };
            if !join.iter().any(|j| j.anchored) {
                return Joined::Plain;
            }
            let multiline: Vec<bool> = join.iter().map(|j| j.anchored).collect();
            match Prefilter::build(&self.rules, &multiline, self.shape_cache) {
                // A rule that needs prefilter mode only when joined would change the join
                // analysis made for the plain pass: scan one by one instead.
                Ok((prefilter, needs))
                    if needs.iter().all(|&i| self.rules[i as usize].prefilter) =>
                {
                    Joined::Own(Box::new(prefilter))
                }
                _ => Joined::Unavailable,
            }
        });
        match joined {
            Joined::Plain => self.prefilter.as_ref(),
            Joined::Own(prefilter) => Some(prefilter),
            Joined::Unavailable => None,
        }
    }
}
