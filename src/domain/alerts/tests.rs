//! Dedup, grouping and reading, against their definitions.
use super::*;
use chrono::TimeZone;

fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + chrono::Duration::minutes(min)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn alert(pairs: &[(&str, &str)], start: i64) -> Alert {
    Alert {
        labels: Arc::new(labels(pairs).into()),
        annotations: Arc::default(),
        state: AmState::Active,
        silenced_by: vec![],
        inhibited_by: vec![],
        starts_at: t(start),
        updated_at: t(start),
        ends_at: None,
        generator_url: None,
        fingerprint: String::new(),
        receivers: Arc::default(),
    }
}

fn obs(replica: &str, a: Alert) -> Observation {
    Observation {
        cluster: "prod".into(),
        replica: replica.into(),
        alert: Arc::new(a),
    }
}

fn dedup_labels() -> Vec<String> {
    vec!["replica".into(), "prometheus_replica".into()]
}

#[test]
fn replicas_sharing_an_alerts_labels_are_one_alert_per_cluster() {
    // As `AlertShare` hands them out: both replicas' copies hold the same labels.
    let shared = Arc::new(alert(&[("alertname", "Disk"), ("replica", "a")], 0));
    let cluster: Arc<str> = "prod".into();
    let seen = |cluster: &Arc<str>, replica: &str| Observation {
        cluster: Arc::clone(cluster),
        replica: replica.into(),
        alert: Arc::clone(&shared),
    };
    let other: Arc<str> = "stage".into();
    let observations = [
        seen(&cluster, "am-0"),
        seen(&cluster, "am-1"),
        seen(&other, "am-0"),
    ];
    let out = dedup_refs(
        &observations,
        &dedup_labels(),
        |_| &[],
        &AlertPolicy::default(),
    );
    let mut got: Vec<(&str, Vec<&str>)> = out
        .iter()
        .map(|a| (a.cluster(), a.sources.iter().map(String::as_str).collect()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("prod", vec!["am-0/replica=a", "am-1/replica=a"]),
            ("stage", vec!["am-0/replica=a"])
        ]
    );
    assert_eq!(
        out[0].id,
        AlertId::new(out[0].cluster(), out[0].identity().clone())
    );
}

#[test]
fn a_quiet_poll_keeps_each_identity_it_had_and_a_changed_alert_gets_its_own() {
    let kept = Arc::new(alert(&[("alertname", "Disk"), ("replica", "a")], 0));
    let cluster: Arc<str> = "prod".into();
    let seen = |a: &Arc<Alert>| Observation {
        cluster: Arc::clone(&cluster),
        replica: "am-0".into(),
        alert: Arc::clone(a),
    };
    let first = dedup_refs(
        [&seen(&kept)],
        &dedup_labels(),
        |_| &[],
        &AlertPolicy::default(),
    );
    let again = dedup_since(
        [&seen(&kept)],
        &first,
        &dedup_labels(),
        |_| &[],
        &AlertPolicy::default(),
    );
    assert!(
        again[0].id.is_same(&first[0].id),
        "the same labels: the same identity, not rebuilt"
    );
    let other = Arc::new(alert(&[("alertname", "Disk"), ("replica", "a")], 0));
    let rebuilt = dedup_since(
        [&seen(&other)],
        &first,
        &dedup_labels(),
        |_| &[],
        &AlertPolicy::default(),
    );
    assert!(
        !rebuilt[0].id.is_same(&first[0].id),
        "other labels (equal or not): built anew"
    );
    assert_eq!(rebuilt[0].id, first[0].id, "and equal when they are equal");
}

#[test]
fn same_alert_from_two_replicas_and_two_prometheus_is_one() {
    let a = |r: &str| {
        alert(
            &[
                ("alertname", "HighLatency"),
                ("service", "api"),
                ("replica", r),
            ],
            0,
        )
    };
    let out = dedup(
        vec![
            obs("am-0", a("prom-a")),
            obs("am-0", a("prom-b")),
            obs("am-1", a("prom-a")),
            obs("am-1", a("prom-b")),
        ],
        &dedup_labels(),
        &BTreeMap::new(),
        &AlertPolicy::default(),
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].sources.len(), 4);
    assert_eq!(
        out[0].identity().clone(),
        labels(&[("alertname", "HighLatency"), ("service", "api")])
    );
}

#[test]
fn different_clusters_are_never_merged() {
    let mut o2 = obs("am-0", alert(&[("alertname", "X")], 0));
    o2.cluster = "prod-us".into();
    let out = dedup(
        vec![obs("am-0", alert(&[("alertname", "X")], 0)), o2],
        &dedup_labels(),
        &BTreeMap::new(),
        &AlertPolicy::default(),
    );
    assert_eq!(out.len(), 2);
}

#[test]
fn freshest_report_wins() {
    let mut newer = alert(&[("alertname", "X")], 0);
    newer.updated_at = t(5);
    Arc::make_mut(&mut newer.annotations).insert("summary", "new");
    let out = dedup(
        vec![obs("a", alert(&[("alertname", "X")], 0)), obs("b", newer)],
        &[],
        &BTreeMap::new(),
        &AlertPolicy::default(),
    );
    assert_eq!(
        out[0].alert.annotations.get("summary").unwrap_or_default(),
        "new"
    );
}

fn silence(id: &str, comment: &str) -> Silence {
    Silence {
        id: id.into(),
        matchers: vec![],
        starts_at: t(1),
        ends_at: t(61),
        created_by: "alice".into(),
        comment: comment.into(),
        state: SilenceState::Active,
    }
}

#[test]
fn ack_silence_reads_as_acked_other_as_silenced() {
    let mut a = alert(&[("alertname", "X")], 0);
    a.silenced_by = vec!["s2".into(), "s1".into()];
    let both = [
        silence("s1", "ACK: looking"),
        silence("s2", "db maintenance"),
    ];
    assert!(
        matches!(read_state(&a, &both, &AlertPolicy::default()), AlertReading::Acked { ref by, .. } if by == "alice")
    );
    let maint = [
        silence("s1", "db maintenance"),
        silence("s2", "db maintenance"),
    ];
    assert!(
        matches!(read_state(&a, &maint, &AlertPolicy::default()), AlertReading::Silenced { ref comment, .. } if comment == "db maintenance")
    );
    a.silenced_by.clear();
    a.inhibited_by = vec!["x".into()];
    assert_eq!(
        read_state(&a, &both, &AlertPolicy::default()),
        AlertReading::Inhibited
    );
}

#[test]
fn groups_sorted_by_worst_severity_then_age() {
    let alerts = dedup(
        vec![
            obs(
                "a",
                alert(&[("alertname", "Old"), ("severity", "warning")], 0),
            ),
            obs(
                "a",
                alert(&[("alertname", "Crit"), ("severity", "critical")], 10),
            ),
            obs(
                "a",
                alert(&[("alertname", "Older"), ("severity", "warning")], -5),
            ),
        ],
        &[],
        &BTreeMap::new(),
        &AlertPolicy::default(),
    );
    let groups = group(alerts, &["alertname".to_string()]);
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g.labels["alertname"].as_str())
        .collect();
    assert_eq!(names, ["Crit", "Older", "Old"]);
    assert_eq!(groups[0].worst, Severity::Critical);
    assert_eq!(groups[0].firing, 1);
}

#[test]
fn severity_names() {
    assert_eq!(
        SeverityMap::default().of(&labels(&[("severity", "CRITICAL")])),
        Severity::Critical
    );
    assert_eq!(
        SeverityMap::default().of(&labels(&[("severity", "warning")])),
        Severity::Warning
    );
    assert_eq!(SeverityMap::default().of(&labels(&[])), Severity::None);
}

#[test]
fn severity_as_sloth_and_kube_prometheus_write_it() {
    let sloth_page = labels(&[("severity", "pageteam"), ("sloth_severity", "page")]);
    assert_eq!(SeverityMap::default().of(&sloth_page), Severity::Critical);
    // A routing name severity does not know falls through to sloth_severity.
    let routed = labels(&[("severity", "team-shop"), ("sloth_severity", "ticket")]);
    assert_eq!(SeverityMap::default().of(&routed), Severity::Warning);
    assert_eq!(
        SeverityMap::default().of(&labels(&[("severity", "none")])),
        Severity::Info,
        "kube-prometheus' Watchdog"
    );
    assert_eq!(
        SeverityMap::default().of(&labels(&[("priority", "P3")])),
        Severity::Info
    );
}

#[test]
fn an_ack_is_any_case_of_the_prefix() {
    for comment in [
        "ACK: on it",
        "ack: on it",
        "  Ack restarting",
        "ACKNOWLEDGED",
    ] {
        assert!(
            AlertPolicy::default().is_ack(&silence("s", comment)),
            "{comment}"
        );
    }
    for comment in ["maintenance", "", "ac", "é ack"] {
        assert!(
            !AlertPolicy::default().is_ack(&silence("s", comment)),
            "{comment}"
        );
    }
}

proptest::proptest! {
    /// The hashed dedup agrees with the definition: one alert per (cluster, labels minus the
    /// dedup labels), with every distinct source listed.
    #[test]
    fn dedup_matches_the_definition(
        rows in proptest::collection::vec((0..2u8, 0..3u8, 0..4u8, 0..2u8, 0..3u8), 0..60)
    ) {
        let obs: Vec<Observation> = rows
            .iter()
            .map(|(c, name, inst, replica, am)| {
                let mut o = obs(
                    &format!("am-{am}"),
                    alert(
                        &[
                            ("alertname", &format!("A{name}")),
                            ("instance", &format!("i{inst}")),
                            ("replica", &format!("p{replica}")),
                        ],
                        0,
                    ),
                );
                o.cluster = format!("c{c}").into();
                o
            })
            .collect();
        let out = dedup(obs.clone(), &dedup_labels(), &BTreeMap::new(), &AlertPolicy::default());
        let mut want: BTreeMap<(String, LabelSet), std::collections::BTreeSet<String>> =
            BTreeMap::new();
        for o in &obs {
            let id = identity(&o.alert.labels, &dedup_labels());
            want.entry((o.cluster.to_string(), id)).or_default().insert(format!(
                "{}/replica={}",
                o.replica, o.alert.labels.get("replica").unwrap_or_default()
            ));
        }
        proptest::prop_assert_eq!(out.len(), want.len());
        for a in &out {
            let sources = &want[&(a.cluster().to_string(), a.identity().clone())];
            proptest::prop_assert_eq!(&*a.sources, &sources.iter().cloned().collect::<Vec<_>>()[..]);
            proptest::prop_assert_eq!(&a.id, &AlertId::new(a.cluster(), a.identity().clone()));
        }
    }
}

#[test]
fn the_ack_prefix_and_the_severity_map_are_the_configs() {
    let policy = AlertPolicy {
        summary_annotations: vec!["message".into()],
        ack_prefix: "acknowledged".into(),
        severity: SeverityMap {
            labels: vec!["urgency".into(), "severity".into()],
            critical: vec!["sev1".into()],
            warning: vec!["sev2".into()],
            info: vec!["sev3".into()],
        },
    };
    assert!(policy.is_ack(&silence("s", "Acknowledged by bob")));
    assert!(
        !policy.is_ack(&silence("s", "ACK: on it")),
        "the default prefix is not the configured one"
    );
    assert!(
        !policy.is_ack(&silence("s", "ack")),
        "shorter than the prefix"
    );
    let sev = |pairs: &[(&str, &str)]| policy.severity.of(&labels(pairs));
    assert_eq!(sev(&[("urgency", "SEV1")]), Severity::Critical);
    assert_eq!(
        sev(&[("urgency", "bogus"), ("severity", "sev2")]),
        Severity::Warning,
        "the next label when the first is unknown"
    );
    assert_eq!(
        sev(&[("severity", "critical")]),
        Severity::None,
        "only the configured values count"
    );
    assert_eq!(
        sev(&[("priority", "sev1")]),
        Severity::None,
        "only the configured labels count"
    );
}

#[test]
fn a_value_in_two_severity_lists_is_named() {
    let mut map = SeverityMap::default();
    assert_eq!(map.ambiguous(), None);
    map.info.push("Page".into());
    assert_eq!(
        map.ambiguous().as_deref(),
        Some("'page' is in both critical and info")
    );
}
