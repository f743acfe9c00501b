//! The pictures, checked as a person sees them: the Mermaid path diagrams parsed and
//! drawn by the real Mermaid (`@mermaid-js/mermaid-cli` in headless Chromium), and
//! the HTML report rendered by headless Chromium to a PNG whose pixels are checked.
//!
//! Chromium is the Debian `chromium` package; `mmdc` is found through
//! `RTADVISOR_MMDC` or `PATH`. `.ci/run` installs both. Without them a test skips
//! with a loud message, except under CI (`CI` set), where a missing one fails.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("rtadvisor").expect("binary");
    c.env("NO_COLOR", "1");
    c
}

fn missing(what: &str, how: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is not installed, but CI must run this test (.ci/run installs it)");
    }
    eprintln!("\n!!! SKIPPED: {what} is not installed; {how} to run this test !!!\n");
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("RTADVISOR_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| on_path(&["chromium", "chromium-browser"]));
    if found.is_none() {
        missing("chromium", "`apt-get install -y chromium`");
    }
    found
}

fn mmdc() -> Option<PathBuf> {
    let found = std::env::var_os("RTADVISOR_MMDC")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| on_path(&["mmdc"]));
    if found.is_none() {
        missing(
            "mmdc (@mermaid-js/mermaid-cli)",
            "`PUPPETEER_SKIP_DOWNLOAD=1 npm install @mermaid-js/mermaid-cli` and set RTADVISOR_MMDC",
        );
    }
    found
}

/// The flags every headless run takes: no sandbox (root in CI), no GPU, no network
/// services, no first-run work.
const HEADLESS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.yaml"))
}

/// A profile whose inline hop name tries every way out of a Mermaid label, an
/// HTML element and a Markdown code fence.
const HOSTILE: &str = "name: 'Hostile <b>names</b>'
direction: server-to-client
update_interval_s: 2
max_delay_s: 1
runtime: container
path:
  - name: \"<img src=x onerror=alert(1)> evil\\\"]; %% ``` #lt; & \\\\ ;\"
    idle_timeout_s: 30
    buffers: true
  - nginx
";

fn mermaid_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<&str>> = None;
    for line in md.lines() {
        match &mut cur {
            None if line == "```mermaid" => cur = Some(Vec::new()),
            Some(v) if line == "```" => {
                out.push(v.join("\n"));
                cur = None;
            }
            Some(v) => v.push(line),
            None => {}
        }
    }
    out
}

#[test]
fn every_path_diagram_is_valid_mermaid_and_draws_every_hop() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile = dir.path().join("hostile.yaml");
    std::fs::write(&hostile, HOSTILE).expect("write");
    let md = bin()
        .args(["advise", "--format", "markdown"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .arg(&hostile)
        .output()
        .expect("run");
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md = String::from_utf8(md.stdout).expect("utf-8");
    let blocks = mermaid_blocks(&md);
    assert!(blocks.len() >= 50, "a diagram for nearly every fixture");
    // Nothing of the hostile name survives unescaped inside a diagram.
    let evil = blocks.last().expect("the hostile profile's diagram");
    for raw in ["evil\"]", "%%", "<img", "```", "\\", "& "] {
        assert!(!evil.contains(raw), "{raw} in\n{evil}");
    }
    for b in &blocks {
        assert!(b.lines().all(|l| l.chars().count() <= 80), "{b}");
    }
    let (Some(chromium), Some(mmdc)) = (chromium(), mmdc()) else {
        return;
    };
    // One Mermaid run over one document with every block: each must parse and draw.
    let input = dir.path().join("all.md");
    let doc: String = blocks
        .iter()
        .map(|b| format!("```mermaid\n{b}\n```\n\n"))
        .collect();
    std::fs::write(&input, &doc).expect("write");
    let config = dir.path().join("puppeteer.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "executablePath": chromium,
            "args": HEADLESS[1..],
        })
        .to_string(),
    )
    .expect("write");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let run = std::process::Command::new(&mmdc)
        .arg("-p")
        .arg(&config)
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(out_dir.join("all.md"))
        .arg("-a")
        .arg(&out_dir)
        .output()
        .expect("run mmdc");
    assert!(
        run.status.success(),
        "Mermaid refused a diagram:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for (i, b) in blocks.iter().enumerate() {
        let svg = std::fs::read_to_string(out_dir.join(format!("all-{}.svg", i + 1)))
            .unwrap_or_else(|e| panic!("diagram {} was not drawn: {e}", i + 1));
        // Every node of the source is a node of the picture.
        let declared = b
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.contains("[\""))
            .count();
        let drawn = svg.matches("class=\"node ").count();
        assert_eq!(drawn, declared, "diagram {}:\n{b}", i + 1);
        assert!(svg.contains("The path, client to app"), "diagram {}", i + 1);
    }
    // The hostile name is drawn as the literal text it is.
    let last =
        std::fs::read_to_string(out_dir.join(format!("all-{}.svg", blocks.len()))).expect("svg");
    assert!(last.contains("evil\"]; %%"), "{last}");
    assert!(last.contains("``` #lt; &amp; \\ ;"), "{last}");
    assert!(
        last.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{last}"
    );
    assert!(!last.contains("<img"), "{last}");
}

#[test]
fn no_diagram_leaves_the_picture_out_and_doc_remembers_it() {
    let f = fixture("ai-chat-tokens");
    let with = bin()
        .args(["advise", "--format", "markdown"])
        .arg(&f)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&with.stdout).contains("```mermaid"));
    let without = bin()
        .args(["advise", "--format", "markdown", "--no-diagram"])
        .arg(&f)
        .output()
        .expect("run");
    let without = String::from_utf8(without.stdout).expect("utf-8");
    assert!(!without.contains("mermaid"), "{without}");
    let html = bin()
        .args(["advise", "--format", "html", "--no-diagram"])
        .arg(&f)
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&html.stdout).contains("class=\"path\""));

    let dir = tempfile::tempdir().expect("temp dir");
    let doc = dir.path().join("design.md");
    bin()
        .args(["doc"])
        .arg(&f)
        .arg("--into")
        .arg(&doc)
        .arg("--no-diagram")
        .assert()
        .success();
    let text = std::fs::read_to_string(&doc).expect("doc");
    assert!(text.contains("diagram=\"no\""), "{text}");
    assert!(!text.contains("```mermaid"), "{text}");
    // A refresh of the doc alone keeps the choice; --diagram brings the picture back.
    bin().arg("doc").arg(&doc).assert().success();
    assert_eq!(std::fs::read_to_string(&doc).expect("doc"), text);
    bin().arg("doc").arg(&doc).arg("--check").assert().success();
    bin()
        .arg("doc")
        .arg(&doc)
        .arg("--diagram")
        .assert()
        .success();
    let back = std::fs::read_to_string(&doc).expect("doc");
    assert!(
        back.contains("```mermaid") && !back.contains("diagram=\"no\""),
        "{back}"
    );
}

/// The report as HTML, written to a file in `dir`.
fn html_of(dir: &Path, profiles: &[PathBuf], name: &str) -> PathBuf {
    let out = bin()
        .args(["advise", "--format", "html"])
        .args(profiles)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, &out.stdout).expect("write");
    path
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// Decoded RGBA pixels of a PNG, with its width.
fn pixels(png_path: &Path) -> (Vec<[u8; 3]>, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let step = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (px, info.width)
}

fn screenshot(chromium: &Path, html: &Path, png: &Path, extra: &[&str]) -> (Vec<[u8; 3]>, u32) {
    let out = std::process::Command::new(chromium)
        .args(HEADLESS)
        .args(extra)
        .arg("--window-size=1000,1800")
        .arg(format!("--screenshot={}", png.display()))
        .arg(file_url(html))
        .output()
        .expect("run chromium");
    assert!(
        png.is_file(),
        "chromium made no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pixels(png)
}

fn count(px: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    px.iter().filter(|p| **p == rgb).count()
}

#[test]
fn the_html_report_is_self_contained_and_accessible() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile = dir.path().join("hostile.yaml");
    std::fs::write(&hostile, HOSTILE).expect("write");
    let path = html_of(
        dir.path(),
        &[fixture("corporate-intranet-feed"), hostile],
        "two",
    );
    let html = std::fs::read_to_string(&path).expect("html");
    // Nothing is fetched: no scripts, styles, fonts or images from anywhere, and the
    // browser is told so.
    for bad in [
        "<script", "<link", "@import", "url(", "<img", "<iframe", "<object",
    ] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        assert!(!tag.contains(" src="), "<{tag}> loads something");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("prefers-color-scheme: dark") && html.contains("@media print"));
    // Every picture has a title and a description a screen reader reads.
    let svgs = html.matches("<svg ").count();
    assert!(svgs >= 5, "path, scores and sensitivity pictures: {svgs}");
    assert_eq!(html.matches("role=\"img\"").count(), svgs);
    assert_eq!(html.matches("<title id=").count(), svgs);
    assert_eq!(html.matches("<desc id=").count(), svgs);
    // Tables are tables, with headers.
    assert!(html.matches("<th scope=\"col\">").count() >= 6);

    let Some(chromium) = chromium() else {
        return;
    };
    // What the browser parsed: the pictures' elements where they belong.
    let dom = std::process::Command::new(&chromium)
        .args(HEADLESS)
        .arg("--dump-dom")
        .arg(file_url(&path))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let json = bin()
        .args(["advise", "--format", "json"])
        .arg(fixture("corporate-intranet-feed"))
        .output()
        .expect("run");
    let d: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let ranking = d["ranking"].as_array().map_or(0, Vec::len);
    let first = dom.split("<article").nth(1).expect("first article");
    assert_eq!(
        first.matches("<g class=\"score\"").count(),
        ranking,
        "one bar per transport"
    );
    let vetoed = d["ranking"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["vetoed"] == true)
        .count();
    assert!(vetoed > 0);
    assert_eq!(first.matches("class=\"bar vetoed\"").count(), vetoed);
    assert_eq!(first.matches("class=\"veto-mark\"").count(), vetoed);
    assert_eq!(first.matches("class=\"bar chosen\"").count(), 1);
    let flips = d["flips"].as_array().map_or(0, Vec::len);
    assert_eq!(first.matches("<g class=\"flip-row\"").count(), flips);
    // Clients, the corporate proxy, nginx and the runtime; both hops buffer.
    assert_eq!(first.matches("<g class=\"hop\"").count(), 4);
    assert_eq!(first.matches("class=\"node problem\"").count(), 2);
}

#[test]
fn the_html_report_renders_in_chromium_light_dark_and_printed() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = html_of(dir.path(), &[fixture("corporate-intranet-feed")], "feed");
    let (px, width) = screenshot(&chromium, &path, &dir.path().join("light.png"), &[]);
    assert_eq!(width, 1000);
    let white = count(&px, [255, 255, 255]);
    let ink = px.len() - white;
    assert!(
        ink * 100 / px.len() >= 5,
        "the page is nearly blank: {ink} of {} pixels drawn",
        px.len()
    );
    // The chosen bar (accent blue) and the problem borders (red) are on screen.
    assert!(
        count(&px, [0x0b, 0x6b, 0xcb]) > 2000,
        "the chosen score bar"
    );
    assert!(
        count(&px, [0xc6, 0x28, 0x28]) > 300,
        "the problem hops' borders"
    );

    // Dark mode: the page follows the system's colour scheme.
    let (dark, _) = screenshot(
        &chromium,
        &path,
        &dir.path().join("dark.png"),
        &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ],
    );
    assert!(
        count(&dark, [0x0d, 0x11, 0x17]) * 2 > dark.len(),
        "a dark background in dark mode"
    );
    assert!(
        count(&dark, [0x44, 0x93, 0xf8]) > 2000,
        "the chosen bar in dark mode"
    );

    // Printed: a real PDF of at least one page.
    let pdf = dir.path().join("feed.pdf");
    std::process::Command::new(&chromium)
        .args(HEADLESS)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&path))
        .output()
        .expect("run chromium");
    let bytes = std::fs::read(&pdf).expect("a PDF");
    assert!(bytes.starts_with(b"%PDF"));
    let pages = bytes.windows(10).filter(|w| w == b"/Type /Pag").count();
    assert!(pages >= 2, "the report prints on pages: {pages}");
}

#[test]
fn the_readme_picture_is_made_by_a_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("readme");
    assert!(
        readme.contains("docs/report.png"),
        "the README shows the picture"
    );
    let script = std::fs::read_to_string(root.join("scripts/readme-picture.sh")).expect("script");
    assert!(script.contains("docs/report.png") && script.contains("--format html"));
    let png = root.join("docs/report.png");
    let (px, width) = pixels(&png);
    assert!(width >= 800 && px.len() > 800 * 600);
}

#[test]
fn the_html_report_of_an_acceptance_example() {
    let out = bin()
        .args(["advise", "--format", "html"])
        .arg("fixtures/ai-chat-tokens.yaml")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).expect("utf-8");
    // The version in the generator line changes with every release.
    let html = html.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!(html);
}
