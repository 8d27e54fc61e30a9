//! The PromQL subset the demo config uses: `sum(rate(METRIC{l="v",l=~"re"}[W]))`, bare `rate(...)`,
//! parentheses, `or`, `* N`, and one top-level `/` between two such expressions (the cockpit's
//! `((errors) or (total) * 0) / (total)`). Anything else is refused with a Prometheus-style
//! `bad_data` message rather than answered wrongly.

use super::matchers::{LabelMatcher, Op};
use super::traffic::Traffic;
use std::collections::BTreeMap;

const SUPPORTED: &str = "the onwatch demo simulator supports only sum(rate(metric{...}[window])), rate(...), vector(N), parentheses, \"or\", \"* N\" and one \"/\"";

#[derive(Debug)]
pub enum Expr {
    Rate {
        matchers: Vec<LabelMatcher>,
        /// Seconds.
        window: f64,
    },
    Sum(Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    /// `a or b`: a's series, then b's whose labels a lacks.
    Or(Box<Expr>, Box<Expr>),
    /// `e * N`.
    Scale(Box<Expr>, f64),
    /// `vector(N)`: one sample without labels (a common "is the API alive" probe).
    Vector(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A parse error, displayed as Prometheus does: `1:COL: parse error: ...`.
#[derive(Debug, PartialEq)]
pub struct ParseError {
    pub col: usize,
    pub msg: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1:{}: parse error: {}", self.col, self.msg)
    }
}

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    p.skip_ws();
    if p.at_end() {
        return Err(p.err("no expression found in input"));
    }
    let e = p.expr()?;
    p.skip_ws();
    if !p.at_end() {
        let c = p.chars[p.pos];
        if c == '/' {
            return Err(p.err(&format!(
                "only one top-level \"/\" is supported: {SUPPORTED}"
            )));
        }
        return Err(p.err(&format!("unexpected character {c:?} ({SUPPORTED})")));
    }
    Ok(e)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn err(&self, msg: &str) -> ParseError {
        ParseError {
            col: self.pos + 1,
            msg: msg.to_string(),
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), ParseError> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// expr := union [ '/' union ]
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let left = self.union()?;
        self.skip_ws();
        if self.peek() == Some('/') {
            self.pos += 1;
            let right = self.union()?;
            return Ok(Expr::Div(Box::new(left), Box::new(right)));
        }
        Ok(left)
    }

    /// union := scaled { 'or' scaled }
    fn union(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.scaled()?;
        loop {
            self.skip_ws();
            let keyword = self.chars[self.pos..].starts_with(&['o', 'r'])
                && !self
                    .chars
                    .get(self.pos + 2)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
            if !keyword {
                return Ok(left);
            }
            self.pos += 2;
            let right = self.scaled()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
    }

    /// scaled := term [ '*' number ]
    fn scaled(&mut self) -> Result<Expr, ParseError> {
        let inner = self.term()?;
        self.skip_ws();
        if self.peek() != Some('*') {
            return Ok(inner);
        }
        self.pos += 1;
        self.skip_ws();
        let mut text = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '-' | '+'))
        {
            text.push(c);
            self.pos += 1;
        }
        let factor: f64 = text
            .parse()
            .map_err(|_| self.err(&format!("\"*\" needs a number: {SUPPORTED}")))?;
        Ok(Expr::Scale(Box::new(inner), factor))
    }

    /// term := '(' union ')' | 'sum' '(' term ')' | 'rate' '(' selector '[' duration ']' ')' | 'vector' '(' N ')'
    fn term(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let inner = self.union()?;
                self.skip_ws();
                if self.peek() == Some('/') {
                    return Err(self.err(&format!(
                        "\"/\" inside parentheses is not supported: {SUPPORTED}"
                    )));
                }
                self.expect(')', "unclosed left parenthesis")?;
                Ok(inner)
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                let name = self.ident();
                self.skip_ws();
                if self.peek() != Some('(') {
                    self.pos = start;
                    return Err(self.err(&format!(
                        "a bare selector {name:?} is not supported: {SUPPORTED}"
                    )));
                }
                match name.as_str() {
                    "sum" => {
                        self.pos += 1;
                        let inner = self.term()?;
                        self.expect(')', "unclosed left parenthesis")?;
                        Ok(Expr::Sum(Box::new(inner)))
                    }
                    "rate" => {
                        self.pos += 1;
                        let e = self.rate_args()?;
                        self.expect(')', "unclosed left parenthesis")?;
                        Ok(e)
                    }
                    "vector" => {
                        self.pos += 1;
                        self.skip_ws();
                        let mut text = String::new();
                        while let Some(c) = self.peek().filter(|c| *c != ')') {
                            text.push(c);
                            self.pos += 1;
                        }
                        let v: f64 = text.trim().parse().map_err(|_| {
                            self.err(&format!("vector() needs a number, got {:?}", text.trim()))
                        })?;
                        self.expect(')', "unclosed left parenthesis")?;
                        Ok(Expr::Vector(v))
                    }
                    "by" | "without" => {
                        Err(self.err(&format!("grouping is not supported: {SUPPORTED}")))
                    }
                    other => {
                        self.pos = start;
                        Err(self.err(&format!("function {other:?} is not supported: {SUPPORTED}")))
                    }
                }
            }
            Some(c) => Err(self.err(&format!("unexpected character {c:?} ({SUPPORTED})"))),
            None => Err(self.err("unexpected end of input")),
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                s.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        s
    }

    fn rate_args(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        let mut matchers = Vec::new();
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        {
            let name = self.ident();
            matchers.push(LabelMatcher::new("__name__", Op::Eq, &name).map_err(|e| self.err(&e))?);
        }
        self.skip_ws();
        if self.peek() == Some('{') {
            self.pos += 1;
            loop {
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.pos += 1;
                    break;
                }
                matchers.push(self.matcher()?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some('}') => {}
                    _ => {
                        return Err(
                            self.err("unexpected character inside braces: expected \",\" or \"}\"")
                        );
                    }
                }
            }
        }
        if matchers.is_empty() {
            return Err(self.err("expected a metric name or label matchers in rate()"));
        }
        if !matchers.iter().any(|m| !m.matches_value("")) {
            return Err(self.err("vector selector must contain at least one non-empty matcher"));
        }
        self.skip_ws();
        if self.peek() != Some('[') {
            return Err(self.err(
                "expected type range vector in call to function \"rate\", got instant vector",
            ));
        }
        self.pos += 1;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c == ']' {
                break;
            }
            text.push(c);
            self.pos += 1;
        }
        if text.trim() == "$window" {
            return Err(self.err("\"$window\" was not replaced by a window such as 5m"));
        }
        let window = crate::domain::duration::parse(text.trim())
            .map_err(|e| self.err(&format!("bad number or duration syntax: {e}")))?;
        if window.is_zero() {
            return Err(self.err("range must be positive"));
        }
        self.expect(']', "unclosed left bracket")?;
        Ok(Expr::Rate {
            matchers,
            window: window.as_secs_f64(),
        })
    }

    fn matcher(&mut self) -> Result<LabelMatcher, ParseError> {
        let name = self.ident();
        if name.is_empty() {
            return Err(self.err("expected label name"));
        }
        self.skip_ws();
        let rest: String = self.chars[self.pos..].iter().take(2).collect();
        let op = if rest.starts_with("=~") {
            Op::Re
        } else if rest.starts_with("!~") {
            Op::NotRe
        } else if rest.starts_with("!=") {
            Op::Ne
        } else if rest.starts_with('=') {
            Op::Eq
        } else {
            return Err(self.err("expected label matching operator"));
        };
        self.pos += op.as_str().len();
        self.skip_ws();
        let value = self.string()?;
        LabelMatcher::new(&name, op, &value).map_err(|e| self.err(&e))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let quote = match self.peek() {
            Some(q @ ('"' | '\'' | '`')) => q,
            _ => return Err(self.err("expected a quoted label value")),
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated quoted string")),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') if quote != '`' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(c) => out.push(c),
                        None => return Err(self.err("unterminated quoted string")),
                    }
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Evaluates at scenario time `s`. An empty result means no data, never zero.
pub fn eval(e: &Expr, traffic: &Traffic, s: f64) -> Vec<Sample> {
    match e {
        Expr::Rate { matchers, window } => traffic
            .series
            .iter()
            .filter(|series| super::matchers::matches_all(matchers, &series.labels))
            .map(|series| {
                let mut labels = series.labels.clone();
                labels.remove("__name__");
                Sample {
                    labels,
                    value: traffic.series_increase(series, s - window, s) / window,
                }
            })
            .collect(),
        Expr::Sum(inner) => {
            let v = eval(inner, traffic, s);
            if v.is_empty() {
                Vec::new()
            } else {
                vec![Sample {
                    labels: BTreeMap::new(),
                    value: v.iter().map(|x| x.value).sum(),
                }]
            }
        }
        Expr::Vector(v) => vec![Sample {
            labels: BTreeMap::new(),
            value: *v,
        }],
        Expr::Or(l, r) => {
            let mut out = eval(l, traffic, s);
            for b in eval(r, traffic, s) {
                if !out.iter().any(|a| a.labels == b.labels) {
                    out.push(b);
                }
            }
            out
        }
        Expr::Scale(inner, k) => eval(inner, traffic, s)
            .into_iter()
            .map(|x| Sample {
                labels: x.labels,
                value: x.value * k,
            })
            .collect(),
        Expr::Div(l, r) => {
            let right = eval(r, traffic, s);
            eval(l, traffic, s)
                .into_iter()
                .filter_map(|a| {
                    right.iter().find(|b| b.labels == a.labels).map(|b| Sample {
                        labels: a.labels.clone(),
                        value: a.value / b.value,
                    })
                })
                .collect()
        }
    }
}

/// Prometheus's text form of a sample value.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(q: &str, t: &Traffic, s: f64) -> Option<f64> {
        let v = eval(&parse(q).unwrap(), t, s);
        assert!(v.len() <= 1);
        v.first().map(|x| x.value)
    }

    const ERR: &str = r#"sum(rate(http_requests_total{service="checkout",code=~"5.."}[W]))"#;
    const TOTAL: &str = r#"sum(rate(http_requests_total{service="checkout"}[W]))"#;

    #[test]
    fn the_ratio_matches_the_traffic_model() {
        let t = Traffic::new(42);
        for w in ["5m", "1h", "3d", "30d"] {
            let q = format!("({}) / ({})", ERR.replace('W', w), TOTAL.replace('W', w));
            let secs = crate::domain::duration::parse(w).unwrap().as_secs_f64();
            let got = one(&q, &t, 330.0).unwrap();
            let want = t.service("checkout").unwrap().error_ratio(330.0, secs);
            assert!((got - want).abs() < 1e-9, "{w}: {got} vs {want}");
        }
    }

    #[test]
    fn parts_alone_and_bare_rate() {
        let t = Traffic::new(42);
        let total = one(&TOTAL.replace('W', "5m"), &t, 100.0).unwrap();
        assert!(total > 100.0);
        let per_code = eval(
            &parse(r#"rate(http_requests_total{service="checkout"}[5m])"#).unwrap(),
            &t,
            100.0,
        );
        assert_eq!(per_code.len(), 4);
        assert!(per_code.iter().all(|s| !s.labels.contains_key("__name__")));
        let sum: f64 = per_code.iter().map(|s| s.value).sum();
        assert!((sum - total).abs() < 1e-6 * total);
    }

    #[test]
    fn vector_literal() {
        let t = Traffic::new(42);
        assert_eq!(one("vector(1)", &t, 0.0), Some(1.0));
        assert_eq!(one("vector(6) / vector(3)", &t, 0.0), Some(2.0));
        assert!(parse("vector(x)").is_err());
    }

    #[test]
    fn no_data_is_empty_not_zero() {
        let t = Traffic::new(42);
        assert_eq!(
            one(
                r#"sum(rate(http_requests_total{service="nope"}[5m]))"#,
                &t,
                10.0
            ),
            None
        );
        assert_eq!(
            one(
                r#"sum(rate(other_metric[5m])) / sum(rate(http_requests_total[5m]))"#,
                &t,
                10.0
            ),
            None
        );
    }

    #[test]
    fn a_30d_window_evaluates_to_one_sample() {
        let t = Traffic::new(42);
        let q = format!(
            "({}) / ({})",
            ERR.replace('W', "30d"),
            TOTAL.replace('W', "30d")
        );
        let expr = parse(&q).unwrap();
        for _ in 0..100 {
            assert_eq!(eval(&expr, &t, 1_000_000.0).len(), 1);
        }
    }

    #[test]
    fn the_cockpits_ratio_counts_a_missing_error_series_as_zero() {
        let t = Traffic::new(42);
        let total = r#"sum(rate(http_requests_total{service="checkout"}[5m]))"#;
        let ratio = |errors: &str| {
            one(
                &format!("(({errors}) or ({total}) * 0) / ({total})"),
                &t,
                330.0,
            )
        };
        // No 6xx series exist: 0 errors, not "no data".
        assert_eq!(
            ratio(r#"sum(rate(http_requests_total{service="checkout",code=~"6.."}[5m]))"#),
            Some(0.0)
        );
        let fives = ratio(&ERR.replace('W', "5m")).unwrap();
        let plain = one(
            &format!("({}) / ({total})", ERR.replace('W', "5m")),
            &t,
            330.0,
        );
        assert_eq!(Some(fives), plain);
        assert!(fives > 0.0);
        // No traffic: still nothing.
        let none = r#"sum(rate(http_requests_total{service="nope"}[5m]))"#;
        assert_eq!(
            one(&format!("(({none}) or ({none}) * 0) / ({none})"), &t, 330.0),
            None
        );
        assert_eq!(one("vector(2) * 3", &t, 0.0), Some(6.0));
        assert!(parse("vector(2) * x").is_err());
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for q in [
            "",
            "up",
            "avg(rate(x[5m]))",
            "sum by (code) (rate(x[5m]))",
            "sum(rate(x[5m])) / sum(rate(x[5m])) / sum(rate(x[5m]))",
            "sum(rate(x[5m])",
            "rate(x)",
            "rate(x[$window])",
            r#"rate(x{a=~"("}[5m])"#,
            r#"rate({a=""}[5m])"#,
            "sum(rate(x[5m])) + 1",
        ] {
            let e = parse(q).err().unwrap_or_else(|| panic!("{q:?} parsed"));
            assert!(e.to_string().contains("parse error"), "{q}: {e}");
        }
    }

    #[test]
    fn error_positions_point_at_the_problem() {
        let e = parse("sum(avg(x))").err().unwrap();
        assert_eq!(e.col, 5);
    }

    #[test]
    fn values_format_like_prometheus() {
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(0.25), "0.25");
    }
}
