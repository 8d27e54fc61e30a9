//! The editor's keys: readline's, and the few more the text area it replaced answered.

use super::*;

fn typed(s: &str) -> LineEdit {
    let mut e = LineEdit::new();
    for c in s.chars() {
        e.key(Key::char(c));
    }
    e
}

fn alt(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
        alt: true,
    }
}

fn with(code: KeyCode, ctrl: bool, alt: bool) -> Key {
    Key { code, ctrl, alt }
}

fn press(e: &mut LineEdit, keys: &[Key]) {
    for k in keys {
        e.key(*k);
    }
}

fn at(e: &LineEdit) -> (&str, usize) {
    (e.text(), e.cursor())
}

#[test]
fn typing_inserts_at_the_cursor() {
    let mut e = typed("acd");
    press(
        &mut e,
        &[Key::plain(KeyCode::Left), Key::plain(KeyCode::Left)],
    );
    e.key(Key::char('b'));
    assert_eq!(at(&e), ("abcd", 2));
}

#[test]
fn the_cursor_counts_chars_not_bytes() {
    let mut e = typed("é🐱x");
    assert_eq!(e.cursor(), 3);
    e.key(Key::plain(KeyCode::Left));
    e.key(Key::plain(KeyCode::Backspace));
    assert_eq!(at(&e), ("éx", 1));
    e.key(Key::plain(KeyCode::Delete));
    assert_eq!(at(&e), ("é", 1));
}

#[test]
fn backspace_and_delete_stop_at_the_ends() {
    let mut e = typed("ab");
    assert!(!e.key(Key::plain(KeyCode::Delete)));
    e.key(Key::plain(KeyCode::Home));
    assert!(!e.key(Key::plain(KeyCode::Backspace)));
    assert!(e.key(Key::ctrl('d')));
    assert_eq!(at(&e), ("b", 0));
    e.key(Key::plain(KeyCode::End));
    assert!(e.key(Key::ctrl('h')));
    assert_eq!(at(&e), ("", 0));
}

#[test]
fn moves_stay_inside_the_line() {
    let mut e = typed("abc");
    press(&mut e, &[Key::plain(KeyCode::Right), Key::ctrl('f')]);
    assert_eq!(e.cursor(), 3);
    press(&mut e, &[Key::ctrl('b'), Key::ctrl('a')]);
    assert_eq!(e.cursor(), 0);
    e.key(Key::plain(KeyCode::Left));
    assert_eq!(e.cursor(), 0);
    e.key(Key::ctrl('e'));
    assert_eq!(e.cursor(), 3);
    for k in [KeyCode::Up, KeyCode::Down] {
        e.key(Key::plain(k));
        assert_eq!(at(&e), ("abc", 3));
    }
    e.key(with(KeyCode::Left, true, true));
    assert_eq!(e.cursor(), 0);
    e.key(with(KeyCode::Right, true, true));
    assert_eq!(e.cursor(), 3);
}

#[test]
fn paging_goes_to_the_start_as_the_text_area_did() {
    for k in [
        Key::plain(KeyCode::PageUp),
        Key::plain(KeyCode::PageDown),
        Key::ctrl('v'),
        alt('v'),
    ] {
        let mut e = typed("abc");
        e.key(k);
        assert_eq!(at(&e), ("abc", 0), "{k:?}");
    }
}

#[test]
fn word_moves_stop_at_word_and_punctuation_starts() {
    let mut e = typed("foo bar_baz(x)");
    e.key(Key::plain(KeyCode::Home));
    let mut stops = Vec::new();
    for _ in 0..5 {
        e.key(alt('f'));
        stops.push(e.cursor());
    }
    assert_eq!(stops, [4, 11, 12, 13, 14]);
    let mut back = Vec::new();
    for _ in 0..5 {
        e.key(with(KeyCode::Left, true, false));
        back.push(e.cursor());
    }
    assert_eq!(back, [13, 12, 11, 4, 0]);
    e.key(with(KeyCode::Right, true, false));
    assert_eq!(e.cursor(), 4);
    e.key(alt('b'));
    assert_eq!(e.cursor(), 0);
}

#[test]
fn word_back_skips_trailing_spaces() {
    let mut e = typed("aaa bbb  ");
    e.key(alt('b'));
    assert_eq!(e.cursor(), 4);
    let mut e = typed("   ");
    e.key(alt('b'));
    assert_eq!(e.cursor(), 0);
}

#[test]
fn ctrl_w_kills_the_word_before_the_cursor() {
    let mut e = typed("aaa bbb ccc");
    e.key(Key::ctrl('w'));
    assert_eq!(at(&e), ("aaa bbb ", 8));
    e.key(Key::ctrl('w'));
    assert_eq!(at(&e), ("aaa ", 4));
    e.key(alt('h'));
    assert_eq!(at(&e), ("", 0));
    assert!(!e.key(with(KeyCode::Backspace, false, true)));
    let mut e = typed("  ");
    e.key(Key::ctrl('w'));
    assert_eq!(at(&e), ("", 0));
}

#[test]
fn alt_d_kills_to_the_end_of_the_next_word() {
    let mut e = typed("aaa bbb ccc");
    e.key(Key::plain(KeyCode::Home));
    e.key(alt('d'));
    assert_eq!(at(&e), (" bbb ccc", 0));
    e.key(with(KeyCode::Delete, false, true));
    assert_eq!(at(&e), (" ccc", 0));
    e.key(alt('d'));
    assert_eq!(at(&e), ("", 0));
    assert!(!e.key(alt('d')));
}

#[test]
fn ctrl_k_and_ctrl_u_kill_to_the_ends_and_ctrl_y_yanks_back() {
    let mut e = typed("abcde");
    press(
        &mut e,
        &[Key::plain(KeyCode::Left), Key::plain(KeyCode::Left)],
    );
    e.key(Key::ctrl('k'));
    assert_eq!(at(&e), ("abc", 3));
    assert!(!e.key(Key::ctrl('k')));
    e.key(Key::ctrl('a'));
    e.key(Key::ctrl('y'));
    assert_eq!(at(&e), ("deabc", 2));
    e.key(Key::ctrl('u'));
    assert_eq!(at(&e), ("abc", 0));
    assert!(!e.key(Key::ctrl('u')));
    e.key(Key::ctrl('e'));
    e.key(Key::ctrl('y'));
    assert_eq!(at(&e), ("abcde", 5));
    // Ctrl-J, the text area's kill to the start, still does the same.
    e.key(Key::plain(KeyCode::Left));
    e.key(Key::ctrl('j'));
    assert_eq!(at(&e), ("e", 0));
}

/// Every readline key from the same place: `foo b|ar baz`.
#[test]
fn readline_keys_from_the_middle_of_a_word() {
    let middle = || {
        let mut e = typed("foo bar baz");
        for _ in 0..6 {
            e.key(Key::plain(KeyCode::Left));
        }
        assert_eq!(e.cursor(), 5);
        e
    };
    let cases: &[(&str, Key, &str, usize)] = &[
        ("ctrl-a", Key::ctrl('a'), "foo bar baz", 0),
        ("home", Key::plain(KeyCode::Home), "foo bar baz", 0),
        ("ctrl-e", Key::ctrl('e'), "foo bar baz", 11),
        ("end", Key::plain(KeyCode::End), "foo bar baz", 11),
        ("ctrl-b", Key::ctrl('b'), "foo bar baz", 4),
        ("left", Key::plain(KeyCode::Left), "foo bar baz", 4),
        ("ctrl-f", Key::ctrl('f'), "foo bar baz", 6),
        ("right", Key::plain(KeyCode::Right), "foo bar baz", 6),
        ("alt-b", alt('b'), "foo bar baz", 4),
        (
            "ctrl-left",
            with(KeyCode::Left, true, false),
            "foo bar baz",
            4,
        ),
        ("alt-f", alt('f'), "foo bar baz", 8),
        (
            "ctrl-right",
            with(KeyCode::Right, true, false),
            "foo bar baz",
            8,
        ),
        ("ctrl-u", Key::ctrl('u'), "ar baz", 0),
        ("ctrl-k", Key::ctrl('k'), "foo b", 5),
        ("ctrl-w", Key::ctrl('w'), "foo ar baz", 4),
        ("alt-d", alt('d'), "foo b baz", 5),
        ("ctrl-h", Key::ctrl('h'), "foo ar baz", 4),
        ("backspace", Key::plain(KeyCode::Backspace), "foo ar baz", 4),
        ("ctrl-d", Key::ctrl('d'), "foo br baz", 5),
        ("delete", Key::plain(KeyCode::Delete), "foo br baz", 5),
        (
            "ctrl-y with nothing killed",
            Key::ctrl('y'),
            "foo bar baz",
            5,
        ),
    ];
    for (name, key, text, cursor) in cases {
        let mut e = middle();
        e.key(*key);
        assert_eq!(at(&e), (*text, *cursor), "{name}");
    }
}

#[test]
fn each_kill_is_what_ctrl_y_yanks() {
    for (kill, yanked) in [
        (Key::ctrl('u'), "foo b"),
        (Key::ctrl('k'), "ar baz"),
        (Key::ctrl('w'), "b"),
        (alt('d'), "ar"),
    ] {
        let mut e = typed("foo bar baz");
        for _ in 0..6 {
            e.key(Key::plain(KeyCode::Left));
        }
        e.key(kill);
        let left = e.text().to_string();
        e.key(Key::ctrl('e'));
        e.key(Key::ctrl('y'));
        assert_eq!(e.text(), format!("{left}{yanked}"), "{kill:?}");
    }
}

#[test]
fn backspace_and_delete_leave_the_yank_alone() {
    let mut e = typed("ab cd");
    e.key(Key::ctrl('w'));
    e.key(Key::plain(KeyCode::Backspace));
    e.key(Key::ctrl('a'));
    e.key(Key::plain(KeyCode::Delete));
    e.key(Key::ctrl('y'));
    assert_eq!(at(&e), ("cdb", 2));
    assert!(!LineEdit::new().key(Key::ctrl('y')));
}

#[test]
fn ctrl_underscore_undoes_and_ctrl_r_redoes() {
    let mut e = typed("ab");
    e.key(Key::ctrl('_'));
    assert_eq!(at(&e), ("a", 1));
    e.key(Key::ctrl('/'));
    assert_eq!(at(&e), ("", 0));
    assert!(!e.key(Key::ctrl('_')));
    e.key(Key::ctrl('r'));
    assert_eq!(at(&e), ("a", 1));
    e.key(Key::char('x'));
    assert!(!e.key(Key::ctrl('r')), "a new edit drops what was undone");
    assert_eq!(at(&e), ("ax", 2));
}

#[test]
fn undo_puts_the_cursor_where_the_text_area_did() {
    // a forward deletion comes back with the cursor after what it restored
    let mut e = typed("abcd");
    e.key(Key::ctrl('a'));
    e.key(Key::plain(KeyCode::Delete));
    e.key(Key::ctrl('_'));
    assert_eq!(at(&e), ("abcd", 1));
    e.key(Key::ctrl('a'));
    e.key(Key::ctrl('k'));
    e.key(Key::ctrl('_'));
    assert_eq!(at(&e), ("abcd", 4));
    e.key(Key::ctrl('r'));
    assert_eq!(at(&e), ("", 0));
}

#[test]
fn undo_remembers_fifty_edits() {
    let mut e = typed(&"x".repeat(60));
    while e.key(Key::ctrl('_')) {}
    assert_eq!(e.text(), "x".repeat(10));
}

#[test]
fn prefilled_text_is_an_edit_undo_takes_back() {
    let mut e = LineEdit::with_text("severity=page");
    assert_eq!(at(&e), ("severity=page", 13));
    e.key(Key::ctrl('_'));
    assert_eq!(at(&e), ("", 0));
}

#[test]
fn set_text_replaces_the_line_as_one_edit() {
    let mut e = typed("sev");
    e.key(Key::ctrl('a'));
    assert!(e.set_text("severity=page\nteam=db"));
    assert_eq!(at(&e), ("severity=page team=db", 21));
    e.key(Key::ctrl('_'));
    assert_eq!(at(&e), ("sev", 0));
    e.key(Key::ctrl('e'));
    e.key(Key::ctrl('a'));
    assert!(!e.set_text("sev"), "the same text is no edit");
    assert_eq!(at(&e), ("sev", 3));
}

#[test]
fn tab_inserts_spaces_to_the_next_stop() {
    let mut e = typed("hi");
    e.key(Key::plain(KeyCode::Tab));
    assert_eq!(at(&e), ("hi  ", 4));
    e.key(Key::plain(KeyCode::BackTab));
    assert_eq!(e.text(), "hi      ");
    let mut e = typed("日");
    e.key(Key::plain(KeyCode::Tab));
    assert_eq!(e.text(), "日  ");
    assert!(!e.key(with(KeyCode::Tab, true, false)));
}

#[test]
fn newlines_become_the_space_lines_were_joined_with() {
    let mut e = typed("a");
    e.key(Key::ctrl('m'));
    e.key(Key::plain(KeyCode::Enter));
    e.key(Key::char('\n'));
    e.key(Key::char('b'));
    assert_eq!(at(&e), ("a   b", 5));
    assert_eq!(LineEdit::with_text("x\r\ny\nz").text(), "x y z");
}

#[test]
fn other_modified_and_function_keys_change_nothing() {
    let mut e = typed("abc");
    for k in [
        alt('x'),
        Key::ctrl('z'),
        Key::ctrl('x'),
        Key::ctrl('c'),
        with(KeyCode::Backspace, true, false),
        Key::plain(KeyCode::F(2)),
        Key::plain(KeyCode::Esc),
        alt('<'),
        alt('>'),
    ] {
        assert!(!e.key(k), "{k:?}");
        assert_eq!(at(&e), ("abc", 3), "{k:?}");
    }
}
