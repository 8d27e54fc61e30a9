//! Every configured source, of every kind, in one order: the one listing the pollers, the
//! probes, validation and the setup walk instead of naming each kind's table.

use super::schema::{
    AlertmanagerSource, CommandSource, Config, ElasticsearchSource, FileSource, LokiSource,
    PrometheusSource,
};
use crate::domain::health::{SourceId, SourceKind};

/// One source's table, by kind.
#[derive(Clone, Copy, Debug)]
pub enum SourceRef<'a> {
    Prometheus(&'a PrometheusSource),
    Alertmanager(&'a AlertmanagerSource),
    Loki(&'a LokiSource),
    Elasticsearch(&'a ElasticsearchSource),
    Command(&'a CommandSource),
    File(&'a FileSource),
}

impl SourceRef<'_> {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceRef::Prometheus(_) => SourceKind::Prometheus,
            SourceRef::Alertmanager(_) => SourceKind::Alertmanager,
            SourceRef::Loki(_) => SourceKind::Loki,
            SourceRef::Elasticsearch(_) => SourceKind::Elasticsearch,
            SourceRef::Command(_) => SourceKind::Command,
            SourceRef::File(_) => SourceKind::File,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            SourceRef::Prometheus(s) => &s.name,
            SourceRef::Alertmanager(s) => &s.name,
            SourceRef::Loki(s) => &s.name,
            SourceRef::Elasticsearch(s) => &s.name,
            SourceRef::Command(s) => &s.name,
            SourceRef::File(s) => &s.name,
        }
    }

    pub fn id(&self) -> SourceId {
        SourceId::new(self.kind(), self.name())
    }
}

impl Config {
    /// Every source: Prometheus, Alertmanager, Loki, Elasticsearch, command, file, each kind in
    /// the order of its tables (the header's order).
    pub fn sources(&self) -> impl Iterator<Item = SourceRef<'_>> {
        let c = self;
        (c.prometheus.iter().map(SourceRef::Prometheus))
            .chain(c.alertmanager.iter().map(SourceRef::Alertmanager))
            .chain(c.loki.iter().map(SourceRef::Loki))
            .chain(c.elasticsearch.iter().map(SourceRef::Elasticsearch))
            .chain(c.command.iter().map(SourceRef::Command))
            .chain(c.file.iter().map(SourceRef::File))
    }
}
