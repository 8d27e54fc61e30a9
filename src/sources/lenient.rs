//! Reading list answers one item at a time, so one item that cannot be read costs that item
//! and is counted, never the whole answer.

use crate::domain::health::{SourceError, Unreadable, item_reason};

use super::json_items::{ItemSplitter, NotAList};

/// Decodes a JSON list item by item: an item that cannot be read is left out and counted
/// with the reason of the first such one. Bytes that are not UTF-8 (JSON refuses them
/// anywhere in the body) become U+FFFD first, so one label written in Latin-1 costs its own
/// characters rather than the whole answer.
pub fn decode_each<T>(
    body: &[u8],
    what: &'static str,
    item: &'static str,
    decode: impl FnMut(&str) -> Result<T, serde_json::Error>,
) -> Result<(Vec<T>, Unreadable), SourceError> {
    let mut items = ItemDecoder::new(what, item, decode);
    items.feed(body)?;
    items.finish()
}

/// `decode_each` fed as the answer arrives: each item is decoded as soon as its last byte is
/// read, from its own bytes, so the answer is never held whole and nothing is built for an
/// item but its result.
pub struct ItemDecoder<T, F> {
    splitter: ItemSplitter,
    decode: F,
    out: Vec<T>,
    unreadable: Unreadable,
    what: &'static str,
}

impl<T, F> ItemDecoder<T, F>
where
    F: FnMut(&str) -> Result<T, serde_json::Error>,
{
    pub fn new(what: &'static str, item: &'static str, decode: F) -> Self {
        Self {
            splitter: ItemSplitter::new(),
            decode,
            out: Vec::new(),
            unreadable: Unreadable::none(item),
            what,
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), SourceError> {
        let (decode, out, unreadable) = (&mut self.decode, &mut self.out, &mut self.unreadable);
        self.splitter
            .feed(chunk, &mut |bytes| {
                let decoded = match std::str::from_utf8(bytes) {
                    Ok(text) => decode(text),
                    Err(_) => decode(&String::from_utf8_lossy(bytes)),
                };
                match decoded {
                    Ok(t) => out.push(t),
                    Err(e) => unreadable.add(item_reason(&e.to_string())),
                }
            })
            .map_err(|e| not_a_list(&e, self.what))
    }

    pub fn finish(self) -> Result<(Vec<T>, Unreadable), SourceError> {
        self.splitter
            .finish()
            .map_err(|e| not_a_list(&e, self.what))?;
        Ok((self.out, self.unreadable))
    }
}

/// What a body that is not a whole list is called, as a decoder error says it.
fn not_a_list(e: &NotAList, what: &str) -> SourceError {
    let cause = match e {
        NotAList::CutShort => "truncated JSON".to_string(),
        NotAList::NotAList(b) if b"{\"-0123456789tfn".contains(b) => e.to_string(),
        NotAList::NotAList(_) | NotAList::Malformed(_) => "not JSON".to_string(),
    };
    SourceError::BadResponse(format!("expected {what}: {cause}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Named {
        name: String,
    }

    #[test]
    fn bytes_that_are_not_utf8_cost_their_characters_not_the_answer() {
        let mut body = br#"[{"name":"Good"},{"name":"Caf"#.to_vec();
        body.push(0xe9); // Latin-1 'é'
        body.extend_from_slice(br#""},{"nom":"x"}]"#);
        let (named, unreadable) = decode_each(&body, "a list", "alert", |raw| {
            serde_json::from_str::<Named>(raw)
        })
        .unwrap();
        let names: Vec<&str> = named.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["Good", "Caf\u{fffd}"]);
        assert_eq!(
            unreadable.describe().as_deref(),
            Some("1 alert unreadable: missing name")
        );
    }

    #[test]
    fn a_body_that_is_not_a_list_fails_naming_what_was_expected() {
        let err = decode_each(b"{}", "a list of alerts", "alert", |raw| {
            serde_json::from_str::<Named>(raw)
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("expected a list of alerts"),
            "{err}"
        );
    }
}
