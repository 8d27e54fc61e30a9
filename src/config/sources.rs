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

impl<'a> SourceRef<'a> {
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

    /// The TOML table it is written in: `prometheus` for `[[prometheus]]`.
    pub fn table(&self) -> &'static str {
        match self {
            SourceRef::Prometheus(_) => "prometheus",
            SourceRef::Alertmanager(_) => "alertmanager",
            SourceRef::Loki(_) => "loki",
            SourceRef::Elasticsearch(_) => "elasticsearch",
            SourceRef::Command(_) => "command",
            SourceRef::File(_) => "file",
        }
    }

    pub fn name(&self) -> &'a str {
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
        self.indexed_sources().map(|(_, s)| s)
    }

    /// `sources`, each with its index in its own table (`[[loki]]` #0, #1…), which is where
    /// validation errors point.
    pub fn indexed_sources(&self) -> impl Iterator<Item = (usize, SourceRef<'_>)> {
        let c = self;
        let p = c.prometheus.iter().map(SourceRef::Prometheus).enumerate();
        let a = c
            .alertmanager
            .iter()
            .map(SourceRef::Alertmanager)
            .enumerate();
        let l = c.loki.iter().map(SourceRef::Loki).enumerate();
        let e = c
            .elasticsearch
            .iter()
            .map(SourceRef::Elasticsearch)
            .enumerate();
        let m = c.command.iter().map(SourceRef::Command).enumerate();
        let f = c.file.iter().map(SourceRef::File).enumerate();
        p.chain(a).chain(l).chain(e).chain(m).chain(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_in_the_header_order_each_with_its_index_in_its_table() {
        let c: Config = toml::from_str(
            r#"
[[file]]
name = "f"
path = "/var/log/x"
[[loki]]
name = "l0"
url = "http://127.0.0.1:3100"
query = '{a="b"}'
[[loki]]
name = "l1"
url = "http://127.0.0.1:3100"
query = '{a="b"}'
[[prometheus]]
name = "p"
url = "http://127.0.0.1:9090"
[[alertmanager]]
name = "a"
urls = ["http://127.0.0.1:9093"]
[[command]]
name = "c"
argv = ["true"]
[[elasticsearch]]
name = "e"
url = "http://127.0.0.1:9200"
index = "logs"
"#,
        )
        .unwrap();
        let seen: Vec<(usize, &str, &str, SourceKind)> = c
            .indexed_sources()
            .map(|(i, s)| (i, s.table(), s.name(), s.kind()))
            .collect();
        assert_eq!(
            seen,
            [
                (0, "prometheus", "p", SourceKind::Prometheus),
                (0, "alertmanager", "a", SourceKind::Alertmanager),
                (0, "loki", "l0", SourceKind::Loki),
                (1, "loki", "l1", SourceKind::Loki),
                (0, "elasticsearch", "e", SourceKind::Elasticsearch),
                (0, "command", "c", SourceKind::Command),
                (0, "file", "f", SourceKind::File),
            ]
        );
        assert_eq!(
            c.sources().map(|s| s.id()).nth(3),
            Some(SourceId::new(SourceKind::Loki, "l1"))
        );
    }
}
