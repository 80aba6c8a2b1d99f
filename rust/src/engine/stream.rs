//! Streams: chunks in, final findings out with absolute offsets, lines and columns, in memory
//! bounded by the longest rule window whatever the stream's length.

use std::sync::Arc;

use rayon::prelude::*;

use super::clusters::{Clusters, Region};
use super::{Engine, EngineError, Finding, CONTEXT_MARGIN, PARALLEL_MIN_PART, STREAM_VIEW_CAP};
use crate::rules::MAX_HOTWORD_WINDOW;

impl Engine {
    /// Open a stream: feed chunks, get findings with absolute offsets. Bytes are scanned once at
    /// least `min_block` of them are waiting (and at close), so tiny chunks cost no more than big ones.
    pub fn stream(self: &Arc<Self>, min_block: usize, threads: usize) -> StreamScan {
        StreamScan {
            engine: Arc::clone(self),
            closed: false,
            min_block: min_block.max(1) as u64,
            pool: (threads > 1)
                .then(|| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .thread_name(|i| format!("weir-stream-{i}"))
                        .build()
                        .ok()
                })
                .flatten(),
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
}

/// Closed clusters recovered per task when a stream shares its work between threads.
const REGIONS_PER_TASK: usize = 256;

/// `f` over `items`, in order: on `pool`'s threads when there is one and more than one item,
/// else on this thread. The pool's threads live as long as the stream, so the engine's pooled
/// caches (regex, DFA, Vectorscan scratch) stay warm on each of them: threads spawned anew for
/// every block would each start from cold caches.
fn par_map<T: Sync, R: Send>(
    pool: Option<&rayon::ThreadPool>,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match pool {
        Some(pool) if items.len() > 1 => pool.install(|| items.par_iter().map(f).collect()),
        _ => items.iter().map(f).collect(),
    }
}

/// Code points in (mostly) UTF-8 bytes: bytes that do not continue a sequence.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
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
    /// Their pool, when there is more than one (None if it could not be started: one thread).
    pool: Option<rayon::ThreadPool>,
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
    /// Why not Vectorscan's own stream mode (nor a resumable lazy DFA): Debian's 5.4.9 drops `\b`-anchored matches that
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
            let Some(prefilter) = &engine.prefilter else {
                return Ok(ends);
            };
            prefilter.ends(data, |id, end| {
                let end = start + end;
                // An end at b needs the byte after it (a trailing \b): the next part, or the
                // next block, decides it — unless the stream is over.
                if end >= a && (end < b || (last && b == pos)) {
                    ends.push((id, end));
                }
            })?;
            Ok(ends)
        };
        let results = par_map(self.pool.as_ref(), &ranges, |&r| scan_part(r));
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
    /// A piece is scored on its own bytes: a hotword on a line of an earlier piece, which a block
    /// scan of the whole buffer counts, is not seen (the finding stays, with the lower score).
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
        let mut pieces: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        while at < cut {
            let mut end = (at + STREAM_VIEW_CAP as usize).min(cut);
            if end < cut {
                end = memchr::memrchr(b'\n', &tail[at..end]).map_or(end, |nl| at + nl + 1);
                while end > at + 1 && (tail[end] as i8) < -0x40 {
                    end -= 1;
                }
            }
            pieces.push((at, end));
            at = end;
        }
        let engine = &self.engine;
        let found = par_map(self.pool.as_ref(), &pieces, |&(a, b)| {
            engine.view_findings(&[&tail[a..b]], &[None])
        });
        for (&(a, _), piece_found) in pieces.iter().zip(found) {
            let offset = (from + a as u64) as usize;
            for f in piece_found?.into_iter().flatten() {
                self.pending.push(Finding {
                    start: f.start + offset,
                    end: f.end + offset,
                    ..f
                });
            }
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
        let mut ready = Vec::new();
        for region in regions {
            let after = self.engine.rules[region.rule as usize].hotword_window as u64;
            if all || region.max_end + after + CONTEXT_MARGIN <= self.pos {
                ready.push(region);
            } else {
                self.deferred.push(region);
            }
        }
        let (engine, buf, base) = (&self.engine, &self.buf, self.buf_base);
        // Regions in groups, so a thread's share is worth the spawn.
        let groups: Vec<&[Region]> = ready.chunks(REGIONS_PER_TASK).collect();
        for found in par_map(self.pool.as_ref(), &groups, |group| {
            let mut out = Vec::new();
            engine.regex_caches.with(engine.rules.len(), |caches| {
                for region in group.iter() {
                    engine.recover(buf, base, region, None, caches, &mut out);
                }
            });
            out
        }) {
            self.pending.extend(found);
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
