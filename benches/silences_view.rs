//! Drawing `:silences` at 200x50 with 5,000 silences over 1,000 alerts (each silenced by one).

#[path = "../tests/kit/mod.rs"]
mod kit;
use chrono::Duration;
use criterion::{Criterion, criterion_group, criterion_main};
use onwatch::domain::alerts::{Matcher, Silence, SilenceState};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn draw_silences(c: &mut Criterion) {
    let mut cockpit = kit::Cockpit::new();
    let now = cockpit.now();
    let silences: Vec<Silence> = (0..5_000)
        .map(|i| Silence {
            id: format!("0000{i:04}-aaaa-bbbb-cccc-dddddddddddd"),
            matchers: vec![Matcher {
                name: "instance".into(),
                value: format!("host-{i}:9100"),
                is_regex: false,
                is_equal: true,
            }],
            starts_at: now - Duration::minutes(5),
            ends_at: now + Duration::minutes(10 + i),
            created_by: "bench".into(),
            comment: "maintenance window".into(),
            state: SilenceState::Active,
        })
        .collect();
    let alerts = (0..1_000)
        .map(|i| {
            let a = kit::alert(
                &[
                    ("alertname", "Disk"),
                    ("instance", &format!("host-{i}:9100")),
                ],
                now,
            );
            kit::silenced(a, &[&silences[i].id])
        })
        .collect();
    cockpit.poll(alerts, silences);
    cockpit.key(Key::char(':'));
    for ch in "silences".chars() {
        cockpit.key(Key::char(ch));
    }
    cockpit.key(Key::plain(KeyCode::Enter));
    cockpit.keys("jjjj");
    let theme = Theme::default();
    let mut terminal = match Terminal::new(TestBackend::new(200, 50)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    c.bench_function("silences/draw_200x50_5000_silences", |b| {
        b.iter(|| {
            let _ = terminal.draw(|f| ui::draw(f, black_box(&cockpit.state), &theme));
        })
    });
}

criterion_group!(benches, draw_silences);
criterion_main!(benches);
