//! Sanitising, levels and the bounded buffer, against hostile input.
use super::level::without_shown_escapes;
use super::*;
use proptest::prelude::*;

fn clean(s: &[u8]) -> String {
    sanitise(s, SanitiseOptions::default())
}

#[test]
fn colours_are_dropped_other_escapes_shown() {
    assert_eq!(clean(b"\x1b[31mred\x1b[0m ok"), "red ok");
    assert_eq!(clean(b"\x1b]0;title\x07x"), "^[]0;title^Gx");
    assert_eq!(clean(b"a\x1b[2Jb"), "a^[[2Jb");
    assert_eq!(clean(b"nul\x00cr\r"), "nul^@cr^M");
    assert_eq!(clean("c1\u{9b}2J".as_bytes()), "c1<U+009B>2J");
    assert_eq!(clean("rtl\u{202e}txt".as_bytes()), "rtl<U+202E>txt");
    assert_eq!(
        clean("zwj\u{200d}x\u{feff}".as_bytes()),
        "zwj<U+200D>x<U+FEFF>"
    );
}

#[test]
fn tabs_expand_to_columns_and_bad_utf8_is_replaced() {
    assert_eq!(clean(b"a\tb"), "a       b");
    assert_eq!(clean(b"abcdefgh\tb"), "abcdefgh        b");
    assert_eq!(clean(b"x\xffy"), "x\u{fffd}y");
}

#[test]
fn long_lines_are_cut_with_a_marker() {
    let raw = vec![b'x'; 1_000_000];
    let out = sanitise(
        &raw,
        SanitiseOptions {
            tab_width: 8,
            max_line_bytes: 100,
            ..Default::default()
        },
    );
    assert!(out.starts_with(&"x".repeat(100)));
    assert!(out.ends_with("…[cut 999900 bytes]"), "{}", &out[90..]);
}

#[test]
fn levels_from_json_logfmt_and_text() {
    assert_eq!(
        detect_level(r#"{"ts":1,"level":"error","msg":"x"}"#),
        Level::Error
    );
    assert_eq!(detect_level("ts=1 level=warn msg=slow"), Level::Warn);
    assert_eq!(
        detect_level("2026-11-22 03:00:00 ERROR payment failed"),
        Level::Error
    );
    assert_eq!(detect_level("[INFO] started"), Level::Info);
    assert_eq!(
        detect_level("an error happened in lowercase prose"),
        Level::Unknown
    );
}

fn line(text: &str) -> LogLine {
    LogLine {
        timestamp: DateTime::<Utc>::UNIX_EPOCH,
        source: "s".into(),
        level: Level::Info,
        line: text.into(),
        ..Default::default()
    }
}

#[test]
fn buffer_drops_oldest_and_counts() {
    let mut b = LogBuffer::new(3, usize::MAX);
    for i in 0..5 {
        b.push(line(&i.to_string()));
    }
    assert_eq!(b.len(), 3);
    assert_eq!(b.dropped(), 2);
    assert_eq!(
        b.iter().map(|l| l.line.as_str()).collect::<Vec<_>>(),
        ["2", "3", "4"]
    );
    assert_eq!(
        b.tail(2).map(|l| l.line.as_str()).collect::<Vec<_>>(),
        ["3", "4"]
    );
}

#[test]
fn buffer_respects_byte_budget() {
    let mut b = LogBuffer::new(1000, 10_000);
    for _ in 0..1000 {
        b.push(line(&"y".repeat(500)));
    }
    assert!(b.bytes() <= 10_000);
    assert!(b.dropped() > 900);
}

fn keep() -> SanitiseOptions {
    SanitiseOptions {
        ansi: AnsiMode::Keep,
        ..Default::default()
    }
}

#[test]
fn colours_kept_as_spans_over_the_clean_text() {
    let s = sanitise_styled(b"\x1b[1;31mERR\x1b[0m ok \x1b[38;5;208mhot\x1b[m", keep());
    assert_eq!(s.text, "ERR ok hot");
    assert_eq!(s.styles.len(), 2);
    assert_eq!((s.styles[0].start, s.styles[0].end), (0, 3));
    assert_eq!(s.styles[0].style.fg, Some(AnsiColor::Indexed(1)));
    assert!(s.styles[0].style.has(sgr::BOLD));
    assert_eq!(&s.text[7..10], "hot");
    assert_eq!((s.styles[1].start, s.styles[1].end), (7, 10));
    assert_eq!(s.styles[1].style.fg, Some(AnsiColor::Indexed(208)));
    // A colour never reset runs to the end; strip mode keeps no span.
    let open = sanitise_styled(b"\x1b[32mgreen", keep());
    assert_eq!((open.styles[0].start, open.styles[0].end), (0, 5));
    let stripped = sanitise_styled(b"\x1b[32mgreen", SanitiseOptions::default());
    assert_eq!(stripped.text, "green");
    assert!(stripped.styles.is_empty());
    // Other escapes are still shown, not interpreted, with colours kept around them.
    let mixed = sanitise_styled(b"\x1b[31ma\x1b[2Jb", keep());
    assert_eq!(mixed.text, "a^[[2Jb");
    assert_eq!(mixed.styles[0].end as usize, mixed.text.len());
}

#[test]
fn bytes_a_reader_discarded_are_counted_in_the_marker() {
    let s = sanitise_partial(b"abc", 10, SanitiseOptions::default());
    assert_eq!(s.text, "abc …[cut 10 bytes]");
    let raw = vec![b'x'; 300];
    let s = sanitise_partial(
        &raw,
        700,
        SanitiseOptions {
            max_line_bytes: 100,
            ..Default::default()
        },
    );
    assert!(s.text.ends_with("…[cut 900 bytes]"), "{}", s.text);
}

#[test]
fn a_cut_line_closes_its_span_at_the_cut() {
    let mut raw = b"\x1b[31m".to_vec();
    raw.extend(vec![b'x'; 500]);
    let s = sanitise_styled(
        &raw,
        SanitiseOptions {
            max_line_bytes: 100,
            ..keep()
        },
    );
    assert_eq!(s.styles[0].end, 100);
    assert!(s.text.ends_with("…[cut 400 bytes]"));
}

#[test]
fn levels_read_around_escapes_shown_in_caret_notation() {
    let shown = |raw: &str| sanitise(raw.as_bytes(), SanitiseOptions::default());
    for (raw, want) in [
        ("\x1b[2J\x1b[HFATAL worker 2532 crashed", Level::Fatal),
        ("\x1b]0;pwned\x07ERROR panic in handler", Level::Error),
        ("\x1b]0;t\x1b\\WARN slow", Level::Warn),
        ("\x1b7INFO saved", Level::Info),
    ] {
        let text = shown(raw);
        assert!(text.contains("^["), "{text}");
        assert_eq!(detect_level(&text), want, "{text}");
    }
    assert_eq!(without_shown_escapes("a^[[1;31mb^[]x^Gc^["), "abc");
    assert_eq!(detect_level("plain HFATAL words"), Level::Unknown);
}

#[test]
fn levels_from_glog_syslog_brackets_and_numbers() {
    assert_eq!(
        detect_level("E1122 03:00:00.000000   1 main.go:1] boom"),
        Level::Error
    );
    assert_eq!(detect_level("W1122 03:00:00.000000 slow"), Level::Warn);
    assert_eq!(detect_level("<3>disk failed"), Level::Error);
    assert_eq!(detect_level("<12>kern: low memory"), Level::Warn);
    assert_eq!(detect_level("12:00:01 [E] payment failed"), Level::Error);
    assert_eq!(detect_level("12:00:01 [warn] slow"), Level::Warn);
    assert_eq!(detect_level(r#"{"level":50,"msg":"x"}"#), Level::Error);
    assert_eq!(
        detect_level(r#"{"PRIORITY":"4","MESSAGE":"x"}"#),
        Level::Warn
    );
    assert_eq!(detect_level("ts=1 lvl=debug msg=x"), Level::Debug);
    assert_eq!(
        detect_level(r#"{"detected_level":"x","level":"info"}"#),
        Level::Info,
        "a key that only ends in level is not the level"
    );
    // A multi-byte char across the 512-byte head does not panic.
    let long = format!("{}é ERROR", "a".repeat(511));
    assert_eq!(detect_level(&long), Level::Unknown);
    assert_eq!(detect_level("E12 not glog"), Level::Unknown);
}

proptest! {
    #[test]
    fn no_control_byte_survives(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
        let out = clean(&raw);
        for c in out.chars() {
            prop_assert!(!(c.is_control()), "control {:?} in {:?}", c, out);
        }
    }

    #[test]
    fn styled_output_is_clean_and_spans_are_sound(
        parts in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..20),
                "\\x1b\\[[0-9;:]{0,12}m".prop_map(String::into_bytes),
                Just(b"\x1b[38;2;1;2;3m".to_vec()),
            ],
            0..20,
        ),
        max in 1usize..200,
    ) {
        let raw: Vec<u8> = parts.concat();
        let out = sanitise_styled(&raw, SanitiseOptions { max_line_bytes: max, ..keep() });
        for c in out.text.chars() {
            prop_assert!(!c.is_control(), "control {:?} in {:?}", c, out.text);
        }
        let mut prev_end = 0;
        for span in &out.styles {
            let (a, b) = (span.start as usize, span.end as usize);
            prop_assert!(prev_end <= a && a < b && b <= out.text.len());
            prop_assert!(out.text.is_char_boundary(a) && out.text.is_char_boundary(b));
            prop_assert!(!span.style.is_plain());
            prev_end = b;
        }
    }
}
