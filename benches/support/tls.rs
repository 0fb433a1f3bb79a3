//! TLS for the benches' `wss://` runs: a TLS front for the emulator (which speaks plain
//! HTTP) run in a process of its own, and the floor's TLS connection, with rustls and ring
//! (the dev-dependencies the TLS tests use) and the tests' CA.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;

use rustls::pki_types::{CertificateDer, ServerName};

#[path = "../../tests/integration/support/ca.rs"]
pub mod ca;

/// The floor's TLS configuration, one for all its connections (as a careful program has):
/// the front's CA alone.
static FLOOR_CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();

/// Makes the floor trust `ca_pem` (once, before any floor opens a `wss://` URL).
pub fn floor_trusts(ca_pem: &str) {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("the CA's PEM");
    roots.add(ca).expect("the CA certificate");
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let _ = FLOOR_CONFIG.set(Arc::new(config));
}

/// The floor's connection: plain, or TLS over it.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    /// A TLS connection to 127.0.0.1 over `tcp`, trusting what [`floor_trusts`] set.
    pub fn tls(tcp: TcpStream) -> io::Result<Conn> {
        let config = FLOOR_CONFIG
            .get()
            .ok_or_else(|| io::Error::other("floor_trusts was not called"))?
            .clone();
        let name = ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
        let conn = rustls::ClientConnection::new(config, name).map_err(io::Error::other)?;
        Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
    }

    pub fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(tcp) => tcp,
            Conn::Tls(tls) => &tls.sock,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.read(buf),
            Conn::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.write(buf),
            Conn::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(tcp) => tcp.flush(),
            Conn::Tls(tls) => tls.flush(),
        }
    }
}

/// The front's threads' stacks: a rustls server handshake, with room.
const FRONT_STACK: usize = 256 * 1024;

/// Runs a TLS front on 127.0.0.1 for `upstream` (`host:port`, plain), with the server
/// certificate `cert` and its PKCS#8 key (DER): prints its port on stdout, then serves
/// until killed, two threads a connection (one each way), each blocked in its read.
pub fn front(upstream: &str, cert: Vec<u8>, key: Vec<u8>) -> ! {
    let config = Arc::new(ca::server_config(cert, key));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    println!("{}", listener.local_addr().expect("address").port());
    io::stdout().flush().expect("stdout");
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        let (upstream, config) = (upstream.to_owned(), config.clone());
        let spawned = thread::Builder::new()
            .stack_size(FRONT_STACK)
            .spawn(move || drop(front_one(client, &upstream, config)));
        if let Err(e) = spawned {
            eprintln!("tls front: no thread: {e}");
        }
    }
    unreachable!("TcpListener::incoming never ends")
}

/// One connection through the front: TLS from the client, plain to `upstream`.
fn front_one(
    client: TcpStream,
    upstream: &str,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<()> {
    client.set_nodelay(true)?;
    let up = TcpStream::connect(upstream)?;
    up.set_nodelay(true)?;
    let tls = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
    let tls = Arc::new(Mutex::new(tls));
    let (back_tls, mut back_out, mut back_in) = (tls.clone(), client.try_clone()?, up.try_clone()?);
    thread::Builder::new()
        .stack_size(FRONT_STACK)
        .spawn(move || {
            // The upstream's bytes, encrypted to the client.
            let mut buf = vec![0; 16 * 1024];
            while let Ok(n @ 1..) = back_in.read(&mut buf) {
                let mut tls = back_tls.lock().unwrap_or_else(PoisonError::into_inner);
                if tls.writer().write_all(&buf[..n]).is_err()
                    || flush(&mut tls, &mut back_out).is_err()
                {
                    break;
                }
            }
            let _ = back_out.shutdown(Shutdown::Both);
        })?;
    let (mut from_client, mut to_client, mut up) = (client.try_clone()?, client, up);
    let mut buf = vec![0; 16 * 1024];
    let mut plain = Vec::new();
    while let Ok(n @ 1..) = from_client.read(&mut buf) {
        {
            let mut tls = tls.lock().unwrap_or_else(PoisonError::into_inner);
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                tls.read_tls(&mut rest)?;
                if let Err(e) = tls.process_new_packets() {
                    let _ = flush(&mut tls, &mut to_client);
                    return Err(io::Error::other(e));
                }
            }
            flush(&mut tls, &mut to_client)?;
            match tls.reader().read_to_end(&mut plain) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        up.write_all(&plain)?;
        plain.clear();
    }
    up.shutdown(Shutdown::Both)
}

/// Writes what TLS has to send (handshake, records) to `out`.
fn flush(tls: &mut rustls::ServerConnection, out: &mut TcpStream) -> io::Result<()> {
    while tls.wants_write() {
        tls.write_tls(out)?;
    }
    Ok(())
}

/// The front in a process of its own (this bench's binary run again with `--tls-front`),
/// killed when dropped: its port.
pub struct Front {
    child: std::process::Child,
    pub port: u16,
}

impl Front {
    /// Starts `exe --tls-front <upstream> <cert hex> <key hex>`.
    pub fn start(exe: &std::path::Path, upstream: &str, cert: &[u8], key: &[u8]) -> Front {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let mut command = std::process::Command::new(exe);
        command.args(["--tls-front", upstream, &hex(cert), &hex(key)]);
        let (mut child, line) = super::spawn_first_line(&mut command, "the TLS front");
        match line.trim().parse() {
            Ok(port) => Front { child, port },
            Err(_) => {
                let _ = child.kill();
                panic!("the TLS front printed no port: {line:?}");
            }
        }
    }

    /// `--tls-front <upstream> <cert hex> <key hex>` in this process's arguments: run the
    /// front (never returns); otherwise nothing.
    pub fn serve_if_asked() {
        let args: Vec<String> = std::env::args().collect();
        if let Some(i) = args.iter().position(|a| a == "--tls-front") {
            let unhex = |s: &str| -> Vec<u8> {
                (0..s.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                    .collect()
            };
            let (upstream, cert, key) = (&args[i + 1], unhex(&args[i + 2]), unhex(&args[i + 3]));
            front(upstream, cert, key);
        }
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
