//! Fixtures for tests that dial TLS (cargo feature `test-support`), shared by this crate's
//! egress suites and the `sundial` binary's end-to-end ones: a test certificate authority and
//! a server certificate it signed. The key is a fixture and protects nothing.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The test CA's certificate (PEM): trusting it makes [`tls_acceptor`]'s servers valid.
pub const TEST_CA: &[u8] = include_bytes!("test-ca.pem");
const LEAF_CERT: &[u8] = include_bytes!("allowed-test.pem");
const LEAF_KEY: &[u8] = include_bytes!("allowed-test.key");

/// A TLS acceptor presenting the test CA's certificate for `allowed.test` and 127.0.0.2.
pub fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(LEAF_CERT)
        .map(|cert| cert.expect("the fixture certificate is PEM"))
        .collect();
    let key = PrivateKeyDer::from_pem_slice(LEAF_KEY).expect("the fixture key is PEM");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("the fixture certificate matches its key");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}
