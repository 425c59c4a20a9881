//! Canonicalization: the whole-document canonicalizer against the node-set
//! canonicalizer selecting every node (two code paths, one answer), and
//! canonical output as a fixed point (canonicalizing it again changes nothing).

use arbitrary::Unstructured;
use kuvert::{
    canonicalize_document, canonicalize_node_set, AttributeNode, C14nMethod, ElementNode, Input, Limits, NodeFilter,
};

use crate::gen;

const METHODS: [C14nMethod; 4] = [
    C14nMethod::Inclusive,
    C14nMethod::InclusiveWithComments,
    C14nMethod::Exclusive,
    C14nMethod::ExclusiveWithComments,
];
const PREFIX_LISTS: [&[&str]; 4] = [&[], &["#default"], &["a", "b"], &["c", "#default", "soap"]];

/// Selects every node: the node-set of a whole document.
struct All;

impl NodeFilter for All {
    fn element(&mut self, _: &ElementNode<'_>) -> bool {
        true
    }
    fn attribute(&mut self, _: &ElementNode<'_>, _: &AttributeNode<'_>) -> bool {
        true
    }
    fn namespace(&mut self, _: &ElementNode<'_>, _: &str, _: &str) -> bool {
        true
    }
    fn text(&mut self, _: &ElementNode<'_>, _: &str) -> bool {
        true
    }
}

/// Canonicalizes `doc` both ways with `method` and `prefixes`; panics when
/// they disagree or when the canonical form is not a fixed point. Returns
/// the canonical form (`None` when the document is refused).
pub fn check_c14n(doc: &[u8], method: C14nMethod, prefixes: &[&str]) -> Option<Vec<u8>> {
    let limits = Limits::default();
    let input = match Input::new(doc, &limits) {
        Ok(input) => input,
        Err(e) => {
            assert!(e.offset() <= doc.len(), "input error {e} past the end");
            return None;
        }
    };
    let whole = canonicalize_document(&input, method, prefixes, &limits, Vec::new());
    let node_set = canonicalize_node_set(&input, method, prefixes, &mut All, &limits, Vec::new());
    let out = match (whole, node_set) {
        (Ok(a), Ok(b)) => {
            assert!(a == b, "document and node-set c14n differ:\n{}\n{}", show(&a), show(&b));
            a
        }
        (Err(a), Err(_)) => {
            assert!(a.offset() <= doc.len(), "c14n error {a} past the end");
            return None;
        }
        (a, b) => panic!("one canonicalizer refused: document {a:?}, node-set {b:?}"),
    };
    let again = Input::new(&out, &limits).expect("canonical output reads back");
    let twice = canonicalize_document(&again, method, prefixes, &limits, Vec::new())
        .expect("canonical output is canonicalizable");
    assert!(twice == out, "canonical form is not a fixed point:\n{}\n{}", show(&out), show(&twice));
    Some(out)
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Raw bytes: the first byte picks the method and the PrefixList, the rest is the document.
pub fn c14n(data: &[u8]) {
    let Some((&pick, doc)) = data.split_first() else { return };
    let method = METHODS[usize::from(pick & 3)];
    let prefixes = PREFIX_LISTS[usize::from(pick >> 2 & 3)];
    check_c14n(doc, method, prefixes);
}

/// A well-formed namespace-rich document generated from the bytes, in every method.
pub fn c14n_structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(pick) = u.arbitrary::<u8>() else { return };
    let Ok(doc) = gen::document(&mut u) else { return };
    let prefixes = PREFIX_LISTS[usize::from(pick >> 2 & 3)];
    for method in METHODS {
        let out = check_c14n(doc.as_bytes(), method, prefixes);
        assert!(out.is_some(), "a generated document was refused:\n{doc}");
    }
}
