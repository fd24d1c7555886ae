//! Running the packet filters' own tools (`nft`, `iptables-restore`,
//! `iptables-save`, `iptables`) with the rules on standard input.

use crate::SyncError;

/// Runs `program` with `args`, `input` on its standard input; its standard
/// output, or why it failed (a tool that cannot run at all is a
/// [`SyncError::Command`], one that refuses a [`SyncError::Rejected`]).
pub async fn run(program: &str, args: &[&str], input: Option<&str>) -> Result<String, SyncError> {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| SyncError::Command(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take()
        && let Some(input) = input
    {
        stdin
            .write_all(input.as_bytes())
            .await
            .map_err(|e| SyncError::Command(format!("{program}: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| SyncError::Command(format!("{program}: {e}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(SyncError::Rejected(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
