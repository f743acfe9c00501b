//! `rtadvisor schema`: the generated JSON Schema accepts every fixture and rejects
//! what `advise` rejects (unknown fields, bad enum values, out-of-range numbers).

use assert_cmd::Command;
use serde_json::{json, Value};

fn schema() -> Value {
    let out = Command::cargo_bin("rtadvisor")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).unwrap()
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn every_fixture_validates() {
    let v = validator();
    let mut n = 0;
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let value = yaml(&std::fs::read_to_string(&path).unwrap());
        let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        n += 1;
    }
    assert!(n >= 30, "only {n} fixtures");
}

#[test]
fn the_schema_is_strict_and_describes_ids() {
    let s = schema();
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["$defs"]["InlineHop"]["additionalProperties"], false);
    assert_eq!(s["required"], json!(["name", "direction"]));
    let runtimes = s["properties"]["runtime"]["enum"].as_array().unwrap();
    for id in [
        "container",
        "vercel-edge",
        "cloudflare-workers",
        "aws-lambda",
        "heroku",
    ] {
        assert!(runtimes.contains(&json!(id)), "{id}");
    }
    let hop_ids = s["$defs"]["Hop"]["anyOf"][0]["enum"].as_array().unwrap();
    for id in ["nginx", "aws-alb", "cloudflare", "corporate-proxy"] {
        assert!(hop_ids.contains(&json!(id)), "{id}");
    }
    // Optional means "leave it out", not null.
    assert!(!s.to_string().contains("\"null\""));
}

#[test]
fn bad_profiles_fail() {
    let v = validator();
    let base = "name: x\ndirection: server-to-client\n";
    let bad = [
        "nmae: x\ndirection: server-to-client\n",
        "name: x\n",
        "name: \"\"\ndirection: server-to-client\n",
        "name: x\ndirection: both-ways\n",
        "name: x\ndirection: server-to-client\npayload: binery\n",
        "name: x\ndirection: server-to-client\nauth: jwt\n",
        "name: x\ndirection: server-to-client\nclients: [browser, tablet]\n",
        "name: x\ndirection: server-to-client\ncurrent_transport: grpc\n",
        "name: x\ndirection: server-to-client\nround_trip_ms: 0\n",
        "name: x\ndirection: server-to-client\nupdate_interval_s: -1\n",
        "name: x\ndirection: server-to-client\nmax_delay_s: 0\n",
        "name: x\ndirection: server-to-client\njob_duration_s: 0\n",
        "name: x\ndirection: server-to-client\nclient_messages_per_minute: -1\n",
        "name: x\ndirection: server-to-client\nconcurrent_clients: 1.5\n",
        "name: x\ndirection: server-to-client\nconcurrent_clients: -3\n",
        "name: x\ndirection: server-to-client\nstreams_per_client: 0\n",
        "name: x\ndirection: server-to-client\nhttp2: \"yes\"\n",
        "name: x\ndirection: server-to-client\nruntime: lamdba\n",
        "name: x\ndirection: server-to-client\npath: [ngnix]\n",
        "name: x\ndirection: server-to-client\npath: [{name: f5, idle_timeout_s: 0}]\n",
        "name: x\ndirection: server-to-client\npath: [{name: f5, colour: red}]\n",
        "name: x\ndirection: server-to-client\npath: [{idle_timeout_s: 30}]\n",
        "name: x\ndirection: server-to-client\nruntime: null\n",
    ];
    for text in bad {
        assert!(!v.is_valid(&yaml(text)), "accepted:\n{text}");
    }
    for good in [
        "client_messages_per_minute: 0\n",
        "concurrent_clients: 0\n",
        "update_interval_s: 0.05\n",
        "path: [{name: our-f5, idle_timeout_s: 300, buffers: true, websocket: false, http2: false}, nginx]\n",
    ] {
        let text = format!("{base}{good}");
        assert!(v.is_valid(&yaml(&text)), "rejected:\n{text}");
    }
}
