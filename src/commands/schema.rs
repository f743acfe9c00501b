//! `schema`: the JSON Schema of profile v1, generated from the Rust types.

use crate::output::{emit, Outcome};
use crate::profile::Profile;
use crate::rules::Knowledge;
use serde_json::{json, Value};

pub fn schema() -> Outcome {
    let k = Knowledge::embedded()?;
    let mut text = serde_json::to_string_pretty(&profile_schema(&k))
        .map_err(|e| crate::output::Failure::Usage(format!("cannot render the schema: {e}")))?;
    text.push('\n');
    emit(&text)
}

/// The schema of [`Profile`] as schemars derives it, with two adjustments so it
/// says exactly what `advise` accepts: optional fields may be left out but not
/// set to `null`, and `runtime` and known `path` ids are enumerated from the
/// platform knowledge (so they cannot drift from the rules).
pub fn profile_schema(k: &Knowledge) -> Value {
    let mut v = schemars::schema_for!(Profile).to_value();
    strip_null(&mut v);
    let runtimes: Vec<&str> = k.runtimes.iter().map(|r| r.id.as_str()).collect();
    let hops: Vec<&str> = k.hops.iter().map(|h| h.id.as_str()).collect();
    if let Some(rt) = v.pointer_mut("/properties/runtime") {
        set(rt, "enum", json!(runtimes));
    }
    // The `Known` variant of the untagged `Hop` enum is the one plain string.
    if let Some(Value::Array(variants)) = v.pointer_mut("/$defs/Hop/anyOf") {
        for variant in variants {
            if variant.get("type") == Some(&json!("string")) {
                set(variant, "enum", json!(hops));
            }
        }
    }
    v
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = v {
        map.insert(key.to_string(), value);
    }
}

/// Removes the `null` alternatives schemars adds for `Option<T>` fields.
fn strip_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(alts)) = map.get_mut(key) else {
                    continue;
                };
                alts.retain(|a| a.get("type") != Some(&json!("null")));
                if alts.len() == 1 {
                    let only = alts.remove(0);
                    map.remove(key);
                    if let Value::Object(inner) = only {
                        for (k, val) in inner {
                            map.entry(k).or_insert(val);
                        }
                    }
                }
            }
            if map.get("enum").is_some() {
                if let Some(Value::Array(vals)) = map.get_mut("enum") {
                    vals.retain(|x| !x.is_null());
                }
            }
            for child in map.values_mut() {
                strip_null(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}
