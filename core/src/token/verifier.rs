//! The token-model verifier: a SAML holder-of-key assertion checked against
//! the STS's trust anchors, and the message signature checked with the
//! holder-of-key key (proof of possession), under the profile's coverage,
//! with MessageID replay protection.

use std::sync::Arc;

use super::assertion::{read_assertion, AssertionInfo, HolderConfirmation};
use super::claims::{claims_of, TokenClaims};
use super::digests;
use super::error::{RequiredHeader, TokenError, TokenErrorKind as K};
use super::in_pass::{AssertionPass, KnownAssertions};
use super::policy::{Audience, Profile, TokenPolicy};
use super::replay::{MemoryReplayCache, ReplayCache, ReplayError};
use super::verified::TokenVerified;
use crate::c14n::taps::Done;
use crate::cert::{cached_or, BoundedCache, CacheKey, CertError, TrustAnchors, ValidatedCert};
use crate::dsig::error::{SignatureErrorKind as E, SignedPart};
use crate::dsig::model::{KeyIdentifierKind, RefTarget, SignatureInfo, TokenRef};
use crate::dsig::verify::{check, Document};
use crate::dsig::VerifyError;
use crate::soap::parser::{parse_for_verification, ParsedForVerification};
use crate::soap::{Envelope, QName, SoapVersion};
use crate::time::UtcTime;
use crate::wss::header::SecurityHeader;
use crate::wss::verified::{signed_elements, Signer, Verified};
use crate::wss::verifier::single_signature;
use crate::wss::Verifier;
use crate::xml::index::{Context, IdIndex};
use crate::xml::reader::{Event, Reader};
use crate::xml::text::trim_xml;
use crate::xml::{Input, NsId, Span};

const BASIC_PROFILE: &str = "urn:liberty:sb:profile:basic";

/// Verifies token-model messages (and standalone assertions). `Send + Sync`:
/// share one per process; issuer chains, holder certificates and verified
/// assertions are cached, bounded.
pub struct TokenVerifier {
    policy: TokenPolicy,
    /// Message rules; its anchors validate holder certificates when `holder_chain`.
    message: Verifier,
    /// The STS trust anchors and the issuer certificate rules.
    issuer: Verifier,
    holder_chain: bool,
    /// Holder-of-key certificates checked, by their base64 text (emptied
    /// when the rule for holders changes).
    holders: BoundedCache<ValidatedCert>,
    /// What the envelope pass reads of the assertion (with the verified
    /// assertions' cache, `None` when the policy turns it off).
    pass: AssertionPass,
    replay: Arc<dyn ReplayCache>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("profile", &self.policy.profile)
            .field("issuer", &self.issuer)
            .field("holder_chain", &self.holder_chain)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// A verifier trusting assertions issued by the STS certificates in `sts`
    /// (CA certificates or the STS's own certificate). Holder-of-key
    /// certificates are taken on the STS's word (checked by themselves: key,
    /// KeyUsage, validity) unless [`require_holder_chain`](Self::require_holder_chain) is called.
    pub fn new(sts: TrustAnchors, policy: TokenPolicy) -> Self {
        let mut message_policy = policy.message.clone();
        message_policy.require_timestamp = true;
        let mut issuer_policy = policy.message.clone();
        issuer_policy.certificates = policy.issuer_certificates;
        let replay = Arc::new(MemoryReplayCache::new(policy.replay_capacity));
        let known = (policy.assertion_cache > 0).then(|| Arc::new(KnownAssertions::new(policy.assertion_cache)));
        TokenVerifier {
            pass: AssertionPass { limits: policy.saml_limits, known },
            message: Verifier::new(TrustAnchors::new(), message_policy),
            issuer: Verifier::new(sts, issuer_policy),
            holder_chain: false,
            holders: BoundedCache::new(policy.message.certificate_cache),
            replay,
            policy,
        }
    }

    /// Also requires every holder-of-key certificate to chain to `anchors`.
    pub fn require_holder_chain(&mut self, anchors: TrustAnchors) {
        self.message = Verifier::new(anchors, self.message.policy().clone());
        self.holder_chain = true;
        self.holders = BoundedCache::new(self.message.policy().certificate_cache);
    }

    /// Offers an issuing CA certificate (DER) for the STS's chain.
    pub fn add_issuer_intermediate(&mut self, der: &[u8]) {
        self.issuer.add_intermediate(der);
    }

    /// Offers an issuing CA certificate (DER) for holder-of-key chains.
    pub fn add_holder_intermediate(&mut self, der: &[u8]) {
        self.message.add_intermediate(der);
    }

    /// Replaces the in-memory MessageID replay cache (e.g. with a store shared by gateway nodes).
    pub fn set_replay_cache(&mut self, cache: Arc<dyn ReplayCache>) {
        self.replay = cache;
    }

    /// The policy in force.
    pub fn policy(&self) -> &TokenPolicy {
        &self.policy
    }

    /// Verifies a token-model request at time `at`: profile rules (SOAP
    /// version, Framework, WS-Addressing headers), the one assertion of the
    /// Security header (issuer signature, validity, audience, holder-of-key),
    /// the message signature with the holder-of-key key, the coverage, and
    /// the MessageID against replays (recorded only once all else passed).
    pub fn verify_message<'a>(
        &self,
        input: &'a Input<'_>,
        at: UtcTime,
        audience: Audience<'_>,
    ) -> Result<TokenVerified<'a>, TokenError> {
        let policy = self.message.policy();
        let parsed = parse_for_verification(
            input,
            &policy.limits,
            &policy.signature_limits,
            Some(&self.pass),
            Some(self.message.shapes()),
        )?;
        if let Some(offset) = parsed.index.duplicate {
            return Err(VerifyError::sig(E::DuplicateId, offset).into());
        }
        self.check_profile(&parsed.envelope)?;
        let env_at = parsed.envelope.span().start();
        let header = parsed.security.as_ref().ok_or(VerifyError::sig(E::NoSignature, env_at))?;
        let sig = single_signature(header)?;
        self.message.check_timestamp(header.timestamp.as_ref(), at, header.span.start())?;
        let (assertion_span, id) = self.holder_assertion(&parsed, header, sig)?;
        let refs = digests::assertion_refs(sig, &header.token_refs, id);
        let in_pass = header.in_pass.as_ref().filter(|a| a.span == assertion_span);
        let known = header.known.as_ref().filter(|(span, _)| *span == assertion_span).map(|(_, claims)| claims);
        let (index, done) = (&parsed.index, &parsed.inline_digests);
        let found = Found { input, index, span: assertion_span, id, in_pass, known, done };
        let (claims, assertion_digests) = self.assertion(&found, &refs, at)?;
        self.check_use(&claims, at, audience, assertion_span.start())?;
        let verified = self.check_message(input, &parsed, header, sig, &claims, assertion_digests)?;
        self.check_replay(&parsed.envelope, header, &claims, at)?;
        Ok(TokenVerified::new(verified, claims, assertion_span))
    }

    /// Verifies a standalone assertion document (e.g. as an STS issued it) at
    /// `at`: the issuer signature, validity, audience and holder-of-key.
    pub fn verify_assertion(
        &self,
        input: &Input<'_>,
        at: UtcTime,
        audience: Audience<'_>,
    ) -> Result<Arc<TokenClaims>, TokenError> {
        let src = input.as_str();
        let limits = &self.message.policy().limits;
        let mut r = Reader::new(src, input.content_start(), limits);
        r.enable_index();
        let sig_limits = self.message.policy().signature_limits;
        let assertion = read_assertion(&mut r, &self.policy.saml_limits, &sig_limits)?;
        loop {
            match r.next().map_err(VerifyError::from)? {
                Event::Eof => break,
                Event::Start(t) => return Err(TokenError::token(K::MalformedAssertion, t.span.start())),
                _ => {}
            }
        }
        let index = r.take_index().unwrap_or_default();
        if let Some(offset) = index.duplicate {
            return Err(VerifyError::sig(E::DuplicateId, offset).into());
        }
        let doc =
            Document { src, content_start: input.content_start(), index: &index, limits, token_refs: &[], inline: &[] };
        let claims = Arc::new(self.verify_parsed(&assertion, &doc, at)?);
        self.check_use(&claims, at, audience, assertion.span.start())?;
        Ok(claims)
    }

    /// SOAP version and Framework header as the profile requires, and the
    /// WS-Addressing headers every token-model request carries.
    fn check_profile(&self, env: &Envelope<'_>) -> Result<(), TokenError> {
        let at = env.span().start();
        let (version, framework_required) = match self.policy.profile {
            Profile::LibBas => (SoapVersion::Soap11, true),
            Profile::OioIdws => (SoapVersion::Soap12, false),
        };
        if env.version() != version {
            return Err(TokenError::token(K::WrongSoapVersion, at));
        }
        match env.framework() {
            None if framework_required => {
                return Err(TokenError::token(K::FrameworkVersionMismatch, env.header().unwrap_or(env.body()).start()))
            }
            Some(f) if f.version != "2.0" || f.profile.as_deref().is_some_and(|p| trim_xml(p) != BASIC_PROFILE) => {
                return Err(TokenError::token(K::FrameworkVersionMismatch, f.span.start()))
            }
            _ => {}
        }
        let a = env.addressing();
        let required = [
            (a.message_id.is_some(), RequiredHeader::MessageId),
            (a.action.is_some(), RequiredHeader::Action),
            (a.to.is_some(), RequiredHeader::To),
            (a.reply_to.is_some(), RequiredHeader::ReplyTo),
        ];
        match required.iter().find(|(present, _)| !present) {
            Some((_, which)) => {
                Err(TokenError::token(K::MissingHeader(*which), env.header().unwrap_or(env.body()).start()))
            }
            None => Ok(()),
        }
    }

    /// The assertion the signature's key names: it must be the one assertion
    /// child of the Security header, named by a SAMLID key identifier.
    fn holder_assertion<'s>(
        &self,
        parsed: &ParsedForVerification<'_>,
        header: &SecurityHeader<'_>,
        sig: &'s SignatureInfo<'_>,
    ) -> Result<(Span, &'s str), TokenError> {
        let span = match header.assertions.as_slice() {
            [] => return Err(TokenError::token(K::NoAssertion, header.span.start())),
            [one] => *one,
            [_, second, ..] => return Err(TokenError::token(K::TooManyAssertions, second.start())),
        };
        let ki_at = sig.key_info.span.map_or(sig.span.start(), |s| s.start());
        let id = match &sig.key_info.token {
            Some(TokenRef::KeyIdentifier { kind: KeyIdentifierKind::SamlId, value }) => trim_xml(value),
            _ => return Err(TokenError::token(K::KeyNotHolder, ki_at)),
        };
        match parsed.index.get(id) {
            Some(e) if e.span == span && e.ns == NsId::SAML2 && e.local == "Assertion" => Ok((span, id)),
            _ => Err(TokenError::token(K::AssertionMisplaced, ki_at)),
        }
    }

    /// The verified claims of the assertion, and the digests of it the message
    /// references need: from the cache when the same bytes in the same
    /// namespace context were verified before and the certificates are still
    /// valid, else verified now in one reading pass (and cached).
    fn assertion(
        &self,
        found: &Found<'_, '_>,
        refs: &[digests::AssertionRef],
        at: UtcTime,
    ) -> Result<(Arc<TokenClaims>, Vec<Done>), TokenError> {
        let (src, span) = (found.input.as_str(), found.span);
        let context = found.index.entries.iter().find(|e| e.span == span).map(|e| &e.context);
        let context = context.ok_or(TokenError::token(K::AssertionMisplaced, span.start()))?;
        let bytes = src[span.range()].as_bytes();
        if let Some(hit) = self.cached(found, bytes, context).filter(|c| c.certificates_valid_at(at)) {
            let done = digests::from_memo(refs, &hit.memo, span);
            return Ok((hit, done));
        }
        let read_again;
        let (assertion, (issuer, message)) =
            match found.in_pass.and_then(|a| Some((a, digests::from_pass(a, refs, found.done)?))) {
                Some(from_pass) => from_pass,
                None => {
                    read_again = self.read_again(found, context, refs)?;
                    (&read_again.0, read_again.1)
                }
            };
        let issuer: Vec<Done> = issuer.into_iter().collect();
        let limits = &self.message.policy().limits;
        let content_start = found.input.content_start();
        let doc = Document { src, content_start, index: found.index, limits, token_refs: &[], inline: &issuer };
        let mut claims = self.verify_parsed(assertion, &doc, at)?;
        claims.memo = digests::memo_of(refs, &message);
        claims.ids_inside =
            found.index.entries.iter().any(|e| e.span.start() > span.start() && e.span.end() <= span.end());
        let claims = Arc::new(claims);
        if let Some(known) = self.pass.known.as_deref() {
            known.insert(bytes, context, Arc::clone(&claims));
            known.remember(found.id, bytes.len());
        }
        Ok((claims, message))
    }

    /// The cached claims for the assertion's bytes in its context: those the
    /// envelope pass found when it passed over them, or from the cache.
    fn cached(&self, found: &Found<'_, '_>, bytes: &[u8], context: &Context<'_>) -> Option<Arc<TokenClaims>> {
        match found.known {
            Some(claims) => Some(Arc::clone(claims)),
            None => self.pass.known.as_deref()?.get(bytes, context),
        }
    }

    /// Reads the assertion again (the envelope pass did not, or its
    /// speculative digests are not the ones asked for), digesting it for the
    /// issuer and the message references on the way.
    #[allow(clippy::type_complexity)]
    fn read_again<'i>(
        &self,
        found: &Found<'i, '_>,
        context: &Context<'i>,
        refs: &[digests::AssertionRef],
    ) -> Result<(AssertionInfo<'i>, (Option<Done>, Vec<Done>)), TokenError> {
        let limits = &self.message.policy().limits;
        let mut r = Reader::in_context(found.input.as_str(), found.span.range(), &context.inherited_ns, limits);
        digests::want(r.taps(), refs, found.id);
        let sig_limits = self.message.policy().signature_limits;
        let assertion = read_assertion(&mut r, &self.policy.saml_limits, &sig_limits)?;
        let done = r.take_taps().map(|t| t.into_done()).unwrap_or_default();
        let digests = digests::split(&assertion, refs, done);
        Ok((assertion, digests))
    }

    /// Issuer signature (enveloped, over exactly this assertion, by an STS
    /// key), then the holder-of-key certificate and the claims.
    fn verify_parsed(
        &self,
        a: &AssertionInfo<'_>,
        doc: &Document<'_, '_>,
        at: UtcTime,
    ) -> Result<TokenClaims, TokenError> {
        let sig = a.signature.as_ref().ok_or(TokenError::token(K::UnsignedAssertion, a.span.start()))?;
        let covers_self = matches!(sig.references.as_slice(),
            [r] if r.target == RefTarget::Id(a.id.clone()) && r.transforms.enveloped && r.transforms.str_transform.is_none());
        if !covers_self {
            return Err(TokenError::token(K::AssertionNotCovered, sig.span.start()));
        }
        let signer = self.issuer.resolve_key(None, &sig.key_info, at, sig.span.start()).map_err(issuer_error)?;
        let covered = check(doc, sig, signer.key(), &self.issuer.algorithms()).map_err(issuer_error)?;
        if covered.first().map(|c| c.span) != Some(a.span) {
            return Err(TokenError::token(K::AssertionNotCovered, sig.span.start()));
        }
        let holder = match a.holders.as_slice() {
            [one] => one,
            _ => return Err(TokenError::token(K::NotHolderOfKey, a.span.start())),
        };
        let holder_cert = self.holder(holder, at)?;
        let issuer_cert = match &signer {
            Signer::Certificate(c) => Some(c.identity.clone()),
            Signer::Pinned(_) => None,
        };
        let mut claims = claims_of(a, holder_cert, issuer_cert, &self.policy.saml_limits)?;
        claims.confirmation = (holder.not_before, holder.not_on_or_after);
        if let Signer::Certificate(c) = &signer {
            claims.certificates = (claims.certificates.0.max(c.valid_from), claims.certificates.1.min(c.valid_until));
        }
        Ok(claims)
    }

    /// The holder-of-key certificate, checked (by itself, or to the holder
    /// anchors when `holder_chain`); cached by its base64 text.
    fn holder(&self, holder: &HolderConfirmation<'_>, at: UtcTime) -> Result<Arc<ValidatedCert>, TokenError> {
        let key = CacheKey { leaf: holder.certificate.text.as_bytes(), intermediates: &[] };
        cached_or(&self.holders, &key, at, || {
            let der = holder.certificate.decode().map_err(TokenError::Message)?;
            let checked = self.message.holder(&der, at, self.holder_chain);
            checked.map_err(|e| TokenError::token(K::UntrustedHolder(e), holder.at))
        })
    }

    /// Validity (with the clock skew) and audience, checked at every use.
    fn check_use(&self, c: &TokenClaims, at: UtcTime, audience: Audience<'_>, offset: usize) -> Result<(), TokenError> {
        let skew = i64::from(self.message.policy().clock_skew_seconds) * 1000;
        let not_before = c.not_before.max(c.confirmation.0);
        if not_before.is_some_and(|nb| nb > at.add_millis(skew)) {
            return Err(TokenError::token(K::NotYetValid, offset));
        }
        let end = c.confirmation.1.map_or(c.not_on_or_after, |e| e.min(c.not_on_or_after));
        if end.add_millis(skew) <= at {
            return Err(TokenError::token(K::Expired, offset));
        }
        if !c.certificates_valid_at(at) {
            let e = if at < c.certificates.0 { CertError::NotYetValid } else { CertError::Expired };
            return Err(TokenError::token(K::UntrustedHolder(e), offset));
        }
        match audience {
            Audience::Expect(want) if !c.is_for(want) => Err(TokenError::token(K::WrongAudience, offset)),
            _ => Ok(()),
        }
    }

    /// The message signature with the holder-of-key key, and the coverage.
    fn check_message<'a>(
        &self,
        input: &'a Input<'_>,
        parsed: &ParsedForVerification<'a>,
        header: &SecurityHeader<'a>,
        sig: &SignatureInfo<'a>,
        claims: &Arc<TokenClaims>,
        assertion_digests: Vec<Done>,
    ) -> Result<Verified<'a>, TokenError> {
        let policy = self.message.policy();
        let mut inline: Vec<Done> =
            parsed.inline_digests.iter().filter(|d| !digests::is_speculative(d)).cloned().collect();
        inline.extend(assertion_digests);
        let doc = Document {
            src: input.as_str(),
            content_start: input.content_start(),
            index: &parsed.index,
            limits: &policy.limits,
            token_refs: &header.token_refs,
            inline: &inline,
        };
        let covered = check(&doc, sig, &claims.holder.key, &self.message.algorithms())?;
        let env = &parsed.envelope;
        self.message.check_coverage(env, header, &covered)?;
        let assertion_at = header.assertions[0];
        if !covered.iter().any(|c| c.span == assertion_at) {
            return Err(VerifyError::sig(E::NotSigned(SignedPart::Assertion), assertion_at.start()).into());
        }
        let root = QName { ns: env.version().namespace(), local: "Envelope" };
        let signed = signed_elements(root, &parsed.index, &parsed.names, &covered);
        let signer = Signer::Certificate(Arc::clone(&claims.holder));
        Ok(Verified::new(env.clone(), covered, signed, signer, sig, header.timestamp))
    }

    /// Records the MessageID until the message could no longer be accepted.
    fn check_replay(
        &self,
        env: &Envelope<'_>,
        header: &SecurityHeader<'_>,
        claims: &TokenClaims,
        at: UtcTime,
    ) -> Result<(), TokenError> {
        let Some(id) = env.addressing().message_id.as_ref() else {
            return Err(TokenError::token(K::MissingHeader(RequiredHeader::MessageId), env.span().start()));
        };
        let policy = self.message.policy();
        let skew = i64::from(policy.clock_skew_seconds) * 1000;
        let mut until = claims.not_on_or_after.add_millis(skew);
        if let Some(ts) = header.timestamp {
            if let Some(expires) = ts.expires {
                until = until.min(expires.add_millis(skew));
            }
            if let Some(max_age) = policy.max_age_seconds {
                until = until.min(ts.created.add_millis(i64::from(max_age) * 1000 + skew));
            }
        }
        let offset = id.span().start();
        match self.replay.check_and_record(id.trimmed(), until, at) {
            Ok(()) => Ok(()),
            Err(ReplayError::Replayed) => Err(TokenError::token(K::Replay, offset)),
            Err(ReplayError::Full) => Err(TokenError::token(K::ReplayCacheFull, offset)),
            Err(_) => Err(TokenError::token(K::ReplayCacheUnavailable, offset)),
        }
    }
}

/// Where the assertion the message names is.
struct Found<'i, 'a> {
    input: &'i Input<'a>,
    index: &'i IdIndex<'i>,
    span: Span,
    id: &'i str,
    /// The assertion as the envelope pass read it, if it did.
    in_pass: Option<&'i AssertionInfo<'i>>,
    /// The cached claims, when the envelope pass passed over known bytes.
    known: Option<&'i Arc<TokenClaims>>,
    /// The digests the envelope pass took.
    done: &'i [Done],
}

/// Issuer-side failures keep their signature error; envelope errors are the message's.
fn issuer_error(e: VerifyError) -> TokenError {
    match e {
        VerifyError::Signature(s) => TokenError::Issuer(s),
        other => TokenError::Message(other),
    }
}
