//! `{{name}}` placeholders filled from a lookup: the one template syntax of webhook bodies,
//! command arguments and the PagerDuty acknowledge's dedup key.

/// Fills `{{name}}` placeholders from `lookup`; `escape_json` escapes each value for a JSON
/// string (the template's quotes stay the template's). Unknown names become empty.
pub fn render(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    escape_json: bool,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let value = lookup(after[..end].trim()).unwrap_or_default();
        if escape_json {
            let quoted = serde_json::Value::String(value).to_string();
            out.push_str(&quoted[1..quoted.len() - 1]);
        } else {
            out.push_str(&value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_escapes_for_json() {
        let look = |k: &str| match k {
            "note" => Some("say \"hi\"\n".to_string()),
            "labels.a" => Some("b".to_string()),
            _ => None,
        };
        let out = render(
            r#"{"n":"{{ note }}","a":"{{labels.a}}","x":"{{nope}}"}"#,
            &look,
            true,
        );
        assert_eq!(out, r#"{"n":"say \"hi\"\n","a":"b","x":""}"#);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["n"], "say \"hi\"\n");
        assert_eq!(render("--x={{labels.a}} {{", &look, false), "--x=b {{");
    }
}
