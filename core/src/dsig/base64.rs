//! Base64 as XML carries it: standard alphabet, padded, with any XML
//! whitespace (line breaks every 64 or 76 characters are common) between.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The value contains characters outside the base64 alphabet or is badly padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BadBase64;

/// Decodes base64 that may contain XML whitespace.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, BadBase64> {
    let bytes = text.as_bytes();
    // Every base64 character is above the space.
    if !crate::xml::chars::any_byte(bytes, |b| b <= b' ') {
        return STANDARD.decode(bytes).map_err(|_| BadBase64);
    }
    let compact: Vec<u8> = bytes.iter().copied().filter(|&b| !crate::xml::is_ws(b)).collect();
    STANDARD.decode(compact).map_err(|_| BadBase64)
}

/// Encodes without line breaks.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_ignored() {
        assert_eq!(decode("aGVs\r\n bG8=\n").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8").unwrap_err(), BadBase64);
        assert_eq!(decode("aGV*bG8=").unwrap_err(), BadBase64);
        assert_eq!(encode(b"hello"), "aGVsbG8=");
    }
}
