//! The WebSocket measurements: does the Upgrade pass, round trips, the largest
//! message that comes back, the silence the path survives, the close codes seen.

use super::measure::Clock;
use super::net::{Client, ConnectError, Target};
use super::observe::{Shared, WsObs};
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Message sizes tried, smallest first.
pub const SIZES: &[usize] = &[1 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20];
/// Round trips timed.
const ROUND_TRIPS: usize = 20;
/// The close code a browser reports when a connection drops without a close frame.
pub const ABNORMAL_CLOSE: u16 = 1006;
const REPLY_WAIT: Duration = Duration::from_secs(5);

/// `http(s)://` to `ws(s)://`.
pub fn ws_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_string()
    }
}

fn save(shared: &Shared, obs: &WsObs) {
    shared.lock().ws = Some(obs.clone());
}

/// Runs every WebSocket measurement against `url`; `echo` says the endpoint is
/// the probe's (against another endpoint only the Upgrade is checked).
pub async fn measure(
    client: Client,
    url: String,
    echo: bool,
    silences: Vec<f64>,
    shared: Shared,
    clock: Clock,
) {
    let mut obs = WsObs {
        url: url.clone(),
        ..WsObs::default()
    };
    shared.lock().set_waiting(
        "ws",
        format!("the WebSocket Upgrade at {url}"),
        clock.ms(),
        Some(super::net::CONNECT_TIMEOUT.as_secs_f64()),
    );
    let target = match Target::parse(&url) {
        Ok(t) => t,
        Err(e) => {
            obs.error = Some(e);
            return finish(&shared, &obs);
        }
    };
    let io = match client.open(&target, &[b"http/1.1"], true).await {
        Ok((io, _, _)) => io,
        Err(ConnectError::ProxyRefused(code)) => {
            obs.refused_status = Some(code);
            obs.refused_by_proxy = true;
            return finish(&shared, &obs);
        }
        Err(e) => {
            obs.error = Some(e.message());
            return finish(&shared, &obs);
        }
    };
    let mut req = match url.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => {
            obs.error = Some(format!("{url}: {e}"));
            return finish(&shared, &obs);
        }
    };
    for (k, v) in &client.headers {
        req.headers_mut().insert(k.clone(), v.clone());
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(super::serve::MAX_WS_MESSAGE))
        .max_frame_size(Some(super::serve::MAX_WS_MESSAGE));
    let handshake = tokio_tungstenite::client_async_with_config(req, io, Some(config));
    let mut ws = match tokio::time::timeout(super::net::CONNECT_TIMEOUT, handshake).await {
        Ok(Ok((ws, _))) => ws,
        Ok(Err(WsError::Http(resp))) => {
            obs.refused_status = Some(resp.status().as_u16());
            return finish(&shared, &obs);
        }
        Ok(Err(e)) => {
            obs.error = Some(e.to_string());
            return finish(&shared, &obs);
        }
        Err(_) => {
            obs.error = Some("no answer to the Upgrade request".into());
            return finish(&shared, &obs);
        }
    };
    obs.upgraded = true;
    let opened = Instant::now();
    save(&shared, &obs);
    if !echo {
        let _ = ws.close(None).await;
        return finish(&shared, &obs);
    }

    shared
        .lock()
        .set_waiting("ws", "WebSocket round trips".into(), clock.ms(), None);
    for n in 0..ROUND_TRIPS {
        let sent = Instant::now();
        if ws
            .send(Message::text(format!("{{\"n\":{n}}}")))
            .await
            .is_err()
        {
            break;
        }
        match reply(&mut ws, &mut obs).await {
            Some(Message::Text(t)) => {
                obs.rtt_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
                obs.echo = t.as_str().contains("\"server_ms\"");
            }
            Some(_) => {}
            None => return finish(&shared, &obs),
        }
    }
    save(&shared, &obs);

    for &size in SIZES {
        shared.lock().set_waiting(
            "ws",
            format!("a {} echo", human_bytes(size)),
            clock.ms(),
            None,
        );
        let ok = ws.send(Message::binary(vec![b'x'; size])).await.is_ok()
            && matches!(reply(&mut ws, &mut obs).await, Some(Message::Binary(b)) if b.len() == size);
        if ok {
            obs.passed_sizes.push(size);
        } else {
            obs.failed_size = Some(size);
            break;
        }
    }
    save(&shared, &obs);
    if obs.failed_size.is_some() && !obs.close_codes.is_empty() {
        return finish(&shared, &obs);
    }

    let mut last_frame = Instant::now();
    for (i, &silence) in silences.iter().enumerate() {
        shared.lock().set_waiting(
            "ws",
            format!(
                "WebSocket silence {} of {}: {silence} s",
                i + 1,
                silences.len()
            ),
            clock.ms(),
            Some(silence),
        );
        let quiet = tokio::time::sleep(Duration::from_secs_f64(silence));
        tokio::pin!(quiet);
        let cut = loop {
            tokio::select! {
                () = &mut quiet => break false,
                msg = ws.next() => match msg {
                    Some(Ok(Message::Close(frame))) => {
                        obs.close_codes.push(frame.map_or(1005, |f| u16::from(f.code)));
                        break true;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        obs.close_codes.push(ABNORMAL_CLOSE);
                        break true;
                    }
                },
            }
        };
        if cut {
            obs.cut_after_s = Some(last_frame.elapsed().as_secs_f64());
            obs.cut_in_silence_s = Some(silence);
            obs.cut_age_s = Some(opened.elapsed().as_secs_f64());
            return finish(&shared, &obs);
        }
        let noticed = Instant::now();
        let sent = ws
            .send(Message::text(format!("{{\"after_silence_s\":{silence}}}")))
            .await
            .is_ok();
        if sent && reply(&mut ws, &mut obs).await.is_some() {
            obs.survived_s.push(silence);
            last_frame = Instant::now();
            save(&shared, &obs);
        } else {
            // Dropped without a FIN reaching us: it was cut some time in the silence.
            obs.cut_after_s = Some(noticed.duration_since(last_frame).as_secs_f64());
            obs.cut_in_silence_s = Some(silence);
            obs.cut_age_s = Some(noticed.duration_since(opened).as_secs_f64());
            if obs.close_codes.is_empty() {
                obs.close_codes.push(ABNORMAL_CLOSE);
            }
            return finish(&shared, &obs);
        }
    }
    obs.finished = true;
    let _ = ws.close(None).await;
    finish(&shared, &obs);
}

fn finish(shared: &Shared, obs: &WsObs) {
    let mut g = shared.lock();
    g.ws = Some(obs.clone());
    g.done_waiting("ws");
}

/// The next data message, or None when the connection closed (its code is kept).
async fn reply<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    obs: &mut WsObs,
) -> Option<Message>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let deadline = Instant::now() + REPLY_WAIT;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(Message::Close(frame)))) => {
                obs.close_codes
                    .push(frame.map_or(1005, |f| u16::from(f.code)));
                return None;
            }
            Ok(Some(Ok(m @ (Message::Text(_) | Message::Binary(_))))) => return Some(m),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => {
                obs.close_codes.push(ABNORMAL_CLOSE);
                return None;
            }
        }
    }
}

/// 1 KiB, 256 KiB, 1 MiB.
pub fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}
