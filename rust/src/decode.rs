//! Finding what text hides: one linear pass that applies character normalisation and the text
//! encodings that rewrite text in place (`%XX`, `\uXXXX` and other escapes, HTML entities), and a
//! search for runs that encode whole byte strings (base64, hex). Everything decoded must be
//! valid UTF-8 and printable, so hashes, random ids and binary blobs are left alone.

use crate::bytes::{long_runs, ByteSet};
use crate::normalize::{normalize_char, Norm};
use crate::viewmap::{kind, Map};

/// A view of a buffer with its edits applied.
pub struct Edited {
    pub bytes: Vec<u8>,
    pub map: Map,
}

/// A run of a buffer that decodes to text.
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub map: Map,
    pub kind: u8,
}

/// Runs shorter than this are not taken for base64 or hex (they would decode to 12 and 8 bytes).
pub const MIN_RUN: usize = 16;

/// `text` with normalisation (when `normalize`) and in-place decodings (when `decode`) applied;
/// None when nothing that could hide a value changed. Escapes that hide nothing (`\"`, `\n`,
/// `&amp;`, ...) are applied but do not count as changes on their own.
pub fn edit(text: &[u8], normalize: bool, decode: bool) -> Option<Edited> {
    let wants_norm = normalize && !text.is_ascii();
    let wants_decode = decode
        && (memchr::memchr3(b'%', b'\\', b'&', text).is_some()
            || memchr::memchr(b'+', text).is_some());
    if !wants_norm && !wants_decode {
        return None;
    }
    // A dry run first: most text with a `\"` or an accent has nothing that counts, and finding
    // that out without building the view costs little more than the searches for candidates.
    if !run_editor(text, normalize, decode, true).changed() {
        return None;
    }
    let e = run_editor(text, normalize, decode, false);
    e.changed().then_some(Edited {
        bytes: e.out,
        map: e.map,
    })
}

/// One pass of the editor; a `dry` one builds no view and stops at the first change that counts.
fn run_editor(text: &[u8], normalize: bool, decode: bool, dry: bool) -> Editor<'_> {
    let mut e = Editor {
        text,
        out: Vec::with_capacity(if dry { 0 } else { text.len() }),
        map: Map::default(),
        normalize,
        query: false,
        query_to: 0,
        dry,
        counted: false,
    };
    let mut next = Next::default();
    let mut i = 0;
    while i < text.len() {
        // Copy the plain stretch up to the next byte that may start an edit in one go.
        let at = next.find(text, i, normalize, decode);
        if at > i {
            e.copy_plain(i, at);
            i = at;
            if i == text.len() {
                break;
            }
        }
        let used = match text[i] {
            b'%' if decode => e.percent(i),
            b'\\' if decode => e.escape(i),
            b'&' if decode => e.entity(i),
            b'+' if decode => e.plus(i),
            0x80.. if normalize => e.unicode(i),
            _ => 0,
        };
        if used == 0 {
            e.copy_plain(i, i + 1);
            i += 1;
        } else {
            i += used;
        }
        if dry && e.changed() {
            break;
        }
    }
    e
}

struct Editor<'a> {
    text: &'a [u8],
    out: Vec<u8>,
    map: Map,
    normalize: bool,
    /// Inside a URL query (after '?'), where '+' means a space, as of `query_to`.
    query: bool,
    query_to: usize,
    /// Only find out whether anything changes: nothing is copied or mapped.
    dry: bool,
    /// A dry run met an edit that counts.
    counted: bool,
}

/// Where the next byte that may start an edit lies, per kind of byte, each found with a fast
/// search and looked for again only once passed (so the whole text is searched once per kind).
#[derive(Default)]
struct Next {
    escape: Option<usize>,
    plus: Option<usize>,
    high: Option<usize>,
}

impl Next {
    fn find(&mut self, text: &[u8], from: usize, normalize: bool, decode: bool) -> usize {
        let n = text.len();
        let refresh = |slot: &mut Option<usize>, search: &dyn Fn(&[u8]) -> Option<usize>| {
            if !matches!(*slot, Some(p) if p >= from) {
                *slot = Some(search(&text[from..]).map_or(n, |p| from + p));
            }
            slot.unwrap_or(n)
        };
        let mut at = n;
        if decode {
            at = at.min(refresh(&mut self.escape, &|t| {
                memchr::memchr3(b'%', b'\\', b'&', t)
            }));
            at = at.min(refresh(&mut self.plus, &|t| memchr::memchr(b'+', t)));
        }
        if normalize {
            at = at.min(refresh(&mut self.high, &|t| {
                crate::bytes::next_non_ascii(t, 0)
            }));
        }
        at
    }
}

impl Editor<'_> {
    /// Copy `text[a..b]` unchanged.
    fn copy_plain(&mut self, a: usize, b: usize) {
        let seg = &self.text[a..b];
        if !self.dry {
            self.out.extend_from_slice(seg);
            self.map.copy(seg.len());
        }
    }

    fn changed(&self) -> bool {
        self.counted || self.map.changed()
    }

    /// `bytes` in the view for `plen` source bytes, an edit of `kinds` (0: one that hides
    /// nothing). A dry run only notes whether it counts.
    fn put(&mut self, bytes: &[u8], plen: usize, kinds: u8) {
        if self.dry {
            self.counted |= kinds != 0;
            return;
        }
        self.out.extend_from_slice(bytes);
        self.map.unit(bytes.len(), plen, kinds);
    }

    /// `plen` source bytes that leave nothing in the view (always a change that counts).
    fn put_nothing(&mut self, plen: usize) {
        if self.dry {
            self.counted = true;
            return;
        }
        self.map.drop(plen);
    }

    /// Emit a decoded character standing for `plen` source bytes, normalised when asked.
    fn emit(&mut self, c: char, plen: usize, kinds: u8) {
        let norm = if self.normalize {
            normalize_char(c)
        } else {
            Norm::Keep
        };
        match norm {
            Norm::Drop => self.put_nothing(plen),
            Norm::Ascii(b) => self.put(&[b], plen, kinds | kind::NORMALIZED),
            Norm::Letters(l) => self.put(l, plen, kinds | kind::NORMALIZED),
            Norm::Keep => {
                let mut buf = [0u8; 4];
                let s = c.encode_utf8(&mut buf);
                self.put(s.as_bytes(), plen, kinds);
            }
        }
    }

    /// A non-ASCII character at `i`; 0 when it stays (or is not valid UTF-8).
    fn unicode(&mut self, i: usize) -> usize {
        let Some((c, len)) = utf8_at(self.text, i) else {
            return 0;
        };
        match normalize_char(c) {
            Norm::Keep => {
                if !self.dry {
                    self.out.extend_from_slice(&self.text[i..i + len]);
                    self.map.copy(len);
                }
            }
            Norm::Drop => self.put_nothing(len),
            Norm::Ascii(b) => self.put(&[b], len, kind::NORMALIZED),
            Norm::Letters(l) => self.put(l, len, kind::NORMALIZED),
        }
        len
    }

    /// `%XX` sequences encoding one printable UTF-8 character.
    fn percent(&mut self, i: usize) -> usize {
        match byte_escaped_char(self.text, i, 3, |u| {
            (u[0] == b'%').then(|| hex_byte(u[1], u[2])).flatten()
        }) {
            Some((c, used)) => {
                self.emit_each_byte(c, used / c.len_utf8(), kind::URL);
                used
            }
            None => 0,
        }
    }

    /// A character whose UTF-8 bytes each came from `unit` source bytes (`%E2%82%AC`): each byte
    /// maps to its own unit, unless normalisation replaces the whole character.
    fn emit_each_byte(&mut self, c: char, unit: usize, kinds: u8) {
        if self.normalize && normalize_char(c) != Norm::Keep {
            self.emit(c, unit * c.len_utf8(), kinds);
            return;
        }
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.put(&[b], unit, kinds);
        }
    }

    /// Is `i` inside a URL query: a '?' after the last space or quote before it? Only a URL's
    /// query: `key=value` logs use '+' for time zones. Each byte is searched once (the state is
    /// carried forward from the last '+').
    fn in_query(&mut self, i: usize) -> bool {
        let seg = &self.text[self.query_to..i];
        let brk = memchr::memrchr3(b' ', b'\n', b'"', seg);
        match (memchr::memrchr(b'?', seg), brk) {
            (Some(q), Some(k)) => self.query = q > k,
            (Some(_), None) => self.query = true,
            (None, Some(_)) => self.query = false,
            (None, None) => {}
        }
        self.query_to = i;
        self.query
    }

    /// '+' for a space between two letters or digits in a query string.
    fn plus(&mut self, i: usize) -> usize {
        if !self.in_query(i) {
            return 0;
        }
        let around = |j: Option<usize>| {
            j.and_then(|j| self.text.get(j))
                .is_some_and(u8::is_ascii_alphanumeric)
        };
        if !(around(i.checked_sub(1)) && around(Some(i + 1))) {
            return 0;
        }
        self.put(b" ", 1, kind::URL);
        1
    }

    /// A backslash escape: `\uXXXX` (surrogate pairs too), `\xNN`, and JSON's short ones.
    fn escape(&mut self, i: usize) -> usize {
        let t = self.text;
        match t.get(i + 1) {
            Some(b'u') => {
                let Some(hi) = hex4(t, i + 2) else { return 0 };
                let (cp, used) = if (0xD800..0xDC00).contains(&hi) {
                    match (t.get(i + 6..i + 8), hex4(t, i + 8)) {
                        (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                            (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12)
                        }
                        _ => return 0,
                    }
                } else {
                    (hi, 6)
                };
                match char::from_u32(cp).filter(|&c| printable(c)) {
                    Some(c) => {
                        self.emit(c, used, kind::ESCAPE);
                        used
                    }
                    None => 0,
                }
            }
            Some(b'x') => match byte_escaped_char(t, i, 4, |u| {
                (u[0] == b'\\' && u[1] == b'x')
                    .then(|| hex_byte(u[2], u[3]))
                    .flatten()
            }) {
                Some((c, used)) => {
                    self.emit_each_byte(c, used / c.len_utf8(), kind::ESCAPE);
                    used
                }
                None => 0,
            },
            Some(&c @ (b'"' | b'\\' | b'/' | b'\'' | b'n' | b't' | b'r')) => {
                let out = match c {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    c => c,
                };
                // `\\u0034` is an escape escaped again: unescaping it counts, so the next
                // layer decodes what it reveals.
                let reveals = c == b'\\' && matches!(t.get(i + 2), Some(b'u' | b'x'));
                self.put(&[out], 2, if reveals { kind::ESCAPE } else { 0 });
                2
            }
            _ => 0,
        }
    }

    /// An HTML character reference: `&#NNN;`, `&#xHH;` (the `;` may be left out, as browsers
    /// allow: `&#64example.com`) or a named one from a short table.
    fn entity(&mut self, i: usize) -> usize {
        let t = self.text;
        let rest = &t[i + 1..t.len().min(i + 12)];
        let (c, used) = if rest.first() == Some(&b'#') {
            let hex = matches!(rest.get(1), Some(b'x' | b'X'));
            let (start, radix, most) = if hex { (2, 16, 6) } else { (1, 10, 7) };
            let digits = &rest[start..];
            let n = digits
                .iter()
                .take_while(|&&b| (b as char).is_digit(radix))
                .count();
            if n == 0 || n > most {
                return 0;
            }
            let semi = digits.get(n) == Some(&b';');
            let c = parse_radix(&digits[..n], radix).and_then(char::from_u32);
            (c, 1 + start + n + usize::from(semi))
        } else {
            let Some(semi) = rest.iter().position(|&b| b == b';') else {
                return 0;
            };
            let name = &rest[..semi];
            let used = semi + 2;
            if let Some(c) = QUIET_ENTITIES.iter().find(|(n, _)| n.as_bytes() == name) {
                // `&amp;#52;` is an entity escaped again: that counts (see `escape`).
                let reveals = c.1 == b'&' && t.get(i + used).is_some_and(|&b| b == b'#');
                self.put(&[c.1], used, if reveals { kind::HTML } else { 0 });
                return used;
            }
            let c = NAMED_ENTITIES
                .iter()
                .find(|(n, _)| n.as_bytes() == name)
                .map(|&(_, c)| c);
            (c, used)
        };
        match c.filter(|&c| printable(c) || normalize_char(c) == Norm::Drop) {
            Some(c) => {
                self.emit(c, used, kind::HTML);
                used
            }
            None => 0,
        }
    }
}

/// Entities HTML is full of that hide nothing: decoded, but not counted as changes.
const QUIET_ENTITIES: [(&str, u8); 5] = [
    ("amp", b'&'),
    ("lt", b'<'),
    ("gt", b'>'),
    ("quot", b'"'),
    ("apos", b'\''),
];

/// Named entities for the characters values are written with.
const NAMED_ENTITIES: [(&str, char); 32] = [
    ("nbsp", '\u{A0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("shy", '\u{AD}'),
    ("zwj", '\u{200D}'),
    ("zwnj", '\u{200C}'),
    ("commat", '@'),
    ("period", '.'),
    ("colon", ':'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("plus", '+'),
    ("minus", '\u{2212}'),
    ("hyphen", '\u{2010}'),
    ("dash", '\u{2010}'),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
    ("lowbar", '_'),
    ("equals", '='),
    ("excl", '!'),
    ("quest", '?'),
    ("comma", ','),
    ("semi", ';'),
    ("lpar", '('),
    ("rpar", ')'),
    ("ast", '*'),
    ("lsqb", '['),
    ("rsqb", ']'),
];

/// Decoded text must be printable: no control characters but tab, newline and carriage return.
fn printable(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// The character of valid UTF-8 at `i`, and its length.
fn utf8_at(text: &[u8], i: usize) -> Option<(char, usize)> {
    let len = match text[i] {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(text.get(i..i + len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_byte(hi: u8, lo: u8) -> Option<u8> {
    Some(hex_val(hi)? << 4 | hex_val(lo)?)
}

fn hex4(t: &[u8], at: usize) -> Option<u32> {
    parse_radix(t.get(at..at + 4)?, 16)
}

fn parse_radix(digits: &[u8], radix: u32) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &b| {
        let d = (b as char).to_digit(radix)?;
        acc.checked_mul(radix)?.checked_add(d)
    })
}

/// One printable character written as UTF-8 bytes, each escaped in `unit` source bytes that
/// `parse` reads (`%E2%82%AC`, `\xc3\xa9`). Returns the character and the source bytes used.
fn byte_escaped_char(
    t: &[u8],
    i: usize,
    unit: usize,
    parse: impl Fn(&[u8]) -> Option<u8>,
) -> Option<(char, usize)> {
    let first = parse(t.get(i..i + unit)?)?;
    let len = match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [first, 0, 0, 0];
    for (k, slot) in bytes.iter_mut().enumerate().take(len).skip(1) {
        let at = i + k * unit;
        *slot = parse(t.get(at..at + unit)?)?;
    }
    let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    (printable(c) || normalize_char(c) == Norm::Drop).then_some((c, len * unit))
}

/// Bytes that may appear in a base64 run (either alphabet).
fn run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'-' || b == b'_'
}

static RUN: std::sync::LazyLock<ByteSet> = std::sync::LazyLock::new(|| ByteSet::new(run_byte));

/// UTF-16LE runs shorter than this many characters are not taken.
pub const MIN_UTF16: usize = 8;

/// A character of ASCII text as UTF-16LE holds: printable, a tab or a carriage return. A line
/// feed ends a run, as it ends the piece a stream views, so streams and block scans agree.
fn utf16_char(b: u8) -> bool {
    (0x20..0x7F).contains(&b) || matches!(b, b'\t' | b'\r')
}

/// UTF-16LE text inside bytes (a Windows event log, a `.reg` export, a PowerShell command): runs
/// of at least `MIN_UTF16` ASCII characters each followed by a zero byte, as their ASCII text.
fn find_utf16(text: &[u8], budget: &mut usize, out: &mut Vec<Decoded>) {
    let n = text.len();
    let mut i = 0;
    while i + 1 < n {
        if !(utf16_char(text[i]) && text[i + 1] == 0) {
            // A run starts one byte before a zero byte: jump there.
            match memchr::memchr(0, &text[i + 1..]) {
                Some(k) => i = (i + k).max(i + 1),
                None => return,
            }
            continue;
        }
        let start = i;
        while i + 1 < n && utf16_char(text[i]) && text[i + 1] == 0 {
            i += 2;
        }
        let chars = (i - start) / 2;
        if chars >= MIN_UTF16 && chars <= *budget {
            let mut map = Map::starting_at(start);
            for _ in 0..chars {
                map.unit(1, 2, kind::UTF16);
            }
            *budget -= chars;
            out.push(Decoded {
                bytes: text[start..i].iter().step_by(2).copied().collect(),
                map,
                kind: kind::UTF16,
            });
        }
    }
}

/// The longest text after a right-to-left override that is read back reversed.
const MAX_REVERSED: usize = 1024;

/// Text between a right-to-left override (U+202E) and its pop (U+202C), a line break or the
/// end, as a reader sees it: its characters in reverse order, invisible ones dropped, so
/// `\u{202E}1111 1111 1111 1114` is the card it displays as. A finding there maps to the whole
/// run (the reversal has no byte-for-byte map).
pub fn find_reversed(text: &[u8], budget: &mut usize, out: &mut Vec<Decoded>) {
    const RLO: &[u8] = "\u{202E}".as_bytes();
    const PDF: &[u8] = "\u{202C}".as_bytes();
    let mut after = 0;
    for at in memchr::memmem::find_iter(text, RLO) {
        if at < after {
            continue;
        }
        let body = at + RLO.len();
        let rest = &text[body..];
        let line = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let window = &rest[..line.min(MAX_REVERSED)];
        let (inner, closed) = match memchr::memmem::find(window, PDF) {
            Some(p) => (&window[..p], true),
            None => (window, false),
        };
        let valid = match std::str::from_utf8(inner) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&inner[..e.valid_up_to()]).unwrap_or(""),
        };
        let run_end = body
            + valid.len()
            + if closed && valid.len() == inner.len() {
                PDF.len()
            } else {
                0
            };
        after = run_end;
        let reversed: String = valid
            .chars()
            .rev()
            .filter(|&c| normalize_char(c) != Norm::Drop)
            .collect();
        if reversed.len() < MIN_REVERSED || reversed.len() > *budget {
            continue;
        }
        let mut map = Map::starting_at(at);
        map.unit(reversed.len(), run_end - at, kind::NORMALIZED);
        *budget -= reversed.len();
        out.push(Decoded {
            bytes: reversed.into_bytes(),
            map,
            kind: kind::NORMALIZED,
        });
    }
}

/// Reversed runs shorter than this (in bytes) hold no value worth a view.
const MIN_REVERSED: usize = 6;

/// Every run of `text` that decodes (as hex, else as base64) to printable UTF-8, and every run of
/// UTF-16LE text, with its map onto `text`; stops adding once `budget` decoded bytes are used up.
pub fn find_encoded(text: &[u8], budget: &mut usize, out: &mut Vec<Decoded>) {
    if memchr::memchr(0, text).is_some() {
        find_utf16(text, budget, out);
    }
    // Two '=' of padding may complete a run two bytes short.
    for (start, end) in long_runs(&RUN, text, MIN_RUN - 2) {
        let pad = text[end..]
            .iter()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
        if end - start + pad >= MIN_RUN {
            decode_run(text, start, end, pad, budget, out);
        }
    }
}

const NOT_HEX: u8 = 1;
const STD_ONLY: u8 = 2;
const URL_ONLY: u8 = 4;

/// What a byte says about the run it is in (see `decode_run`).
static RUN_FLAGS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_hexdigit() { 0 } else { NOT_HEX }
            | if c == b'+' || c == b'/' { STD_ONLY } else { 0 }
            | if c == b'-' || c == b'_' { URL_ONLY } else { 0 };
        b += 1;
    }
    t
};

fn decode_run(
    text: &[u8],
    start: usize,
    end: usize,
    pad: usize,
    budget: &mut usize,
    out: &mut Vec<Decoded>,
) {
    let run = &text[start..end];
    // One look at the run: all hex digits? Characters only one base64 alphabet has?
    let seen = run.iter().fold(0u8, |acc, &b| acc | RUN_FLAGS[b as usize]);
    let hex = seen & NOT_HEX == 0;
    let std_only = seen & STD_ONLY != 0;
    let url_only = seen & URL_ONLY != 0;
    if hex && run.len() >= MIN_RUN && run.len() % 2 == 0 {
        if let Some(d) = decode_hex(run, start, budget) {
            out.push(d);
            return;
        }
    }
    if !(std_only && url_only) {
        let alphabet = if url_only { &URL_SAFE } else { &STANDARD };
        if let Some(d) = decode_base64(run, pad, start, alphabet, budget) {
            out.push(d);
            return;
        }
        if !std_only && !url_only {
            // Upper-case letters and 2-7 only: base32 (RFC 4648), which base64 read as noise.
            if run.iter().all(|&b| BASE32[b as usize] != 0xFF) {
                if let Some(d) = decode_base32(run, pad, start, budget) {
                    out.push(d);
                }
            }
            return;
        }
    }
    // A path or a mixed token: try its plain alphanumeric pieces.
    let mut at = start;
    for piece in run.split(|b| !b.is_ascii_alphanumeric()) {
        let piece_end = at + piece.len();
        let pad = if piece_end == end { pad } else { 0 };
        if piece.len() + pad >= MIN_RUN {
            if let Some(d) = decode_base64(piece, pad, at, &STANDARD, budget) {
                out.push(d);
            }
        }
        at = piece_end + 1;
    }
}

/// Tracks UTF-8 structure and printability byte by byte, so random bytes are given up early.
#[derive(Default)]
struct TextCheck {
    pending: u8,
}

impl TextCheck {
    fn push(&mut self, b: u8) -> bool {
        if self.pending > 0 {
            self.pending -= 1;
            return (0x80..0xC0).contains(&b);
        }
        match b {
            b'\t' | b'\n' | b'\r' | 0x20..=0x7E => true,
            0xC2..=0xDF => {
                self.pending = 1;
                true
            }
            0xE0..=0xEF => {
                self.pending = 2;
                true
            }
            0xF0..=0xF4 => {
                self.pending = 3;
                true
            }
            _ => false,
        }
    }

    /// The whole result: complete, valid UTF-8 with no control characters.
    fn finish(&self, bytes: &[u8]) -> bool {
        self.pending == 0 && std::str::from_utf8(bytes).is_ok_and(|s| s.chars().all(printable))
    }
}

fn decode_hex(run: &[u8], start: usize, budget: &mut usize) -> Option<Decoded> {
    if run.len() % 2 == 1 {
        return None;
    }
    let radix = Radix {
        bits: 4,
        group: 2,
        table: &HEX,
        kind: kind::HEX,
    };
    radix.decode(run, 0, start, 0, budget)
}

/// Hex digit values (either case); 0xFF for other bytes.
static HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

const fn alphabet(extra: [u8; 2]) -> [u8; 256] {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[extra[0] as usize] = 62;
    t[extra[1] as usize] = 63;
    t
}
static STANDARD: [u8; 256] = alphabet([b'+', b'/']);
static URL_SAFE: [u8; 256] = alphabet([b'-', b'_']);

/// Base64 (padding optional; `pad` '=' follow the run) to printable UTF-8, mapped by quanta.
fn decode_base64(
    run: &[u8],
    pad: usize,
    start: usize,
    table: &[u8; 256],
    budget: &mut usize,
) -> Option<Decoded> {
    // A last group of 2 or 3 characters makes 1 or 2 bytes; 1 character makes none.
    let tail_bytes = match run.len() % 4 {
        1 => return None,
        t => t.saturating_sub(1),
    };
    let radix = Radix {
        bits: 6,
        group: 4,
        table,
        kind: kind::BASE64,
    };
    radix.decode(run, pad, start, tail_bytes, budget)
}

/// RFC 4648 base32 values; 0xFF for bytes outside the alphabet (upper case only: lower-case
/// runs are words and identifiers far more often than base32).
static BASE32: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 6 {
        t[b'2' as usize + d] = 26 + d as u8;
        d += 1;
    }
    t
};

/// A base32 run (8 characters per 5 bytes; a last group of 2, 4, 5 or 7 characters) that
/// decodes to printable UTF-8, with its map; `pad` trailing `=` belong to the run's end.
fn decode_base32(run: &[u8], pad: usize, start: usize, budget: &mut usize) -> Option<Decoded> {
    let tail_bytes = match run.len() % 8 {
        0 => 0,
        2 => 1,
        4 => 2,
        5 => 3,
        7 => 4,
        _ => return None,
    };
    let radix = Radix {
        bits: 5,
        group: 8,
        table: &BASE32,
        kind: kind::BASE32,
    };
    radix.decode(run, pad, start, tail_bytes, budget)
}

/// A power-of-two alphabet: `bits` per character, `group` characters to a whole number of bytes
/// (hex: 4 and 2, 1 byte; base64: 6 and 4, 3 bytes; base32: 5 and 8, 5 bytes). `table` maps a byte to its value, 0xFF
/// for bytes outside the alphabet.
struct Radix<'a> {
    bits: u32,
    group: usize,
    table: &'a [u8; 256],
    kind: u8,
}

impl Radix<'_> {
    /// Call `f` with each decoded byte of `run` (the last, short group making `tail_bytes`)
    /// until it returns false; None when it did, or when a byte is outside the alphabet.
    fn each_byte(
        &self,
        run: &[u8],
        tail_bytes: usize,
        mut f: impl FnMut(u8) -> bool,
    ) -> Option<()> {
        let group_bits = self.bits * self.group as u32;
        let per_group = (group_bits / 8) as usize;
        for chars in run.chunks(self.group) {
            let mut acc = 0u64;
            for &c in chars {
                let v = self.table[c as usize];
                if v == 0xFF {
                    return None;
                }
                acc = acc << self.bits | u64::from(v);
            }
            acc <<= self.bits * (self.group - chars.len()) as u32;
            let produced = if chars.len() == self.group {
                per_group
            } else {
                tail_bytes
            };
            for k in 0..produced as u32 {
                if !f((acc >> (group_bits - 8 - 8 * k)) as u8) {
                    return None;
                }
            }
        }
        Some(())
    }

    /// `run` decoded, when it is printable UTF-8 and fits the budget, with its map (a unit per
    /// group; the last, short group makes `tail_bytes` bytes and owns the `pad` characters).
    fn decode(
        &self,
        run: &[u8],
        pad: usize,
        start: usize,
        tail_bytes: usize,
        budget: &mut usize,
    ) -> Option<Decoded> {
        let group_bits = self.bits * self.group as u32;
        let per_group = (group_bits / 8) as usize;
        let total = run.len() / self.group * per_group + tail_bytes;
        if total > *budget {
            return None;
        }
        // Most runs are words, paths and hashes that are no encoding of text: they fail within
        // a group or two, so look before allocating anything.
        let mut check = TextCheck::default();
        self.each_byte(run, tail_bytes, |b| check.push(b))?;
        let mut bytes = Vec::with_capacity(total);
        self.each_byte(run, tail_bytes, |b| {
            bytes.push(b);
            true
        })?;
        if !check.finish(&bytes) {
            return None;
        }
        let mut map = Map::starting_at(start);
        for _ in 0..run.len() / self.group {
            map.unit(per_group, self.group, self.kind);
        }
        let tail = run.len() % self.group;
        if tail > 0 {
            map.unit(tail_bytes, tail + pad, self.kind);
        }
        *budget -= bytes.len();
        Some(Decoded {
            bytes,
            map,
            kind: self.kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_runs_read_as_displayed() {
        let text = "pay \u{202E}1111 1111 1111 1114\u{202C} now";
        let mut budget = 1 << 20;
        let mut out = Vec::new();
        find_reversed(text.as_bytes(), &mut budget, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].bytes, b"4111 1111 1111 1111");
        let (s, e, _) = out[0].map.map_span(0, 19);
        assert_eq!(&text[s..e], "\u{202E}1111 1111 1111 1114\u{202C}");
        // Without a pop the run ends at the line break; a short run is no view.
        out.clear();
        find_reversed("a\u{202E}abc\nx".as_bytes(), &mut budget, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn base32_runs_decode_with_their_map() {
        // base32("jane.doe@example.com"), and the same with a 2-byte tail and its padding.
        let text = "x NJQW4ZJOMRXWKQDFPBQW24DMMUXGG33N y";
        let found = decoded(text);
        assert_eq!(found, vec!["jane.doe@example.com".to_string()]);
        let mut budget = 1 << 20;
        let mut out = Vec::new();
        find_encoded(
            b"k=NJQW4ZJOMRXWKQDFPBQW24DMMUXGG33NMU======",
            &mut budget,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].bytes, b"jane.doe@example.come");
        assert_eq!(out[0].kind, kind::BASE32);
        // Random upper-case ids decode to noise and are left alone.
        assert!(decoded("id AKIAIOSFODNN7EXAMPLE ok").is_empty());
    }

    fn edited(text: &str) -> Option<String> {
        edit(text.as_bytes(), true, true).map(|e| String::from_utf8(e.bytes).unwrap())
    }

    fn decoded(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut budget = usize::MAX;
        find_encoded(text.as_bytes(), &mut budget, &mut out);
        out.into_iter()
            .map(|d| String::from_utf8(d.bytes).unwrap())
            .collect()
    }

    #[test]
    fn edits_decode_and_normalise() {
        assert_eq!(edited("plain ascii"), None);
        assert_eq!(edited("4\u{200B}111"), Some("4111".into()));
        assert_eq!(edited("４１１１"), Some("4111".into()));
        assert_eq!(edited("a%20b%40c"), Some("a b@c".into()));
        assert_eq!(edited("%E2%82%AC"), Some("€".into()));
        assert_eq!(edited("\\u0034\\u0031"), Some("41".into()));
        assert_eq!(edited("\\ud83d\\ude00!"), Some("😀!".into()));
        assert_eq!(edited("\\x34\\x31"), Some("41".into()));
        assert_eq!(edited("&#52;&#x31;&commat;&nbsp;"), Some("41@ ".into()));
        assert_eq!(
            edited("jane&#64example&#X2E;com"),
            Some("jane@example.com".into())
        );
        assert_eq!(edited("&#12345678;"), None);
        assert_eq!(edited("/p?q=4111+1111"), Some("/p?q=4111 1111".into()));
        assert_eq!(edited("ts=10:00+01:00 a?b c+d"), None);
        // Only quiet escapes: decoded in a view, but nothing that counts changed.
        assert_eq!(edited("say \\\"hi\\\" &amp; bye"), None);
        // Not escapes at all, or escapes of control characters: left as they are.
        assert_eq!(edited("50% off, %zz, \\q, &bogus; \\u0000 %00"), None);
        // Lone surrogates stay.
        assert_eq!(edited("\\ud83d x"), None);
        // A full-width digit written as a \u escape is both decoded and normalised.
        assert_eq!(edited("\\uff14"), Some("4".into()));
        // Escapes escaped again count: the next layer decodes what they reveal.
        assert_eq!(edited("\\\\u0034"), Some("\\u0034".into()));
        assert_eq!(edited("&amp;#52;"), Some("&#52;".into()));
    }

    #[test]
    fn edit_maps_back_to_the_escape() {
        let text = b"x \\u0034 y";
        let e = edit(text, true, true).unwrap();
        assert_eq!(&e.bytes, b"x 4 y");
        let (s, t, k) = e.map.map_span(2, 3);
        assert_eq!(&text[s..t], b"\\u0034");
        assert_eq!(k, kind::ESCAPE);
    }

    #[test]
    fn runs_decode_when_printable() {
        // "jane.doe@example.com" in base64, padded and not; URL-safe; hex.
        assert_eq!(
            decoded("x amFuZS5kb2VAZXhhbXBsZS5jb20= y"),
            vec!["jane.doe@example.com"]
        );
        assert_eq!(
            decoded("amFuZS5kb2VAZXhhbXBsZS5jb20"),
            vec!["jane.doe@example.com"]
        );
        assert_eq!(decoded("PDw_Pz8-Pj4_Pz8-Pj4_"), vec!["<<???>>>???>>>?"]);
        assert_eq!(decoded("6a616e6540782e696f"), vec!["jane@x.io"]);
        // A base64 token behind a path.
        assert_eq!(
            decoded("/v1/users/amFuZS5kb2VAZXhhbXBsZS5jb20"),
            vec!["jane.doe@example.com"]
        );
        // Hashes, random ids and words decode to nothing printable.
        assert!(
            decoded("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").is_empty()
        );
        assert!(decoded("dQw4w9WgXcQdQw4w9WgXcQ Zm9vYmFy characterization").is_empty());
    }

    #[test]
    fn base64_maps_by_quanta() {
        let text = b"k=amFuZUBleC5pbw== ";
        let mut out = Vec::new();
        let mut budget = usize::MAX;
        find_encoded(text, &mut budget, &mut out);
        let d = &out[0];
        assert_eq!(&d.bytes, b"jane@ex.io");
        let (s, e, _) = d.map.map_span(0, d.bytes.len());
        assert_eq!(&text[s..e], b"amFuZUBleC5pbw==");
        let (s, e, _) = d.map.map_span(4, 5);
        assert_eq!(&text[s..e], b"ZUBl");
    }

    #[test]
    fn budget_bounds_decoding() {
        let mut out = Vec::new();
        let mut budget = 10;
        find_encoded(b"amFuZS5kb2VAZXhhbXBsZS5jb20", &mut budget, &mut out);
        assert!(out.is_empty());
        assert_eq!(budget, 10);
    }

    #[test]
    fn utf16le_runs_are_found_with_their_map() {
        let mut text = b"log: ".to_vec();
        for &b in b"mail jane.doe@example.com" {
            text.extend([b, 0]);
        }
        text.extend(b" short: ");
        for &b in b"abc" {
            text.extend([b, 0]);
        }
        let (mut budget, mut out) = (1 << 20, Vec::new());
        find_encoded(&text, &mut budget, &mut out);
        assert_eq!(out.len(), 1, "the 3-character run is too short");
        assert_eq!(out[0].bytes, b"mail jane.doe@example.com");
        assert_eq!(out[0].kind, kind::UTF16);
        assert_eq!(out[0].map.map_span(5, 25).0, 5 + 2 * 5);
    }
}
