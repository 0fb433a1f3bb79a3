//! A CA made for one test, and the certificates it signs: ECDSA P-256 keys from ring,
//! certificates written as DER by hand, with the crates that TLS already builds and
//! nothing more.
//!
//! Shared by two test crates: the integration tests (`support::ca`) and the library's own
//! unit tests (which include this file by path), each of which uses part of it.
#![allow(dead_code)]

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The end of the certificates' validity (they start in 2000).
pub const VALID: &str = "491231235959Z";

/// One DER element.
pub fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// `CN=<cn>`
pub fn name(cn: &str) -> Vec<u8> {
    let attr = seq(&[&der(0x06, &[0x55, 0x04, 0x03]), &der(0x0c, cn.as_bytes())]);
    seq(&[&der(0x31, &attr)])
}

/// An ECDSA P-256 key: (signing key, PKCS#8 DER).
pub fn key() -> (EcdsaKeyPair, Vec<u8>) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    (pair, pkcs8.as_ref().to_vec())
}

/// One subject alternative name.
pub enum San<'a> {
    /// An IPv4 address.
    Ip([u8; 4]),
    /// A DNS name.
    Dns(&'a str),
}

/// A certificate for `subject`'s key, signed by `issuer`'s: a CA when `san` is `None`,
/// else a server certificate for that name. Valid from 2000 to `not_after` (a UTCTime).
pub fn certificate(
    subject: &str,
    subject_key: &EcdsaKeyPair,
    issuer: &str,
    issuer_key: &EcdsaKeyPair,
    san: Option<San<'_>>,
    not_after: &str,
) -> Vec<u8> {
    // ecdsa-with-SHA256
    let algorithm = seq(&[&der(
        0x06,
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
    )]);
    let validity = seq(&[
        &der(0x17, b"000101000000Z"),
        &der(0x17, not_after.as_bytes()),
    ]);
    let spki = seq(&[
        &seq(&[
            &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ]),
        &der(
            0x03,
            &[&[0u8][..], subject_key.public_key().as_ref()].concat(),
        ),
    ]);
    let extension = |oid: u8, critical: bool, value: Vec<u8>| {
        let critical: &[u8] = if critical { &[0x01, 0x01, 0xff] } else { &[] };
        seq(&[&der(0x06, &[0x55, 0x1d, oid]), critical, &der(0x04, &value)])
    };
    let extensions = match &san {
        // basicConstraints CA:TRUE; keyUsage keyCertSign
        None => vec![
            extension(19, true, seq(&[&[0x01, 0x01, 0xff]])),
            extension(15, true, der(0x03, &[0x02, 0x04])),
        ],
        Some(san) => {
            let general_name = match san {
                San::Ip(ip) => der(0x87, ip),
                San::Dns(dns) => der(0x82, dns.as_bytes()),
            };
            vec![extension(17, false, seq(&[&general_name]))]
        }
    };
    let extensions: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
    let tbs = seq(&[
        &[0xa0, 0x03, 0x02, 0x01, 0x02],
        &der(0x02, &[0x01, 0x23]),
        &algorithm,
        &name(issuer),
        &validity,
        &name(subject),
        &spki,
        &der(0xa3, &seq(&extensions)),
    ]);
    let signature = issuer_key.sign(&SystemRandom::new(), &tbs).unwrap();
    seq(&[
        &tbs,
        &algorithm,
        &der(0x03, &[&[0u8][..], signature.as_ref()].concat()),
    ])
}

pub fn pem(der: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..4 {
            b64.push(if i <= chunk.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A CA made for one test: its certificate as PEM, and its key to sign with.
pub struct Ca {
    /// Its common name.
    pub name: &'static str,
    key: EcdsaKeyPair,
    /// The CA's certificate, to trust.
    pub pem: String,
}

impl Ca {
    pub fn new(name: &'static str) -> Ca {
        let (key, _) = key();
        let cert = certificate(name, &key, name, &key, None, VALID);
        Ca {
            name,
            key,
            pem: pem(&cert),
        }
    }

    /// A server certificate for `san` and its PKCS#8 key.
    pub fn server(&self, san: San<'_>) -> (Vec<u8>, Vec<u8>) {
        self.server_until(san, VALID)
    }

    /// A server certificate for `san`, valid until `not_after`, and its PKCS#8 key.
    pub fn server_until(&self, san: San<'_>, not_after: &str) -> (Vec<u8>, Vec<u8>) {
        let (key, pkcs8) = key();
        let san = Some(san);
        let cert = certificate("test server", &key, self.name, &self.key, san, not_after);
        (cert, pkcs8)
    }
}

/// A TLS server's configuration with this certificate and its PKCS#8 key.
pub fn server_config(cert: Vec<u8>, pkcs8: Vec<u8>) -> rustls::ServerConfig {
    // The provider of rustls's crate features (ring, the only one built): `builder()` takes
    // it without naming a provider function, which newer rustls releases deprecate.
    rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)),
        )
        .unwrap()
}
