//! Support for the kuvert benches (`benches/envelope.rs`): the libxml2 peer
//! and where the inputs live. Run with
//! `cargo bench -p kuvert-bench --bench envelope`; see README.md beside this crate.
//!
//! The peer is C compiled by `build.rs` when libxml2's development files are
//! present. Its foreign calls are the only `unsafe` code in this crate and
//! live in one private module below; the kuvert library itself forbids
//! `unsafe`.
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::path::PathBuf;

pub mod load;

/// A certificate (DER) as PEM text, for tools that want a PEM file.
pub fn certificate_pem(der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = Vec::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            b64.push(if i <= chunk.len() { A[((n >> (18 - 6 * i)) & 63) as usize] } else { b'=' });
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The workspace root (the directory above this crate).
pub fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared material directory: `$KUVERT_SHARED`, else `<workspace>/../shared`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("KUVERT_SHARED") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_dir().join("..").join("shared"),
    }
}

pub mod libxml2 {
    //! libxml2 parsing the same bytes as kuvert, for a side-by-side reference.

    /// Handle proving the peer was compiled in and initialised. Get one from
    /// [`Libxml2::get`]; without libxml2 at build time it cannot exist.
    #[derive(Clone, Copy, Debug)]
    pub struct Libxml2 {
        _present: Present,
    }

    #[cfg(kuvert_libxml2)]
    #[derive(Clone, Copy, Debug)]
    struct Present;

    #[cfg(not(kuvert_libxml2))]
    #[derive(Clone, Copy, Debug)]
    enum Present {}

    /// What a peer parse found.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Outcome {
        /// Well-formed; for the streaming reader, the number of nodes read.
        WellFormed(u64),
        /// libxml2 refused the document (or it exceeds libxml2's `int` length).
        Refused,
    }

    impl Libxml2 {
        /// The peer, or `None` when the bench crate was built without libxml2.
        pub fn get() -> Option<Libxml2> {
            #[cfg(kuvert_libxml2)]
            {
                static INIT: std::sync::Once = std::sync::Once::new();
                INIT.call_once(ffi::init);
                Some(Libxml2 { _present: Present })
            }
            #[cfg(not(kuvert_libxml2))]
            {
                None
            }
        }

        /// `xmlReadMemory` into a DOM tree, then `xmlFreeDoc`.
        pub fn dom(&self, doc: &[u8]) -> Outcome {
            #[cfg(kuvert_libxml2)]
            {
                match ffi::dom(doc) {
                    0 => Outcome::WellFormed(0),
                    _ => Outcome::Refused,
                }
            }
            #[cfg(not(kuvert_libxml2))]
            {
                let _ = doc;
                match self._present {}
            }
        }

        /// `xmlReaderForMemory` and `xmlTextReaderRead` over every node,
        /// asking each element for its namespace URI.
        pub fn stream(&self, doc: &[u8]) -> Outcome {
            #[cfg(kuvert_libxml2)]
            {
                match u64::try_from(ffi::stream(doc)) {
                    Ok(nodes) => Outcome::WellFormed(nodes),
                    Err(_) => Outcome::Refused,
                }
            }
            #[cfg(not(kuvert_libxml2))]
            {
                let _ = doc;
                match self._present {}
            }
        }
    }

    #[cfg(kuvert_libxml2)]
    mod ffi {
        use std::ffi::c_char;

        // Declared exactly as defined in peers/libxml2_parse.c (`size_t` is
        // `usize`, `int64_t` is `i64`, `int` is `i32` on every target we build).
        extern "C" {
            fn kuvert_libxml2_init();
            fn kuvert_libxml2_dom(buf: *const c_char, len: usize) -> i32;
            fn kuvert_libxml2_stream(buf: *const c_char, len: usize) -> i64;
        }

        pub(super) fn init() {
            // SAFETY: xmlInitParser takes no arguments; it is called once,
            // through a `Once`, before any other libxml2 call.
            unsafe { kuvert_libxml2_init() }
        }

        pub(super) fn dom(doc: &[u8]) -> i32 {
            // SAFETY: `doc` is a live slice: pointer and length describe
            // `doc.len()` readable bytes for the whole call. libxml2 only reads
            // them, and keeps no pointer to them once the call returns (the
            // parser context and the tree are freed inside the C function).
            unsafe { kuvert_libxml2_dom(doc.as_ptr().cast(), doc.len()) }
        }

        pub(super) fn stream(doc: &[u8]) -> i64 {
            // SAFETY: as for `dom`: the slice stays borrowed and unchanged for
            // the whole call, and the reader is freed before it returns.
            unsafe { kuvert_libxml2_stream(doc.as_ptr().cast(), doc.len()) }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn peer_agrees_on_well_formedness_when_present() {
            let Some(lib) = Libxml2::get() else { return };
            let good = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>"#;
            assert_eq!(lib.dom(good), Outcome::WellFormed(0));
            // Envelope start, Body (empty: one node), Envelope end.
            assert_eq!(lib.stream(good), Outcome::WellFormed(3));
            assert_eq!(lib.dom(b"<a><b></a>"), Outcome::Refused);
            assert_eq!(lib.stream(b"<a><b></a>"), Outcome::Refused);
        }
    }
}

pub mod xmlsec {
    //! libxmlsec1 (OpenSSL backend) verifying the same signed messages as
    //! kuvert, in-process, with the signer's certificate preloaded as the key.
    //! [`Xmlsec::verify`] checks the first signature in document order;
    //! [`Xmlsec::verify_token`] checks both signatures of a holder-of-key
    //! token request (the assertion's with the preloaded STS certificate, the
    //! message's with the certificate the assertion confirms, including the
    //! STR-Transform reference the peer implements as an xmlsec transform).

    /// Handle proving the peer was compiled in and initialised with a key.
    #[derive(Debug)]
    pub struct Xmlsec {
        _present: Present,
    }

    #[cfg(kuvert_xmlsec)]
    #[derive(Debug)]
    struct Present;

    #[cfg(not(kuvert_xmlsec))]
    #[derive(Debug)]
    enum Present {}

    impl Xmlsec {
        /// The peer trusting the certificate in the PEM file `cert_pem`, or
        /// `None` when the bench crate was built without libxmlsec1 or it
        /// could not start. Call once per process.
        pub fn init(cert_pem: &std::path::Path) -> Option<Xmlsec> {
            #[cfg(kuvert_xmlsec)]
            {
                let path = std::ffi::CString::new(cert_pem.to_str()?).ok()?;
                (ffi::init(&path) == 0).then_some(Xmlsec { _present: Present })
            }
            #[cfg(not(kuvert_xmlsec))]
            {
                let _ = cert_pem;
                None
            }
        }

        /// Parses `message`, registers its `wsu:Id`/`Id` attributes as IDs and
        /// verifies its signature; true when it verifies.
        pub fn verify(&self, message: &[u8]) -> bool {
            #[cfg(kuvert_xmlsec)]
            {
                ffi::verify(message) == 1
            }
            #[cfg(not(kuvert_xmlsec))]
            {
                let _ = message;
                match self._present {}
            }
        }

        /// A holder-of-key token request (SOAP 1.1, the SAML 2.0 assertion in
        /// `wsse:Security`): parses it, registers its IDs, verifies the
        /// assertion's enveloped signature with the preloaded (STS)
        /// certificate, takes the certificate from the assertion's
        /// holder-of-key `SubjectConfirmationData` (the assertion the
        /// message's `KeyInfo` names by its SAML ID) as the key, and verifies
        /// the message's signature with every reference, the STR-Transform one
        /// included. True when both verify, Body and Timestamp among the
        /// message's references and the assertion the one reference of its
        /// signature.
        pub fn verify_token(&self, message: &[u8]) -> bool {
            self.token_status(message) == 1
        }

        /// [`Xmlsec::verify_token`]'s code: 1 when both signatures verify, 0
        /// when either does not, below 0 on an error (a missing part, a
        /// reference or STR that does not resolve).
        pub fn token_status(&self, message: &[u8]) -> i32 {
            #[cfg(kuvert_xmlsec)]
            {
                ffi::verify_token(message)
            }
            #[cfg(not(kuvert_xmlsec))]
            {
                let _ = message;
                match self._present {}
            }
        }

        /// The token check step by step, for tests: the code of
        /// [`Xmlsec::token_status`] (but the message signature is checked even
        /// when the assertion's fails) and one line per step,
        /// `reference URI 1|0` for each reference xmlsec processed (it stops
        /// at a signature's first failing reference), then `assertion - CODE`,
        /// `holder-key - 1|0`, `message - CODE`.
        pub fn token_report(&self, message: &[u8]) -> (i32, String) {
            #[cfg(kuvert_xmlsec)]
            {
                ffi::token_report(message)
            }
            #[cfg(not(kuvert_xmlsec))]
            {
                let _ = message;
                match self._present {}
            }
        }
    }

    #[cfg(kuvert_xmlsec)]
    mod ffi {
        use std::ffi::{c_char, CStr};

        // Declared exactly as defined in peers/xmlsec_verify.c.
        extern "C" {
            fn kuvert_xmlsec_init(cert_pem: *const c_char) -> i32;
            fn kuvert_xmlsec_verify(buf: *const c_char, len: usize) -> i32;
            fn kuvert_xmlsec_verify_token(buf: *const c_char, len: usize) -> i32;
            fn kuvert_xmlsec_token_report(buf: *const c_char, len: usize, out: *mut c_char, cap: usize) -> i32;
        }

        pub(super) fn init(cert_pem: &CStr) -> i32 {
            // SAFETY: `cert_pem` is a NUL-terminated string that outlives the
            // call; the C side only reads it (to open the file).
            unsafe { kuvert_xmlsec_init(cert_pem.as_ptr()) }
        }

        pub(super) fn verify(message: &[u8]) -> i32 {
            // SAFETY: `message` is a live slice for the whole call: pointer and
            // length describe readable bytes; libxml2 copies what it keeps and
            // the document and signature context are freed before returning.
            unsafe { kuvert_xmlsec_verify(message.as_ptr().cast(), message.len()) }
        }

        pub(super) fn verify_token(message: &[u8]) -> i32 {
            // SAFETY: as for `verify`: the slice is live and unchanged for the
            // whole call, and the C side frees the document and both signature
            // contexts (and the loaded key) before returning.
            unsafe { kuvert_xmlsec_verify_token(message.as_ptr().cast(), message.len()) }
        }

        pub(super) fn token_report(message: &[u8]) -> (i32, String) {
            let mut out = vec![0u8; 8192];
            // SAFETY: as for `verify_token`; `out` is a live, writable buffer
            // of `out.len()` bytes for the whole call, and the C side writes at
            // most that many bytes into it, NUL terminated, keeping no pointer.
            let code = unsafe {
                kuvert_xmlsec_token_report(message.as_ptr().cast(), message.len(), out.as_mut_ptr().cast(), out.len())
            };
            let end = out.iter().position(|&b| b == 0).unwrap_or(out.len());
            (code, String::from_utf8_lossy(&out[..end]).into_owned())
        }
    }
}
