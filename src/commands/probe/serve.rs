//! `probe serve`: the reference endpoint a team deploys behind its real path.
//!
//! - any path but the two below: a Server-Sent Events stream whose events carry
//!   their send time and follow a known schedule (a burst of small events, then
//!   silences of growing length, each ended by a `tick`); the client chooses the
//!   schedule in the `x-rtadvisor-probe` request header, within bounds;
//! - `…/ws`: a WebSocket that echoes every message, with the server's timestamps;
//! - `…/poll`: a plain JSON answer for polling, which also says what reached the
//!   origin (HTTP version, `Via`, `X-Forwarded-*`).

use super::schedule::{now_ms, Schedule};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The largest WebSocket message the reference endpoint accepts and echoes.
pub const MAX_WS_MESSAGE: usize = 4 << 20;

type Body = BoxBody<Bytes, Infallible>;

/// Options of `probe serve`.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Extra response headers on the SSE stream (to reproduce what the app sends).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// Accepts connections on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, opts: ServeOptions) -> std::io::Result<()> {
    let opts = Arc::new(opts);
    loop {
        let (tcp, peer) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let opts = opts.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let opts = opts.clone();
                async move { Ok::<_, Infallible>(route(req, peer, &opts)) }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                .await;
        });
    }
}

fn route(req: Request<Incoming>, peer: SocketAddr, opts: &ServeOptions) -> Response<Body> {
    let path = req.uri().path().trim_end_matches('/');
    if path.ends_with("/ws") {
        websocket(req)
    } else if path.ends_with("/poll") {
        poll(&req, peer)
    } else {
        sse(&req, opts)
    }
}

fn full(status: StatusCode, content_type: &str, body: String) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(body)).boxed());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("text/plain")),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Request headers that tell which hops a request crossed.
const HOP_HEADERS: &[&str] = &[
    "via",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
];

fn poll(req: &Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let mut seen = serde_json::Map::new();
    for name in HOP_HEADERS {
        if let Some(v) = req.headers().get(*name).and_then(|v| v.to_str().ok()) {
            seen.insert((*name).to_string(), v.into());
        }
    }
    let body = serde_json::json!({
        "probe": "rtadvisor",
        "server_ms": now_ms(),
        "origin_http_version": format!("{:?}", req.version()),
        "peer": peer.to_string(),
        "request_headers": seen,
    });
    full(StatusCode::OK, "application/json", body.to_string())
}

fn sse(req: &Request<Incoming>, opts: &ServeOptions) -> Response<Body> {
    let asked = req
        .headers()
        .get(super::schedule::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let schedule = Schedule::from_query(asked);
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut resp = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tells the client this is the probe's stream before any event arrives
    // (a buffering hop may hold the events, rarely the headers).
    h.insert(
        HeaderName::from_static(super::schedule::HEADER),
        HeaderValue::from_static("1"),
    );
    for (name, value) in &opts.headers {
        h.insert(name.clone(), value.clone());
    }
    // The stream announces the headers it left with, so the client can tell
    // which ones a hop rewrote.
    let sent: serde_json::Map<String, serde_json::Value> = h
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.into())))
        .collect();
    tokio::spawn(run_schedule(schedule, sent, tx));
    resp
}

/// Sends the schedule's events; stops when the client goes away.
async fn run_schedule(
    s: Schedule,
    sent_headers: serde_json::Map<String, serde_json::Value>,
    tx: tokio::sync::mpsc::Sender<Bytes>,
) {
    let send = |event: &str, data: String| {
        let tx = tx.clone();
        let frame = format!("event: {event}\ndata: {data}\n\n");
        async move { tx.send(Bytes::from(frame)).await.is_ok() }
    };
    let hello = serde_json::json!({
        "probe": "rtadvisor",
        "version": 1,
        "schedule": s,
        "headers": sent_headers,
        "sent_ms": now_ms(),
    });
    if !send("schedule", hello.to_string()).await {
        return;
    }
    let mut seq = 0u64;
    if let Some(every) = s.busy_ms {
        let until = tokio::time::Instant::now() + Duration::from_secs_f64(s.busy_for_s);
        while tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(every)).await;
            seq += 1;
            if !send("busy", s.burst_data(seq, now_ms())).await {
                return;
            }
        }
    } else {
        for i in 0..s.burst {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(s.burst_gap_ms)).await;
            }
            seq += 1;
            if !send("burst", s.burst_data(seq, now_ms())).await {
                return;
            }
        }
        for silence in &s.silences_s {
            tokio::time::sleep(Duration::from_secs_f64(*silence)).await;
            seq += 1;
            let data =
                serde_json::json!({"seq": seq, "sent_ms": now_ms(), "after_silence_s": silence});
            if !send("tick", data.to_string()).await {
                return;
            }
        }
    }
    let _ = send("done", serde_json::json!({"sent_ms": now_ms()}).to_string()).await;
}

fn websocket(mut req: Request<Incoming>) -> Response<Body> {
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return full(
            StatusCode::UPGRADE_REQUIRED,
            "text/plain",
            "this is the WebSocket echo of rtadvisor probe serve: send an Upgrade\n".into(),
        );
    };
    if !upgrade {
        return full(
            StatusCode::BAD_REQUEST,
            "text/plain",
            "the Upgrade: websocket header did not arrive (a hop on the path dropped it)\n".into(),
        );
    }
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_WS_MESSAGE))
            .max_frame_size(Some(MAX_WS_MESSAGE));
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        echo(ws).await;
    });
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut resp = Response::new(Full::new(Bytes::new()).boxed());
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    resp
}

/// Echoes text messages wrapped with the server's receive time; binary as is.
async fn echo<S>(mut ws: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(Ok(msg)) = ws.next().await {
        let reply = match msg {
            Message::Text(t) => {
                let body = serde_json::json!({"echo": t.as_str(), "server_ms": now_ms()});
                Message::text(body.to_string())
            }
            Message::Binary(b) => Message::Binary(b),
            Message::Close(_) => break,
            _ => continue,
        };
        if ws.send(reply).await.is_err() {
            break;
        }
    }
}
