//! `rtadvisor probe` against real intermediaries on 127.0.0.1: nginx, HAProxy,
//! Caddy, Varnish and Squid, each started here with its own config in a temp dir
//! on free ports, and stopped when the test ends. No mocks.
//!
//! A missing server binary skips its test with a loud message, except under CI
//! (`CI` set), where `.ci/run` installs them all and a missing one fails.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A process this test started; killed (TERM, then KILL) when dropped.
struct Proc {
    child: Child,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("{}: killed after TERM did not stop it", self.name);
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

fn wait_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 15 s");
}

/// The server binary, or None (and a loud skip message) when it is not installed.
fn find(bin: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    let found = dirs.into_iter().map(|d| d.join(bin)).find(|p| p.is_file());
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("{bin} is not installed, but CI must run this test (.ci/run installs it)");
        }
        eprintln!(
            "\n!!! SKIPPED: {bin} is not installed; `apt-get install -y nginx haproxy caddy varnish squid` to run this test !!!\n"
        );
    }
    found
}

fn tempdir() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("temp dir");
    // Varnish and Squid drop root for their own users, which must reach the dir.
    let _ = std::process::Command::new("chmod")
        .args(["777", &d.path().display().to_string()])
        .status();
    d
}

/// `rtadvisor probe serve` on a free port; returns it and its port.
fn probe_serve(headers: &[&str]) -> (Proc, u16) {
    let mut args = vec!["probe", "serve", "--listen", "127.0.0.1:0"];
    for h in headers {
        args.extend(["--header", h]);
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtadvisor"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start probe serve");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let port: u16 = line
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (
        Proc {
            child,
            name: "probe serve".into(),
            _dir: None,
        },
        port,
    )
}

fn start(bin: &Path, args: &[&str], dir: tempfile::TempDir, env: &[(&str, &Path)]) -> Proc {
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
    let mut cmd = std::process::Command::new(bin);
    cmd.args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    Proc {
        child,
        name: bin.display().to_string(),
        _dir: Some(dir),
    }
}

/// Runs `rtadvisor probe … --format json`; returns the report and the exit code.
fn probe(args: &[&str]) -> (Value, i32, String) {
    let out = Command::cargo_bin("rtadvisor")
        .expect("binary")
        .arg("probe")
        .args(args)
        .args(["--format", "json"])
        .timeout(Duration::from_secs(90))
        .output()
        .expect("run probe");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("probe printed no JSON ({e}); stdout: {stdout}\nstderr: {stderr}")
    });
    (v, out.status.code().unwrap_or(-1), stderr)
}

fn within_10_percent(measured: &Value, configured: f64, what: &str, r: &Value) {
    let m = measured
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no measurement in {r:#}"));
    assert!(
        (m - configured).abs() <= configured * 0.10,
        "{what}: measured {m} s, configured {configured} s\n{r:#}"
    );
}

/// No buffer holds the stream: events pass as sent, or at most held briefly by a
/// loaded machine's scheduler (`delays`, under 500 ms), never `buffers`.
fn assert_streams(r: &Value) {
    let v = &r["buffering"]["verdict"];
    assert!(
        v == "streams" || v == "delays",
        "expected no buffering: {r:#}"
    );
    assert_eq!(r["hop"]["buffers"], false, "{r:#}");
}

fn finding_ids(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

// --- nginx -------------------------------------------------------------------

fn nginx(upstream: u16, location: &str) -> Option<(Proc, u16)> {
    let bin = find("nginx")?;
    let dir = tempdir();
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://127.0.0.1:{upstream};\n{location}\n    }}\n\
             location /static-events {{\n      default_type text/event-stream;\n      return 200 \"data: one\\n\\ndata: two\\n\\n\";\n    }}\n  }}\n}}\n"
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).expect("write nginx.conf");
    let p = path.display().to_string();
    let prefix = format!("{d}/");
    let error_log = format!("{d}/error.log");
    let proc = start(&bin, &["-p", &prefix, "-e", &error_log, "-c", &p], dir, &[]);
    wait_port(port, "nginx");
    Some((proc, port))
}

const DASHBOARD: &str = "# The ops dashboard: new numbers every half minute.\n\
name: ops dashboard\n\
direction: server-to-client\n\
update_interval_s: 30\n\
max_delay_s: 2\n\
clients: [browser]\n\
path: [aws-alb]   # our edge\n";

fn advise(profile: &Path) -> Value {
    let out = Command::cargo_bin("rtadvisor")
        .expect("binary")
        .args(["advise", &profile.display().to_string(), "--format", "json"])
        .output()
        .expect("advise");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("advise JSON")
}

#[test]
fn nginx_default_buffers_its_read_timeout_is_measured_and_save_hop_changes_the_advice() {
    let (_serve, upstream) = probe_serve(&[]);
    // nginx's defaults (proxy_buffering on, HTTP/1.0 upstream, no Upgrade
    // headers) with a short proxy_read_timeout.
    let Some((_nginx, port)) = nginx(upstream, "      proxy_read_timeout 3s;") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let profile = dir.path().join("dashboard.yaml");
    std::fs::write(&profile, DASHBOARD).expect("profile");
    let before = advise(&profile);

    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, stderr) = probe(&[
        &url,
        "--max-idle",
        "6s",
        "--save-hop",
        &profile.display().to_string(),
    ]);
    assert_eq!(r["endpoint"], "probe-serve");
    assert_eq!(r["buffering"]["verdict"], "buffers", "{r:#}");
    assert!(
        r["buffering"]["bytes_held"].as_u64().unwrap_or(0) >= 1024,
        "{r:#}"
    );
    assert_eq!(r["buffering"]["likely_hop"], "nginx");
    within_10_percent(
        &r["idle"]["sse_timeout_s"],
        3.0,
        "nginx proxy_read_timeout",
        &r,
    );
    assert!(r["idle"]["heartbeat_s"].as_f64().unwrap_or(99.0) < 3.0);
    assert_eq!(r["websocket"]["upgrade"], "blocked", "{r:#}");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"sse-buffered".into()), "{ids:?}");
    assert!(ids.contains(&"websocket-blocked".into()), "{ids:?}");
    let fix = r["findings"][0]["fix"].as_str().unwrap_or("");
    assert!(fix.contains("proxy_buffering off"), "{fix}");
    assert_eq!(code, 1, "a buffered stream breaks SSE: exit 1\n{stderr}");

    // The hop went into the profile, after the user's hop, comments kept.
    let text = std::fs::read_to_string(&profile).expect("profile");
    assert!(text.starts_with("# The ops dashboard"), "{text}");
    assert!(
        text.contains("path: [aws-alb, {name: measured-path, idle_timeout_s: 2.9")
            || text.contains("path: [aws-alb, {name: measured-path, idle_timeout_s: 3"),
        "{text}"
    );
    assert!(text.contains("buffers: true, websocket: false"), "{text}");
    assert!(text.contains("]   # our edge\n"), "{text}");
    assert!(stderr.contains("wrote {name: measured-path"), "{stderr}");

    // advise now reasons from the measurements.
    let after = advise(&profile);
    assert_eq!(before["recommendation"]["transport"], "sse", "{before:#}");
    assert_eq!(after["recommendation"]["transport"], "sse", "{after:#}");
    let add_ons = |v: &Value| v["recommendation"]["add_ons"].to_string();
    assert!(
        !add_ons(&before).contains("disable-buffering"),
        "{before:#}"
    );
    assert!(add_ons(&after).contains("disable-buffering"), "{after:#}");
    let hb = |v: &Value| v["recommendation"]["heartbeat_s"].as_f64().unwrap_or(0.0);
    assert!(hb(&before) > 3.0, "{before:#}");
    assert!(hb(&after) > 0.0 && hb(&after) < 3.0, "{after:#}");
}

#[test]
fn nginx_with_x_accel_buffering_no_streams_and_passes_websockets() {
    let (_serve, upstream) = probe_serve(&["X-Accel-Buffering: no"]);
    let location = "      proxy_read_timeout 3s;\n      proxy_http_version 1.1;\n      \
                    proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection \"upgrade\";";
    let Some((_nginx, port)) = nginx(upstream, location) else {
        return;
    };
    // The team's profile names nginx, whose defaults buffer; they turned buffering off.
    let dir = tempfile::tempdir().expect("dir");
    let profile = dir.path().join("feed.yaml");
    std::fs::write(
        &profile,
        "name: feed\ndirection: server-to-client\nupdate_interval_s: 30\nmax_delay_s: 2\nclients: [browser]\npath:\n  # our proxy\n  - nginx\n",
    )
    .expect("profile");
    let before = advise(&profile);
    let url = format!("http://127.0.0.1:{port}/");
    let p = profile.display().to_string();
    let (r, code, stderr) = probe(&[&url, "--max-idle", "6s", "--save-hop", &p, "--replace-path"]);
    assert_streams(&r);
    assert_eq!(r["websocket"]["upgrade"], "passes", "{r:#}");
    within_10_percent(&r["idle"]["sse_timeout_s"], 3.0, "SSE idle", &r);
    within_10_percent(&r["idle"]["websocket_timeout_s"], 3.0, "WebSocket idle", &r);
    assert_eq!(r["websocket"]["rtt_ms"]["n"], 20);
    assert_eq!(r["websocket"]["largest_message_bytes"], 1 << 20);
    assert!(
        r["websocket"]["close_codes"].to_string().contains("1006"),
        "{r:#}"
    );
    assert_eq!(r["hop"]["buffers"], false);
    assert_eq!(r["hop"]["websocket"], true);
    assert_eq!(code, 0, "an idle timeout alone is not a failure\n{stderr}");

    // --replace-path: the measurements replace nginx's defaults in the advice.
    let text = std::fs::read_to_string(&profile).expect("profile");
    assert!(
        text.contains("path:\n  # our proxy\n  - {name: measured-path"),
        "{text}"
    );
    assert!(!text.contains("- nginx"), "{text}");
    let after = advise(&profile);
    assert_eq!(before["recommendation"]["transport"], "sse", "{before:#}");
    assert_eq!(after["recommendation"]["transport"], "sse", "{after:#}");
    let add_ons = |v: &Value| v["recommendation"]["add_ons"].to_string();
    assert!(add_ons(&before).contains("disable-buffering"), "{before:#}");
    assert!(!add_ons(&after).contains("disable-buffering"), "{after:#}");
    let hb = |v: &Value| v["recommendation"]["heartbeat_s"].as_f64().unwrap_or(0.0);
    assert!(hb(&before) > 3.0, "{before:#}");
    assert!(hb(&after) > 0.0 && hb(&after) < 3.0, "{after:#}");
}

#[test]
fn another_endpoint_is_measured_for_what_needs_no_schedule() {
    let (_serve, upstream) = probe_serve(&[]);
    let Some((_nginx, port)) = nginx(upstream, "") else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/static-events");
    let (r, code, _) = probe(&[&url, "--max-idle", "2s"]);
    assert_eq!(r["endpoint"], "other");
    assert_eq!(r["protocol"]["headers"][0][1], "text/event-stream");
    assert_eq!(r["buffering"]["verdict"], "unknown");
    let basis = |field: &str| {
        r["facts"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["field"] == field))
            .map(|f| f["basis"].clone())
    };
    assert_eq!(basis("buffers"), Some("not-known".into()), "{r:#}");
    assert_eq!(basis("lifetime_s"), Some("not-known".into()), "{r:#}");
    assert_eq!(basis("http2"), Some("measured".into()), "{r:#}");
    assert_eq!(r["websocket"]["upgrade"], "not-tried");
    assert_eq!(code, 0, "{r:#}");
}

// --- HAProxy -----------------------------------------------------------------

#[test]
fn haproxy_timeout_server_and_timeout_tunnel_are_measured() {
    let Some(bin) = find("haproxy") else { return };
    let (_serve, upstream) = probe_serve(&[]);
    let dir = tempdir();
    let port = free_port();
    let cfg = format!(
        "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 3s\n  timeout tunnel 5s\n\
         frontend fe\n  bind 127.0.0.1:{port}\n  default_backend be\n\
         backend be\n  server s1 127.0.0.1:{upstream}\n"
    );
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let p = path.display().to_string();
    let _haproxy = start(&bin, &["-f", &p, "-db"], dir, &[]);
    wait_port(port, "haproxy");
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, stderr) = probe(&[&url, "--max-idle", "6s"]);
    within_10_percent(&r["idle"]["sse_timeout_s"], 3.0, "timeout server (SSE)", &r);
    within_10_percent(
        &r["idle"]["websocket_timeout_s"],
        5.0,
        "timeout tunnel (WebSocket)",
        &r,
    );
    assert_eq!(r["idle"]["timeout_s"], r["idle"]["sse_timeout_s"]);
    assert_eq!(r["websocket"]["upgrade"], "passes");
    assert_ne!(r["buffering"]["verdict"], "buffers", "{r:#}");
    assert_eq!(code, 0, "{stderr}");
}

// --- Caddy -------------------------------------------------------------------

#[test]
fn caddy_streams_without_buffering() {
    let Some(bin) = find("caddy") else { return };
    let (_serve, upstream) = probe_serve(&[]);
    let dir = tempdir();
    let port = free_port();
    let caddyfile = format!(
        "{{\n  admin off\n  auto_https off\n}}\nhttp://127.0.0.1:{port} {{\n  reverse_proxy 127.0.0.1:{upstream}\n}}\n"
    );
    let path = dir.path().join("Caddyfile");
    std::fs::write(&path, caddyfile).expect("Caddyfile");
    let p = path.display().to_string();
    let home = dir.path().to_path_buf();
    let _caddy = start(
        &bin,
        &["run", "--config", &p, "--adapter", "caddyfile"],
        dir,
        &[
            ("HOME", &home),
            ("XDG_DATA_HOME", &home),
            ("XDG_CONFIG_HOME", &home),
        ],
    );
    wait_port(port, "caddy");
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, stderr) = probe(&[&url, "--max-idle", "2s"]);
    assert_streams(&r);
    assert_eq!(r["websocket"]["upgrade"], "passes");
    assert_eq!(r["idle"]["timeout_s"], Value::Null, "{r:#}");
    assert_eq!(r["lifetime"]["cap_s"], Value::Null);
    assert_eq!(code, 0, "{stderr}");
}

// --- Varnish -----------------------------------------------------------------

fn varnish(vcl: Option<String>, upstream: u16, params: &[&str]) -> Option<(Proc, u16)> {
    let bin = find("varnishd")?;
    let dir = tempdir();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let work = dir.path().join("work").display().to_string();
    let backend = format!("127.0.0.1:{upstream}");
    let vcl_path = dir.path().join("probe.vcl").display().to_string();
    let mut args = vec![
        "-F",
        "-j",
        "none",
        "-a",
        &listen,
        "-n",
        &work,
        "-s",
        "malloc,16m",
    ];
    if let Some(v) = &vcl {
        std::fs::write(&vcl_path, v).expect("vcl");
        args.extend(["-f", &vcl_path]);
    } else {
        args.extend(["-b", &backend]);
    }
    for p in params {
        args.extend(["-p", p]);
    }
    let proc = start(&bin, &args, dir, &[]);
    wait_port(port, "varnishd");
    Some((proc, port))
}

#[test]
fn varnish_default_does_not_pass_websockets_and_its_between_bytes_timeout_is_measured() {
    let (_serve, upstream) = probe_serve(&[]);
    let Some((_varnish, port)) = varnish(None, upstream, &["between_bytes_timeout=3"]) else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, _) = probe(&[&url, "--max-idle", "6s"]);
    assert_eq!(r["websocket"]["upgrade"], "blocked", "{r:#}");
    assert_eq!(r["websocket"]["status"], 400);
    assert_eq!(r["buffering"]["likely_hop"], "Varnish");
    within_10_percent(
        &r["idle"]["sse_timeout_s"],
        3.0,
        "between_bytes_timeout",
        &r,
    );
    // Varnish streams by default (beresp.do_stream): measured, not assumed.
    assert_streams(&r);
    assert_eq!(code, 1);
}

#[test]
fn varnish_without_streaming_buffers_and_passes_websockets_when_piped() {
    let (_serve, upstream) = probe_serve(&[]);
    // The Upgrade pipe from Varnish's WebSocket guide, and streaming turned off.
    let vcl = format!(
        "vcl 4.1;\nbackend default {{ .host = \"127.0.0.1\"; .port = \"{upstream}\"; }}\n\
         sub vcl_recv {{ if (req.http.upgrade ~ \"(?i)websocket\") {{ return (pipe); }} }}\n\
         sub vcl_pipe {{ if (req.http.upgrade) {{ set bereq.http.upgrade = req.http.upgrade; set bereq.http.connection = req.http.connection; }} }}\n\
         sub vcl_backend_response {{ set beresp.do_stream = false; }}\n"
    );
    let Some((_varnish, port)) = varnish(Some(vcl), upstream, &[]) else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, _) = probe(&[&url, "--max-idle", "2s"]);
    assert_eq!(r["buffering"]["verdict"], "buffers", "{r:#}");
    assert!(
        r["buffering"]["bytes_held"].as_u64().unwrap_or(0) > 8000,
        "{r:#}"
    );
    assert_eq!(r["websocket"]["upgrade"], "passes", "{r:#}");
    assert_eq!(r["hop"]["buffers"], true);
    assert_eq!(code, 1);
}

// --- Squid (a forward proxy, as for a client behind a corporate proxy) --------

#[test]
fn squid_forward_proxy_streams_refuses_websocket_tunnels_and_its_read_timeout_is_measured() {
    let Some(bin) = find("squid") else { return };
    let (_serve, upstream) = probe_serve(&[]);
    let dir = tempdir();
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "http_port 127.0.0.1:{port}\nacl SSL_ports port 443\nacl CONNECT method CONNECT\n\
         http_access deny CONNECT !SSL_ports\nhttp_access allow localhost\nhttp_access deny all\n\
         cache deny all\npid_filename {d}/squid.pid\ncache_log {d}/cache.log\naccess_log none\n\
         coredump_dir {d}\npinger_enable off\nshutdown_lifetime 0 seconds\nread_timeout 3 seconds\n"
    );
    let path = dir.path().join("squid.conf");
    std::fs::write(&path, conf).expect("squid.conf");
    let p = path.display().to_string();
    let _squid = start(&bin, &["-N", "-f", &p], dir, &[]);
    wait_port(port, "squid");
    let url = format!("http://127.0.0.1:{upstream}/");
    let proxy = format!("http://127.0.0.1:{port}");
    let (r, code, _) = probe(&[&url, "--proxy", &proxy, "--max-idle", "6s"]);
    assert_eq!(r["proxy"], proxy.as_str());
    assert!(
        r["protocol"]["origin_saw"].to_string().contains("squid"),
        "{r:#}"
    );
    assert_streams(&r);
    within_10_percent(&r["idle"]["sse_timeout_s"], 3.0, "squid read_timeout", &r);
    assert_eq!(r["websocket"]["upgrade"], "blocked", "{r:#}");
    assert_eq!(r["websocket"]["status"], 403);
    assert!(
        r["websocket"]["note"].to_string().contains("CONNECT"),
        "{r:#}"
    );
    assert_eq!(code, 1);
}

// --- no intermediary ------------------------------------------------------------

#[test]
fn straight_to_probe_serve_everything_streams_in_every_format() {
    let (_serve, port) = probe_serve(&[]);
    let url = format!("http://127.0.0.1:{port}/");
    // A second network measured into the same profile: a hop of its own.
    let dir = tempfile::tempdir().expect("dir");
    let profile = dir.path().join("p.yaml");
    let office = "{name: measured-path, idle_timeout_s: 60, buffers: false}";
    std::fs::write(
        &profile,
        format!("name: x\ndirection: server-to-client\npath: [{office}]\n"),
    )
    .expect("profile");
    let p = profile.display().to_string();
    let (r, code, _) = probe(&[
        &url,
        "--max-idle",
        "1s",
        "--save-hop",
        &p,
        "--hop-name",
        "lab",
    ]);
    let text = std::fs::read_to_string(&profile).expect("profile");
    assert!(
        text.contains(&format!(
            "path: [{office}, {{name: lab, buffers: false, websocket: true"
        )),
        "{text}"
    );
    assert_eq!(r["hop"]["name"], "lab");
    assert_eq!(r["format_version"], 1);
    assert_streams(&r);
    assert_eq!(r["websocket"]["upgrade"], "passes");
    assert_eq!(r["protocol"]["origin_http_version"], "HTTP/1.1");
    assert_eq!(r["protocol"]["http2"], false);
    assert_eq!(code, 0);

    for (format, needle) in [
        ("table", "Measured and assumed"),
        ("markdown", "### Measured and assumed"),
    ] {
        let out = Command::cargo_bin("rtadvisor")
            .expect("binary")
            .args(["probe", &url, "--max-idle", "0.5s", "--format", format])
            .timeout(Duration::from_secs(60))
            .output()
            .expect("probe");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{format}: {text}");
        assert!(text.contains("{name: measured-path"), "{format}: {text}");
        assert_eq!(out.status.code(), Some(0), "{format}");
        // No terminal on stderr: no progress line.
        assert!(!String::from_utf8_lossy(&out.stderr).contains("waiting for"));
    }
}

#[test]
fn ctrl_c_prints_what_was_measured_so_far() {
    let (_serve, port) = probe_serve(&[]);
    let url = format!("http://127.0.0.1:{port}/");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtadvisor"))
        .args(["probe", &url, "--max-idle", "60s", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("probe");
    // The burst takes 2 s; interrupt in the first silences.
    std::thread::sleep(Duration::from_millis(3500));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    // Uninterrupted, the run would take minutes and exit 0: 130 shows Ctrl-C ended it.
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130));
    let r: Value = serde_json::from_slice(&out.stdout).expect("a report after Ctrl-C");
    assert_eq!(r["interrupted"], true);
    assert_streams(&r);
    assert_eq!(r["websocket"]["upgrade"], "passes", "{r:#}");
    assert_eq!(r["idle"]["timeout_s"], Value::Null);
}

#[test]
fn bad_usage_and_unreachable_endpoints_exit_2_before_measuring() {
    let port = free_port(); // nothing listens there
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.yaml");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: x\ndirektion: server-to-client\n").expect("bad");
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, "name: x\ndirection: server-to-client\n").expect("good");
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&good, &link).expect("symlink");
    let unreachable = format!("http://127.0.0.1:{port}/");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![unreachable.clone()], "cannot connect"),
        (vec!["ftp://example.com/".into()], "http:// or https://"),
        (
            vec![unreachable.clone(), "--max-idle".into(), "0s".into()],
            "more than 0",
        ),
        (
            vec![unreachable.clone(), "--max-idle".into(), "soon".into()],
            "not a duration",
        ),
        (
            vec![unreachable.clone(), "--proxy".into(), "https://p:1".into()],
            "--proxy",
        ),
        (
            vec![unreachable.clone(), "-H".into(), "no colon".into()],
            "Name: value",
        ),
        (
            vec![
                unreachable.clone(),
                "--save-hop".into(),
                missing.display().to_string(),
            ],
            "rtadvisor init",
        ),
        (
            vec![
                unreachable.clone(),
                "--save-hop".into(),
                bad.display().to_string(),
            ],
            "did you mean `direction`",
        ),
        (
            vec![
                unreachable.clone(),
                "--save-hop".into(),
                link.display().to_string(),
            ],
            "symbolic link",
        ),
        (
            vec![unreachable.clone(), "--replace-path".into()],
            "--save-hop",
        ),
        (
            vec![unreachable.clone(), "--hop-name".into(), "our f5".into()],
            "--hop-name",
        ),
        (
            vec!["app.example.com/probe".into()],
            "https://app.example.com/probe",
        ),
    ];
    // The messages show each was refused before any measuring (an unreachable
    // URL would otherwise say "cannot connect").
    for (args, needle) in cases {
        let out = Command::cargo_bin("rtadvisor")
            .expect("binary")
            .arg("probe")
            .args(&args)
            .timeout(Duration::from_secs(30))
            .output()
            .expect("probe");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!missing.exists());
    assert_eq!(
        std::fs::read_to_string(&good).ok().as_deref(),
        Some("name: x\ndirection: server-to-client\n")
    );
}

#[test]
fn varnish_send_timeout_is_a_lifetime_cap_not_an_idle_timeout() {
    let (_serve, upstream) = probe_serve(&[]);
    // send_timeout bounds the whole delivery of a response, busy or not.
    let Some((_varnish, port)) = varnish(None, upstream, &["send_timeout=4"]) else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, _) = probe(&[&url, "--max-idle", "6s"]);
    within_10_percent(&r["lifetime"]["cap_s"], 4.0, "send_timeout", &r);
    assert_eq!(r["idle"]["sse_timeout_s"], Value::Null, "{r:#}");
    assert!(finding_ids(&r).contains(&"lifetime-cap".into()));
    within_10_percent(&r["hop"]["lifetime_s"], 4.0, "saved lifetime_s", &r);
    assert_eq!(code, 1);
}

#[test]
fn nginx_compressing_the_event_stream_is_a_finding() {
    let (_serve, upstream) = probe_serve(&["X-Accel-Buffering: no"]);
    let location = "      gzip on;\n      gzip_types text/event-stream;\n      gzip_min_length 0;";
    let Some((_nginx, port)) = nginx(upstream, location) else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (r, code, _) = probe(&[&url, "--max-idle", "1s"]);
    assert!(
        r["protocol"]["headers"].to_string().contains("gzip"),
        "{r:#}"
    );
    let ids = finding_ids(&r);
    assert!(ids.contains(&"sse-compressed".into()), "{ids:?}");
    assert_eq!(r["buffering"]["verdict"], "buffers");
    assert_eq!(code, 1);
}

#[test]
fn caddy_over_tls_negotiates_http2_and_an_unknown_ca_is_refused() {
    let Some(bin) = find("caddy") else { return };
    let (_serve, upstream) = probe_serve(&[]);
    let dir = tempdir();
    let port = free_port();
    let caddyfile = format!(
        "{{\n  admin off\n  skip_install_trust\n  local_certs\n}}\nhttps://127.0.0.1:{port} {{\n  tls internal\n  reverse_proxy 127.0.0.1:{upstream}\n}}\n"
    );
    let path = dir.path().join("Caddyfile");
    std::fs::write(&path, caddyfile).expect("Caddyfile");
    let p = path.display().to_string();
    let home = dir.path().to_path_buf();
    let root = home.join("caddy/pki/authorities/local/root.crt");
    let _caddy = start(
        &bin,
        &["run", "--config", &p, "--adapter", "caddyfile"],
        dir,
        &[
            ("HOME", &home),
            ("XDG_DATA_HOME", &home),
            ("XDG_CONFIG_HOME", &home),
        ],
    );
    wait_port(port, "caddy");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !root.is_file() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let url = format!("https://127.0.0.1:{port}/");

    // Caddy's own CA is not one the probe trusts by default.
    let out = Command::cargo_bin("rtadvisor")
        .expect("binary")
        .args(["probe", &url, "--max-idle", "1s"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("probe");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("TLS with 127.0.0.1"), "{stderr}");

    let ca = root.display().to_string();
    let (r, code, stderr) = probe(&[&url, "--max-idle", "1s", "--cacert", &ca]);
    assert_eq!(r["protocol"]["http_version"], "HTTP/2", "{r:#}");
    assert_eq!(r["protocol"]["tls"]["alpn"], "h2");
    assert_eq!(r["protocol"]["tls"]["version"], "TLS 1.3");
    assert_eq!(r["protocol"]["http2"], true);
    assert_eq!(r["hop"]["http2"], true);
    assert_streams(&r);
    assert_eq!(r["websocket"]["upgrade"], "passes", "{r:#}");
    assert!(
        r["websocket"]["url"].to_string().starts_with("\"wss://"),
        "{r:#}"
    );
    assert_eq!(code, 0, "{stderr}");
}

/// On a terminal, stderr shows what the probe waits for and for how long.
#[cfg(unix)]
#[test]
fn a_terminal_shows_what_the_probe_is_waiting_for() {
    use expectrl::session::OsSession as Session;
    use expectrl::{Eof, Expect, Regex};
    let (_serve, port) = probe_serve(&[]);
    let url = format!("http://127.0.0.1:{port}/");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("rtadvisor"));
    cmd.args(["probe", &url, "--max-idle", "2s", "--format", "json"]);
    let mut s = Session::spawn(cmd).expect("spawn in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s.expect(Regex(
        r"probe \d+ s · waiting for .*the SSE burst \(\d+ of 40 events\) \(\d/2 s\)",
    ))
    .expect("the burst on the progress line");
    s.expect(Regex(r"SSE silence \d of 2: \d s \(\d/\d s\)"))
        .expect("a silence with its length on the progress line");
    s.expect(Regex(r"WebSocket silence \d of 2"))
        .expect("the WebSocket wait on the progress line");
    let rest = s.expect(Eof).expect("the report");
    let text = String::from_utf8_lossy(rest.as_bytes());
    assert!(text.contains("\"format_version\": 1"), "{text}");
}
