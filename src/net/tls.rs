//! Which roots the client trusts (Mozilla's, the caller's PEM beside or instead of them,
//! or the operating system's verifier), and how a server certificate it refused is told.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::Error as PemError;
use rustls::{CertificateError, RootCertStore};
use ureq::tls::{Certificate, PemItem, RootCerts};

use crate::error::{Error, Result};
use crate::redact::{DETAIL_WIDTH, NAME_WIDTH, push_printable, quoted};

/// The roots the builder was given as PEM, in the order of the calls that gave them.
#[derive(Clone, Default)]
pub(crate) struct Roots {
    /// `root_certificates_pem` was called: Mozilla's roots are not trusted.
    replaced: bool,
    /// Each PEM text, with the name of the method that gave it.
    pems: Vec<(&'static str, Vec<u8>)>,
}

impl Roots {
    /// Trust the certificates in `pem` too.
    pub(crate) fn add(&mut self, pem: &[u8]) {
        self.pems.push(("add_root_certificates_pem", pem.to_vec()));
    }

    /// Trust the certificates in `pem` instead of every root trusted so far.
    pub(crate) fn replace(&mut self, pem: &[u8]) {
        self.replaced = true;
        self.pems.clear();
        self.pems.push(("root_certificates_pem", pem.to_vec()));
    }

    /// `later`'s roots after these: they replace these if `later` replaced, else add to
    /// them.
    pub(crate) fn then(&mut self, later: &Roots) {
        if later.replaced {
            self.replaced = true;
            self.pems.clear();
        }
        self.pems.extend(later.pems.iter().cloned());
    }

    /// ureq's root setting for these roots, the PEM parsed and every certificate checked.
    pub(crate) fn root_certs(&self, platform_verifier: bool) -> Result<RootCerts> {
        if platform_verifier {
            if !self.pems.is_empty() {
                return Err(Error::invalid_config(
                    "the platform verifier cannot be combined with root certificates from \
                     PEM: it trusts the operating system's roots, so add yours there",
                ));
            }
            return Ok(RootCerts::PlatformVerifier);
        }
        if self.pems.is_empty() {
            return Ok(RootCerts::WebPki);
        }
        let mut certs = if self.replaced {
            Vec::new()
        } else {
            mozilla_roots()
        };
        for (method, pem) in &self.pems {
            certs.extend(parse_pem(method, pem)?);
        }
        Ok(RootCerts::Specific(Arc::new(certs)))
    }
}

/// The certificates in `pem`, each checked as a root the way rustls will read it (rustls
/// itself skips a certificate it cannot read, which would leave a root silently missing).
fn parse_pem(method: &str, pem: &[u8]) -> Result<Vec<Certificate<'static>>> {
    pem_roots(pem).map_err(|why| {
        Error::invalid_config(format!(
            "invalid root certificate PEM {} given to {method}: {why}",
            quoted(&String::from_utf8_lossy(pem))
        ))
    })
}

/// The certificates in `pem`, checked as [`parse_pem`] checks them, or what is wrong with
/// them, in words that quote none of the text.
pub(crate) fn pem_roots(pem: &[u8]) -> std::result::Result<Vec<Certificate<'static>>, String> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(ureq::Error::Pem(e)) => return Err(pem_problem(&e).to_owned()),
            Err(_) => return Err("it cannot be read as PEM".to_owned()),
        }
    }
    if certs.is_empty() {
        return Err("no certificate found (no \"-----BEGIN CERTIFICATE-----\" section)".to_owned());
    }
    let mut store = RootCertStore::empty();
    for (i, cert) in certs.iter().enumerate() {
        if store.add(CertificateDer::from(cert.der())).is_err() {
            return Err(format!(
                "certificate {} of {} is not a valid X.509 certificate",
                i + 1,
                certs.len()
            ));
        }
    }
    Ok(certs)
}

/// What is wrong with a PEM text, in a few words that quote none of it.
fn pem_problem(e: &PemError) -> &'static str {
    match e {
        PemError::MissingSectionEnd { .. } => "a section has no END line",
        PemError::IllegalSectionStart { .. } => "a BEGIN line is malformed",
        PemError::Base64Decode(_) => "a section is not valid base64",
        PemError::SectionTooLarge => "a section is too large",
        _ => "it cannot be read as PEM",
    }
}

/// Mozilla's roots (`webpki-roots`, as ureq trusts them by default) as certificates, so
/// that more roots can be trusted beside them: ureq takes either its built-in set or a list
/// of certificates. `webpki-roots` holds each root as the three parts of a trust anchor
/// (subject, public key, name constraints), the only parts of a root certificate that
/// rustls reads; each is wrapped in the smallest certificate that rustls reads back into
/// the same trust anchor (a unit test checks every one), so nothing new is built for it.
fn mozilla_roots() -> Vec<Certificate<'static>> {
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|anchor| {
            let der = anchor_certificate(
                &anchor.subject,
                &anchor.subject_public_key_info,
                anchor.name_constraints.as_deref(),
            );
            Certificate::from_der(&der).to_owned()
        })
        .collect()
}

/// A v3 certificate with this subject (the contents of its `Name` sequence), public key
/// (the contents of its `SubjectPublicKeyInfo`) and name constraints (the contents of the
/// extension's `NameConstraints`), self-issued, with an empty signature.
fn anchor_certificate(subject: &[u8], spki: &[u8], name_constraints: Option<&[u8]>) -> Vec<u8> {
    // ecdsa-with-SHA256: only its presence is read.
    const ALGORITHM: &[u8] = &[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    let mut tbs = vec![0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01];
    tbs.extend_from_slice(ALGORITHM);
    der(0x30, subject, &mut tbs); // issuer
    der(0x30, &[], &mut tbs); // validity: not read for a root
    der(0x30, subject, &mut tbs);
    der(0x30, spki, &mut tbs);
    if let Some(nc) = name_constraints {
        let mut value = Vec::new();
        der(0x30, nc, &mut value);
        let mut extension = vec![0x06, 0x03, 0x55, 0x1d, 0x1e, 0x01, 0x01, 0xff];
        der(0x04, &value, &mut extension);
        let mut extensions = Vec::new();
        der(0x30, &extension, &mut extensions);
        let mut list = Vec::new();
        der(0x30, &extensions, &mut list);
        der(0xa3, &list, &mut tbs);
    }
    let mut cert = Vec::new();
    der(0x30, &tbs, &mut cert);
    cert.extend_from_slice(ALGORITHM);
    cert.extend_from_slice(&[0x03, 0x01, 0x00]);
    let mut out = Vec::with_capacity(cert.len() + 4);
    der(0x30, &cert, &mut out);
    out
}

/// Appends one DER element: `tag`, the definite length of `content`, `content`.
fn der(tag: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
}

/// The certificate check that failed, when `e` is a server certificate that was refused.
/// rustls's handshake error reaches ureq inside an I/O error.
pub(crate) fn certificate_error(e: &ureq::Error) -> Option<&CertificateError> {
    let tls = match e {
        ureq::Error::Rustls(tls) => tls,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    match tls {
        rustls::Error::InvalidCertificate(c) => Some(c),
        _ => None,
    }
}

/// Did the server answer the TLS handshake with bytes that are not TLS at all? The first
/// byte of a TLS record is its content type (20 to 24); rustls refuses any other at once,
/// before waiting for more, and `HTTP/1.1 400` (what a plain-HTTP server answers a
/// ClientHello with) begins with `H`, 0x48.
pub(crate) fn not_tls(e: &ureq::Error) -> bool {
    let tls = match e {
        ureq::Error::Rustls(tls) => tls,
        ureq::Error::Io(io) => match io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(tls) => tls,
            None => return false,
        },
        _ => return false,
    };
    matches!(
        tls,
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
    )
}

/// How to trust another root, said at the end of a refused certificate's message.
pub(crate) const ADD_A_ROOT: &str = "if a private CA or a TLS-inspecting proxy issued it, \
     trust its root: ClientBuilder::add_root_certificates_pem, AWS_CA_BUNDLE with \
     ClientBuilder::from_env, or the platform-verifier feature (the operating system's \
     verifier and roots)";

/// The message of an [`ErrorKind::Certificate`](crate::ErrorKind::Certificate) error: the
/// check that failed, and what may fix it.
pub(crate) fn refused_message(url: &str, e: &CertificateError) -> String {
    use CertificateError as C;
    let mut m = format!("the TLS certificate of {url} was refused: ");
    match e {
        C::UnknownIssuer => {
            m.push_str("unknown issuer (no trusted root certificate signed it); ");
            m.push_str(ADD_A_ROOT);
        }
        C::Expired | C::ExpiredContext { .. } => m.push_str(
            "expired (or this machine's clock is wrong); a root certificate does not \
             change this",
        ),
        C::NotValidYet | C::NotValidYetContext { .. } => m.push_str(
            "not valid yet (or this machine's clock is wrong); a root certificate does not \
             change this",
        ),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            m.push_str("name mismatch (it is not valid for the endpoint URL's host");
            if let C::NotValidForNameContext { presented, .. } = e {
                if !presented.is_empty() {
                    m.push_str("; it is for ");
                    for (i, name) in presented.iter().take(4).enumerate() {
                        if i > 0 {
                            m.push_str(", ");
                        }
                        // rustls writes each name as `DnsName("...")`, `IpAddress(...)`.
                        let bare = name
                            .strip_prefix("DnsName(\"")
                            .and_then(|n| n.strip_suffix("\")"))
                            .unwrap_or(name);
                        push_printable(&mut m, bare, NAME_WIDTH);
                    }
                    if presented.len() > 4 {
                        m.push_str(", ...");
                    }
                }
            }
            m.push_str(
                "); use an endpoint URL with a name the certificate is for: a root \
                 certificate does not change this",
            );
        }
        other => {
            m.push_str("other (");
            push_printable(&mut m, &other.to_string(), DETAIL_WIDTH);
            m.push_str("); ");
            m.push_str(ADD_A_ROOT);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mozilla_root_reads_back_as_the_same_trust_anchor() {
        let certs = mozilla_roots();
        assert_eq!(certs.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        let mut store = RootCertStore::empty();
        for cert in &certs {
            store.add(CertificateDer::from(cert.der())).unwrap();
        }
        assert_eq!(store.roots, webpki_roots::TLS_SERVER_ROOTS);
        assert!(
            store.roots.iter().any(|r| r.name_constraints.is_some()),
            "the name-constraints path is covered"
        );
    }

    #[test]
    fn no_pem_means_mozillas_roots_and_pem_adds_or_replaces() {
        assert!(matches!(
            Roots::default().root_certs(false),
            Ok(RootCerts::WebPki)
        ));
        let der = anchor_certificate(&[0x31, 0x00], &[0x30, 0x00, 0x03, 0x01, 0x00], None);
        let pem = crate::test_ca::pem(&der);
        let mut roots = Roots::default();
        roots.add(pem.as_bytes());
        let n = webpki_roots::TLS_SERVER_ROOTS.len();
        match roots.root_certs(false) {
            Ok(RootCerts::Specific(c)) => assert_eq!(c.len(), n + 1),
            other => panic!("{other:?}"),
        }
        roots.replace(pem.as_bytes());
        roots.add(pem.as_bytes());
        match roots.root_certs(false) {
            Ok(RootCerts::Specific(c)) => assert_eq!(c.len(), 2),
            other => panic!("{other:?}"),
        }
        let e = roots.root_certs(true).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidConfig);
    }

    #[test]
    fn bad_pem_is_named_and_not_shown() {
        let e = parse_pem("add_root_certificates_pem", b"hello").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid root certificate PEM \"hello\" given to add_root_certificates_pem: no \
             certificate found (no \"-----BEGIN CERTIFICATE-----\" section)"
        );
        let bad = "-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAA\n-----END CERTIFICATE-----\n";
        let e = parse_pem("root_certificates_pem", bad.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid root certificate PEM (67 characters, not shown) given to \
             root_certificates_pem: certificate 1 of 1 is not a valid X.509 certificate"
        );
        let open = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        let e = parse_pem("root_certificates_pem", open.as_bytes()).unwrap_err();
        assert!(
            e.to_string().ends_with(": a section has no END line"),
            "{e}"
        );
    }

    #[test]
    fn certificate_errors_are_found_inside_io_errors_only_when_they_are_certificate_errors() {
        let cert = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, cert));
        assert_eq!(
            certificate_error(&io),
            Some(&CertificateError::UnknownIssuer)
        );
        let other = rustls::Error::General("x".into());
        let io = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, other));
        assert_eq!(certificate_error(&io), None);
        assert_eq!(certificate_error(&ureq::Error::ConnectionFailed), None);
        let expired =
            ureq::Error::Rustls(rustls::Error::InvalidCertificate(CertificateError::Expired));
        assert!(
            refused_message("https://h", certificate_error(&expired).unwrap())
                .starts_with("the TLS certificate of https://h was refused: expired")
        );
    }
}
