//! Invisible format characters in backend text (a zero-width joiner in an alert name, a bidi
//! override in a label) are drawn as `<U+200D>`: seen, never written raw, never misaligning a
//! row, the same in every pane.

mod kit;
use kit::{am, screen};
use onwatch::app::state::Setup;

#[test]
fn a_zero_width_joiner_in_an_alert_name_is_named_and_the_columns_stay_aligned() {
    let mut s = kit::state(Setup {
        sources: vec![am()],
        group_by: vec!["alertname".into(), "team".into()],
        ..kit::setup()
    });
    let alert = |name: &str| {
        kit::obs(
            "prod",
            "am-0",
            kit::alert(
                &[("alertname", name), ("team", "pay\u{202e}ments")],
                kit::t0(),
            ),
        )
    };
    let snapshot = kit::snapshot(
        "http://127.0.0.1:1",
        vec![alert("DiskFull"), alert("Disk\u{200d}Full")],
        vec![],
    );
    onwatch::app::update(
        &mut s,
        kit::alerts_msg(am(), 1, kit::t0(), snapshot),
        &kit::clock(),
    );
    assert_eq!(
        s.groups.len(),
        2,
        "two names that only look alike are two groups"
    );
    let terminal = kit::render(&s, &onwatch::ui::Theme::default(), 100, 30);
    let buf = terminal.backend().buffer();
    for cell in buf.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(onwatch::domain::visible::shown_as_code),
            "written raw: {:?}",
            cell.symbol()
        );
    }
    let out = screen(&s, 100, 30);
    assert!(out.contains("Disk<U+200D>Full"), "{out}");
    assert!(out.contains("pay<U+202E>ments"), "{out}");
    // The group rows' right-hand counts start in the same column.
    let ends: Vec<usize> = out
        .lines()
        .filter(|l| l.contains("1 firing"))
        .filter_map(|l| l.find("1 firing").map(|at| l[..at].chars().count()))
        .collect();
    assert!(ends.len() >= 2, "{out}");
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{out}");
}
