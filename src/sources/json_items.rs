//! A JSON list split into its items as the bytes arrive, so a list answer is decoded while it
//! is read and never held whole: the body of 20,000 alerts costs one item's bytes (when an
//! item straddles two chunks) beside what the decoded items cost.
//!
//! Only the list's own structure is checked here (brackets, strings, commas at the top
//! level); each item's bytes go to the caller, which decodes them (and may find them bad).

/// Where the splitter is in the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// Before the opening `[`.
    Start,
    /// Inside the list where an item may start; `true` after a comma (an item must follow).
    BeforeItem(bool),
    /// Inside an item.
    InItem,
    /// After the closing `]`.
    End,
}

/// Why the answer is not a list, or not a whole one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAList {
    /// The first byte that is not whitespace is not `[`.
    NotAList(u8),
    /// Something other than `,` or `]` after an item, or bytes after the list.
    Malformed(&'static str),
    /// The answer ended inside the list.
    CutShort,
}

impl std::fmt::Display for NotAList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAList::NotAList(b) if b.is_ascii_graphic() => {
                write!(f, "not a list (it starts with '{}')", char::from(*b))
            }
            NotAList::NotAList(_) => f.write_str("not a list"),
            NotAList::Malformed(why) => f.write_str(why),
            NotAList::CutShort => f.write_str("the list is cut short"),
        }
    }
}

/// Splits a JSON list fed in chunks into the bytes of each item.
#[derive(Debug)]
pub struct ItemSplitter {
    at: At,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// The start of an item that began in an earlier chunk.
    pending: Vec<u8>,
}

impl Default for ItemSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl ItemSplitter {
    pub fn new() -> Self {
        Self {
            at: At::Start,
            depth: 0,
            in_string: false,
            escaped: false,
            pending: Vec::new(),
        }
    }

    /// Feeds the next chunk; `item` is called with the bytes of every item it completes.
    pub fn feed(&mut self, chunk: &[u8], item: &mut impl FnMut(&[u8])) -> Result<(), NotAList> {
        // Where the current item starts in this chunk; `None` while in an item begun in an
        // earlier chunk (its start is in `pending`).
        let mut start = None;
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            match self.at {
                At::Start => match b {
                    b'[' => self.at = At::BeforeItem(false),
                    b if b.is_ascii_whitespace() => {}
                    b => return Err(NotAList::NotAList(b)),
                },
                At::BeforeItem(after_comma) => match b {
                    b if b.is_ascii_whitespace() => {}
                    b']' if !after_comma => self.at = At::End,
                    b',' | b']' => return Err(NotAList::Malformed("a list item is missing")),
                    _ => {
                        self.at = At::InItem;
                        start = Some(i);
                        continue; // the item's first byte is scanned as part of it
                    }
                },
                At::InItem if self.in_string => {
                    if self.escaped {
                        self.escaped = false;
                    } else {
                        // Straight to the string's next quote or backslash: most of an item's
                        // bytes are in its strings.
                        let Some(at) = memchr::memchr2(b'"', b'\\', &chunk[i..]) else {
                            i = chunk.len();
                            continue;
                        };
                        i += at;
                        if chunk[i] == b'\\' {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                    }
                }
                At::InItem => match b {
                    b'"' => self.in_string = true,
                    b'[' | b'{' => self.depth += 1,
                    b']' | b'}' if self.depth > 0 => self.depth -= 1,
                    b',' | b']' if self.depth == 0 => {
                        self.emit(chunk, start.take(), i, item);
                        self.at = if b == b',' {
                            At::BeforeItem(true)
                        } else {
                            At::End
                        };
                    }
                    _ => {}
                },
                At::End if b.is_ascii_whitespace() => {}
                At::End => return Err(NotAList::Malformed("bytes after the end of the list")),
            }
            i += 1;
        }
        if self.at == At::InItem {
            self.pending.extend_from_slice(&chunk[start.unwrap_or(0)..]);
        }
        Ok(())
    }

    /// The answer ended: it must have been a whole list.
    pub fn finish(&self) -> Result<(), NotAList> {
        match self.at {
            At::End => Ok(()),
            _ => Err(NotAList::CutShort),
        }
    }

    fn emit(
        &mut self,
        chunk: &[u8],
        start: Option<usize>,
        end: usize,
        item: &mut impl FnMut(&[u8]),
    ) {
        match start {
            Some(s) => item(trim_end(&chunk[s..end])),
            None => {
                self.pending.extend_from_slice(&chunk[..end]);
                item(trim_end(&self.pending));
                self.pending.clear();
            }
        }
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(chunks: &[&[u8]]) -> Result<Vec<String>, NotAList> {
        let mut s = ItemSplitter::new();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, &mut |b| {
                out.push(String::from_utf8_lossy(b).into_owned())
            })?;
        }
        s.finish()?;
        Ok(out)
    }

    #[test]
    fn items_are_cut_at_top_level_commas_only() {
        let body = br#" [ {"a":"x,]}\"y","b":[1,2,{"c":{}}]} , "s\\", 3 ,[] ,null] "#;
        assert_eq!(
            split(&[body]).unwrap(),
            [
                r#"{"a":"x,]}\"y","b":[1,2,{"c":{}}]}"#,
                r#""s\\""#,
                "3",
                "[]",
                "null"
            ]
        );
        assert_eq!(split(&[b"[]"]).unwrap(), Vec::<String>::new());
        assert_eq!(split(&[b" [ ] "]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn what_is_not_a_whole_list_is_said() {
        assert_eq!(split(&[br#"{"a":1}"#]), Err(NotAList::NotAList(b'{')));
        assert_eq!(split(&[b""]), Err(NotAList::CutShort));
        assert_eq!(split(&[br#"[{"a":1},{"b""#]), Err(NotAList::CutShort));
        assert_eq!(
            split(&[b"[1,]"]),
            Err(NotAList::Malformed("a list item is missing"))
        );
        assert_eq!(
            split(&[b"[,1]"]),
            Err(NotAList::Malformed("a list item is missing"))
        );
        assert_eq!(
            split(&[b"[1] x"]),
            Err(NotAList::Malformed("bytes after the end of the list"))
        );
        assert_eq!(
            NotAList::NotAList(b'{').to_string(),
            "not a list (it starts with '{')"
        );
    }

    proptest! {
        /// However the answer is cut into chunks, the items are those serde reads.
        #[test]
        fn chunking_never_changes_the_items(
            items in proptest::collection::vec("[a-z,\\[\\]{}\"\\\\ ]{0,12}", 0..12),
            cuts in proptest::collection::vec(0usize..400, 0..8),
        ) {
            let values: Vec<serde_json::Value> = items
                .iter()
                .enumerate()
                .map(|(i, s)| if i % 2 == 0 { serde_json::json!({"k": s, "n": [i, {"s": s}]}) } else { serde_json::json!(s) })
                .collect();
            let body = serde_json::to_vec(&values).unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(body.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for c in cuts {
                chunks.push(&body[last..c]);
                last = c;
            }
            chunks.push(&body[last..]);
            let got = split(&chunks).unwrap();
            let want: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            prop_assert_eq!(got, want);
        }
    }
}
