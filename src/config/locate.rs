//! Finds where a value came from in the TOML text, so validation errors (found after serde is done)
//! can name the line of the offending key.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

pub struct Locator<'i> {
    root: Spanned<DeTable<'i>>,
}

impl<'i> Locator<'i> {
    pub fn new(root: Spanned<DeTable<'i>>) -> Self {
        Self { root }
    }

    /// The span of the deepest key (or array item) of `path` present in the text: the key itself
    /// when found, so the column points at the start of `key = …`.
    pub fn span(&self, path: &[Seg<'_>]) -> Option<Range<usize>> {
        let mut best: Option<Range<usize>> = None;
        let mut table: Option<&DeTable<'i>> = Some(self.root.get_ref());
        let mut value: Option<&Spanned<DeValue<'i>>> = None;
        for seg in path {
            match seg {
                Seg::Key(k) => {
                    let t = match (table, value) {
                        (Some(t), None) => t,
                        (_, Some(v)) => match v.get_ref().as_table() {
                            Some(t) => t,
                            None => break,
                        },
                        (None, None) => break,
                    };
                    let Some((key, v)) = t.get_key_value(*k) else {
                        break;
                    };
                    best = Some(key.span());
                    table = None;
                    value = Some(v);
                }
                Seg::Index(i) => {
                    let Some(item) = value
                        .and_then(|v| v.get_ref().as_array())
                        .and_then(|a| a.get(*i))
                    else {
                        break;
                    };
                    best = Some(item.span());
                    value = Some(item);
                }
            }
        }
        best
    }
}
