//! Reading list answers one item at a time, so one item that cannot be read costs that item
//! and is counted, never the whole answer.

use crate::domain::health::{SourceError, Unreadable, item_reason};

/// Decodes a JSON list item by item: an item that cannot be read is left out and counted
/// with the reason of the first such one. Bytes that are not UTF-8 (JSON refuses them
/// anywhere in the body) become U+FFFD first, so one label written in Latin-1 costs its own
/// characters rather than the whole answer.
///
/// Items are decoded as the list is read, each from its own slice of the body: nothing is
/// built for an item but its result, so a body of millions of tiny bad values costs what the
/// good ones cost, not a tree of all of them.
pub fn decode_each<T>(
    body: &[u8],
    what: &str,
    item: &'static str,
    decode: impl Fn(&str) -> Result<T, serde_json::Error>,
) -> Result<(Vec<T>, Unreadable), SourceError> {
    let text = String::from_utf8_lossy(body);
    let mut each = Each {
        decode: &decode,
        out: Vec::new(),
        unreadable: Unreadable::none(item),
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    serde::Deserializer::deserialize_seq(&mut de, &mut each)
        .and_then(|()| de.end())
        .map_err(|e| super::http::decode_error(&e, what))?;
    Ok((each.out, each.unreadable))
}

struct Each<'f, T, F> {
    decode: &'f F,
    out: Vec<T>,
    unreadable: Unreadable,
}

impl<'de, T, F> serde::de::Visitor<'de> for &mut Each<'_, T, F>
where
    F: Fn(&str) -> Result<T, serde_json::Error>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de serde_json::value::RawValue>()? {
            match (self.decode)(raw.get()) {
                Ok(t) => self.out.push(t),
                Err(e) => self.unreadable.add(item_reason(&e.to_string())),
            }
        }
        Ok(())
    }
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
