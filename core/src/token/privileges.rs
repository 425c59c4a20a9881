//! The OIO basic privilege profile: the `Privileges_intermediate` attribute
//! holds, base64-encoded, a `bpp:PrivilegeList` document of privilege groups,
//! each with a scope (usually `urn:dk:gov:saml:cvrNumberIdentifier:<cvr>`),
//! privileges (URIs) and constraints (name, value).

use crate::dsig::base64;
use crate::ids::Cvr;
use crate::xml::content::read_text;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::text::{attr_value, is_blank, trim_xml};
use crate::xml::{Input, NsId};
use crate::Limits;

/// Namespace of the basic privilege profile.
pub(crate) const BPP: &str = "http://itst.dk/oiosaml/basic_privilege_profile";
/// The scope prefix naming an organisation by CVR number.
pub(crate) const CVR_SCOPE: &str = "urn:dk:gov:saml:cvrNumberIdentifier:";

/// A constraint on a privilege group (e.g. a KLE subject area).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivilegeConstraint {
    /// The `Name` attribute.
    pub name: String,
    /// The text value.
    pub value: String,
}

/// One `PrivilegeGroup`: privileges granted within a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivilegeGroup {
    /// The `Scope` attribute as written.
    pub scope: String,
    /// The organisation the scope names, when it is a CVR scope.
    pub scope_cvr: Option<Cvr>,
    /// The privileges (URIs), in document order.
    pub privileges: Vec<String>,
    /// The constraints, in document order.
    pub constraints: Vec<PrivilegeConstraint>,
}

/// A decoded privilege list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrivilegeList {
    groups: Vec<PrivilegeGroup>,
}

impl PrivilegeList {
    /// The groups, in document order.
    pub fn groups(&self) -> &[PrivilegeGroup] {
        &self.groups
    }

    /// Whether some group scoped to `cvr` grants `privilege` (compared exactly).
    pub fn grants(&self, cvr: Cvr, privilege: &str) -> bool {
        self.groups.iter().any(|g| g.scope_cvr == Some(cvr) && g.privileges.iter().any(|p| p == privilege))
    }

    /// Every (scope, privilege) pair, in document order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.groups.iter().flat_map(|g| g.privileges.iter().map(move |p| (g.scope.as_str(), p.as_str())))
    }
}

impl crate::authz::PrivilegeGrants for PrivilegeList {
    fn grants(&self, scope: Cvr, privilege: &str) -> bool {
        PrivilegeList::grants(self, scope, privilege)
    }
}

/// Why a privilege list was refused (details stay internal: the caller sees one error kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BadPrivileges;

/// Decodes the attribute value (base64 of an XML document) into a list.
/// At most `max_bytes` decoded and `max_privileges` privileges plus constraints.
pub(crate) fn decode(value: &str, max_bytes: usize, max_privileges: usize) -> Result<PrivilegeList, BadPrivileges> {
    if value.len() / 4 * 3 > max_bytes.saturating_add(3) {
        return Err(BadPrivileges);
    }
    let xml = base64::decode(value).map_err(|_| BadPrivileges)?;
    let limits = Limits { max_document_bytes: max_bytes, max_depth: 8, ..Limits::default() };
    let input = Input::new(&xml, &limits).map_err(|_| BadPrivileges)?;
    let mut r = Reader::new(input.as_str(), input.content_start(), &limits);
    let root = next_element(&mut r)?.ok_or(BadPrivileges)?;
    if r.names().uri(root.ns) != BPP || root.name.local(r.source()) != "PrivilegeList" {
        return Err(BadPrivileges);
    }
    let mut list = PrivilegeList::default();
    let mut budget = max_privileges;
    while let Some(group) = next_element(&mut r)? {
        if group.ns != NsId::NONE || group.name.local(r.source()) != "PrivilegeGroup" {
            return Err(BadPrivileges);
        }
        list.groups.push(privilege_group(&mut r, &mut budget)?);
    }
    match r.next() {
        Ok(Event::Eof) => Ok(list),
        _ => Err(BadPrivileges),
    }
}

/// One `PrivilegeGroup` whose start tag was just read: `Privilege` and `Constraint` children.
fn privilege_group(r: &mut Reader<'_>, budget: &mut usize) -> Result<PrivilegeGroup, BadPrivileges> {
    let scope = r.attr(NsId::NONE, "Scope").ok_or(BadPrivileges)?;
    let scope = trim_xml(&attr_value(r.source(), scope.value, scope.has_ref)).to_owned();
    let scope_cvr = scope.strip_prefix(CVR_SCOPE).and_then(|c| Cvr::parse(c).ok());
    let mut group = PrivilegeGroup { scope, scope_cvr, privileges: Vec::new(), constraints: Vec::new() };
    while let Some(child) = next_element(r)? {
        *budget = budget.checked_sub(1).ok_or(BadPrivileges)?;
        let name = (child.ns == NsId::NONE).then(|| child.name.local(r.source()));
        let constraint_name = r.attr(NsId::NONE, "Name").map(|a| attr_value(r.source(), a.value, a.has_ref));
        let text = element_text(r, &child)?;
        match (name, constraint_name) {
            (Some("Privilege"), _) if !text.is_empty() => group.privileges.push(text),
            (Some("Constraint"), Some(n)) => {
                group.constraints.push(PrivilegeConstraint { name: trim_xml(&n).to_owned(), value: text })
            }
            _ => return Err(BadPrivileges),
        }
    }
    Ok(group)
}

/// The trimmed text of a simple element whose start tag was just read.
fn element_text(r: &mut Reader<'_>, t: &StartTag) -> Result<String, BadPrivileges> {
    match read_text(r, t) {
        Ok(Ok((value, _))) => Ok(value.trimmed().to_owned()),
        _ => Err(BadPrivileges),
    }
}

/// The next child element of the current element, or `None` at its end.
/// Blank text, comments and PIs are skipped; other text is refused.
fn next_element(r: &mut Reader<'_>) -> Result<Option<StartTag>, BadPrivileges> {
    loop {
        match r.next().map_err(|_| BadPrivileges)? {
            Event::Start(t) => return Ok(Some(t)),
            Event::End { .. } | Event::Eof => return Ok(None),
            Event::Text { span, has_ref } if has_ref || !is_blank(&r.source()[span.range()]) => {
                return Err(BadPrivileges)
            }
            Event::CData(_) => return Err(BadPrivileges),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(xml: &str) -> String {
        base64::encode(xml.as_bytes())
    }

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Constraint Name="urn:dk:kombit:KLE">25.*</Constraint><Privilege>http://example.invalid/roles/a/1</Privilege><Privilege> http://example.invalid/roles/b/1 </Privilege></PrivilegeGroup><PrivilegeGroup Scope="urn:dk:gov:saml:seNumberIdentifier:12345678"><Privilege>x</Privilege></PrivilegeGroup></bpp:PrivilegeList>"#;

    #[test]
    fn reads_groups_privileges_and_constraints() {
        let list = decode(&encode(SAMPLE), 1 << 16, 100).unwrap();
        let cvr = Cvr::parse("29189846").unwrap();
        assert_eq!(list.groups().len(), 2);
        assert_eq!(list.groups()[0].scope_cvr, Some(cvr));
        assert_eq!(list.groups()[0].constraints[0].value, "25.*");
        assert!(list.grants(cvr, "http://example.invalid/roles/b/1"));
        assert!(!list.grants(cvr, "x"));
        assert_eq!(list.groups()[1].scope_cvr, None);
        assert_eq!(list.pairs().count(), 3);
    }

    #[test]
    fn comment_inside_a_privilege_does_not_truncate() {
        let xml = SAMPLE.replace("roles/a/1", "roles/a<!-- c -->/evil");
        let list = decode(&encode(&xml), 1 << 16, 100).unwrap();
        let cvr = Cvr::parse("29189846").unwrap();
        assert!(list.grants(cvr, "http://example.invalid/roles/a/evil"));
        assert!(!list.grants(cvr, "http://example.invalid/roles/a"));
    }

    #[test]
    fn refuses_what_is_not_a_privilege_list() {
        let bad = [
            "not base64!".to_owned(),
            encode("<x/>"),
            encode(r#"<bpp:PrivilegeList xmlns:bpp="urn:other"/>"#),
            encode(&SAMPLE.replace("<Privilege>x", "<Unknown>x").replace("x</Privilege>", "x</Unknown>")),
            encode(&SAMPLE.replace(" Scope=\"urn:dk:gov:saml:seNumberIdentifier:12345678\"", "")),
            encode(&SAMPLE.replace("<Privilege>x</Privilege>", "<Privilege>x<b/></Privilege>")),
            encode(&format!("<!DOCTYPE x>{SAMPLE}")),
            encode(&SAMPLE.replace("</bpp:PrivilegeList>", "")),
        ];
        for value in bad {
            assert_eq!(decode(&value, 1 << 16, 100), Err(BadPrivileges), "{value}");
        }
    }

    #[test]
    fn bounded_in_size_and_count() {
        assert_eq!(decode(&encode(SAMPLE), 64, 100), Err(BadPrivileges));
        assert_eq!(decode(&encode(SAMPLE), 1 << 16, 3), Err(BadPrivileges));
        assert!(decode(&encode(SAMPLE), 1 << 16, 4).is_ok());
    }
}
