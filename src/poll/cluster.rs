//! Polls every replica of one Alertmanager cluster at once; one replica down costs nothing
//! while another answers.

use super::poller::Fetcher;
use crate::domain::alerts::{AlertShare, Observation, Silence};
use crate::domain::health::SourceError;
use crate::domain::publish::{ClusterSnapshot, Payload, ReplicaStatus};
use crate::sources::alertmanager::{AlertmanagerClient, DatedSilence};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct ClusterFetcher {
    cluster: Arc<str>,
    replicas: Vec<Replica>,
    /// Each alert held once across the replicas and from one poll to the next.
    share: AlertShare,
}

struct Replica {
    name: Arc<str>,
    client: AlertmanagerClient,
    /// Asked once: the version does not change while we watch.
    version: Option<String>,
}

/// Keeps one copy per silence id: the one updated last (replicas gossip with a lag, and an
/// expiry seen by one replica is the truth the others will reach).
pub fn merge_silences(per_replica: impl IntoIterator<Item = DatedSilence>) -> Vec<Silence> {
    let mut by_id: BTreeMap<String, (Option<DateTime<Utc>>, Silence)> = BTreeMap::new();
    for d in per_replica {
        match by_id.get(&d.silence.id) {
            Some((seen, _)) if *seen >= d.updated_at => {}
            _ => {
                by_id.insert(d.silence.id.clone(), (d.updated_at, d.silence));
            }
        }
    }
    by_id.into_values().map(|(_, s)| s).collect()
}

impl ClusterFetcher {
    /// `replicas`: (name, e.g. `host:port`, client).
    pub fn new(cluster: impl Into<Arc<str>>, replicas: Vec<(String, AlertmanagerClient)>) -> Self {
        Self {
            cluster: cluster.into(),
            replicas: replicas
                .into_iter()
                .map(|(name, client)| Replica {
                    name: name.into(),
                    client,
                    version: None,
                })
                .collect(),
            share: AlertShare::default(),
        }
    }

    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        let share = &self.share;
        let polls = self.replicas.iter().map(|r| async move {
            let status = async {
                match &r.version {
                    Some(v) => Some(v.clone()),
                    None => r.client.status().await.ok().map(|s| s.version),
                }
            };
            let (alerts, silences, version) = tokio::join!(
                r.client.alerts_shared(share),
                r.client.silences_lenient(),
                status
            );
            (alerts, silences, version)
        });
        let answers = futures::future::join_all(polls).await;
        self.share.end_poll();

        let mut snapshot = ClusterSnapshot::default();
        let mut dated = Vec::new();
        let mut first_error = None;
        for (replica, (alerts, silences, version)) in self.replicas.iter_mut().zip(answers) {
            if replica.version.is_none() {
                replica.version = version.clone();
            }
            let outcome = alerts.and_then(|a| silences.map(|s| (a, s)));
            let mut unreadable = Vec::new();
            let error = match outcome {
                Ok(((alerts, bad_alerts), (silences, bad_silences))) => {
                    unreadable.extend(bad_alerts.describe());
                    unreadable.extend(bad_silences.describe());
                    snapshot
                        .observations
                        .extend(alerts.into_iter().map(|alert| Observation {
                            cluster: Arc::clone(&self.cluster),
                            replica: Arc::clone(&replica.name),
                            alert,
                        }));
                    dated.extend(silences);
                    None
                }
                Err(e) => {
                    first_error.get_or_insert_with(|| e.clone());
                    Some(e)
                }
            };
            snapshot.replicas.push(ReplicaStatus {
                name: replica.name.to_string(),
                url: crate::sources::http::display_url(replica.client.base_url()),
                version,
                error,
                unreadable,
            });
        }
        if let Some(e) = first_error
            && snapshot.replicas.iter().all(|r| r.error.is_some())
        {
            return Err(e);
        }
        snapshot.silences = merge_silences(dated);
        Ok(Payload::Alerts(Arc::new(snapshot)))
    }
}

impl Fetcher for ClusterFetcher {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        ClusterFetcher::fetch(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::SilenceState;
    use chrono::TimeZone;

    fn dated(id: &str, state: SilenceState, updated_min: Option<i64>) -> DatedSilence {
        let t = |m: i64| {
            Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + chrono::Duration::minutes(m)
        };
        DatedSilence {
            silence: Silence {
                id: id.into(),
                matchers: vec![],
                starts_at: t(0),
                ends_at: t(60),
                created_by: "alice".into(),
                comment: "ACK: x".into(),
                state,
            },
            updated_at: updated_min.map(t),
        }
    }

    #[test]
    fn silences_merge_by_id_newest_copy_wins() {
        let merged = merge_silences([
            dated("a", SilenceState::Active, Some(1)),
            dated("b", SilenceState::Active, Some(1)),
            dated("a", SilenceState::Expired, Some(5)),
            dated("b", SilenceState::Expired, None),
        ]);
        let got: Vec<(&str, SilenceState)> =
            merged.iter().map(|s| (s.id.as_str(), s.state)).collect();
        assert_eq!(
            got,
            [("a", SilenceState::Expired), ("b", SilenceState::Active)]
        );
    }
}
