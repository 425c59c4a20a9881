/* Peer for kuvert's benchmarks: verify WS-Security signed messages with
 * libxmlsec1 (OpenSSL backend), in-process, the way a C gateway would.
 * The signer's certificate is loaded once as a trusted key; per message:
 * parse, register wsu:Id / Id / ID (SAML) attributes as IDs, verify the first
 * signature in document order. XML_PARSE_HUGE lets libxml2 read the large
 * responses (text nodes over 10 MB) that kuvert is compared on. */
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>

static xmlSecKeysMngrPtr mngr;
static const xmlChar WSU[] = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

int kuvert_xmlsec_init(const char *cert_pem) {
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) return -1;
    /* Quiet: the SAML case logs a failed X509 chain check on every message
     * before it falls back to the adopted key (kuvert checks the chain). */
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    mngr = xmlSecKeysMngrCreate();
    if (!mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0) return -2;
    xmlSecKeyPtr key = xmlSecCryptoAppKeyLoad(cert_pem, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    if (!key || xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, key) < 0) return -3;
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


