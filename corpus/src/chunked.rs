//! Large SOAP responses generated chunk by chunk, for streaming tests and
//! benches of any size (a gigabyte is never held or written to disk). The
//! bytes are the same shapes as [`large`](crate::large): a base64 document
//! in lines of 76 characters, or a CPR-style list of person records.

use std::fmt::Write;

use crate::fictitious_cpr;

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// What the Body holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyShape {
    /// One element of base64 text.
    Base64,
    /// Many small elements.
    Records,
}

/// A response of at least `target` bytes, as an iterator of chunks of about `chunk` bytes.
#[derive(Clone, Debug)]
pub struct ChunkedResponse {
    shape: BodyShape,
    target: u64,
    chunk: usize,
    produced: u64,
    state: u64,
    record: u64,
    head_done: bool,
    done: bool,
}

impl ChunkedResponse {
    /// A generator for `target` bytes in chunks of `chunk` bytes.
    pub fn new(shape: BodyShape, target: u64, chunk: usize) -> Self {
        let state = 0x9E37_79B9_7F4A_7C15;
        let chunk = chunk.max(256);
        ChunkedResponse { shape, target, chunk, produced: 0, state, record: 0, head_done: false, done: false }
    }

    fn head(&self) -> String {
        match self.shape {
            BodyShape::Base64 => format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><ns2:HentDokumentResponse xmlns:ns2="http://serviceplatformen.dk/xml/wsdl/soap11/Dokument/1/"><ns2:Dokument><ns2:Filnavn>rapport.pdf</ns2:Filnavn><ns2:Indhold>"#
            ),
            BodyShape::Records => format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><ns4:PersonListResponse xmlns:ns4="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonList/1/" xmlns:ns3="http://serviceplatformen.dk/xml/schemas/cpr/PersonData/1/"><ns4:Personer>"#
            ),
        }
    }

    fn tail(&self) -> &'static str {
        match self.shape {
            BodyShape::Base64 => {
                "</ns2:Indhold></ns2:Dokument></ns2:HentDokumentResponse></soap:Body></soap:Envelope>\n"
            }
            BodyShape::Records => "</ns4:Personer></ns4:PersonListResponse></soap:Body></soap:Envelope>\n",
        }
    }

    fn push_unit(&mut self, out: &mut String) {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        match self.shape {
            BodyShape::Base64 => {
                for _ in 0..19 {
                    self.state ^= self.state << 13;
                    self.state ^= self.state >> 7;
                    self.state ^= self.state << 17;
                    let bits = (self.state >> 40) as u32;
                    for shift in [18, 12, 6, 0] {
                        out.push(ALPHABET[((bits >> shift) & 63) as usize] as char);
                    }
                }
                out.push('\n');
            }
            BodyShape::Records => {
                let i = self.record;
                self.record += 1;
                let _ = writeln!(
                    out,
                    "<ns3:Person><ns3:PNR>{}</ns3:PNR><ns3:Fornavn>Anne</ns3:Fornavn><ns3:Efternavn>Prøvegaard</ns3:Efternavn>\
<ns3:Adresse><ns3:Vejnavn>Prøvevej</ns3:Vejnavn><ns3:Husnummer>{}</ns3:Husnummer></ns3:Adresse>\
<ns3:Status kode=\"{}\">aktiv &amp; bopæl i DK</ns3:Status></ns3:Person>",
                    fictitious_cpr(i),
                    1 + i % 200,
                    i % 90
                );
            }
        }
    }
}

impl Iterator for ChunkedResponse {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        if self.done {
            return None;
        }
        let mut out = String::with_capacity(self.chunk + 512);
        if !self.head_done {
            out.push_str(&self.head());
            self.head_done = true;
        }
        let tail = self.tail();
        while out.len() < self.chunk {
            if self.produced + (out.len() + tail.len()) as u64 >= self.target {
                out.push_str(tail);
                self.done = true;
                break;
            }
            self.push_unit(&mut out);
        }
        self.produced += out.len() as u64;
        Some(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_shape() {
        for shape in [BodyShape::Base64, BodyShape::Records] {
            let all: Vec<u8> = ChunkedResponse::new(shape, 300_000, 4096).flatten().collect();
            assert!(all.len() >= 300_000 && all.len() < 310_000, "{}", all.len());
            assert!(all.ends_with(b"</soap:Envelope>\n"));
        }
    }
}
