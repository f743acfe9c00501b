//! The default rules, precompiled. `rules/*.yaml` are parsed and validated once, when
//! the tests run, and stored as [postcard](https://docs.rs/postcard) in
//! `src/rules/embedded.postcard`; the binary decodes that at start instead of parsing
//! YAML. The test `precompiled_rules_are_fresh` fails when the stored form no longer
//! matches the YAML (or the types); `RTADVISOR_BLESS=1 cargo test --lib embedded`
//! rewrites it. The stored form carries a hash of the YAML it was made from: when the
//! YAML has changed since, the binary parses the YAML instead (slower, never stale).
//! The hash covers the source of the types the form is made of too ([`FORM_FILES`]):
//! when they changed since, the form is not decoded either, so a text is only ever
//! read back with the very types that wrote it (see [`stored_kstr`]).

use super::{Knowledge, DEFAULT_FILES};

/// The stored form: an 8-byte little-endian [`FORM_HASH`], then the postcard bytes.
static STORED: &[u8] = include_bytes!("embedded.postcard");

/// The source files that define the types of the stored form and how a text of it is
/// written and read (every type under [`Knowledge`]). Editing one makes the stored
/// form stale, like editing the YAML: the freshness test says so, and a binary built
/// without re-blessing parses the YAML instead.
const FORM_FILES: &[(&str, &str)] = &[
    ("src/rules/mod.rs", include_str!("mod.rs")),
    ("src/rules/cond.rs", include_str!("cond.rs")),
    ("src/rules/kstr.rs", include_str!("kstr.rs")),
    ("src/rules/load/mod.rs", include_str!("load/mod.rs")),
];

/// FNV-1a over every default file's name and text, then over [`FORM_FILES`],
/// computed at compile time.
pub(crate) const FORM_HASH: u64 = hash_files(FORM_FILES, hash_files(DEFAULT_FILES, FNV_START));

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

const fn hash_files(files: &[(&str, &str)], start: u64) -> u64 {
    let mut h = start;
    let mut i = 0;
    while i < files.len() {
        h = fnv(h, files[i].0.as_bytes());
        h = fnv(h, &[0]);
        h = fnv(h, files[i].1.as_bytes());
        h = fnv(h, &[0]);
        i += 1;
    }
    h
}

const fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// The precompiled defaults, when they were made from the YAML built into this binary.
pub(crate) fn decode() -> Option<Knowledge> {
    let (hash, body) = STORED.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*hash) != FORM_HASH {
        return None;
    }
    postcard::from_bytes(body).ok()
}

/// `b` as the binary's own copy of it, when it lies wholly inside the precompiled
/// form: the rules then point into the binary instead of copying each text onto the
/// heap at start.
fn stored(b: &[u8]) -> Option<&'static [u8]> {
    let at = (b.as_ptr() as usize).checked_sub(STORED.as_ptr() as usize)?;
    STORED.get(at..at.checked_add(b.len())?)
}

/// The text a [`Kstr`](super::Kstr) of the precompiled form was written as, read
/// back without validating its UTF-8 again at every start (that was a tenth of a
/// one-profile run), when `b` lies inside the precompiled form; `None` for bytes
/// from anywhere else.
///
/// # Safety
///
/// When `b` lies inside `STORED`, it must be the whole of the bytes postcard gave a
/// `Kstr`'s visitor while [`decode`] decodes `STORED` (not a part of them). It is:
/// `STORED` is private to this module and only `decode` hands it out, to postcard.
pub(crate) unsafe fn stored_kstr(b: &[u8]) -> Option<&'static str> {
    let bytes = stored(b)?;
    debug_assert!(std::str::from_utf8(bytes).is_ok(), "{bytes:?}");
    // SAFETY: `decode` reads `STORED` only when its hash is this build's `FORM_HASH`:
    // `STORED` is then what `encode` wrote with these very types (their source is
    // hashed too, `FORM_FILES`), postcard reads a value's fields back in the order it
    // wrote them, and a `Kstr` is written as the bytes of a `str` (`serialize_str`)
    // and read back as those bytes (`deserialize_bytes`, the same wire form). So, by
    // the caller's promise, `bytes` are the bytes of a whole `str` that was valid
    // UTF-8 when written. The debug assertion checks every one in the tests, which
    // decode the whole stored form.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// The stored form of validated knowledge.
#[cfg(test)]
pub(crate) fn encode(k: &Knowledge) -> Result<Vec<u8>, postcard::Error> {
    let mut out = FORM_HASH.to_le_bytes().to_vec();
    out.extend(postcard::to_allocvec(k)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_yaml() -> Knowledge {
        Knowledge::parse_defaults().unwrap_or_else(|e| panic!("default rules are invalid:\n{e}"))
    }

    #[test]
    fn decoded_texts_point_into_the_stored_form() {
        let k = decode().expect("the precompiled form is fresh");
        let inside = |t: &str| stored(t.as_bytes()).is_some_and(|s| std::ptr::eq(s, t.as_bytes()));
        let r = &k.rules[0];
        assert!(inside(&r.id) && inside(&r.message), "{}", r.id);
        assert!(k.sources.iter().all(|s| inside(&s.url)));
        // A text from anywhere else is not taken for one of the stored texts.
        let copy = r.id.to_string();
        assert!(stored(copy.as_bytes()).is_none());
    }

    #[test]
    fn precompiled_rules_are_fresh() {
        let fresh = encode(&from_yaml()).unwrap();
        if std::env::var_os("RTADVISOR_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/embedded.postcard");
            std::fs::write(path, &fresh).unwrap();
            return;
        }
        assert!(
            fresh == STORED,
            "src/rules/embedded.postcard is stale (rules/*.yaml or the rule types changed): \
             run `RTADVISOR_BLESS=1 cargo test --lib embedded` and commit it"
        );
    }

    #[test]
    fn decoding_gives_what_parsing_gives() {
        let decoded = decode().expect("the stored form matches the YAML");
        assert_eq!(format!("{decoded:?}"), format!("{:?}", from_yaml()));
    }

    #[test]
    fn a_changed_yaml_is_parsed_not_decoded() {
        let hash = |f| hash_files(f, FNV_START);
        assert_ne!(hash(&[("rules/a.yaml", "x: 1")]), FORM_HASH);
        assert_ne!(
            hash(&[("rules/a.yaml", "x: 1")]),
            hash(&[("rules/a.yaml", "x: 2")])
        );
        // The types' source counts too: the YAML alone does not give the stored hash.
        assert_ne!(hash(DEFAULT_FILES), FORM_HASH);
    }
}
