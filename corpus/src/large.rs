//! Large SOAP responses of a requested size, deterministic for a given size.

use std::fmt::Write;

use crate::fictitious_cpr;

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// A record-heavy SOAP 1.1 response of at least `target` bytes: a CPR-style
/// list of many small elements (person records with a handful of fields),
/// nested under the operation element as real list responses are.
pub fn records_response(target: usize) -> String {
    let mut out = String::with_capacity(target + 1024);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><ns4:PersonListResponse xmlns:ns4="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonList/1/" xmlns:ns3="http://serviceplatformen.dk/xml/schemas/cpr/PersonData/1/"><ns4:Personer>"#
    );
    let tail = "</ns4:Personer></ns4:PersonListResponse></soap:Body></soap:Envelope>\n";
    let mut i = 0u64;
    while out.len() + tail.len() < target {
        push_record(&mut out, i);
        i += 1;
    }
    out.push_str(tail);
    out
}

fn push_record(out: &mut String, i: u64) {
    const GIVEN: [&str; 8] = ["Anne", "Bo", "Clara", "Dennis", "Ebba", "Frode", "Gry", "Holger"];
    const FAMILY: [&str; 6] = ["Testesen", "Prøvegaard", "Eksempelsen", "Fiktivsen", "Dummybæk", "Øvelund"];
    let given = GIVEN[(i % 8) as usize];
    let family = FAMILY[(i / 8 % 6) as usize];
    let _ = writeln!(
        out,
        "<ns3:Person><ns3:PNR>{}</ns3:PNR><ns3:Fornavn>{given}</ns3:Fornavn><ns3:Efternavn>{family}</ns3:Efternavn>\
<ns3:Adresse><ns3:Vejnavn>Prøvevej</ns3:Vejnavn><ns3:Husnummer>{}</ns3:Husnummer><ns3:Postnummer>{}</ns3:Postnummer></ns3:Adresse>\
<ns3:Status kode=\"{}\">aktiv &amp; bopæl i DK</ns3:Status></ns3:Person>",
        fictitious_cpr(i),
        1 + i % 200,
        1000 + (i * 37) % 8999,
        i % 90,
    );
}

/// A base64-heavy SOAP 1.1 response of at least `target` bytes: one document
/// returned inline as base64 (as the platform returns attachments, no MTOM),
/// in lines of 76 characters.
pub fn base64_response(target: usize) -> String {
    let mut out = String::with_capacity(target + 1024);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><ns2:HentDokumentResponse xmlns:ns2="http://serviceplatformen.dk/xml/wsdl/soap11/Dokument/1/"><ns2:Dokument><ns2:Filnavn>rapport.pdf</ns2:Filnavn><ns2:Indhold>"#
    );
    let tail = "</ns2:Indhold></ns2:Dokument></ns2:HentDokumentResponse></soap:Body></soap:Envelope>\n";
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    while out.len() + tail.len() < target {
        for _ in 0..19 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            push_base64_quad(&mut out, (state >> 40) as u32);
        }
        out.push('\n');
    }
    out.push_str(tail);
    out
}

fn push_base64_quad(out: &mut String, bits: u32) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for shift in [18, 12, 6, 0] {
        out.push(ALPHABET[((bits >> shift) & 63) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_met_and_deterministic() {
        for target in [1_000, 100_000] {
            let r = records_response(target);
            assert!(r.len() >= target && r.len() < target + 1_000);
            assert_eq!(r, records_response(target));
            let b = base64_response(target);
            assert!(b.len() >= target && b.len() < target + 1_000);
        }
    }

    #[test]
    fn cpr_numbers_are_impossible_dates() {
        for i in 0..100 {
            let cpr = crate::fictitious_cpr(i);
            assert_eq!(cpr.len(), 10);
            assert!(cpr.starts_with("30") || cpr.starts_with("31"));
            assert_eq!(&cpr[2..4], "02");
        }
    }
}
