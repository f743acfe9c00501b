//! Reading user files and stdin: size limit checked before reading whole,
//! binary and non-UTF-8 input refused with the position of the first bad byte.

use crate::yaml::{Pos, MAX_INPUT_BYTES};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why an input could not be read as text.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub message: String,
    pub pos: Option<Pos>,
    pub help: Option<String>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn err(message: impl Into<String>) -> InputError {
    InputError {
        message: message.into(),
        pos: None,
        help: None,
    }
}

fn too_large() -> InputError {
    InputError {
        message: format!(
            "the file is larger than the {} KiB limit",
            MAX_INPUT_BYTES / 1024
        ),
        pos: None,
        help: Some("profiles and rule files are small; is this the right file?".into()),
    }
}

/// Reads a file as text, refusing anything over [`MAX_INPUT_BYTES`] before reading it.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    // Opened first and then asked what it is (`fstat`): the path is looked up once,
    // not once for `stat` and again to open it (a batch reads thousands of files).
    let (file, meta) = match std::fs::File::open(path) {
        Ok(file) => {
            let meta = file.metadata().map_err(|e| io_error(&e))?;
            (Some(file), meta)
        }
        // What it is still decides the message (a folder one cannot open is a folder).
        Err(_) => (None, std::fs::metadata(path).map_err(|e| io_error(&e))?),
    };
    if meta.is_dir() {
        return Err(InputError {
            message: "is a folder, not a file".into(),
            pos: None,
            help: Some("pass the folder itself to `advise` to read its *.yaml files".into()),
        });
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let file = match file {
        Some(file) => file,
        None => std::fs::File::open(path).map_err(|e| io_error(&e))?,
    };
    // Room for the whole file and a byte more: one read takes it, the next sees the
    // end (growing from empty would read it in ever larger pieces).
    read_into(file, Vec::with_capacity(meta.len() as usize + 1))
}

/// Reads a stream as text, stopping as soon as it passes [`MAX_INPUT_BYTES`].
pub fn read_limited(reader: impl Read) -> Result<String, InputError> {
    read_into(reader, Vec::new())
}

fn read_into(reader: impl Read, mut bytes: Vec<u8>) -> Result<String, InputError> {
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    decode(bytes)
}

/// Checks that bytes are UTF-8 text (not binary) and returns the text.
pub fn decode(bytes: Vec<u8>) -> Result<String, InputError> {
    if let Some(i) = bytes.iter().position(|b| *b == 0) {
        return Err(InputError {
            message: "this looks like a binary file (it contains a NUL byte), not YAML".into(),
            pos: Some(pos_of(&bytes, i)),
            help: Some("profiles are UTF-8 YAML text".into()),
        });
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let i = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            Err(InputError {
                message: format!("not UTF-8 text: invalid byte 0x{:02x}", bytes[i]),
                pos: Some(pos_of(&bytes, i)),
                help: Some("save the file as UTF-8".into()),
            })
        }
    }
}

fn pos_of(bytes: &[u8], i: usize) -> Pos {
    let before = &bytes[..i];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos {
        line,
        column,
        offset: None,
        len: 1,
    }
}

fn io_error(e: &std::io::Error) -> InputError {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read: {e}"),
    };
    err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_binary_and_bad_utf8_with_positions() {
        let e = decode(b"name: a\n\x00".to_vec()).unwrap_err();
        assert!(e.message.contains("binary"));
        assert_eq!(e.pos.map(|p| (p.line, p.column)), Some((2, 1)));
        let e = decode(b"name: \xff\n".to_vec()).unwrap_err();
        assert!(e.message.contains("UTF-8"));
        assert_eq!(e.pos.map(|p| (p.line, p.column)), Some((1, 7)));
        assert_eq!(decode("\u{feff}a: 1".as_bytes().to_vec()).unwrap(), "a: 1");
    }

    #[test]
    fn stops_reading_past_the_limit() {
        let big = std::io::repeat(b'a').take(MAX_INPUT_BYTES * 30);
        assert!(read_limited(big).unwrap_err().message.contains("limit"));
    }
}
