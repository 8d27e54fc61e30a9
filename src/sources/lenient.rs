//! Reading list answers one item at a time, so one item that cannot be read costs that item
//! and is counted, never the whole answer.

use crate::domain::health::{SourceError, Unreadable, item_reason};

/// Decodes a JSON list item by item: an item that cannot be read is left out and counted
/// with the reason of the first such one. Bytes that are not UTF-8 (JSON refuses them
/// anywhere in the body) become U+FFFD first, so one label written in Latin-1 costs its own
/// characters rather than the whole answer.
pub fn decode_each<T>(
    body: &[u8],
    what: &str,
    item: &'static str,
    decode: impl Fn(&serde_json::Value) -> Result<T, serde_json::Error>,
) -> Result<(Vec<T>, Unreadable), SourceError> {
    let text = String::from_utf8_lossy(body);
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| super::http::decode_error(&e, what))?;
    let mut unreadable = Unreadable::none(item);
    let out = items
        .iter()
        .filter_map(|v| match decode(v) {
            Ok(t) => Some(t),
            Err(e) => {
                unreadable.add(item_reason(&e.to_string()));
                None
            }
        })
        .collect();
    Ok((out, unreadable))
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
        let (named, unreadable) = decode_each(&body, "a list", "alert", |v| {
            serde_json::from_value::<Named>(v.clone())
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
        let err = decode_each(b"{}", "a list of alerts", "alert", |v| {
            serde_json::from_value::<Named>(v.clone())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("expected a list of alerts"),
            "{err}"
        );
    }
}
