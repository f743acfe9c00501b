//! [`Kstr`]: a text of the rules. Decoded from the precompiled defaults it points
//! into the binary's own copy of them (no allocation, no copy at start); parsed
//! from YAML (overlays, or defaults newer than their precompiled form) it owns its
//! text.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kstr(Cow<'static, str>);

impl Kstr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Kstr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Kstr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Kstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<String> for Kstr {
    fn from(s: String) -> Self {
        Kstr(Cow::Owned(s))
    }
}

impl From<&str> for Kstr {
    fn from(s: &str) -> Self {
        Kstr(Cow::Owned(s.to_owned()))
    }
}

impl From<Kstr> for String {
    fn from(s: Kstr) -> Self {
        s.0.into_owned()
    }
}

impl PartialEq<str> for Kstr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Kstr {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Kstr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Kstr> for String {
    fn eq(&self, other: &Kstr) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Kstr> for &str {
    fn eq(&self, other: &Kstr) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Kstr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Kstr {
    /// From YAML (human-readable), a string. From the precompiled form (postcard, not
    /// human-readable), the bytes of one: the same wire form as a string, read without
    /// validating it again when they are the binary's own (see
    /// `embedded::stored_kstr`), validated when not.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Kstr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Kstr, E> {
                Ok(Kstr(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Kstr, E> {
                Ok(Kstr(Cow::Owned(s)))
            }
            fn visit_borrowed_bytes<E: serde::de::Error>(self, b: &'de [u8]) -> Result<Kstr, E> {
                // SAFETY: `b` is the whole of what the deserializer gave this visitor;
                // bytes inside the precompiled form reach it only from its decoding.
                match unsafe { super::embedded::stored_kstr(b) } {
                    Some(s) => Ok(Kstr(Cow::Borrowed(s))),
                    None => self.visit_bytes(b),
                }
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Kstr, E> {
                match std::str::from_utf8(b) {
                    Ok(s) => self.visit_str(s),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(b), &self)),
                }
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(V)
        } else {
            d.deserialize_bytes(V)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_and_prints_as_its_text() {
        let k = Kstr::from("sse");
        assert_eq!(k, "sse");
        assert!("sse" == k);
        assert_eq!(k.to_string(), "sse");
        assert_eq!(format!("{k:?}"), "\"sse\"");
        assert_eq!(String::from(k.clone()), "sse");
        assert_eq!(&*k, "sse");
    }

    #[test]
    fn postcard_bytes_from_elsewhere_are_validated_and_copied() {
        let wire = postcard::to_allocvec(&Kstr::from("déjà vu")).unwrap();
        assert_eq!(wire, postcard::to_allocvec("déjà vu").unwrap());
        let k: Kstr = postcard::from_bytes(&wire).unwrap();
        assert_eq!(k, "déjà vu");
        assert!(matches!(k.0, Cow::Owned(_)));
        // The same wire form with bytes that are not UTF-8 is refused, not taken.
        let bad = [2u8, 0xc3, 0x28];
        assert!(postcard::from_bytes::<Kstr>(&bad).is_err());
    }
}
