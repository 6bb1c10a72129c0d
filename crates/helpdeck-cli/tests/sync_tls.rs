//! TLS (issue 14): the server serves HTTPS from certificate files (rustls); a desktop trusts
//! the operating system's certificate store — an office CA installed there (here: named by
//! `SSL_CERT_FILE`, which the OS-store loader honours) is trusted, a certificate from anyone
//! else is refused before a password is sent; a bad certificate file stops the server with a
//! clear error.

mod sync_harness;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use sync_harness::*;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .bounded_output()
        .expect("openssl (Debian: openssl) makes the test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An office CA, and a certificate it signed for localhost and 127.0.0.1.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut args = vec!["req", "-x509"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Acme office CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &args);
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &args);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

fn start(home: &ServerHome, cert: &Path, key: &Path) -> (Killed, String) {
    let mut child = Command::new(bin())
        .arg("--data-dir")
        .arg(home.dir.path())
        .args(["server", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(cert)
        .arg("--tls-key")
        .arg(key)
        .env_remove("HELPDECK_DATA_DIR")
        .env_remove("HELPDECK_DB")
        .env("HELPDECK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("helpdeck server listening on ")
        .unwrap_or_else(|| panic!("server did not start: {line}"))
        .to_string();
    (Killed(child), url)
}

#[test]
fn the_server_speaks_tls_and_the_desktop_trusts_the_os_store_only() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let (_server, url) = start(
        &home,
        &certs.path().join("server.pem"),
        &certs.path().join("server.key"),
    );
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let url = url.replace("127.0.0.1", "localhost");

    let login = |data: &Path, ca: Option<&Path>| {
        let mut c = Command::new(bin());
        c.arg("--data-dir")
            .arg(data)
            .args([
                "login",
                "--server",
                &url,
                "--email",
                "alice@helpdesk.example",
            ])
            .env_remove("HELPDECK_DATA_DIR")
            .env("HELPDECK_PASSWORD", PASSWORD)
            .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        match ca {
            Some(ca) => c.env("SSL_CERT_FILE", ca),
            // A store without the office CA (the test machine's own).
            None => c.env_remove("SSL_CERT_FILE"),
        };
        c.bounded_output().unwrap()
    };

    // The office CA is not in this machine's store: refused, nothing written, the reason said.
    let scratch = tempfile::tempdir().unwrap();
    let untrusted = scratch.path().join("untrusted");
    let out = login(&untrusted, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("certificate is not trusted by this computer"),
        "{err}"
    );
    assert!(
        !err.contains("offline"),
        "an untrusted certificate is not being offline: {err}"
    );
    assert!(!untrusted.join("helpdeck.db").exists());

    // Installed in the store: signed in over TLS, no plain-HTTP warning, and syncing works.
    let trusted = scratch.path().join("trusted");
    let out = login(&trusted, Some(&certs.path().join("ca.pem")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("plain http"), "{err}");
    let sync = Command::new(bin())
        .arg("--data-dir")
        .arg(&trusted)
        .args(["--json", "sync", "--once"])
        .env_remove("HELPDECK_DATA_DIR")
        .env("SSL_CERT_FILE", certs.path().join("ca.pem"))
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .bounded_output()
        .unwrap();
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );
}

#[test]
fn a_bad_certificate_file_stops_the_server_with_a_clear_error() {
    let home = ServerHome::new(Db::Sqlite);
    let certs = tempfile::tempdir().unwrap();
    std::fs::write(certs.path().join("bad.pem"), "not a certificate").unwrap();
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(home.dir.path())
        .args(["server", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(certs.path().join("bad.pem"))
        .arg("--tls-key")
        .arg(certs.path().join("missing.key"))
        .env_remove("HELPDECK_DATA_DIR")
        .env_remove("HELPDECK_DB")
        .bounded_output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.pem") && err.contains("PEM"), "{err}");
    // Only one of the two is refused by the command line itself.
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(home.dir.path())
        .args(["server", "--tls-cert", "x.pem"])
        .bounded_output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}
