//! The health of the control plane's other components, as `componentstatuses`
//! reports it: each is asked `GET /healthz` on its secure port, as
//! kube-apiserver does (the serving certificate is not checked: these are
//! liveness probes on a known local address, not authenticated calls).

use std::net::SocketAddr;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a component has to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// The most of an answer that is read.
const MAX_ANSWER: u64 = 64 * 1024;

/// A component probed for `componentstatuses`.
#[derive(Clone, Debug)]
pub struct ComponentProbe {
    pub name: String,
    /// Its secure port, answering `/healthz` over HTTPS.
    pub address: SocketAddr,
}

/// The probes upstream makes: the controller manager and the scheduler on
/// their default secure ports on this machine.
pub fn default_probes() -> Vec<ComponentProbe> {
    vec![
        ComponentProbe {
            name: "controller-manager".into(),
            address: SocketAddr::from(([127, 0, 0, 1], 10257)),
        },
        ComponentProbe {
            name: "scheduler".into(),
            address: SocketAddr::from(([127, 0, 0, 1], 10259)),
        },
    ]
}

/// Ok(body) when the component answered 200, else the error as upstream
/// words it (`Get "https://...": dial tcp ...: connect: connection refused`).
pub async fn probe(address: SocketAddr) -> Result<String, String> {
    let url = format!("https://{address}/healthz");
    match tokio::time::timeout(PROBE_TIMEOUT, fetch(address)).await {
        Ok(Ok((200, body))) => Ok(body),
        Ok(Ok((code, body))) => Err(format!("unhealthy status code: {code}, body: {body}")),
        Ok(Err(err)) => Err(format!("Get \"{url}\": {err}")),
        Err(_) => Err(format!(
            "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        )),
    }
}

async fn fetch(address: SocketAddr) -> Result<(u16, String), String> {
    let tcp = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|err| format!("dial tcp {address}: connect: {}", dial_error(&err)))?;
    let config = serving::probe_client_config()?;
    let name = ServerName::from(address.ip());
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|err| format!("remote error: {err}"))?;
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nUser-Agent: rudder-apiserver\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|err| err.to_string())?;
    let mut answer = Vec::new();
    // A peer may close without TLS close_notify; what arrived counts.
    let _ = (&mut tls).take(MAX_ANSWER).read_to_end(&mut answer).await;
    parse_answer(&answer).ok_or_else(|| "malformed HTTP response".to_string())
}

/// The status code and body of an HTTP/1.1 answer (plain or chunked).
fn parse_answer(answer: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.push_str(after.get(..size)?);
            rest = after.get(size..)?.trim_start_matches("\r\n");
        }
        out
    } else {
        body.to_string()
    };
    Some((code, body))
}

fn dial_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_plain_and_chunked() {
        assert_eq!(
            parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            Some((200, "ok".into()))
        );
        assert_eq!(
            parse_answer(
                b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n0\r\n\r\n"
            ),
            Some((500, "bad".into()))
        );
        assert_eq!(parse_answer(b"garbage"), None);
    }

    #[tokio::test]
    async fn a_closed_port_is_reported_as_upstream_words_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let err = probe(address).await.unwrap_err();
        assert_eq!(
            err,
            format!(
                "Get \"https://{address}/healthz\": dial tcp {address}: connect: connection refused"
            )
        );
    }
}
