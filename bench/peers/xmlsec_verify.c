/* Peer for kuvert's benchmarks: verify WS-Security signed messages with
 * libxmlsec1 (OpenSSL backend), in-process, the way a C gateway would.
 * The signer's certificate is loaded once as a trusted key. XML_PARSE_HUGE
 * lets libxml2 read the large responses (text nodes over 10 MB) that kuvert
 * is compared on.
 *
 * kuvert_xmlsec_verify: per message, parse, register wsu:Id / Id / ID (SAML)
 * attributes as IDs, verify the first signature in document order.
 *
 * kuvert_xmlsec_verify_token: a holder-of-key SAML token request (SOAP 1.1,
 * the assertion in wsse:Security); both signatures a gateway must check:
 * the assertion's (with the trusted STS key) and the message's (with the
 * certificate the assertion confirms), every reference included, the
 * STR-Transform one through the transform below. */
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/nodeset.h>
#include <xmlsec/base64.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>

static xmlSecKeysMngrPtr mngr;
/* A copy of the trusted key, handed straight to the token check's assertion
 * signature (xmlsec then skips KeyInfo: no X509 decode, no failing chain
 * check before the fallback to the adopted key). */
static xmlSecKeyPtr trusted;
static const xmlChar WSU[] = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
static const xmlChar WSSE[] = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
static const xmlChar SAML2[] = "urn:oasis:names:tc:SAML:2.0:assertion";
static const xmlChar SOAP11[] = "http://schemas.xmlsoap.org/soap/envelope/";
static const xmlChar SAMLID[] = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
static const xmlChar HOLDER_OF_KEY[] = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";
static const xmlChar STR_TRANSFORM[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform";

/* The security token a wsse:SecurityTokenReference names, or NULL. Only the
 * form the token requests use: one wsse:KeyIdentifier with ValueType
 * "...#SAMLID" whose text is a SAML 2.0 assertion's ID (registered as an ID
 * by register_ids); per WSS SOAP Message Security 1.1 section 8.3 the
 * dereferenced token is that saml2:Assertion element. */
static xmlNodePtr str_token(xmlDocPtr doc, xmlNodePtr str) {
    xmlNodePtr ki = xmlSecGetNextElementNode(str->children);
    if (!ki || !xmlSecCheckNodeName(ki, BAD_CAST "KeyIdentifier", WSSE) || xmlSecGetNextElementNode(ki->next))
        return NULL;
    xmlChar *type = xmlGetProp(ki, BAD_CAST "ValueType");
    int saml = type && xmlStrEqual(type, SAMLID);
    xmlFree(type);
    if (!saml) return NULL;
    xmlChar *id = xmlNodeGetContent(ki);
    xmlAttrPtr attr = id ? xmlGetID(doc, id) : NULL;
    xmlFree(id);
    if (!attr || attr->ns || !xmlStrEqual(attr->name, BAD_CAST "ID")) return NULL;
    xmlNodePtr token = attr->parent;
    return token && xmlSecCheckNodeName(token, BAD_CAST "Assertion", SAML2) ? token : NULL;
}

/* ------------------------------------------------------------------------
 * STR-Transform (WSS SOAP Message Security 1.1, section 8.3), which
 * libxmlsec1 does not provide. Input: the node set the Reference selects (its
 * apex must be one wsse:SecurityTokenReference); output: the dereferenced
 * token (str_token) in place of the STR, canonicalized with the
 * CanonicalizationMethod of wsse:TransformationParameters. Only exclusive
 * c14n without comments and without an InclusiveNamespaces list is accepted
 * (all the token requests use); anything else is an error. Push mode only,
 * as xmlsec's own c14n transforms: a Reference drives its chain by pushing
 * the node set. */

static int str_read_node(xmlSecTransformPtr transform, xmlNodePtr node, xmlSecTransformCtxPtr ctx) {
    (void)transform;
    (void)ctx;
    xmlNodePtr params = xmlSecGetNextElementNode(node->children);
    if (!params || !xmlSecCheckNodeName(params, BAD_CAST "TransformationParameters", WSSE) ||
        xmlSecGetNextElementNode(params->next))
        return -1;
    xmlNodePtr c14n = xmlSecGetNextElementNode(params->children);
    if (!c14n || !xmlSecCheckNodeName(c14n, xmlSecNodeCanonicalizationMethod, xmlSecDSigNs) ||
        xmlSecGetNextElementNode(c14n->next) || xmlSecGetNextElementNode(c14n->children))
        return -1;
    xmlChar *alg = xmlGetProp(c14n, xmlSecAttrAlgorithm);
    int exclusive = alg && xmlStrEqual(alg, xmlSecHrefExcC14N);
    xmlFree(alg);
    return exclusive ? 0 : -1;
}

static xmlSecTransformDataType str_data_type(xmlSecTransformPtr transform, xmlSecTransformMode mode,
                                             xmlSecTransformCtxPtr ctx) {
    (void)transform;
    (void)ctx;
    return mode == xmlSecTransformModePush ? xmlSecTransformDataTypeXml : xmlSecTransformDataTypeBin;
}

/* Output only: declares binary output for the chain; never pulled. */
static int str_pop_bin(xmlSecTransformPtr transform, xmlSecByte *data, xmlSecSize max, xmlSecSize *size,
                       xmlSecTransformCtxPtr ctx) {
    (void)transform;
    (void)data;
    (void)max;
    (void)size;
    (void)ctx;
    return -1;
}

/* The node set's apex: the one node in the set whose parent is not in it.
 * Walks the children of `parent`; a second apex is an error. */
static int set_apex(xmlSecNodeSetPtr nodes, xmlNodePtr parent, xmlNodePtr *apex) {
    for (xmlNodePtr cur = parent->children; cur; cur = cur->next) {
        if (xmlSecNodeSetContains(nodes, cur, parent)) {
            if (*apex) return -1;
            *apex = cur;
        } else if (cur->type == XML_ELEMENT_NODE && set_apex(nodes, cur, apex) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The apex without a walk when the node set has the shape xmlsec gives a
 * same-document "#id" Reference: the whole document (a normal set without a
 * node list) intersected with one subtree. NULL for any other shape. */
static xmlNodePtr quick_apex(xmlSecNodeSetPtr nodes) {
    xmlNodePtr apex = NULL;
    xmlSecNodeSetPtr set = nodes;
    do {
        if (set != nodes && set->op != xmlSecNodeSetIntersection) return NULL;
        if (set->type == xmlSecNodeSetNormal && !set->nodes) {
            /* every node of the document */
        } else if ((set->type == xmlSecNodeSetTree || set->type == xmlSecNodeSetTreeWithoutComments) && !apex &&
                   set->nodes && set->nodes->nodeNr == 1) {
            apex = set->nodes->nodeTab[0];
        } else {
            return NULL;
        }
        set = set->next;
    } while (set != nodes);
    return apex;
}

static int in_set(void *nodes, xmlNodePtr node, xmlNodePtr parent) {
    return xmlSecNodeSetContains((xmlSecNodeSetPtr)nodes, node, parent);
}

static int str_push_xml(xmlSecTransformPtr transform, xmlSecNodeSetPtr nodes, xmlSecTransformCtxPtr ctx) {
    if (transform->status == xmlSecTransformStatusWorking || transform->status == xmlSecTransformStatusFinished)
        return 0;
    if (transform->status != xmlSecTransformStatusNone || !nodes || !nodes->doc || !transform->next) return -1;
    transform->status = xmlSecTransformStatusWorking;
    xmlDocPtr doc = nodes->doc;
    xmlNodePtr str = quick_apex(nodes);
    if ((!str && set_apex(nodes, (xmlNodePtr)doc, &str) < 0) || !str ||
        !xmlSecCheckNodeName(str, BAD_CAST "SecurityTokenReference", WSSE))
        return -1;
    xmlNodePtr token = str_token(doc, str);
    if (!token) return -1;
    xmlSecNodeSetPtr subtree = xmlSecNodeSetGetChildren(doc, token, 0, 0);
    if (!subtree) return -1;
    xmlOutputBufferPtr out = xmlSecTransformCreateOutputBuffer(transform->next, ctx);
    int ret = out ? xmlC14NExecute(doc, in_set, subtree, XML_C14N_EXCLUSIVE_1_0, NULL, 0, out) : -1;
    xmlSecNodeSetDestroy(subtree);
    if (out && xmlOutputBufferClose(out) < 0) ret = -1;
    if (ret < 0) return -1;
    transform->status = xmlSecTransformStatusFinished;
    return 0;
}

static xmlSecTransformKlass str_transform_klass = {
    sizeof(xmlSecTransformKlass),
    sizeof(xmlSecTransform),
    BAD_CAST "str-transform",
    STR_TRANSFORM,
    xmlSecTransformUsageDSigTransform,
    NULL,          /* initialize */
    NULL,          /* finalize */
    str_read_node, /* readNode */
    NULL,          /* writeNode */
    NULL,          /* setKeyReq */
    NULL,          /* setKey */
    NULL,          /* verify */
    str_data_type, /* getDataType */
    NULL,          /* pushBin */
    str_pop_bin,   /* popBin */
    str_push_xml,  /* pushXml */
    NULL,          /* popXml */
    NULL,          /* execute */
    NULL,
    NULL,
};

int kuvert_xmlsec_init(const char *cert_pem) {
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) return -1;
    if (xmlSecTransformIdsRegister(&str_transform_klass) < 0) return -1;
    /* Quiet: the SAML case logs a failed X509 chain check on every message
     * before it falls back to the adopted key (kuvert checks the chain). */
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    mngr = xmlSecKeysMngrCreate();
    if (!mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0) return -2;
    xmlSecKeyPtr key = xmlSecCryptoAppKeyLoad(cert_pem, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    if (!key) return -3;
    trusted = xmlSecKeyDuplicate(key);
    if (!trusted || xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, key) < 0) return -3;
    return 0;
}

static void register_ids(xmlDocPtr doc, xmlNodePtr node) {
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST "Id", WSU);
        if (!attr) attr = xmlHasProp(node, BAD_CAST "Id");
        if (!attr) attr = xmlHasProp(node, BAD_CAST "ID");
        if (attr && attr->children) {
            xmlChar *value = xmlNodeListGetString(doc, attr->children, 1);
            if (value) { xmlAddID(NULL, doc, value, attr); xmlFree(value); }
        }
        register_ids(doc, node->children);
    }
}

/* 1 when the message's signature verifies, 0 when it does not, <0 on error. */
int kuvert_xmlsec_verify(const char *buf, size_t len) {
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    if (!doc) return -1;
    register_ids(doc, xmlDocGetRootElement(doc));
    xmlNodePtr sig = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
    int ok = -2;
    if (sig) {
        xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(mngr);
        if (ctx && xmlSecDSigCtxVerify(ctx, sig) >= 0) ok = ctx->status == xmlSecDSigStatusSucceeded;
        if (ctx) xmlSecDSigCtxDestroy(ctx);
    }
    xmlFreeDoc(doc);
    return ok;
}

/* ------------------------------------------------------------------------
 * Token requests. */

/* What kuvert_xmlsec_token_report writes: one line per step. */
struct report {
    char *buf;
    size_t cap, len;
};

static void note(struct report *r, const char *label, const xmlChar *detail, int value) {
    if (!r || !r->buf || r->len >= r->cap) return;
    int n = snprintf(r->buf + r->len, r->cap - r->len, "%s %s %d\n", label, detail ? (const char *)detail : "-",
                     value);
    if (n > 0) r->len += (size_t)n < r->cap - r->len ? (size_t)n : r->cap - r->len - 1;
}

/* "#" + the element's wsu:Id (or SAML ID) equals `uri`. */
static int names(const xmlChar *uri, xmlNodePtr el) {
    xmlChar *id = xmlGetNsProp(el, BAD_CAST "Id", WSU);
    if (!id) id = xmlGetProp(el, BAD_CAST "ID");
    int same = id && uri && uri[0] == '#' && xmlStrEqual(uri + 1, id);
    xmlFree(id);
    return same;
}

/* Verifies `sig`: with `key` (adopted) when given, else with the keys
 * manager (the trusted STS certificate). 1 when the signature verifies and
 * its references cover every element of `covered` (and, with `only`, nothing
 * else); 0 when not; <0 on error. */
static int verify_signature(const char *label, xmlNodePtr sig, xmlSecKeyPtr key, xmlNodePtr *covered, int n,
                            int only, struct report *r) {
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(mngr);
    if (!ctx) {
        if (key) xmlSecKeyDestroy(key);
        return -10;
    }
    ctx->signKey = key;
    int ok = xmlSecDSigCtxVerify(ctx, sig) < 0 ? -11 : ctx->status == xmlSecDSigStatusSucceeded;
    xmlSecSize refs = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (xmlSecSize i = 0; i < refs; i++) {
        xmlSecDSigReferenceCtxPtr ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, i);
        if (ref) note(r, "reference", ref->uri, ref->status == xmlSecDSigStatusSucceeded);
    }
    if (ok == 1 && only && refs != (xmlSecSize)n) ok = 0;
    for (int c = 0; ok == 1 && c < n; c++) {
        int found = 0;
        for (xmlSecSize i = 0; !found && i < refs; i++) {
            xmlSecDSigReferenceCtxPtr ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, i);
            found = ref && ref->status == xmlSecDSigStatusSucceeded && names(ref->uri, covered[c]);
        }
        ok = found;
    }
    note(r, label, NULL, ok);
    xmlSecDSigCtxDestroy(ctx);
    return ok;
}

/* The key of the certificate a holder-of-key assertion confirms: the first
 * SubjectConfirmation with the holder-of-key method, its
 * SubjectConfirmationData/ds:KeyInfo/ds:X509Data/ds:X509Certificate. */
static xmlSecKeyPtr holder_key(xmlNodePtr assertion) {
    xmlNodePtr subject = xmlSecFindChild(assertion, BAD_CAST "Subject", SAML2);
    xmlNodePtr sc = subject ? xmlSecFindChild(subject, BAD_CAST "SubjectConfirmation", SAML2) : NULL;
    for (; sc; sc = xmlSecFindSibling(sc->next, BAD_CAST "SubjectConfirmation", SAML2)) {
        xmlChar *method = xmlGetProp(sc, BAD_CAST "Method");
        int hok = method && xmlStrEqual(method, HOLDER_OF_KEY);
        xmlFree(method);
        if (hok) break;
    }
    xmlNodePtr n = sc ? xmlSecFindChild(sc, BAD_CAST "SubjectConfirmationData", SAML2) : NULL;
    n = n ? xmlSecFindChild(n, xmlSecNodeKeyInfo, xmlSecDSigNs) : NULL;
    n = n ? xmlSecFindChild(n, xmlSecNodeX509Data, xmlSecDSigNs) : NULL;
    n = n ? xmlSecFindChild(n, xmlSecNodeX509Certificate, xmlSecDSigNs) : NULL;
    xmlChar *b64 = n ? xmlNodeGetContent(n) : NULL;
    if (!b64) return NULL;
    xmlSecSize der = 0;
    xmlSecKeyPtr key = NULL;
    if (xmlSecBase64DecodeInPlace(b64, &der) >= 0 && der > 0)
        key = xmlSecCryptoAppKeyLoadMemory(b64, der, xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
    xmlFree(b64);
    return key;
}

/* Both signatures of a token request. With `all`, the message signature is
 * checked even when the assertion's fails (for the report). */
static int token_checks(xmlDocPtr doc, int all, struct report *r) {
    xmlNodePtr env = xmlDocGetRootElement(doc);
    if (!env || !xmlSecCheckNodeName(env, BAD_CAST "Envelope", SOAP11)) return -2;
    xmlNodePtr header = xmlSecFindChild(env, BAD_CAST "Header", SOAP11);
    xmlNodePtr body = xmlSecFindChild(env, BAD_CAST "Body", SOAP11);
    xmlNodePtr sec = header ? xmlSecFindChild(header, BAD_CAST "Security", WSSE) : NULL;
    xmlNodePtr stamp = sec ? xmlSecFindChild(sec, BAD_CAST "Timestamp", WSU) : NULL;
    xmlNodePtr sig = sec ? xmlSecFindChild(sec, xmlSecNodeSignature, xmlSecDSigNs) : NULL;
    if (!body || !stamp || !sig) return -3;
    /* The message's KeyInfo names the assertion whose confirmed key signs. */
    xmlNodePtr keyinfo = xmlSecFindChild(sig, xmlSecNodeKeyInfo, xmlSecDSigNs);
    xmlNodePtr str = keyinfo ? xmlSecFindChild(keyinfo, BAD_CAST "SecurityTokenReference", WSSE) : NULL;
    xmlNodePtr assertion = str ? str_token(doc, str) : NULL;
    if (!assertion || assertion->parent != sec) return -4;
    xmlNodePtr asig = xmlSecFindChild(assertion, xmlSecNodeSignature, xmlSecDSigNs);
    if (!asig) return -5;

    /* 1. The STS signed the assertion (its one reference is the assertion),
     * checked with the trusted key itself, as a gateway trusting one STS would. */
    xmlSecKeyPtr sts = xmlSecKeyDuplicate(trusted);
    if (!sts) return -7;
    int a = verify_signature("assertion", asig, sts, &assertion, 1, 1, r);
    if (a != 1 && !all) return a;
    /* 2. The holder of the confirmed key signed the message, Body and
     * Timestamp among the references (all of which must verify). */
    xmlSecKeyPtr key = holder_key(assertion);
    note(r, "holder-key", NULL, key != NULL);
    if (!key) return a != 1 ? a : -6;
    xmlNodePtr covered[2] = {body, stamp};
    int m = verify_signature("message", sig, key, covered, 2, 0, r);
    return a != 1 ? a : m;
}

static int verify_token(const char *buf, size_t len, int all, struct report *r) {
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    if (!doc) return -1;
    register_ids(doc, xmlDocGetRootElement(doc));
    int ok = token_checks(doc, all, r);
    xmlFreeDoc(doc);
    return ok;
}

/* 1 when both the assertion's and the message's signature verify, 0 when
 * either does not, <0 on error (a missing part, an unresolvable STR). */
int kuvert_xmlsec_verify_token(const char *buf, size_t len) {
    return verify_token(buf, len, 0, NULL);
}

/* As kuvert_xmlsec_verify_token, but checks the message signature even when
 * the assertion's fails, and writes one line per step into `out` (NUL
 * terminated, cut at `cap`): "reference URI 1|0" per reference of each
 * signature, then "assertion - R", "holder-key - 1|0", "message - R". */
int kuvert_xmlsec_token_report(const char *buf, size_t len, char *out, size_t cap) {
    struct report r = {out, cap, 0};
    if (out && cap) out[0] = 0;
    return verify_token(buf, len, 1, &r);
}
