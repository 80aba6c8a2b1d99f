//! The finding shape every stage of the engine hands on.

use crate::viewmap::Origin;

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
