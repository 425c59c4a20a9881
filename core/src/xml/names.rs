//! Namespace URIs: the well-known ones with fixed ids, and a per-document
//! table that interns the others, so that names compare as integers.

use std::collections::HashMap;

/// Namespace URIs kuvert knows by name.
pub mod uri {
    /// The `xml` prefix.
    pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
    /// The `xmlns` prefix.
    pub const XMLNS: &str = "http://www.w3.org/2000/xmlns/";
    /// SOAP 1.1 envelope.
    pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    /// SOAP 1.2 envelope.
    pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    /// WS-Addressing 1.0.
    pub const WSA: &str = "http://www.w3.org/2005/08/addressing";
    /// WS-Security 1.0 secext.
    pub const WSSE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    /// WS-Security 1.1 secext.
    pub const WSSE11: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
    /// WS-Security utility (`wsu:Id`, `wsu:Timestamp`).
    pub const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    /// XML-DSig.
    pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
    /// Exclusive canonicalization (`InclusiveNamespaces`).
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    /// SAML 2.0 assertion.
    pub const SAML2: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    /// Liberty SOAP binding framework (`sbf:Framework`).
    pub const SBF: &str = "urn:liberty:sb:2006-08";
    /// Liberty SOAP binding profile attribute.
    pub const SBF_PROFILE: &str = "urn:liberty:sb:profile";
    /// Serviceplatformen InvocationContext.
    pub const INVOCATION_CONTEXT: &str = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/";
    /// Serviceplatformen AuthorityContext.
    pub const AUTHORITY_CONTEXT: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
    /// Serviceplatformen CallContext.
    pub const CALL_CONTEXT: &str = "http://serviceplatformen.dk/xml/schemas/CallContext/1/";
    /// Serviceplatformen fault detail.
    pub const SP_FAULT: &str = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";
    /// KOMBIT RequestHeader (`TransactionUUID`).
    pub const KOMBIT_REQUEST_HEADER: &str = "http://kombit.dk/xml/schemas/RequestHeader/1/";
    /// XML Schema instance.
    pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
    /// XML-DSig 1.1.
    pub const DS11: &str = "http://www.w3.org/2009/xmldsig11#";
}

/// A namespace, as an index into the document's [`NsTable`]. Id 0 is "no namespace".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NsId(pub u32);

macro_rules! known {
    ($($id:ident = $n:expr => $uri:path,)*) => {
        impl NsId {
            pub const NONE: NsId = NsId(0);
            $(pub const $id: NsId = NsId($n);)*

            /// Whether this is no namespace or a well-known one: the same id in every document.
            pub fn is_known(self) -> bool {
                (self.0 as usize) < KNOWN.len()
            }
        }
        const KNOWN: &[&str] = &["", $($uri,)*];
        fn known_id(uri: &str) -> Option<NsId> {
            match uri {
                $($uri => Some(NsId::$id),)*
                _ => None,
            }
        }
    };
}

known! {
    XML = 1 => uri::XML,
    XMLNS = 2 => uri::XMLNS,
    SOAP11 = 3 => uri::SOAP11,
    SOAP12 = 4 => uri::SOAP12,
    WSA = 5 => uri::WSA,
    WSSE = 6 => uri::WSSE,
    WSSE11 = 7 => uri::WSSE11,
    WSU = 8 => uri::WSU,
    DS = 9 => uri::DS,
    EXC_C14N = 10 => uri::EXC_C14N,
    SAML2 = 11 => uri::SAML2,
    SBF = 12 => uri::SBF,
    SBF_PROFILE = 13 => uri::SBF_PROFILE,
    INVOCATION_CONTEXT = 14 => uri::INVOCATION_CONTEXT,
    AUTHORITY_CONTEXT = 15 => uri::AUTHORITY_CONTEXT,
    CALL_CONTEXT = 16 => uri::CALL_CONTEXT,
    SP_FAULT = 17 => uri::SP_FAULT,
    KOMBIT_REQUEST_HEADER = 18 => uri::KOMBIT_REQUEST_HEADER,
    XSI = 19 => uri::XSI,
    DS11 = 20 => uri::DS11,
}

/// Past this many interned URIs, look-ups go through a hash map.
const LINEAR_SCAN_MAX: usize = 16;

/// The namespace URIs of one document. Borrowed from the input: namespace
/// URIs written with references are refused by the reader, so every URI is
/// a slice of the document or a well-known constant.
#[derive(Clone, Debug, Default)]
pub(crate) struct NsTable<'a> {
    extra: Vec<&'a str>,
    index: HashMap<&'a str, u32>,
}

impl<'a> NsTable<'a> {
    pub fn intern(&mut self, uri: &'a str) -> NsId {
        if let Some(id) = known_id(uri) {
            return id;
        }
        if self.extra.len() <= LINEAR_SCAN_MAX {
            if let Some(i) = self.extra.iter().position(|&u| u == uri) {
                return NsId((KNOWN.len() + i) as u32);
            }
        } else if let Some(&i) = self.index.get(uri) {
            return NsId((KNOWN.len() as u32) + i);
        }
        let i = self.extra.len() as u32;
        self.extra.push(uri);
        if self.extra.len() > LINEAR_SCAN_MAX {
            if self.index.is_empty() {
                self.index.extend(self.extra.iter().enumerate().map(|(i, &u)| (u, i as u32)));
            } else {
                self.index.insert(uri, i);
            }
        }
        NsId(KNOWN.len() as u32 + i)
    }

    pub fn uri(&self, id: NsId) -> &'a str {
        let i = id.0 as usize;
        match KNOWN.get(i) {
            Some(&u) => u,
            None => self.extra[i - KNOWN.len()],
        }
    }
}

/// Namespaces of recently resolved prefixes, so that the common case (a few
/// prefixes used over and over) costs a few word compares instead of a scan
/// of the bindings. A prefix of up to seven bytes is keyed by its bytes
/// packed into a word, with its length in the top byte; longer prefixes are
/// not cached. The owner clears the cache whenever the bindings change.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrefixCache {
    keys: [u64; PrefixCache::WAYS],
    ns: [NsId; PrefixCache::WAYS],
    next: usize,
}

impl Default for PrefixCache {
    fn default() -> Self {
        // No key has a top byte above 7.
        PrefixCache { keys: [u64::MAX; PrefixCache::WAYS], ns: [NsId::NONE; PrefixCache::WAYS], next: 0 }
    }
}

impl PrefixCache {
    const WAYS: usize = 4;

    /// The key of the prefix `src[start..start + len]`, if it can be cached.
    #[inline]
    pub fn key(src: &[u8], start: usize, len: usize) -> Option<u64> {
        if len > 7 {
            return None;
        }
        let word = <[u8; 8]>::try_from(src.get(start..start + 8)?).ok()?;
        let mask = (1u64 << (8 * len)) - 1;
        Some(u64::from_le_bytes(word) & mask | (len as u64) << 56)
    }

    #[inline]
    pub fn get(&self, key: u64) -> Option<NsId> {
        (0..Self::WAYS).find(|&i| self.keys[i] == key).map(|i| self.ns[i])
    }

    pub fn insert(&mut self, key: u64, ns: NsId) {
        self.keys[self.next] = key;
        self.ns[self.next] = ns;
        self.next = (self.next + 1) % Self::WAYS;
    }

    pub fn clear(&mut self) {
        *self = PrefixCache::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_interned() {
        let mut t = NsTable::default();
        assert_eq!(t.intern(uri::SOAP11), NsId::SOAP11);
        assert_eq!(t.uri(NsId::DS), uri::DS);
        assert_eq!(t.uri(NsId::NONE), "");
        let owned: Vec<String> = (0..40).map(|i| format!("urn:x:{i}")).collect();
        let ids: Vec<NsId> = owned.iter().map(|u| t.intern(u)).collect();
        for (u, id) in owned.iter().zip(&ids) {
            assert_eq!(t.intern(u), *id);
            assert_eq!(t.uri(*id), u);
        }
        assert_eq!(t.intern("urn:x:3"), ids[3]);
    }

    #[test]
    fn prefix_keys_tell_prefixes_apart() {
        let src = b"<ds:a><d:b><a:c><dsig:d><sevenss:e><eightsss:f/>";
        let key = |start: usize, len: usize| PrefixCache::key(src, start, len);
        assert_ne!(key(1, 2), key(7, 1));
        assert_ne!(key(7, 1), key(11, 0));
        assert_eq!(key(11, 0), key(15, 0));
        assert!(key(19, 7).is_some() && key(30, 8).is_none());
        assert!(key(src.len() - 4, 1).is_none(), "too near the end to read a word");
        let mut cache = PrefixCache::default();
        cache.insert(key(1, 2).unwrap(), NsId::DS);
        assert_eq!(cache.get(key(1, 2).unwrap()), Some(NsId::DS));
        assert_eq!(cache.get(key(7, 1).unwrap()), None);
        cache.clear();
        assert_eq!(cache.get(key(1, 2).unwrap()), None);
    }
}
