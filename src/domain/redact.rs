//! Masking secrets out of text. A `Redactor` knows secret values and the forms they travel in
//! (raw, percent- and form-encoded, JSON-escaped, base64 standard and URL-safe with or without
//! padding, `user:password` for basic auth) and replaces each occurrence with `***`. Whatever it
//! was told, it also masks the credential after an `Authorization:` header name and long
//! `Bearer` tokens, so a header echoed by a proxy is hidden even if its value is not ours.

use regex::Regex;
use std::fmt;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Secrets shorter than this are masked only inside longer forms (`user:pw` as base64): one to
/// three characters would match inside every other word, and such a secret guards nothing.
pub const MIN_SECRET: usize = 4;

/// Header values shorter than this are labels (`X-Scope-OrgID: prod`), not credentials:
/// masking them would blank every occurrence of a common word on the screen.
pub const MIN_HEADER_VALUE: usize = 8;

/// Secrets to mask, compiled into one pattern. Debug shows how many, never which.
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<String>,
    known: Option<Regex>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

/// `Authorization: <scheme> <credential>` as echoed in text or JSON (`"authorization":["…"]`).
/// A second alternative catches a long token after `Bearer` wherever it stands.
fn header_pattern() -> Option<&'static Regex> {
    static P: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(
            r#"(?i)(\b(?:proxy-)?authorization["']?\s*[:=]\s*\[?\s*["']?(?:(?:bearer|basic|token|digest|negotiate)\s+)?)[A-Za-z0-9._~+/=%:*-]+|(\bbearer\s+)[A-Za-z0-9._~+/=-]{16,}"#,
        )
        .ok()
    });
    P.as_ref()
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// A token, password, routing key or header value, in every form it travels in.
    pub fn add_secret(&mut self, value: &str) {
        if value.chars().count() < MIN_SECRET {
            return;
        }
        let mut forms = encodings(value);
        forms.extend(
            base64_forms(value.as_bytes())
                .iter()
                .flat_map(|b| encodings(b)),
        );
        self.add_forms(forms);
    }

    /// Basic-auth credentials: the password, and `user:password` raw, encoded and as base64.
    pub fn add_credentials(&mut self, user: &str, password: &str) {
        self.add_secret(password);
        if password.is_empty() {
            return;
        }
        // a short pair still travels as a longer base64 (`a:b` is `YTpi`)
        let pair = format!("{user}:{password}");
        // the base64 URL-encoded too: `/`, `+` and `=` are escaped in a query or a form
        let mut forms: Vec<String> = base64_forms(pair.as_bytes())
            .iter()
            .flat_map(|b| encodings(b))
            .collect();
        if pair.chars().count() >= MIN_SECRET {
            forms.extend(encodings(&pair));
        }
        self.add_forms(forms);
    }

    /// A value configured as a header: masked when it is long enough to be a credential.
    pub fn add_header_value(&mut self, name: &str, value: &str) {
        let harmless = ["accept", "accept-encoding", "content-type", "user-agent"];
        if value.trim().chars().count() >= MIN_HEADER_VALUE
            && !harmless.iter().any(|h| name.eq_ignore_ascii_case(h))
        {
            self.add_secret(value.trim());
        }
    }

    fn add_forms(&mut self, forms: Vec<String>) {
        let before = self.needles.len();
        for f in forms {
            if f.chars().count() >= MIN_SECRET && !self.needles.contains(&f) {
                self.needles.push(f);
            }
        }
        if self.needles.len() == before {
            return;
        }
        // Longest first: a padded base64 form wins over its unpadded prefix.
        self.needles
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        let alternation = self
            .needles
            .iter()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        self.known = Regex::new(&alternation).ok();
    }

    /// `text` with every known secret and every echoed credential replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        self.masked(text).into_owned()
    }

    /// `mask`, borrowing `text` when nothing in it is masked (most text: no copy).
    pub fn masked<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        use std::borrow::Cow;
        // `is_match` first: most text holds nothing to mask, and a plain search is far cheaper
        // than the capturing one a replacement runs (a snapshot masks every label it writes).
        let known = match &self.known {
            Some(re) if re.is_match(text) => re.replace_all(text, MASK),
            _ => Cow::Borrowed(text),
        };
        let Some(re) = header_pattern().filter(|re| re.is_match(&known)) else {
            return known;
        };
        let headers = |c: &regex::Captures<'_>| {
            let kept = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            format!("{kept}{MASK}")
        };
        match known {
            Cow::Borrowed(t) => re.replace_all(t, headers),
            Cow::Owned(t) => Cow::Owned(re.replace_all(&t, headers).into_owned()),
        }
    }

    /// Bytes (a response body) masked like text; invalid UTF-8 is replaced first.
    pub fn mask_bytes(&self, bytes: &[u8]) -> String {
        self.mask(&String::from_utf8_lossy(bytes))
    }

    /// Every string (and key) in a JSON value masked, so the document stays valid JSON.
    pub fn mask_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => *s = self.mask(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_json(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    self.mask_json(&mut v);
                    map.insert(self.mask(&k), v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Where in `text` a known secret or an echoed credential stands (byte ranges), for
    /// masking text that cannot simply be rewritten (cells of a screen).
    pub fn find(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out: Vec<_> = self
            .known
            .iter()
            .flat_map(|re| re.find_iter(text).map(|m| m.range()))
            .collect();
        for c in header_pattern()
            .iter()
            .flat_map(|re| re.captures_iter(text))
        {
            if let (Some(all), Some(kept)) = (c.get(0), c.get(1).or_else(|| c.get(2))) {
                out.push(kept.end()..all.end());
            }
        }
        out
    }
}

/// The value raw, percent-encoded (both hex cases), form-encoded and JSON-escaped.
fn encodings(value: &str) -> Vec<String> {
    let upper = percent_encode(value, true);
    vec![
        value.to_string(),
        percent_encode(value, false),
        upper.replace("%20", "+"),
        upper,
        json_escaped(value),
    ]
}

/// Every byte but the URL-unreserved ones as `%XX` (`upper` picks the hex digits' case).
fn percent_encode(value: &str, upper: bool) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else if upper {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// The value as it appears between the quotes of a JSON string.
fn json_escaped(value: &str) -> String {
    let quoted = serde_json::Value::String(value.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// Standard and URL-safe base64, padded and not.
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    let padded = base64(bytes);
    let url_padded = padded.replace('+', "-").replace('/', "_");
    vec![
        padded.trim_end_matches('=').to_string(),
        url_padded.trim_end_matches('=').to_string(),
        padded,
        url_padded,
    ]
}

/// Standard base64 with padding (what `Authorization: Basic` carries).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes `%XX` escapes (a URL's userinfo is stored encoded, sent decoded).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `invalid type: string "tok3n", expected …` -> `invalid type: string, expected …`: a parser's
/// message says where the data went wrong, and the data it quotes may be anything.
pub fn strip_quoted_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i + "string".len()]);
        let quoted = &rest[i + "string \"".len()..];
        let mut escaped = false;
        let mut end = None;
        for (j, c) in quoted.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(j + 1);
                    break;
                }
                _ => {}
            }
        }
        match end {
            Some(e) => rest = &quoted[e..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_token(t: &str) -> Redactor {
        let mut r = Redactor::new();
        r.add_secret(t);
        r
    }

    #[test]
    fn raw_and_encoded_tokens_are_masked() {
        let r = with_token("s3cr/t+k=y");
        assert_eq!(r.mask("x s3cr/t+k=y y"), "x *** y");
        assert_eq!(r.mask("q=s3cr%2Ft%2Bk%3Dy&"), "q=***&");
        assert_eq!(r.mask("q=s3cr%2ft%2bk%3dy&"), "q=***&");
        assert_eq!(
            r.mask("dXNlcg s3cr"),
            "dXNlcg s3cr",
            "a prefix is not the secret"
        );
        let spaced = with_token("a b\"c");
        assert_eq!(spaced.mask("f=a+b%22c"), "f=***");
        assert_eq!(spaced.mask(r#"{"t":"a b\"c"}"#), r#"{"t":"***"}"#);
    }

    #[test]
    fn basic_credentials_are_masked_in_base64_every_way() {
        let mut r = Redactor::new();
        r.add_credentials("Aladdin", "open sesame?>");
        let b64 = base64(b"Aladdin:open sesame?>");
        assert_eq!(b64, "QWxhZGRpbjpvcGVuIHNlc2FtZT8+");
        for text in [
            format!("Basic {b64}"),
            format!("Basic {}", b64.replace('+', "-")),
            "Aladdin:open sesame?>".to_string(),
            "Aladdin%3Aopen%20sesame%3F%3E".to_string(),
        ] {
            let masked = r.mask(&text);
            assert!(
                !masked.contains("sesame") && !masked.contains("ZT8"),
                "{masked}"
            );
        }
        let mut padded = Redactor::new();
        padded.add_credentials("a", "b");
        assert_eq!(padded.mask("x YTpi y"), "x *** y");
        assert_eq!(base64(b"a:bc"), "YTpiYw==");
        let mut r = Redactor::new();
        r.add_credentials("a", "bc");
        assert_eq!(
            r.mask("Basic-ish YTpiYw== and YTpiYw"),
            "Basic-ish *** and ***"
        );
    }

    #[test]
    fn echoed_authorization_headers_are_masked_even_when_unknown() {
        let r = Redactor::new();
        assert_eq!(
            r.mask("denied; you sent Authorization: Bearer abc.def-123"),
            "denied; you sent Authorization: Bearer ***"
        );
        assert_eq!(
            r.mask(r#"{"Authorization":["Basic dTpw"],"X":["1"]}"#),
            r#"{"Authorization":["Basic ***"],"X":["1"]}"#
        );
        assert_eq!(r.mask("authorization=xyz; next"), "authorization=***; next");
        assert_eq!(
            r.mask("token: bearer 0123456789abcdefXYZ rest"),
            "token: bearer *** rest"
        );
        // prose about auth stays readable
        assert_eq!(
            r.mask("authorization required; use a bearer token"),
            "authorization required; use a bearer token"
        );
    }

    #[test]
    fn very_short_secrets_are_not_masked_in_every_word() {
        let r = with_token("p");
        assert!(r.is_empty());
        assert_eq!(r.mask("parse error"), "parse error");
    }

    #[test]
    fn header_values_only_when_long_enough_to_be_credentials() {
        let mut r = Redactor::new();
        r.add_header_value("X-Scope-OrgID", "prod");
        r.add_header_value("Accept", "application/json");
        assert!(r.is_empty());
        r.add_header_value("X-Scope-OrgID", "tenant-7f3a9c");
        assert_eq!(r.mask("tenant tenant-7f3a9c denied"), "tenant *** denied");
    }

    #[test]
    fn json_stays_json_and_debug_names_no_value() {
        let r = with_token("12345678");
        let mut v = serde_json::json!({"n": 12345678, "s": "id 12345678", "12345678": [true]});
        r.mask_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"n": 12345678, "s": "id ***", "***": [true]})
        );
        let d = format!("{r:?}");
        assert!(!d.contains("1234"), "{d}");
    }

    #[test]
    fn find_points_at_what_mask_replaces() {
        let r = with_token("hunter2");
        let text = "a hunter2 b Authorization: Basic Zm9v";
        let ranges = r.find(text);
        let found: Vec<&str> = ranges.iter().map(|x| &text[x.clone()]).collect();
        assert_eq!(found, ["hunter2", "Zm9v"]);
    }

    #[test]
    fn percent_decode_and_strip_quoted() {
        assert_eq!(percent_decode("p%40ss%2Fw%zz"), "p@ss/w%zz");
        assert_eq!(
            strip_quoted_strings(r#"invalid type: string "a\"b", expected a sequence"#),
            "invalid type: string, expected a sequence"
        );
        assert_eq!(strip_quoted_strings("no strings here"), "no strings here");
    }
}
