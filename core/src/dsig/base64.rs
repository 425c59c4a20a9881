//! Base64 as XML carries it: standard alphabet, padded, with any XML
//! whitespace (line breaks every 64 or 76 characters are common) between.
//!
//! Decoding accepts exactly what the `base64` crate's `STANDARD` engine
//! accepts once the whitespace is removed (canonical padding, no trailing
//! bits; the tests compare the two), without the copy without whitespace,
//! the zeroed buffer and the general engine's per-call setup.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The value contains characters outside the base64 alphabet or is badly padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BadBase64;

/// [`SEXTETS`] of `=`.
const PAD: u8 = 64;
/// [`SEXTETS`] of XML whitespace.
const WS: u8 = 65;
/// [`SEXTETS`] of every other byte outside the alphabet.
const BAD: u8 = 0xFF;

/// The value of each byte: 0..=63 for the alphabet, else [`PAD`], [`WS`] or [`BAD`].
const SEXTETS: [u8; 256] = sextets();

const fn sextets() -> [u8; 256] {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [BAD; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table[b'=' as usize] = PAD;
    let ws = [b' ', b'\t', b'\n', b'\r'];
    let mut w = 0;
    while w < ws.len() {
        table[ws[w] as usize] = WS;
        w += 1;
    }
    table
}

/// Decodes base64 that may contain XML whitespace.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, BadBase64> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let done = whole_blocks(bytes, &mut out);
    rest(&bytes[done..], &mut out)?;
    Ok(out)
}

/// Decodes the leading blocks of eight alphabet characters (six bytes
/// each); returns how many input bytes it took. Stops at the first block
/// with anything else in it (whitespace, padding, a bad byte).
fn whole_blocks(bytes: &[u8], out: &mut Vec<u8>) -> usize {
    let mut done = 0;
    for block in bytes.chunks_exact(8) {
        let sextet = |i: usize| u64::from(SEXTETS[usize::from(block[i])]);
        let (a, b, c, d, e, f, g, h) =
            (sextet(0), sextet(1), sextet(2), sextet(3), sextet(4), sextet(5), sextet(6), sextet(7));
        if a | b | c | d | e | f | g | h >= 64 {
            break;
        }
        let bits = a << 42 | b << 36 | c << 30 | d << 24 | e << 18 | f << 12 | g << 6 | h;
        out.extend_from_slice(&bits.to_be_bytes()[2..]);
        done += 8;
    }
    done
}

/// Decodes `bytes` character by character: whitespace skipped, groups of
/// four, an end that is a whole group or one padded canonically.
fn rest(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), BadBase64> {
    let (mut group, mut n) = (0u32, 0);
    let mut iter = bytes.iter();
    while let Some(&b) = iter.next() {
        match SEXTETS[b as usize] {
            WS => {}
            PAD => return padded(group, n, iter.as_slice(), out),
            BAD => return Err(BadBase64),
            v => {
                group = group << 6 | u32::from(v);
                n += 1;
                if n == 4 {
                    out.extend_from_slice(&group.to_be_bytes()[1..]);
                    (group, n) = (0, 0);
                }
            }
        }
    }
    match n {
        0 => Ok(()),
        _ => Err(BadBase64),
    }
}

/// The last group: `n` characters (`group`, six bits each) before its first
/// `=`; `after` is what follows that `=`. Two characters need one more `=`,
/// three none; then only whitespace, and the unused low bits must be zero.
fn padded(group: u32, n: u32, after: &[u8], out: &mut Vec<u8>) -> Result<(), BadBase64> {
    let (more, unused) = match n {
        2 => (1, 4),
        3 => (0, 2),
        _ => return Err(BadBase64),
    };
    let mut pads = 0;
    for &b in after {
        match SEXTETS[b as usize] {
            WS => {}
            PAD if pads < more => pads += 1,
            _ => return Err(BadBase64),
        }
    }
    if pads != more || group & ((1 << unused) - 1) != 0 {
        return Err(BadBase64);
    }
    let bytes = (group >> unused).to_be_bytes();
    out.extend_from_slice(&bytes[4 - (n as usize - 1)..]);
    Ok(())
}

/// Encodes without line breaks.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `base64` crate on the text without XML whitespace: the reference.
    fn reference(text: &[u8]) -> Result<Vec<u8>, BadBase64> {
        let compact: Vec<u8> = text.iter().copied().filter(|&b| !crate::xml::is_ws(b)).collect();
        STANDARD.decode(compact).map_err(|_| BadBase64)
    }

    fn same(text: &[u8]) {
        let ours = match std::str::from_utf8(text) {
            Ok(s) => decode(s),
            Err(_) => return,
        };
        assert_eq!(ours, reference(text), "{:?}", String::from_utf8_lossy(text));
    }

    #[test]
    fn whitespace_is_ignored() {
        assert_eq!(decode("aGVs\r\n bG8=\n").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8").unwrap_err(), BadBase64);
        assert_eq!(decode("aGV*bG8=").unwrap_err(), BadBase64);
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode(" \n").unwrap(), b"");
        assert_eq!(encode(b"hello"), "aGVsbG8=");
    }

    /// Every string up to five characters over symbols that reach each
    /// case: alphabet characters with and without low bits, `=`,
    /// whitespace, bytes outside the alphabet.
    #[test]
    fn short_strings_decode_as_the_base64_crate_does() {
        let symbols = b"AQw/+= *\n\x01";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| symbols.iter().map(move |&s| [&t[..], &[s]].concat()))
                .collect();
            texts.extend(longer);
        }
        for t in &texts {
            same(t);
        }
    }

    /// Longer strings over fewer symbols: padding and whitespace in and
    /// after later groups, groups split by whitespace.
    #[test]
    fn longer_strings_decode_as_the_base64_crate_does() {
        let symbols = b"AB= ";
        for len in 6..=9u32 {
            for code in 0..4usize.pow(len) {
                let text: Vec<u8> = (0..len).map(|i| symbols[code / 4usize.pow(i) % 4]).collect();
                same(&text);
            }
        }
    }

    /// Encoded bytes of every length up to 100, whole, wrapped, cut and altered.
    #[test]
    fn encoded_values_round_trip_and_damage_is_refused_alike() {
        let data: Vec<u8> = (0..100u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..data.len() {
            let text = encode(&data[..len]);
            assert_eq!(decode(&text).unwrap(), &data[..len]);
            let wrapped: String =
                text.as_bytes().chunks(7).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n ");
            assert_eq!(decode(&wrapped).unwrap(), &data[..len]);
            for cut in 0..text.len() {
                same(&text.as_bytes()[..cut]);
                for b in [b'=', b'*', b' ', b'A', 0xC3] {
                    let mut altered = text.clone().into_bytes();
                    altered[cut] = b;
                    same(&altered);
                }
            }
        }
    }
}
