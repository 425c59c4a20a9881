#!/usr/bin/env bash
# TEST ONLY PKI for kuvert's certificate tests. Every key written here is a
# throw-away test key: never trust any of these certificates outside tests.
#
# Usage: bash corpus/pki/generate.sh   (writes into the directory of this script)
# Needs OpenSSL 3 (`openssl ca` with -startdate/-enddate and -sigopt).
# The output is not reproducible byte for byte (fresh keys each run); the unit
# tests in core/src/cert/ only rely on the names, subjects, serials, key sizes,
# validity dates and extensions fixed below.
set -euo pipefail

OUT="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

GOOD_START=20240101000000Z
GOOD_END=20450101000000Z
OCES3_UUID=7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b
PSS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256)

cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir             = $WORK
database        = $WORK/index.txt
serial          = $WORK/serial
new_certs_dir   = $WORK/issued
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
name_opt        = ca_default
cert_opt        = ca_default

[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = optional
serialNumber           = optional
organizationIdentifier = optional

[ req ]
distinguished_name = req_dn
prompt             = no
string_mask        = utf8only

[ req_dn ]
CN = placeholder

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ v3_ca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf_ec ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf_oces3 ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf_kenc ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyEncipherment
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf_eku_email ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = emailProtection
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_pinned ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash
CNF
mkdir -p "$WORK/issued"
: > "$WORK/index.txt"

# key NAME ALG-OPTS...: a PKCS#8 PEM private key in $OUT/NAME.key.pem
key() {
  local name=$1
  shift
  openssl genpkey -quiet "$@" -out "$OUT/$name.key.pem"
}
rsa_key() { key "$1" -algorithm RSA -pkeyopt "rsa_keygen_bits:$2"; }
ec_key() { key "$1" -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -pkeyopt ec_param_enc:named_curve; }

# issue NAME SUBJECT SERIAL-HEX EXTENSIONS ISSUER|self START END [extra ca options...]
# writes $OUT/NAME.der (and NAME.pem for roots)
issue() {
  local name=$1 subj=$2 serial=$3 ext=$4 issuer=$5 start=$6 end=$7
  shift 7
  echo "$serial" > "$WORK/serial"
  openssl req -new -config "$WORK/ca.cnf" -key "$OUT/$name.key.pem" -subj "$subj" -utf8 -out "$WORK/$name.csr"
  local signer=(-cert "$OUT/$issuer.pem" -keyfile "$OUT/$issuer.key.pem")
  if [ "$issuer" = self ]; then
    signer=(-selfsign -keyfile "$OUT/$name.key.pem")
  fi
  openssl ca -batch -notext -config "$WORK/ca.cnf" -preserveDN -utf8 "${signer[@]}" \
    -extfile "$WORK/ca.cnf" -extensions "$ext" -startdate "$start" -enddate "$end" \
    -in "$WORK/$name.csr" -out "$WORK/$name.crt" "$@" 2> "$WORK/ca.log" || { cat "$WORK/ca.log"; exit 1; }
  openssl x509 -in "$WORK/$name.crt" -outform DER -out "$OUT/$name.der"
  openssl x509 -in "$WORK/$name.crt" -out "$OUT/$name.pem"
}

# OCES2-style chain: RSA 4096 root and issuing CA, RSA 2048 function certificate.
rsa_key oces2-root 4096
issue oces2-root "/C=DK/O=Kuvert Test/CN=TEST ONLY Kuvert OCES2-style Root CA" 01 v3_root self "$GOOD_START" "$GOOD_END"
rsa_key oces2-ca 4096
issue oces2-ca "/C=DK/O=Kuvert Test/CN=TEST ONLY Kuvert OCES2-style Issuing CA" 02 v3_ca oces2-root "$GOOD_START" "$GOOD_END"
rsa_key oces2-leaf 2048
issue oces2-leaf "/C=DK/O=Kuvert Testkommune \/\/ CVR:99999999/CN=TEST ONLY kuvert funktionscertifikat/serialNumber=CVR:11111111-FID:12345678" \
  9F1E2D3C4B5A69788796 v3_leaf oces2-ca "$GOOD_START" "$GOOD_END"

# OCES3-style chain: every signature RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32).
rsa_key oces3-root 4096
issue oces3-root "/C=DK/O=Kuvert Test/OU=Test - cti/CN=TEST ONLY Kuvert OCES3-style Root CA" 11 v3_root self "$GOOD_START" "$GOOD_END" "${PSS[@]}"
rsa_key oces3-ca 3072
issue oces3-ca "/C=DK/O=Kuvert Test/OU=Test - cti/CN=TEST ONLY Kuvert OCES3-style Issuing CA" 12 v3_ca oces3-root "$GOOD_START" "$GOOD_END" "${PSS[@]}"
rsa_key oces3-leaf 3072
issue oces3-leaf "/C=DK/organizationIdentifier=NTRDK-29189846/O=Kuvert Testkommune/OU=Test - cti/CN=TEST ONLY kuvert system/serialNumber=UI:DK-O:G:$OCES3_UUID" \
  0A0B0C0D0E0F1011 v3_leaf_oces3 oces3-ca "$GOOD_START" "$GOOD_END" "${PSS[@]}"

# Refusals, all issued by the OCES2-style issuing CA unless said otherwise.
rsa_key leaf-expired 2048
issue leaf-expired "/C=DK/O=Kuvert Test/CN=TEST ONLY expired/serialNumber=CVR:11111111-FID:20000001" \
  21 v3_leaf oces2-ca 20200101000000Z 20210101000000Z
rsa_key leaf-not-yet-valid 2048
issue leaf-not-yet-valid "/C=DK/O=Kuvert Test/CN=TEST ONLY not yet valid/serialNumber=CVR:11111111-FID:20000002" \
  22 v3_leaf oces2-ca 20400101000000Z "$GOOD_END"
rsa_key leaf-key-encipherment 2048
issue leaf-key-encipherment "/C=DK/O=Kuvert Test/CN=TEST ONLY keyEncipherment only/serialNumber=CVR:11111111-FID:20000003" \
  23 v3_leaf_kenc oces2-ca "$GOOD_START" "$GOOD_END"
rsa_key leaf-rsa1024 1024
issue leaf-rsa1024 "/C=DK/O=Kuvert Test/CN=TEST ONLY RSA-1024/serialNumber=CVR:11111111-FID:20000004" \
  24 v3_leaf oces2-ca "$GOOD_START" "$GOOD_END"
rsa_key leaf-eku-email 2048
issue leaf-eku-email "/C=DK/O=Kuvert Test/CN=TEST ONLY EKU emailProtection/serialNumber=CVR:11111111-FID:20000005" \
  25 v3_leaf_eku_email oces2-ca "$GOOD_START" "$GOOD_END"
rsa_key untrusted-root 2048
issue untrusted-root "/C=DK/O=Nobody/CN=TEST ONLY untrusted Root CA" 31 v3_root self "$GOOD_START" "$GOOD_END"
rsa_key leaf-untrusted 2048
issue leaf-untrusted "/C=DK/O=Nobody/CN=TEST ONLY issued by an untrusted root/serialNumber=CVR:11111111-FID:20000006" \
  32 v3_leaf untrusted-root "$GOOD_START" "$GOOD_END"

# ECDSA leaves (signed by the OCES2-style issuing CA with sha256WithRSA).
ec_key ec-p256-leaf P-256
issue ec-p256-leaf "/C=DK/O=Kuvert Test/CN=TEST ONLY ECDSA P-256/serialNumber=CVR:11111111-FID:20000007" \
  41 v3_leaf_ec oces2-ca "$GOOD_START" "$GOOD_END"
ec_key ec-p384-leaf P-384
issue ec-p384-leaf "/C=DK/O=Kuvert Test/CN=TEST ONLY ECDSA P-384/serialNumber=CVR:11111111-FID:20000008" \
  42 v3_leaf_ec oces2-ca "$GOOD_START" "$GOOD_END"

# A self-signed RSA-2048 leaf (CA:FALSE) a caller pins by exact DER.
rsa_key pinned-selfsigned 2048
issue pinned-selfsigned "/C=DK/O=Kuvert Test/CN=TEST ONLY pinned self-signed/serialNumber=CVR:11111111-FID:20000009" \
  51 v3_pinned self "$GOOD_START" "$GOOD_END"

# Signatures made with OpenSSL, for what aws-lc-rs cannot sign in the tests:
# RSA-1024 (legacy verification) and PKCS#1 v1.5 with SHA-1.
printf 'kuvert TEST ONLY signed message\n' > "$OUT/test-message.txt"
openssl dgst -sha256 -sign "$OUT/leaf-rsa1024.key.pem" -out "$OUT/leaf-rsa1024.sha256.sig" "$OUT/test-message.txt"
openssl dgst -sha1 -sign "$OUT/leaf-rsa1024.key.pem" -out "$OUT/leaf-rsa1024.sha1.sig" "$OUT/test-message.txt"
openssl dgst -sha1 -sign "$OUT/oces2-leaf.key.pem" -out "$OUT/oces2-leaf.sha1.sig" "$OUT/test-message.txt"

# The two roots as one PEM bundle (for TrustAnchors::add_pem).
cat "$OUT/oces2-root.pem" "$OUT/oces3-root.pem" > "$OUT/trust-bundle.pem"

# Only roots keep a .pem copy; the rest are DER.
for f in "$OUT"/*.pem; do
  case "$(basename "$f")" in
    *.key.pem | oces2-root.pem | oces3-root.pem | untrusted-root.pem | trust-bundle.pem) ;;
    *) rm -f "$f" ;;
  esac
done
echo "TEST ONLY PKI written to $OUT"
