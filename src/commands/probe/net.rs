//! Reaching the endpoint: TCP, a forward proxy (absolute-form requests, or CONNECT
//! for TLS and WebSockets), TLS with ALPN, and one HTTP/1.1 or HTTP/2 exchange.
//! HTTP is hyper's, TLS is rustls', WebSockets are tungstenite's.

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, Uri, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A byte stream to the endpoint (plain, TLS, or tunnelled through a proxy).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How long to wait for a connection, a TLS handshake or response headers.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to connect.
#[derive(Clone)]
pub struct Client {
    pub proxy: Option<Uri>,
    pub tls: Arc<tokio_rustls::rustls::ClientConfig>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The TLS session as negotiated with the first hop.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TlsInfo {
    pub version: String,
    pub cipher: String,
    pub alpn: Option<String>,
}

/// What one connection looked like.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ConnInfo {
    pub tls: Option<TlsInfo>,
    pub connect_ms: f64,
}

/// A target URL split into what the connection needs.
#[derive(Debug, Clone)]
pub struct Target {
    pub uri: Uri,
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("https" | "wss") => true,
            Some("http" | "ws") => false,
            _ => {
                return Err(format!(
                    "`{url}`: give an http:// or https:// URL (e.g. https://app.example.com/probe/)"
                ))
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| format!("`{url}` has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Target {
            uri,
            https,
            host,
            port,
        })
    }

    /// `host:port` as it goes in a CONNECT request or a Host header.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The same URL with another path (and query).
    pub fn with_path(&self, path_and_query: &str) -> Result<Target, String> {
        let scheme = if self.https { "https" } else { "http" };
        Target::parse(&format!("{scheme}://{}{path_and_query}", self.authority()))
    }

    fn path_and_query(&self) -> String {
        self.uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
    }
}

/// Builds the TLS configuration: the Mozilla roots, plus `--cacert` ones.
pub fn tls_config(
    extra_roots: &[rustls_pki_types::CertificateDer<'static>],
) -> Result<tokio_rustls::rustls::ClientConfig, String> {
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra_roots {
        roots
            .add(cert.clone())
            .map_err(|e| format!("--cacert: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

async fn tcp(host: &str, port: u16) -> Result<TcpStream, String> {
    let addr = format!("{host}:{port}");
    let addr = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        addr
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addr)).await {
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Ok(s)
        }
        Ok(Err(e)) => Err(format!("cannot connect to {addr}: {e}")),
        Err(_) => Err(format!(
            "cannot connect to {addr}: no answer in {} s",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// Why a connection could not be made, and whether the proxy refused it.
#[derive(Debug, Clone)]
pub enum ConnectError {
    /// Unreachable, refused, TLS failed: the endpoint could not be probed.
    Failed(String),
    /// The forward proxy answered a CONNECT with this status.
    ProxyRefused(u16),
}

impl ConnectError {
    pub fn message(&self) -> String {
        match self {
            ConnectError::Failed(m) => m.clone(),
            ConnectError::ProxyRefused(code) => {
                format!("the forward proxy refused the CONNECT tunnel (status {code})")
            }
        }
    }
}

impl Client {
    /// Opens a byte stream to `t`: through the proxy's CONNECT tunnel when a proxy is
    /// set and `tunnel` is asked (TLS always tunnels), then TLS when `t` is https.
    /// Returns whether the stream goes to a proxy that wants absolute-form requests.
    pub async fn open(
        &self,
        t: &Target,
        alpn: &[&[u8]],
        tunnel: bool,
    ) -> Result<(Box<dyn Io>, ConnInfo, bool), ConnectError> {
        let started = std::time::Instant::now();
        let mut absolute_form = false;
        let stream: Box<dyn Io> = match &self.proxy {
            None => Box::new(tcp(&t.host, t.port).await.map_err(ConnectError::Failed)?),
            Some(p) => {
                let host = p.host().unwrap_or("127.0.0.1");
                let port = p.port_u16().unwrap_or(3128);
                let s = tcp(host, port).await.map_err(ConnectError::Failed)?;
                if tunnel || t.https {
                    self.connect_tunnel(s, t).await?
                } else {
                    absolute_form = true;
                    Box::new(s)
                }
            }
        };
        if !t.https {
            let info = ConnInfo {
                tls: None,
                connect_ms: started.elapsed().as_secs_f64() * 1000.0,
            };
            return Ok((stream, info, absolute_form));
        }
        let mut config = (*self.tls).clone();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = rustls_pki_types::ServerName::try_from(t.host.clone())
            .map_err(|e| ConnectError::Failed(format!("{}: {e}", t.host)))?;
        let tls = match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, stream)).await
        {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                return Err(ConnectError::Failed(format!(
                    "TLS with {} failed: {e}",
                    t.authority()
                )))
            }
            Err(_) => {
                return Err(ConnectError::Failed(format!(
                    "TLS with {}: no handshake in {} s",
                    t.authority(),
                    CONNECT_TIMEOUT.as_secs()
                )))
            }
        };
        let (_, session) = tls.get_ref();
        let info = ConnInfo {
            tls: Some(TlsInfo {
                version: session.protocol_version().map_or_else(
                    || "unknown".into(),
                    |v| format!("{v:?}").replace("TLSv1_", "TLS 1."),
                ),
                cipher: session
                    .negotiated_cipher_suite()
                    .map_or_else(|| "unknown".into(), |c| format!("{:?}", c.suite())),
                alpn: session
                    .alpn_protocol()
                    .map(|p| String::from_utf8_lossy(p).into_owned()),
            }),
            connect_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        Ok((Box::new(tls), info, false))
    }

    async fn connect_tunnel(&self, s: TcpStream, t: &Target) -> Result<Box<dyn Io>, ConnectError> {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(s))
            .await
            .map_err(|e| ConnectError::Failed(format!("forward proxy: {e}")))?;
        tokio::spawn(conn.with_upgrades());
        let req = Request::connect(t.authority())
            .header(hyper::header::HOST, t.authority())
            .body(Empty::<Bytes>::new())
            .map_err(|e| ConnectError::Failed(format!("CONNECT request: {e}")))?;
        let resp = tokio::time::timeout(CONNECT_TIMEOUT, sender.send_request(req))
            .await
            .map_err(|_| ConnectError::Failed("forward proxy: no answer to CONNECT".into()))?
            .map_err(|e| ConnectError::Failed(format!("forward proxy: {e}")))?;
        if !resp.status().is_success() {
            return Err(ConnectError::ProxyRefused(resp.status().as_u16()));
        }
        let upgraded = hyper::upgrade::on(resp)
            .await
            .map_err(|e| ConnectError::Failed(format!("forward proxy tunnel: {e}")))?;
        Ok(Box::new(TokioIo::new(upgraded)))
    }

    /// Sends one GET (HTTP/2 when TLS negotiated it, else HTTP/1.1) and returns the
    /// response headers with the body still to read.
    pub async fn get(
        &self,
        t: &Target,
        extra: &[(HeaderName, HeaderValue)],
        header_wait: Duration,
    ) -> Result<(Response<Incoming>, ConnInfo), String> {
        let (io, info, absolute_form) = self
            .open(t, &[b"h2", b"http/1.1"], false)
            .await
            .map_err(|e| e.message())?;
        let h2 = info
            .tls
            .as_ref()
            .and_then(|t| t.alpn.as_deref())
            .is_some_and(|a| a == "h2");
        let uri = if absolute_form || h2 {
            t.uri.to_string()
        } else {
            t.path_and_query()
        };
        let mut builder = Request::get(uri);
        if !h2 {
            builder = builder.header(hyper::header::HOST, t.authority());
        }
        builder = builder
            .header(
                hyper::header::USER_AGENT,
                concat!("rtadvisor-probe/", env!("CARGO_PKG_VERSION")),
            )
            .header(hyper::header::ACCEPT, "text/event-stream")
            .header(hyper::header::ACCEPT_ENCODING, "gzip, deflate, br")
            .header(hyper::header::CACHE_CONTROL, "no-cache");
        let mut req = builder
            .body(Empty::<Bytes>::new())
            .map_err(|e| format!("request: {e}"))?;
        if h2 {
            *req.version_mut() = Version::HTTP_2;
        }
        for (k, v) in self.headers.iter().chain(extra) {
            req.headers_mut().insert(k.clone(), v.clone());
        }
        let send = async {
            if h2 {
                let (mut sender, conn) =
                    hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                        .await
                        .map_err(|e| format!("HTTP/2 with {}: {e}", t.authority()))?;
                tokio::spawn(conn);
                sender.send_request(req).await
            } else {
                let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                    .await
                    .map_err(|e| format!("HTTP/1.1 with {}: {e}", t.authority()))?;
                tokio::spawn(conn);
                sender.send_request(req).await
            }
            .map_err(|e| format!("{}: {e}", t.uri))
        };
        match tokio::time::timeout(header_wait, send).await {
            Ok(r) => r.map(|resp| (resp, info)),
            Err(_) => Err(format!(
                "{}: no response headers in {:.0} s",
                t.uri,
                header_wait.as_secs_f64()
            )),
        }
    }
}

/// The HTTP version as people write it.
pub fn version_name(v: Version) -> &'static str {
    match v {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_11 => "HTTP/1.1",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "unknown",
    }
}
