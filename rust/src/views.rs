//! The views of an input that the engine scans besides the input itself, and the way back from
//! a finding in a view to a span of the input.
//!
//! For each buffer (the input, then every decoded run, layer by layer up to the decode depth):
//! - its *edited* view (normalisation plus `%XX`, escapes and entities, see `decode::edit`) is
//!   scanned in windows around the edits, and only findings that touch an edit count: the rest
//!   of the window is text the buffer's own scan already saw;
//! - runs that decode to text (base64, hex), searched in the edited view when there is one, are
//!   new buffers, scanned whole, one layer deeper;
//! - an edited view whose edits left further escapes (`%2540`, `\\u0034`) is edited again, one
//!   layer deeper (no new base64/hex search there).
//!
//! Work is linear: every view is smaller than the buffer it comes from, each layer is one pass,
//! and all views together stay within a budget proportional to the input.

use crate::decode::{edit, find_encoded, find_reversed};
use crate::viewmap::{Map, Origin};

/// How much of the hidden text is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Normalise Unicode digits, dashes, spaces, full-width forms; drop zero-width characters.
    pub normalize: bool,
    /// Layers of encodings decoded inside each other; 0 decodes nothing.
    pub decode_depth: u8,
}

impl ViewOptions {
    pub const MAX_DEPTH: u8 = 8;
    pub const OFF: ViewOptions = ViewOptions {
        normalize: false,
        decode_depth: 0,
    };

    pub fn enabled(&self) -> bool {
        self.normalize || self.decode_depth > 0
    }
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            normalize: true,
            decode_depth: 2,
        }
    }
}

/// Bytes of an edited view scanned on each side of an edit: the longest value a hidden
/// character can sit inside, plus room for hotwords.
pub const EDIT_MARGIN: usize = 256;

/// All views of one input may hold at most this many bytes per input byte (plus a floor):
/// far above what decoding produces, so only hostile input meets it.
const BUDGET_FACTOR: usize = 8;
const BUDGET_FLOOR: usize = 1 << 20;

struct Node {
    /// The node this one maps onto; None for the input.
    parent: Option<u32>,
    bytes: Vec<u8>,
    map: Map,
    /// For decoded runs, their kind: every byte is new. 0 for an edited view.
    whole: u8,
}

/// A range of one view to scan.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    node: u32,
    start: usize,
    end: usize,
}

/// The views of one input.
#[derive(Default)]
pub struct Views {
    nodes: Vec<Node>,
    items: Vec<Item>,
}

/// A buffer waiting to be expanded.
struct Pending {
    node: Option<u32>,
    depth: u8,
    /// Look for base64/hex runs (not in an edited view's re-edit).
    runs: bool,
}

impl Views {
    /// Build every view of `input` under `opts`.
    pub fn build(input: &[u8], opts: ViewOptions) -> Views {
        let mut v = Views::default();
        if !opts.enabled() {
            return v;
        }
        let mut budget = input
            .len()
            .saturating_mul(BUDGET_FACTOR)
            .saturating_add(BUDGET_FLOOR);
        let mut queue = vec![Pending {
            node: None,
            depth: 0,
            runs: true,
        }];
        while let Some(p) = queue.pop() {
            let decode = p.depth < opts.decode_depth;
            let text: &[u8] = match p.node {
                None => input,
                Some(n) => &v.nodes[n as usize].bytes,
            };
            let edited = edit(text, opts.normalize, decode).filter(|e| e.bytes.len() <= budget);
            let mut runs = Vec::new();
            let mut reversed = Vec::new();
            if decode && p.runs {
                let haystack = edited.as_ref().map_or(text, |e| &e.bytes);
                find_encoded(haystack, &mut budget, &mut runs);
            }
            if opts.normalize && p.node.is_none() {
                // Right-to-left overrides: read on the input as displayed (see `find_reversed`).
                find_reversed(text, &mut budget, &mut reversed);
            }
            let mut run_parent = p.node;
            if let Some(e) = edited {
                budget -= e.bytes.len();
                let has_more = decode && p.depth + 1 < opts.decode_depth;
                let id = v.push(p.node, e.bytes, e.map, 0);
                v.edit_windows(id);
                run_parent = Some(id);
                if has_more {
                    queue.push(Pending {
                        node: Some(id),
                        depth: p.depth + 1,
                        runs: false,
                    });
                }
            }
            let parents = std::iter::repeat_n(run_parent, runs.len())
                .chain(std::iter::repeat_n(p.node, reversed.len()));
            for (d, parent) in runs.into_iter().chain(reversed).zip(parents) {
                let id = v.push(parent, d.bytes, d.map, d.kind);
                let len = v.nodes[id as usize].bytes.len();
                v.items.push(Item {
                    node: id,
                    start: 0,
                    end: len,
                });
                queue.push(Pending {
                    node: Some(id),
                    depth: p.depth + 1,
                    runs: true,
                });
            }
        }
        v
    }

    fn push(&mut self, parent: Option<u32>, bytes: Vec<u8>, map: Map, whole: u8) -> u32 {
        self.nodes.push(Node {
            parent,
            bytes,
            map,
            whole,
        });
        (self.nodes.len() - 1) as u32
    }

    /// Items for the windows around an edited view's edits, widened to character boundaries.
    fn edit_windows(&mut self, id: u32) {
        let node = &self.nodes[id as usize];
        let bytes = &node.bytes;
        let boundary = |mut at: usize| {
            while at < bytes.len() && (bytes[at] as i8) < -0x40 {
                at += 1;
            }
            at
        };
        for (a, b) in node.map.changed_windows(EDIT_MARGIN) {
            let mut a = a;
            while a > 0 && (bytes[a] as i8) < -0x40 {
                a -= 1;
            }
            let b = boundary(b);
            if a < b {
                self.items.push(Item {
                    node: id,
                    start: a,
                    end: b,
                });
            }
        }
    }

    /// Ranges of views to scan, in the order `map_back` takes their findings.
    pub fn items(&self) -> impl Iterator<Item = &[u8]> {
        self.items
            .iter()
            .map(|it| &self.nodes[it.node as usize].bytes[it.start..it.end])
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The input span of a finding at `[start, end)` of item `item`, with where it came from;
    /// None when it touches no edit of an edited view (the plain scan covers it).
    pub fn map_back(
        &self,
        item: usize,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize, Origin)> {
        let it = self.items[item];
        let (mut s, mut e) = (it.start + start, it.start + end);
        let mut layers: Vec<u8> = Vec::new();
        let mut at = Some(it.node);
        let mut first = true;
        while let Some(n) = at {
            let node = &self.nodes[n as usize];
            let (ps, pe, kinds) = node.map.map_span(s, e);
            if first && node.whole == 0 && kinds == 0 {
                return None;
            }
            first = false;
            layers.push(kinds | node.whole);
            (s, e) = (ps, pe);
            at = node.parent;
        }
        let origin = layers.iter().rev().fold(Origin::PLAIN, |o, &k| o.then(k));
        Some((s, e, origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views(text: &str, depth: u8) -> (Views, Vec<String>) {
        let v = Views::build(
            text.as_bytes(),
            ViewOptions {
                normalize: true,
                decode_depth: depth,
            },
        );
        let items = v
            .items()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        (v, items)
    }

    #[test]
    fn plain_ascii_has_no_views() {
        assert!(views("nothing to see here, id 12345", 2).0.is_empty());
    }

    #[test]
    fn nested_base64_needs_depth() {
        // base64(base64("jane@ex.io"))
        let text = "v=YW1GdVpVQmxlQzVwYnc9PQ==";
        let (_, one) = views(text, 1);
        assert_eq!(one, vec!["amFuZUBleC5pbw=="]);
        let (v, two) = views(text, 2);
        assert!(two.contains(&"jane@ex.io".to_string()), "{two:?}");
        let i = two.iter().position(|s| s == "jane@ex.io").unwrap();
        let (s, e, o) = v.map_back(i, 0, 10).unwrap();
        assert_eq!(&text[s..e], "YW1GdVpVQmxlQzVwYnc9PQ==");
        assert_eq!(o.label().as_deref(), Some("base64/base64"));
        assert!(views(text, 0).0.is_empty());
    }

    #[test]
    fn edited_findings_must_touch_an_edit() {
        let text = format!("{} 4111\u{200B}1111 {}", "a".repeat(10), "b".repeat(10));
        let (v, items) = views(&text, 2);
        assert_eq!(items.len(), 1);
        let item = &items[0];
        let at = item.find("41111111").unwrap();
        let (s, e, o) = v.map_back(0, at, at + 8).unwrap();
        assert_eq!(&text[s..e], "4111\u{200B}1111");
        assert_eq!(o.label().as_deref(), Some("normalized"));
        // The a's are the input's own text: not a finding of the view.
        assert!(v.map_back(0, 0, 5).is_none());
    }

    #[test]
    fn url_encoded_base64_maps_through_both() {
        // base64("jane@ex.io") with its padding percent-encoded.
        let text = "t=amFuZUBleC5pbw%3D%3D";
        let (v, items) = views(text, 2);
        let i = items.iter().position(|s| s == "jane@ex.io").unwrap();
        let (s, e, o) = v.map_back(i, 0, 10).unwrap();
        assert_eq!(&text[s..e], "amFuZUBleC5pbw%3D%3D");
        assert_eq!(o.label().as_deref(), Some("url/base64"));
    }

    #[test]
    fn hostile_input_stays_bounded() {
        let big = "QUFB".repeat(1 << 18); // 1 MB of base64 for "AAA..."
        let (v, _) = views(&big, 8);
        let total: usize = v.nodes.iter().map(|n| n.bytes.len()).sum();
        assert!(total <= big.len() * BUDGET_FACTOR + BUDGET_FLOOR);
        // 50 layers of percent-encoding: only `depth` of them are undone.
        let mut s = "%34111111111111111".to_string();
        for _ in 0..50 {
            s = s.replace('%', "%25");
        }
        let (v, _) = views(&s, 3);
        assert!(v.nodes.len() <= 3);
    }
}
