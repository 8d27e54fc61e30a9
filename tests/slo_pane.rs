//! The SLO pane and its detail view through the reducer and `TestBackend`: `Enter` on an SLO
//! shows every window, the rule that fired, the sparkline, the queries sent, the last error
//! and the graph link; at 80 columns the status is never dropped.

#![allow(clippy::unwrap_used)]

mod kit;
use kit::t0;
use onwatch::app::msg::{Msg, Payload, SloSample};
use onwatch::app::state::{Overlay, Setup};
use onwatch::app::{FixedClock, Key, State, update};
use onwatch::domain::keymap::KeyCode;
use onwatch::domain::slo::SloDef;
use onwatch::domain::slo::{SloMeasurement, default_rules, windows_for};
use onwatch::ui::Theme;
use std::sync::Arc;
use std::time::Duration;

fn def(name: &str) -> SloDef {
    SloDef {
        name: name.into(),
        source: "prod".into(),
        objective: 0.999,
        period: Duration::from_secs(30 * 86_400),
    }
}

fn state(n: usize) -> State {
    let setup = Setup {
        sources: vec![kit::prom()],
        slos: (0..n).map(|i| def(&format!("slo-{i:03}"))).collect(),
        burn_rules: default_rules(),
        ..kit::setup()
    };
    State::new(setup, t0())
}

/// SLO `i` burns `i` times faster than its budget allows on every window.
fn samples(n: usize) -> Vec<SloSample> {
    (0..n)
        .map(|i| {
            let ratio = 0.001 * i as f64 / 2.0;
            SloSample {
                name: format!("slo-{i:03}"),
                measurement: SloMeasurement {
                    error_ratios: windows_for(&default_rules())
                        .into_iter()
                        .map(|w| (w, Some(ratio)))
                        .collect(),
                    period_ratio: Some(0.0005),
                },
                queries: vec![format!(
                    "(sum(rate(errors_{i}[5m]))) / (sum(rate(total[5m])))"
                )],
                history: Some(vec![0.0, ratio / 2.0, ratio]),
                graph_url: Some(format!("http://prom:9090/graph?g0.expr=errors_{i}")),
                ..Default::default()
            }
        })
        .collect()
}

fn fed(n: usize) -> (State, FixedClock) {
    let mut st = state(n);
    let clock = FixedClock::new(t0());
    update(
        &mut st,
        kit::source_msg(
            kit::prom(),
            1,
            t0(),
            Ok(Payload::Slo(Arc::new(samples(n).into()))),
        ),
        &clock,
    );
    (st, clock)
}

#[test]
fn enter_opens_the_worst_slo_in_detail() {
    let (mut st, clock) = fed(40);
    update(&mut st, Msg::Key(Key::char('1')), &clock);
    update(&mut st, Msg::Key(Key::plain(KeyCode::Enter)), &clock);
    // Worst first: every SLO has half its budget left; slo-039 burns fastest (19.5x).
    assert_eq!(
        st.overlay,
        Some(Overlay::SloDetail("prod".into(), "slo-039".into()))
    );
    let text = kit::screen(&st, 100, 40);
    for want in [
        "SLO slo-039",
        "PAGE",
        "page: 1h and 5m > 14.4×",
        "ticket: 3d and 6h > 1×",
        "5m",
        "30m",
        "2h",
        "3d",
        "30d (period)",
        "1.9500%",
        "19.5",
        "budget left  50.0%",
        "exhausted in",
        "▁▅█",
        "(sum(rate(errors_39[5m]))) / (sum(rate(total[5m])))",
        "http://prom:9090/graph?g0.expr=errors_39",
        "last error   none",
    ] {
        assert!(text.contains(want), "{want:?} missing in:\n{text}");
    }
    update(&mut st, Msg::Key(Key::plain(KeyCode::Esc)), &clock);
    assert_eq!(st.overlay, None);
}

#[test]
fn eighty_columns_keep_the_status_and_wide_screens_add_time_to_exhaustion() {
    let (st, _) = fed(5);
    let narrow = kit::rows(
        kit::render(&st, &Theme::default(), 80, 30)
            .backend()
            .buffer(),
    );
    let header = narrow
        .iter()
        .find(|r| r.contains("SLO ") && r.contains("status"))
        .unwrap();
    assert!(!header.contains("tte"), "{header}");
    assert!(
        narrow
            .iter()
            .any(|r| r.contains("slo-004") && r.contains("TICKET"))
    );
    let wide = kit::rows(
        kit::render(&st, &Theme::default(), 139, 40)
            .backend()
            .buffer(),
    );
    let header = wide.iter().find(|r| r.contains("status")).unwrap();
    assert!(header.contains("tte"), "{header}");
}

#[test]
fn the_first_rows_are_the_full_order_cut_short() {
    // Ties on every key (same budget, same burn per pair) must fall in the same place.
    let (mut st, _) = fed(30);
    for (i, row) in st.slos.iter_mut().enumerate() {
        if let Some(e) = row.eval.as_mut() {
            e.burn_rates
                .values_mut()
                .for_each(|b| *b = Some((i / 2) as f64));
        }
    }
    let full = st.slo_order();
    assert_eq!(full.len(), 30);
    for n in [0, 1, 7, 29, 30, 31] {
        assert_eq!(st.slo_order_first(n), full[..n.min(30)], "first {n}");
    }
}

/// A grouped SLO's rows: the definition's own row until groups come back, one per group
/// then, a group gone from the results gone from the pane, the definition's row again when
/// none is left.
#[test]
fn grouped_rows_follow_the_groups_found() {
    let mut st = state(0);
    st.slos.push(onwatch::app::state::SloRow::new(
        def("avail"),
        onwatch::domain::slo::SloOrigin::Config,
    ));
    let clock = FixedClock::new(t0());
    let group = |name: &str| SloSample {
        name: name.into(),
        new_row: Some((def(name), onwatch::domain::slo::SloOrigin::Config)),
        family: Some("avail".into()),
        ..Default::default()
    };
    let mut generation = 0;
    let mut feed = |st: &mut State, names: &[&str]| {
        let samples: Vec<_> = names.iter().map(|n| group(n)).collect();
        generation += 1;
        update(
            st,
            kit::source_msg(
                kit::prom(),
                generation,
                t0(),
                Ok(Payload::Slo(Arc::new(samples.into()))),
            ),
            &clock,
        );
        let mut rows: Vec<String> = st.slos.iter().map(|r| r.def.name.clone()).collect();
        rows.sort();
        rows
    };
    let (cart, pay) = (r#"avail{service="cart"}"#, r#"avail{service="pay"}"#);
    assert_eq!(feed(&mut st, &[cart, pay]), [cart, pay]);
    assert_eq!(feed(&mut st, &[pay]), [pay]);
    assert_eq!(feed(&mut st, &["avail"]), ["avail"]);
}

#[test]
fn slash_in_the_slo_pane_filters_the_slos_not_the_alerts() {
    let mut st = state(12);
    let clock = FixedClock::new(t0());
    update(&mut st, Msg::Key(Key::char('1')), &clock);
    for k in kit::filter_keys("slo-01") {
        update(&mut st, Msg::Key(k), &clock);
    }
    assert!(st.alert_filter.is_empty(), "the alerts filter is untouched");
    assert_eq!(st.slo_filter, "slo-01");
    let names: Vec<&str> = st
        .slo_order()
        .into_iter()
        .map(|i| st.slos[i].def.name.as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}"); // slo-010, slo-011
    assert!(names.iter().all(|n| n.starts_with("slo-01")), "{names:?}");
    let text = kit::screen(&st, 100, 40);
    assert!(text.contains("1/2 filter: slo-01"), "{text}");
    // The cursor stays among what is shown.
    for _ in 0..5 {
        update(&mut st, Msg::Key(Key::char('j')), &clock);
    }
    assert_eq!(st.slo_cursor, 1);
}

#[test]
fn the_slo_cursor_stays_on_its_slo_when_a_poll_reorders_the_rows() {
    let (mut st, clock) = fed(5);
    update(&mut st, Msg::Key(Key::char('1')), &clock);
    update(&mut st, Msg::Key(Key::char('j')), &clock);
    let chosen = |st: &State| st.slos[st.slo_order()[st.slo_cursor]].def.name.clone();
    assert_eq!(chosen(&st), "slo-003", "worst first: 004, then 003");
    // The next poll reverses the burn rates: slo-000 now burns fastest.
    let mut next = samples(5);
    next.reverse();
    for (i, s) in next.iter_mut().enumerate() {
        s.name = format!("slo-{i:03}");
    }
    update(
        &mut st,
        kit::source_msg(
            kit::prom(),
            2,
            t0(),
            Ok(Payload::Slo(Arc::new(next.into()))),
        ),
        &clock,
    );
    assert_eq!(st.slos[st.slo_order()[0]].def.name, "slo-000", "reordered");
    assert_eq!(chosen(&st), "slo-003", "the cursor followed its SLO");
    update(&mut st, Msg::Key(Key::plain(KeyCode::Enter)), &clock);
    assert_eq!(
        st.overlay,
        Some(Overlay::SloDetail("prod".into(), "slo-003".into()))
    );
}

#[test]
fn the_same_slo_discovered_on_two_backends_says_which_source_each_row_is() {
    let source = |name: &str| {
        onwatch::domain::health::SourceId::new(
            onwatch::domain::health::SourceKind::Prometheus,
            name,
        )
    };
    let mut st = State::new(
        Setup {
            sources: vec![source("prom-eu"), source("vm-us")],
            burn_rules: default_rules(),
            ..kit::setup()
        },
        t0(),
    );
    let clock = FixedClock::new(t0());
    let found = |name: &str| SloSample {
        name: name.into(),
        new_row: Some((
            SloDef {
                source: String::new(),
                ..def(name)
            },
            onwatch::domain::slo::SloOrigin::Sloth,
        )),
        ..Default::default()
    };
    for (n, (src, names)) in [
        ("prom-eu", vec!["checkout", "search"]),
        ("vm-us", vec!["checkout"]),
    ]
    .into_iter()
    .enumerate()
    {
        let samples: Vec<SloSample> = names.into_iter().map(found).collect();
        update(
            &mut st,
            kit::source_msg(
                source(src),
                n as u64 + 1,
                t0(),
                Ok(Payload::Slo(Arc::new(samples.into()))),
            ),
            &clock,
        );
    }
    assert_eq!(st.slos.len(), 3);
    let out = kit::screen(&st, 100, 30);
    assert!(out.contains("checkout (prom-eu)"), "{out}");
    assert!(out.contains("checkout (vm-us)"), "{out}");
    assert!(
        out.contains("search ") && !out.contains("search ("),
        "a unique name stays plain:\n{out}"
    );
}
