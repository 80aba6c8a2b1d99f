//! Maps from a derived view (normalised or decoded text) back to the bytes it came from.
//!
//! A view is described by pieces: each piece says that `count` equal units of `vunit` view bytes
//! stand for `count` units of `punit` parent bytes. Copied text is one piece of 1:1 units, a
//! base64 run one piece of 3:4 units, a replaced character a piece of one unit. A view span maps
//! to the parent span from the start of the unit holding its first byte to the end of the unit
//! holding its last, so a decoded finding points at whole encoded units (base64 quanta, `%XX`
//! triples, `\uXXXX` escapes, entities). Dropped characters (zero-width, soft hyphen) have no
//! view bytes: they are the gaps between consecutive pieces.

/// What changed a piece of text, as bits: a finding in an edited view counts only when it
/// touches one of them, and its `decoded` label names them.
pub mod kind {
    pub const NORMALIZED: u8 = 1;
    pub const URL: u8 = 2;
    pub const ESCAPE: u8 = 4;
    pub const HTML: u8 = 8;
    pub const BASE64: u8 = 16;
    pub const HEX: u8 = 32;
    pub const UTF16: u8 = 64;
    pub const BASE32: u8 = 128;
}

/// Label names, in the order a layer's kinds are listed.
const NAMES: [(u8, &str); 8] = [
    (kind::UTF16, "utf16"),
    (kind::BASE64, "base64"),
    (kind::BASE32, "base32"),
    (kind::HEX, "hex"),
    (kind::URL, "url"),
    (kind::HTML, "html"),
    (kind::ESCAPE, "escape"),
    (kind::NORMALIZED, "normalized"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    view: u32,
    parent: u32,
    vunit: u16,
    punit: u16,
    count: u32,
    /// Kind bits of a change; 0 for text copied as is (or an edit that hides nothing, `\"`).
    kind: u8,
}

impl Piece {
    fn view_end(&self) -> u32 {
        self.view + self.vunit as u32 * self.count
    }

    fn parent_end(&self) -> u32 {
        self.parent + self.punit as u32 * self.count
    }
}

/// The map of one view onto its parent. Built front to back with `copy`, `unit` and `drop`.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pieces: Vec<Piece>,
    /// View offsets where parent text was dropped, ascending.
    drops: Vec<u32>,
    view_len: u32,
    parent_pos: u32,
    changed: bool,
}

impl Map {
    /// A map whose parent text starts at `parent` (a segment inside a larger buffer).
    pub fn starting_at(parent: usize) -> Map {
        Map {
            parent_pos: parent as u32,
            ..Map::default()
        }
    }

    /// One unit: `vlen` view bytes for `plen` parent bytes. Units of the same shape and kind
    /// that follow each other share a piece.
    pub fn unit(&mut self, vlen: usize, plen: usize, kind: u8) {
        debug_assert!(vlen > 0 && vlen <= u16::MAX as usize && plen <= u16::MAX as usize);
        let (vunit, punit) = (vlen as u16, plen as u16);
        match self.pieces.last_mut() {
            Some(p)
                if p.vunit == vunit
                    && p.punit == punit
                    && p.kind == kind
                    && p.view_end() == self.view_len
                    && p.parent_end() == self.parent_pos =>
            {
                p.count += 1
            }
            _ => self.pieces.push(Piece {
                view: self.view_len,
                parent: self.parent_pos,
                vunit,
                punit,
                count: 1,
                kind,
            }),
        }
        self.view_len += vunit as u32;
        self.parent_pos += punit as u32;
        self.changed |= kind != 0;
    }

    /// `n` bytes copied as they are.
    pub fn copy(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        match self.pieces.last_mut() {
            Some(p)
                if p.vunit == 1
                    && p.punit == 1
                    && p.kind == 0
                    && p.view_end() == self.view_len
                    && p.parent_end() == self.parent_pos =>
            {
                p.count += n as u32
            }
            _ => self.pieces.push(Piece {
                view: self.view_len,
                parent: self.parent_pos,
                vunit: 1,
                punit: 1,
                count: n as u32,
                kind: 0,
            }),
        }
        self.view_len += n as u32;
        self.parent_pos += n as u32;
    }

    /// `plen` parent bytes that leave nothing in the view.
    pub fn drop(&mut self, plen: usize) {
        if self.drops.last() != Some(&self.view_len) {
            self.drops.push(self.view_len);
        }
        self.parent_pos += plen as u32;
        self.changed = true;
    }

    /// Did any edit that counts happen?
    pub fn changed(&self) -> bool {
        self.changed
    }

    pub fn view_len(&self) -> usize {
        self.view_len as usize
    }

    /// View ranges around every change, `margin` bytes wide on each side, merged when they
    /// meet. Ascending; each lies within the view.
    pub fn changed_windows(&self, margin: usize) -> Vec<(usize, usize)> {
        let len = self.view_len as usize;
        let mut spots: Vec<(usize, usize)> = self
            .pieces
            .iter()
            .filter(|p| p.kind != 0)
            .map(|p| (p.view as usize, p.view_end() as usize))
            .chain(self.drops.iter().map(|&d| (d as usize, d as usize)))
            .collect();
        spots.sort_unstable();
        let mut out: Vec<(usize, usize)> = Vec::new();
        for (a, b) in spots {
            let (lo, hi) = (a.saturating_sub(margin), (b + margin).min(len));
            match out.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        out
    }

    /// The piece holding view byte `at` (which must be inside the view).
    fn piece_at(&self, at: u32) -> &Piece {
        let i = self.pieces.partition_point(|p| p.view <= at);
        &self.pieces[i.saturating_sub(1)]
    }

    /// The parent span of view span `[start, end)` (non-empty, inside the view), and the kind
    /// bits of the changes it touches: changed pieces it overlaps and drops strictly inside it.
    pub fn map_span(&self, start: usize, end: usize) -> (usize, usize, u8) {
        debug_assert!(start < end && end <= self.view_len as usize);
        let (s, e) = (start as u32, end as u32 - 1);
        let first = self.piece_at(s);
        let last = self.piece_at(e);
        let unit_start =
            |p: &Piece, at: u32| p.parent + (at - p.view) / p.vunit as u32 * p.punit as u32;
        let pstart = unit_start(first, s);
        let pend = unit_start(last, e) + last.punit as u32;
        let lo = self.pieces.partition_point(|p| p.view_end() <= s);
        let hi = self.pieces.partition_point(|p| p.view <= e);
        let mut kinds = self.pieces[lo..hi].iter().fold(0u8, |k, p| k | p.kind);
        let d = self.drops.partition_point(|&d| d <= s);
        if self.drops.get(d).is_some_and(|&d| d <= e) {
            kinds |= kind::NORMALIZED;
        }
        (pstart as usize, pend as usize, kinds)
    }
}

/// Where a finding came from: up to eight layers of kind bits, outermost first. Zero is a
/// finding in the text as given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(u64);

impl Origin {
    pub const PLAIN: Origin = Origin(0);
    /// The most layers a label records (deeper chains keep their outer eight).
    pub const MAX_LAYERS: usize = 8;

    pub fn is_plain(self) -> bool {
        self.0 == 0
    }

    /// This origin with `kinds` as a layer under the ones already there (no-op for 0).
    pub fn then(self, kinds: u8) -> Origin {
        if kinds == 0 {
            return self;
        }
        let layers = self.layers();
        if layers >= Self::MAX_LAYERS {
            return self;
        }
        Origin(self.0 | (kinds as u64) << (8 * layers))
    }

    fn layers(self) -> usize {
        (64 - self.0.leading_zeros() as usize).div_ceil(8)
    }

    /// "base64", "url/base64", "normalized", ...: each layer's kinds, outermost first.
    pub fn label(self) -> Option<String> {
        if self.is_plain() {
            return None;
        }
        let mut parts: Vec<&str> = Vec::new();
        for layer in 0..self.layers() {
            let bits = (self.0 >> (8 * layer)) as u8;
            parts.extend(NAMES.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n));
        }
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_units_and_drops_map_back() {
        // parent: "ab" + 3-byte char -> "-" + "cd" + 2-byte dropped char + "ef"
        let mut m = Map::default();
        m.copy(2);
        m.unit(1, 3, kind::NORMALIZED);
        m.copy(2);
        m.drop(2);
        m.copy(2);
        assert_eq!(m.view_len(), 7);
        assert_eq!(m.map_span(0, 2), (0, 2, 0));
        assert_eq!(m.map_span(1, 3), (1, 5, kind::NORMALIZED));
        assert_eq!(m.map_span(3, 5), (5, 7, 0));
        // the drop at view 5 lies inside [4, 6): counts as a change
        assert_eq!(m.map_span(4, 6), (6, 10, kind::NORMALIZED));
        // ...but not at a span's edge
        assert_eq!(m.map_span(5, 7), (9, 11, 0));
        assert_eq!(m.changed_windows(1), vec![(1, 6)]);
    }

    #[test]
    fn grouped_units_map_to_whole_units() {
        // base64: 9 view bytes from 12 parent chars, then a 2-byte tail from 4 chars (with '=').
        let mut m = Map::starting_at(100);
        for _ in 0..3 {
            m.unit(3, 4, kind::BASE64);
        }
        m.unit(2, 4, kind::BASE64);
        assert_eq!(m.map_span(0, 11), (100, 116, kind::BASE64));
        assert_eq!(m.map_span(4, 5), (104, 108, kind::BASE64));
        assert_eq!(m.map_span(9, 10), (112, 116, kind::BASE64));
    }

    /// Property: for random maps, every view span maps inside the parent, monotonically, and
    /// a wider view span never maps to a narrower parent span.
    #[test]
    fn random_maps_stay_inside_and_monotonic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..300 {
            let mut m = Map::default();
            let mut parent_len = 0usize;
            for _ in 0..(1 + next(40)) {
                match next(4) {
                    0 => {
                        let n = 1 + next(5) as usize;
                        m.copy(n);
                        parent_len += n;
                    }
                    1 => {
                        let p = 1 + next(4) as usize;
                        m.drop(p);
                        parent_len += p;
                    }
                    _ => {
                        let (v, p) = (1 + next(4) as usize, 1 + next(12) as usize);
                        m.unit(v, p, kind::ESCAPE);
                        parent_len += p;
                    }
                }
            }
            let n = m.view_len();
            for s in 0..n {
                let mut prev = (0usize, 0usize);
                for e in s + 1..=n {
                    let (ps, pe, _) = m.map_span(s, e);
                    assert!(
                        ps < pe && pe <= parent_len,
                        "{s}..{e} -> {ps}..{pe} of {parent_len}"
                    );
                    if e > s + 1 {
                        assert_eq!(ps, prev.0);
                        assert!(pe >= prev.1);
                    }
                    prev = (ps, pe);
                }
                if s > 0 {
                    assert!(m.map_span(s - 1, s).0 <= m.map_span(s, s + 1).0);
                }
            }
        }
    }

    #[test]
    fn origin_labels() {
        assert_eq!(Origin::PLAIN.label(), None);
        let o = Origin::PLAIN.then(kind::URL).then(kind::BASE64);
        assert_eq!(o.label().as_deref(), Some("url/base64"));
        let o = Origin::PLAIN.then(kind::NORMALIZED | kind::HTML);
        assert_eq!(o.label().as_deref(), Some("html/normalized"));
        let mut deep = Origin::PLAIN;
        for _ in 0..20 {
            deep = deep.then(kind::BASE64);
        }
        assert_eq!(deep.label().unwrap().split('/').count(), Origin::MAX_LAYERS);
    }
}
