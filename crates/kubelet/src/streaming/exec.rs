//! `exec` (and `attach`): a command's standard streams carried over
//! whichever transport the client upgraded to. The transport turns its
//! frames into [`Input`]s and sends [`Output`]s as frames; [`drive`] runs
//! the command between them and ends with the status upstream's clients
//! read the exit code from.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::{Streams, query_flag, query_values};
use crate::runtime::{ReadStream, StreamOptions, StreamingProcess};
use crate::server::{Body, text};

/// What the client sends.
#[derive(Debug)]
pub enum Input {
    Stdin(Bytes),
    /// stdin reached its end (v5's close signal, SPDY's half-close).
    CloseStdin,
    /// A terminal size: columns, rows.
    Resize(u16, u16),
}

/// What goes back to the client.
#[derive(Debug)]
pub enum Output {
    Stdout(Bytes),
    Stderr(Bytes),
    /// The last word: a Status (success, or the exit code).
    Status(Value),
}

/// The streams an exec or attach request asks for.
pub fn options(query: &str) -> StreamOptions {
    let tty = query_flag(query, "tty");
    StreamOptions {
        stdin: query_flag(query, "stdin") || query_flag(query, "input"),
        stdout: query_flag(query, "stdout") || query_flag(query, "output"),
        // A terminal has one output stream.
        stderr: !tty && (query_flag(query, "stderr") || query_flag(query, "error")),
        tty,
    }
}

pub async fn serve(
    streams: Arc<Streams>,
    id: String,
    request: Request<Incoming>,
) -> Response<Body> {
    let query = request.uri().query().unwrap_or_default().to_string();
    let command = query_values(&query, "command");
    if command.is_empty() {
        return text(
            StatusCode::BAD_REQUEST,
            "you must specify at least 1 command",
        );
    }
    let options = options(&query);
    let start = Box::pin(async move {
        let process = streams.runtime.exec(&id, &command, options).await;
        (process, command)
    });
    accept(request, options, start).await
}

/// Attach: the container's own streams, as the same protocols carry them.
pub async fn serve_attach(
    streams: Arc<Streams>,
    id: String,
    request: Request<Incoming>,
) -> Response<Body> {
    let query = request.uri().query().unwrap_or_default().to_string();
    let options = options(&query);
    let start = Box::pin(async move {
        // No command: the session's end is a success.
        (streams.runtime.attach(&id, options).await, Vec::new())
    });
    accept(request, options, start).await
}

/// What starts the process once the client is connected (a future does
/// nothing until awaited): the process, and the command it runs (none for
/// attach).
pub type Start = futures::future::BoxFuture<
    'static,
    (
        Result<StreamingProcess, crate::runtime::RuntimeError>,
        Vec<String>,
    ),
>;

/// Upgrades the request with the transport it asks for and runs the
/// process `start` makes once the client is connected.
async fn accept(
    request: Request<Incoming>,
    options: StreamOptions,
    start: Start,
) -> Response<Body> {
    if !options.stdin && !options.stdout && !options.stderr {
        return text(
            StatusCode::BAD_REQUEST,
            "you must specify at least 1 of stdin, stdout, stderr",
        );
    }
    if super::websocket::is_upgrade(&request) {
        return super::websocket::accept_exec(request, start);
    }
    if super::spdy::is_upgrade(&request) {
        return super::spdy::accept_exec(request, options, start);
    }
    text(
        StatusCode::BAD_REQUEST,
        "a streaming request must upgrade to WebSocket or SPDY/3.1",
    )
}

/// The status a command's end is reported with, as upstream's kubelet
/// writes it on the error stream.
pub fn exit_status(command: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!(
            "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
            command.join(" ")
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

/// The status of a command that could not start.
pub fn failure_status(message: &str) -> Value {
    json!({
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    })
}

async fn pump(mut from: ReadStream, to: mpsc::Sender<Output>, wrap: fn(Bytes) -> Output) {
    let mut buffer = vec![0u8; 32 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                // A full channel waits: the client reads at its own pace.
                if to
                    .send(wrap(Bytes::copy_from_slice(&buffer[..n])))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Runs `process` between the client's inputs and outputs. The inputs
/// ending (the client went away) kills it; its end is reported as a
/// status once its output has been sent.
pub async fn drive(
    process: StreamingProcess,
    command: Vec<String>,
    mut inputs: mpsc::Receiver<Input>,
    outputs: mpsc::Sender<Output>,
) {
    let StreamingProcess {
        stdin,
        stdout,
        stderr,
        resize,
        exit,
        kill,
    } = process;
    let mut pumps = Vec::new();
    if let Some(stdout) = stdout {
        pumps.push(tokio::spawn(pump(stdout, outputs.clone(), Output::Stdout)));
    }
    if let Some(stderr) = stderr {
        pumps.push(tokio::spawn(pump(stderr, outputs.clone(), Output::Stderr)));
    }
    let feeding = async move {
        let mut stdin = stdin;
        while let Some(input) = inputs.recv().await {
            match input {
                Input::Stdin(data) => {
                    if let Some(pipe) = stdin.as_ref()
                        && pipe.send(data).await.is_err()
                    {
                        stdin = None;
                    }
                }
                // Dropping the sender ends the command's stdin.
                Input::CloseStdin => stdin = None,
                Input::Resize(columns, rows) => {
                    if let Some(resize) = &resize {
                        resize(columns, rows);
                    }
                }
            }
        }
    };
    tokio::pin!(feeding);
    tokio::pin!(exit);
    let code = tokio::select! {
        code = &mut exit => code,
        () = &mut feeding => {
            // The client is gone: nobody will read what the command says.
            kill();
            let _ = exit.await;
            return;
        }
    };
    // What the command wrote before it ended goes out first (a child it
    // left behind holding the pipes does not hold the status back long).
    for pump in pumps {
        let _ = tokio::time::timeout(Duration::from_secs(2), pump).await;
    }
    let _ = outputs
        .send(Output::Status(exit_status(&command, code)))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_reported_as_upstream() {
        let command = vec!["sh".to_string(), "-c".to_string(), "exit 3".to_string()];
        assert_eq!(exit_status(&command, 0)["status"], "Success");
        let failed = exit_status(&command, 3);
        assert_eq!(failed["reason"], "NonZeroExitCode");
        assert_eq!(failed["details"]["causes"][0]["reason"], "ExitCode");
        assert_eq!(failed["details"]["causes"][0]["message"], "3");
        assert_eq!(
            failed["message"],
            "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3"
        );
    }

    #[test]
    fn a_terminal_has_no_separate_stderr() {
        let o = options("stdin=true&stdout=true&stderr=true&tty=true");
        assert!(o.stdin && o.stdout && o.tty && !o.stderr);
        let o = options("stdout=1&stderr=1");
        assert!(!o.stdin && o.stdout && o.stderr && !o.tty);
    }
}
