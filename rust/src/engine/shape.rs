//! The shape pass: rules with no literal to anchor on (a card number, an SSN, an IPv4 address, an
//! e-mail address) in one lazy DFA.
//!
//! Vectorscan gates a rule on its literals; a rule without one becomes an automaton that runs over
//! every byte, and several such automata merged cost about the sum of them: 48 shape rules scan at
//! ~90 MB/s in one Vectorscan database where each alone runs at 1-3 GB/s. A lazy DFA of the same
//! rules builds only the states the data visits, so its cost per byte is one table lookup however
//! many rules it holds (plus cache misses as the state table grows).
//!
//! One table lookup per byte is a chain of dependent loads; the pass runs several lanes (parts of
//! the buffer) in one loop so their loads overlap. Each lane starts the longest shape match before
//! its part, so a match across a lane edge is seen whole, and reports only the ends in its part.
//!
//! Matches are reported by end offset, every end of every rule, like Vectorscan's callback: the
//! rest of the engine (clusters, recovery) does not know which pass found an end. The lazy DFA
//! keeps linear time by construction; when its cache thrashes on hostile input it gives up and
//! the caller runs the same rules in Vectorscan instead (see `Prefilter`).

use std::sync::Mutex;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

use crate::rules::{NEST_LIMIT, NFA_SIZE_LIMIT};

/// Most memory one lazy DFA cache may take (one cache per concurrent scan).
pub const SHAPE_CACHE_CAPACITY: usize = 32 << 20;
/// Lanes scanned together in one loop.
const LANES: usize = 4;
/// A buffer is split into lanes only when each gets at least this many bytes.
const LANE_MIN: usize = 16 * 1024;
/// The lazy DFA gives up (and Vectorscan takes over) after this many cache clears, when it has
/// also searched fewer than `MIN_BYTES_PER_STATE` bytes per state it built.
const MIN_CACHE_CLEARS: usize = 3;
const MIN_BYTES_PER_STATE: usize = 10;

/// The lazy DFA could not finish within its memory; the caller scans these rules another way.
#[derive(Debug)]
pub struct GaveUp;

/// Shape rules in one lazy DFA.
pub struct ShapeDfa {
    dfa: DFA,
    /// The rule index of each of the DFA's patterns.
    ids: Vec<u32>,
    /// The longest match of any of its rules: how far before its part a lane starts.
    overlap: usize,
    caches: Mutex<Vec<Cache>>,
}

/// One part of the buffer being scanned.
#[derive(Clone)]
struct Lane {
    /// The lane's first byte (where a restart after a cache clear may go back to).
    start: usize,
    /// The next byte to consume, and the byte after the last one to consume.
    pos: usize,
    stop: usize,
    /// Matches ending before this offset belong to the lane before (or were reported already).
    report_min: usize,
    /// The lane ends the buffer: its last step is the end-of-input transition.
    last: bool,
    sid: LazyStateID,
    ends: Vec<(u32, u32)>,
}

impl ShapeDfa {
    /// One lazy DFA over `patterns` (regex syntax, bytes semantics); `ids[i]` is pattern i's rule
    /// and `overlap` at least the longest match of any of them.
    pub fn build(
        patterns: &[&str],
        ids: Vec<u32>,
        overlap: usize,
        cache_capacity: usize,
    ) -> Result<ShapeDfa, String> {
        let dfa = DFA::builder()
            .syntax(
                syntax::Config::new()
                    .unicode(false)
                    .utf8(false)
                    .nest_limit(NEST_LIMIT),
            )
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
            )
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache_capacity)
                    .minimum_cache_clear_count(Some(MIN_CACHE_CLEARS))
                    .minimum_bytes_per_state(Some(MIN_BYTES_PER_STATE)),
            )
            .build_many(patterns)
            .map_err(|e| e.to_string())?;
        Ok(ShapeDfa {
            dfa,
            ids,
            overlap,
            caches: Mutex::new(Vec::new()),
        })
    }

    /// The rule index of each pattern.
    pub fn rules(&self) -> &[u32] {
        &self.ids
    }

    pub fn memory_usage(&self) -> usize {
        self.dfa.memory_usage()
    }

    /// Every (rule, end) in `data` (at most 4 GiB), in ascending end order per rule.
    pub fn ends(&self, data: &[u8]) -> Result<Vec<(u32, u32)>, GaveUp> {
        debug_assert!(data.len() <= u32::MAX as usize);
        let taken = self.caches.lock().ok().and_then(|mut pool| pool.pop());
        let mut cache = taken.unwrap_or_else(|| self.dfa.create_cache());
        let result = self.scan(&mut cache, data);
        if result.is_err() {
            // Start afresh next time: the data that made it give up may not come again.
            cache.reset(&self.dfa);
        }
        if let Ok(mut pool) = self.caches.lock() {
            pool.push(cache);
        }
        result
    }

    fn scan(&self, cache: &mut Cache, data: &[u8]) -> Result<Vec<(u32, u32)>, GaveUp> {
        let n = if data.len() >= LANES * LANE_MIN {
            LANES
        } else {
            1
        };
        let bound = |k: usize| data.len() / n * k;
        let mut lanes = Vec::with_capacity(n);
        for k in 0..n {
            let start = bound(k).saturating_sub(if k == 0 { 0 } else { self.overlap });
            let last = k + 1 == n;
            lanes.push(Lane {
                start,
                pos: start,
                // A match ending at the lane's bound is known once the byte there is consumed.
                stop: if last { data.len() } else { bound(k + 1) + 1 },
                report_min: if k == 0 { 0 } else { bound(k) + 1 },
                last,
                sid: self.start_state(cache, data, start)?,
                ends: Vec::new(),
            });
        }
        cache.search_start(0);
        let mut consumed = 0usize;
        loop {
            let steps = lanes
                .iter()
                .filter(|l| l.pos < l.stop)
                .map(|l| l.stop - l.pos)
                .min();
            let Some(steps) = steps else { break };
            if lanes.len() == LANES && lanes.iter().all(|l| l.pos < l.stop) {
                // Every lane has `steps` bytes left: the common case, four lookups per round
                // with the lanes' states in registers, until a lane needs the full transition.
                let lanes: &mut [Lane; LANES] = (&mut lanes[..]).try_into().expect("LANES lanes");
                let done = self.fast_steps(cache, data, lanes, steps);
                consumed += LANES * done;
                if done == steps {
                    continue;
                }
                // One round of full steps; the fast loop takes over again after it.
                for k in 0..LANES {
                    if lanes[k].pos < lanes[k].stop {
                        self.step_lane(cache, data, lanes, k, consumed)?;
                    }
                }
                consumed += LANES;
                continue;
            }
            for _ in 0..steps {
                for k in 0..lanes.len() {
                    if lanes[k].pos < lanes[k].stop {
                        self.step_lane(cache, data, &mut lanes, k, consumed)?;
                    }
                }
                consumed += lanes.len();
            }
        }
        for lane in &mut lanes {
            if lane.last {
                let eoi = self
                    .dfa
                    .next_eoi_state(cache, lane.sid)
                    .map_err(|_| GaveUp)?;
                if eoi.is_match() && data.len() >= lane.report_min {
                    self.record(cache, eoi, data.len(), &mut lane.ends);
                }
            }
        }
        cache.search_finish(consumed);
        let mut ends = Vec::with_capacity(lanes.iter().map(|l| l.ends.len()).sum());
        for lane in lanes {
            ends.extend(lane.ends);
        }
        Ok(ends)
    }

    /// Up to `steps` rounds of one byte in each of the four lanes, while every state on the way
    /// is a plain one (no match, no state still to build): returns the rounds done. Each lane
    /// must have `steps` bytes left.
    fn fast_steps(
        &self,
        cache: &Cache,
        data: &[u8],
        lanes: &mut [Lane; LANES],
        steps: usize,
    ) -> usize {
        let mut sid = [lanes[0].sid, lanes[1].sid, lanes[2].sid, lanes[3].sid];
        let mut pos = [lanes[0].pos, lanes[1].pos, lanes[2].pos, lanes[3].pos];
        if sid.iter().any(LazyStateID::is_tagged) {
            return 0;
        }
        let mut done = 0;
        while done < steps {
            // SAFETY: each state is an untagged state of this cache: it came from the cache
            // and was checked just above or at the end of the previous round, and nothing
            // clears the cache within this loop (it takes the cache shared).
            let next: [LazyStateID; LANES] = std::array::from_fn(|k| unsafe {
                self.dfa
                    .next_state_untagged_unchecked(cache, sid[k], data[pos[k]])
            });
            if next.iter().fold(false, |t, s| t | s.is_tagged()) {
                break;
            }
            sid = next;
            for p in &mut pos {
                *p += 1;
            }
            done += 1;
        }
        for (k, lane) in lanes.iter_mut().enumerate() {
            lane.sid = sid[k];
            lane.pos = pos[k];
        }
        done
    }

    /// One byte of lane `k`: a cached transition, or the full one (`slow_step`).
    fn step_lane(
        &self,
        cache: &mut Cache,
        data: &[u8],
        lanes: &mut [Lane],
        k: usize,
        consumed: usize,
    ) -> Result<(), GaveUp> {
        let lane = &mut lanes[k];
        if !lane.sid.is_tagged() {
            let next = self
                .dfa
                .next_state_untagged(cache, lane.sid, data[lane.pos]);
            if !next.is_tagged() {
                lane.sid = next;
                lane.pos += 1;
                return Ok(());
            }
        }
        self.slow_step(cache, data, lanes, k, consumed)
    }

    /// One byte of lane `k` through the full transition: building a state, a match, a cache
    /// clear (which invalidates every other lane's state: they restart `overlap` bytes back).
    fn slow_step(
        &self,
        cache: &mut Cache,
        data: &[u8],
        lanes: &mut [Lane],
        k: usize,
        consumed: usize,
    ) -> Result<(), GaveUp> {
        cache.search_update(consumed);
        let clears = cache.clear_count();
        let lane = &mut lanes[k];
        let at = lane.pos;
        let next = self
            .dfa
            .next_state(cache, lane.sid, data[at])
            .map_err(|_| GaveUp)?;
        if next.is_quit() {
            return Err(GaveUp);
        }
        lane.sid = next;
        lane.pos += 1;
        if next.is_match() && at >= lane.report_min {
            // The lazy DFA reports a match one byte late: it ended where this byte begins.
            self.record(cache, next, at, &mut lane.ends);
        }
        if cache.clear_count() != clears {
            for j in (0..lanes.len()).filter(|&j| j != k) {
                let other = &mut lanes[j];
                if other.pos >= other.stop {
                    continue;
                }
                other.report_min = other.report_min.max(other.pos);
                other.pos = other.pos.saturating_sub(self.overlap).max(other.start);
                other.sid = self.start_state(cache, data, other.pos)?;
            }
        }
        Ok(())
    }

    fn start_state(
        &self,
        cache: &mut Cache,
        data: &[u8],
        at: usize,
    ) -> Result<LazyStateID, GaveUp> {
        self.dfa
            .start_state_forward(cache, &Input::new(data).range(at..))
            .map_err(|_| GaveUp)
    }

    fn record(&self, cache: &Cache, sid: LazyStateID, end: usize, out: &mut Vec<(u32, u32)>) {
        for i in 0..self.dfa.match_len(cache, sid) {
            let pattern = self.dfa.match_pattern(cache, sid, i);
            out.push((self.ids[pattern.as_usize()], end as u32));
        }
    }
}
