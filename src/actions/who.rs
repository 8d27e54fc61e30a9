//! Who acts from where, for the audit log: host name and the SSH client.

/// The machine's host name (Linux `/proc`, else `$HOSTNAME`, else `unknown`).
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// `client_ip client_port` from `SSH_CONNECTION` (`ip port server_ip server_port`).
pub fn ssh_client(ssh_connection: Option<&str>) -> Option<String> {
    let v = ssh_connection?;
    let mut parts = v.split_whitespace();
    let ip = parts.next()?;
    let port = parts.next().unwrap_or("");
    Some(format!("{ip} {port}").trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_client_is_the_first_two_fields() {
        assert_eq!(
            ssh_client(Some("10.1.2.3 52011 10.0.0.5 22")).as_deref(),
            Some("10.1.2.3 52011")
        );
        assert_eq!(ssh_client(None), None);
        assert_eq!(ssh_client(Some("")), None);
    }
}
