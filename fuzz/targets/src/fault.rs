//! Fault builder round trip: a fault built from generated values and read
//! back by the envelope reader carries the same values (text the builder
//! had to replace, C0 controls and U+FFFE/U+FFFF, reads back as U+FFFD).

use arbitrary::{Arbitrary, Unstructured};
use kuvert::{Envelope, FaultBuilder, Input, Limits, SoapVersion, StandardCode, UtcTime, Uuid};

const NAMESPACES: &[&str] = &[
    "urn:liberty:sb:2006-08",
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2000/xmlns/",
    "urn:a&b<c>\"d\"",
];
const LOCALS: &[&str] = &["FrameworkVersionMismatch", "InvalidSecurity", "x", "a-b.c_1", "\u{e6}"];

/// What the builder is given, generated.
#[derive(Arbitrary, Debug)]
struct Spec {
    soap12: bool,
    code: u8,
    subcode: Option<(Text, Text)>,
    message: String,
    actor: Option<String>,
    errors: Vec<(String, String)>,
    call: Option<([u8; 16], u32)>,
    helpdesk: Option<String>,
}

/// A string from a small pool, or free.
#[derive(Arbitrary, Debug)]
enum Text {
    Pool(u8),
    Free(String),
}

impl Text {
    fn get<'a>(&'a self, pool: &[&'static str]) -> &'a str {
        match self {
            Text::Pool(i) => pool[usize::from(*i) % pool.len()],
            Text::Free(s) => s,
        }
    }
}

/// What the reader gives back for text the builder wrote.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            let u = c as u32;
            if (u < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || u == 0xFFFE || u == 0xFFFF {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The builder's subcode: accepted (and then the fault is valid XML) or refused as invalid.
pub fn fault_roundtrip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(spec) = Spec::arbitrary(&mut u) else { return };
    if spec.errors.len() > 8 {
        return;
    }
    let version = if spec.soap12 { SoapVersion::Soap12 } else { SoapVersion::Soap11 };
    let codes =
        [StandardCode::Sender, StandardCode::Receiver, StandardCode::VersionMismatch, StandardCode::MustUnderstand];
    let code = codes[usize::from(spec.code) % 4];
    let mut b = FaultBuilder::new(version, code, &spec.message);
    let mut subcode = None;
    if let Some((ns, local)) = &spec.subcode {
        let (ns, local) = (ns.get(NAMESPACES), local.get(LOCALS));
        if let Ok(with) = b.clone().subcode(ns, local) {
            b = with;
            subcode = Some((ns, local));
        }
    }
    if let Some(actor) = &spec.actor {
        b = b.actor(actor);
    }
    for (c, t) in &spec.errors {
        b = b.error(c, t);
    }
    let call = spec.call.map(|(bytes, ms)| (Uuid::new_v4(bytes), UtcTime::from_unix_millis(i64::from(ms) * 1000)));
    if let Some((uuid, at)) = call {
        b = b.call(uuid, at);
    }
    if let Some(h) = &spec.helpdesk {
        b = b.helpdesk(h);
    }
    read_back(&b, version, code, subcode, &spec, call);
}

fn read_back(
    b: &FaultBuilder<'_>,
    version: SoapVersion,
    code: StandardCode,
    subcode: Option<(&str, &str)>,
    spec: &Spec,
    call: Option<(Uuid, UtcTime)>,
) {
    let xml = b.to_xml();
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).unwrap_or_else(|e| panic!("built fault unreadable: {e}\n{xml}"));
    let env = Envelope::parse(&input, &limits).unwrap_or_else(|e| panic!("built fault refused: {e}\n{xml}"));
    let fault = env.fault().unwrap_or_else(|| panic!("no fault read back\n{xml}"));
    assert_eq!(env.version(), version);
    match (subcode, version) {
        (Some((ns, local)), SoapVersion::Soap11) => {
            assert_eq!((fault.code.ns, fault.code.local.as_ref()), (safe(ns).as_str(), local), "{xml}");
        }
        (sub, _) => {
            assert_eq!(fault.code.ns, version.namespace());
            let _ = code;
            if let (Some((ns, local)), Some(read)) = (sub, &fault.subcode) {
                assert_eq!((read.ns, read.local.as_ref()), (safe(ns).as_str(), local), "{xml}");
            } else {
                assert_eq!(sub.is_some(), fault.subcode.is_some(), "{xml}");
            }
        }
    }
    assert_eq!(fault.reason.as_str(), safe(&b.reason()), "{xml}");
    // The actor is a URI: read back without surrounding XML whitespace.
    let actor = spec.actor.as_deref().map(|a| safe(a).trim_matches([' ', '\t', '\n', '\r']).to_owned());
    assert_eq!(fault.actor.as_ref().map(|a| a.as_str().to_owned()), actor, "{xml}");
    let read: Vec<(String, String)> =
        fault.errors.iter().map(|e| (e.code.as_str().to_owned(), e.text.as_str().to_owned())).collect();
    let written: Vec<(String, String)> = spec.errors.iter().map(|(c, t)| (safe(c), safe(t))).collect();
    assert_eq!(read, written, "{xml}");
    if let Some((uuid, at)) = call {
        assert_eq!(fault.call_uuid(), Some(uuid), "{xml}");
        assert_eq!(fault.received(), Some(at.to_string().as_str()), "{xml}");
    }
}
