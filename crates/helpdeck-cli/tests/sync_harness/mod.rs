//! Shared harness of the sync suites: a real `helpdeck server` process, real CLI replicas
//! with their own data dirs, a private D-Bus session with an unlocked gnome-keyring (the
//! real Secret Service the tokens go to), a fresh PostgreSQL database per test, and
//! read-only checks of the SQLite files. Every child process is killed on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod device;
#[allow(unused_imports)]
pub use device::{Device, assert_rejected, sign_in};

/// Every test password (the server wants at least 8 characters).
pub const PASSWORD: &str = "s3cret-pass";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_helpdeck")
}

/// On CI (or under `scripts/task`), a missing PostgreSQL or keyring fails the test.
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var_os("HELPDECK_SYNC_TESTS_REQUIRED").is_some()
}

/// Polls `f` every 50 ms until it returns `Some`, or panics after `timeout` with `what`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How long one command of a test may run before it is called hung (HELPDECK_TEST_CMD_SECS,
/// default 300 s): a hang fails its test with the process's stacks, it never stalls CI.
fn command_limit() -> Duration {
    let secs = std::env::var("HELPDECK_TEST_CMD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    Duration::from_secs(secs)
}

/// `Command::output` with a deadline ([`command_limit`]).
pub trait Bounded {
    fn bounded_output(&mut self) -> std::io::Result<Output>;
}

impl Bounded for Command {
    fn bounded_output(&mut self) -> std::io::Result<Output> {
        // As `output()`: no stdin, both outputs captured.
        self.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = self.spawn()?;
        wait_bounded(child, &format!("{:?}", self))
    }
}

/// Waits for `child` (stdout and stderr piped) up to [`command_limit`]; past it, prints the
/// stacks of its threads (gdb, when installed), kills it and panics with what it wrote.
pub fn wait_bounded(mut child: Child, what: &str) -> std::io::Result<Output> {
    use std::io::Read;
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let deadline = Instant::now() + command_limit();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let stacks = Command::new("gdb")
                .args([
                    "-p",
                    &child.id().to_string(),
                    "-batch",
                    "-ex",
                    "thread apply all bt",
                ])
                .stdin(Stdio::null())
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_else(|e| format!("(no stacks: gdb: {e})"));
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_reader.join().unwrap_or_default();
            panic!(
                "{what} did not finish within {:?}; its stderr:\n{}\nits threads:\n{stacks}",
                command_limit(),
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// Runs a future to completion on a runtime of its own, on a thread of its own (so it may
/// also be called from inside an async test).
pub fn block_on<F>(f: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(f)
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

fn kill(child: &mut Child) {
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

// ---------------------------------------------------------------------------------------
// A private D-Bus session, with or without a Secret Service
// ---------------------------------------------------------------------------------------

/// A session bus of our own (no service activation, so nothing starts behind our back)
/// and, unless `bus_only`, a gnome-keyring-daemon unlocked on it. Its environment is
/// what every `helpdeck` child gets, so tokens land in this keyring and nowhere else.
pub struct Session {
    dir: tempfile::TempDir,
    bus: Child,
    keyring: Option<Child>,
    pub env: Vec<(String, String)>,
}

/// The environments of the sessions with a keyring now running: where a test looking
/// straight into a workspace's (encrypted) SQLite file finds its key.
static KEYRING_SESSIONS: std::sync::Mutex<Vec<Vec<(String, String)>>> =
    std::sync::Mutex::new(Vec::new());

impl Drop for Session {
    fn drop(&mut self) {
        KEYRING_SESSIONS
            .lock()
            .unwrap()
            .retain(|env| env != &self.env);
        if let Some(k) = &mut self.keyring {
            kill(k);
        }
        kill(&mut self.bus);
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Session {
    /// A session with an unlocked keyring. Without dbus-daemon or gnome-keyring-daemon:
    /// fails on CI; elsewhere returns `None` after saying loudly what is not tested.
    pub fn with_keyring() -> Option<Session> {
        if !Self::available() {
            return None;
        }
        Some(Self::start(true))
    }

    /// A session bus on which no Secret Service runs.
    pub fn without_keyring() -> Option<Session> {
        if !Self::available() {
            return None;
        }
        Some(Self::start(false))
    }

    fn available() -> bool {
        let ok = have("dbus-daemon") && have("gnome-keyring-daemon") && have("dbus-send");
        if !ok {
            let msg = "dbus-daemon, dbus-send and gnome-keyring-daemon are needed for the sync \
                       tests (apt-get install dbus gnome-keyring, or run `scripts/task test`)";
            assert!(!on_ci(), "{msg}");
            eprintln!("NOT TESTED: {msg}");
        }
        ok
    }

    fn start(with_keyring: bool) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["home/.local/share", "home/.config", "home/.cache", "run"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root.join("run"), std::fs::Permissions::from_mode(0o700))
                .unwrap();
        }
        let socket = root.join("bus");
        let config = root.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let home = root.join("home");
        let env = vec![
            (
                "DBUS_SESSION_BUS_ADDRESS".to_string(),
                format!("unix:path={}", socket.display()),
            ),
            ("HOME".into(), home.display().to_string()),
            (
                "XDG_DATA_HOME".into(),
                home.join(".local/share").display().to_string(),
            ),
            (
                "XDG_CONFIG_HOME".into(),
                home.join(".config").display().to_string(),
            ),
            (
                "XDG_CACHE_HOME".into(),
                home.join(".cache").display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".into(),
                root.join("run").display().to_string(),
            ),
        ];
        let mut session = Session {
            dir,
            bus,
            keyring: None,
            env,
        };
        wait_for(Duration::from_secs(20), "the private D-Bus session", || {
            session.name_has_owner("org.freedesktop.DBus").then_some(())
        });
        if with_keyring {
            let mut k = Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start gnome-keyring-daemon");
            {
                let mut stdin = k.stdin.take().unwrap();
                stdin.write_all(b"keyring-pw").unwrap();
            }
            session.keyring = Some(k);
            wait_for(Duration::from_secs(20), "gnome-keyring on the bus", || {
                session
                    .name_has_owner("org.freedesktop.secrets")
                    .then_some(())
            });
            KEYRING_SESSIONS.lock().unwrap().push(session.env.clone());
        }
        session
    }

    fn name_has_owner(&self, name: &str) -> bool {
        Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .bounded_output()
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains("true")
            })
    }

    /// Where the keyring keeps its files (the test greps them for nothing: the token is
    /// encrypted there; it must never be in the data dir).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

// ---------------------------------------------------------------------------------------
// Server databases
// ---------------------------------------------------------------------------------------

/// The PostgreSQL cluster of the test run (scripts/pg-cluster). Unset: `None` locally (the
/// PostgreSQL variants are reported as not run); on CI the test fails.
pub fn pg_base() -> Option<String> {
    match std::env::var("HELPDECK_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !on_ci(),
                "HELPDECK_TEST_PG is not set: CI must run the PostgreSQL sync suites \
                 (source scripts/pg-cluster, or run `scripts/task test`)"
            );
            eprintln!(
                "NOT TESTED on PostgreSQL: HELPDECK_TEST_PG is not set (source scripts/pg-cluster)"
            );
            None
        }
    }
}

/// A fresh database on the test cluster; returns its URL.
pub fn fresh_pg_db(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("helpdeck_t_{}", uuid::Uuid::now_v7().simple());
    block_on(async {
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
    let (prefix, _) = base.rsplit_once('/').expect("a postgres URL ends in /DB");
    format!("{prefix}/{name}")
}

/// Which database a test server runs on.
#[derive(Debug, Clone)]
pub enum Db {
    /// server.db in the server's data dir.
    Sqlite,
    Postgres(String),
}

// ---------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------

/// A `helpdeck server` process. Restartable on the same port and database.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub port: u16,
    dir: PathBuf,
    db: Db,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            kill(c);
        }
    }
}

/// A data dir for a server: its SQLite file (by default) and its log live there.
pub struct ServerHome {
    pub dir: tempfile::TempDir,
    pub db: Db,
}

impl ServerHome {
    pub fn new(db: Db) -> ServerHome {
        ServerHome {
            dir: tempfile::tempdir().unwrap(),
            db,
        }
    }

    fn db_args(&self) -> Vec<String> {
        match &self.db {
            Db::Sqlite => Vec::new(),
            Db::Postgres(url) => vec!["--db".into(), url.clone()],
        }
    }

    /// `helpdeck server user add`; returns the user as JSON.
    /// Runs `helpdeck server ARGS` against this server's database; true on success.
    pub fn admin(&self, args: &[&str]) -> bool {
        Command::new(bin())
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("server")
            .args(args)
            .args(self.db_args())
            .env_remove("HELPDECK_DATA_DIR")
            .env_remove("HELPDECK_DB")
            .status()
            .unwrap()
            .success()
    }

    /// `helpdeck --json server ARGS` on this server's database: its JSON answer.
    pub fn admin_json(&self, args: &[&str]) -> Value {
        let out = Command::new(bin())
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--json")
            .arg("server")
            .args(args)
            .args(self.db_args())
            .env_remove("HELPDECK_DATA_DIR")
            .env_remove("HELPDECK_DB")
            .bounded_output()
            .unwrap();
        assert!(
            out.status.success(),
            "server {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn add_user(&self, email: &str, name: &str, role: &str, org: Option<&str>) -> Value {
        let mut args: Vec<String> = [
            "--json",
            "server",
            "user",
            "add",
            "--email",
            email,
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(o) = org {
            args.extend(["--org".into(), o.into()]);
        }
        args.extend(self.db_args());
        let mut child = Command::new(bin())
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(&args)
            .env_remove("HELPDECK_DATA_DIR")
            .env_remove("HELPDECK_DB")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        let out = wait_bounded(child, &format!("helpdeck {args:?}")).unwrap();
        assert!(
            out.status.success(),
            "user add {email}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Rows of a query on the server database (SQLite file or PostgreSQL), as strings.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.db {
            Db::Sqlite => sqlite_rows(&self.dir.path().join("server.db"), sql),
            Db::Postgres(url) => pg_rows(url, sql),
        }
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.rows(sql)[0][0].parse().unwrap()
    }

    /// Starts a server on a free port.
    pub fn start(&self) -> Server {
        self.start_on(0)
    }

    fn start_on(&self, port: u16) -> Server {
        let n = std::fs::read_dir(self.dir.path()).unwrap().count();
        let mut server = Server {
            child: None,
            url: String::new(),
            port,
            dir: self.dir.path().to_path_buf(),
            db: self.db.clone(),
            log: self.dir.path().join(format!("server-{n}.log")),
        };
        server.launch();
        server
    }
}

impl Server {
    fn launch(&mut self) {
        // A port just freed by a killed server can take a moment to bind again.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.log)
                .unwrap();
            let mut cmd = Command::new(bin());
            cmd.arg("--data-dir")
                .arg(&self.dir)
                .args(["server", "--listen", &format!("127.0.0.1:{}", self.port)])
                .env_remove("HELPDECK_DATA_DIR")
                .env_remove("HELPDECK_DB")
                .env("HELPDECK_LOG", "warn")
                // Due jobs (auto-close) run often, so a suite sees them within a second.
                .env("HELPDECK_JOBS_INTERVAL", "0.2")
                .stdout(Stdio::piped())
                .stderr(log);
            if let Db::Postgres(url) = &self.db {
                cmd.args(["--db", url]);
            }
            let mut child = cmd.spawn().unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            if let Some(url) = line.trim().strip_prefix("helpdeck server listening on ") {
                self.url = url.to_string();
                self.port = url.rsplit(':').next().unwrap().parse().unwrap();
                self.child = Some(child);
                return;
            }
            kill(&mut child);
            assert!(
                Instant::now() < deadline,
                "the server did not start: {}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGKILL: no graceful shutdown, nothing flushed that was not committed.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            kill(&mut c);
        }
    }

    /// Starts again on the same port and database.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// The SQLite file of a server on the default database.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        matches!(self.db, Db::Sqlite).then(|| self.dir.join("server.db"))
    }
}

// ---------------------------------------------------------------------------------------
// Replicas (CLI clients)
// ---------------------------------------------------------------------------------------

/// A CLI client with its own data dir, signed in to a server.
pub struct Replica {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    pub email: String,
    /// The signed-in user (from `login --json`).
    pub user: Value,
}

impl Replica {
    /// A data dir not signed in yet.
    pub fn new(session: &Session, email: &str) -> Replica {
        Replica {
            dir: tempfile::tempdir().unwrap(),
            env: session.env.clone(),
            email: email.to_string(),
            user: Value::Null,
        }
    }

    /// A new replica signed in to `url`.
    pub fn login(session: &Session, url: &str, email: &str) -> Replica {
        let mut r = Replica::new(session, email);
        let out = r.login_output(url);
        assert!(
            out.status.success(),
            "login {email}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        r.user = v["user"].clone();
        r
    }

    pub fn login_output(&self, url: &str) -> Output {
        self.run_with_password(&[
            "--json",
            "login",
            "--server",
            url,
            "--email",
            &self.email,
            "--password-stdin",
        ])
    }

    /// Runs `helpdeck ARGS` with the test password on its stdin (`--password-stdin`).
    pub fn run_with_password(&self, args: &[&str]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        wait_bounded(child, &format!("helpdeck {args:?}")).unwrap()
    }

    pub fn user_id(&self) -> String {
        self.user["id"].as_str().unwrap().to_string()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env_remove("HELPDECK_DATA_DIR")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).bounded_output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{} helpdeck {args:?} failed: {}",
            self.email,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// One sync round; panics if it fails.
    pub fn sync(&self) -> Value {
        self.json(&["sync", "--once"])
    }

    /// Local changes not yet acknowledged.
    pub fn pending(&self) -> i64 {
        self.json(&["sync", "--status"])["state"]["pending"]
            .as_i64()
            .unwrap()
    }

    /// The tickets of `export --format json` (with comments and status history).
    pub fn exported_tickets(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.ok(&["export", "--format", "json"])).unwrap();
        v["tickets"].as_array().unwrap().clone()
    }

    /// A ticket by its title, as exported.
    pub fn ticket_titled(&self, title: &str) -> Option<Value> {
        self.exported_tickets()
            .into_iter()
            .find(|t| t["title"] == title)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("helpdeck.db")
    }
}

// ---------------------------------------------------------------------------------------
// Direct looks at SQLite files
// ---------------------------------------------------------------------------------------

async fn open_sqlite(path: &Path, read_only: bool) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    let mut options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(30));
    // A workspace is encrypted (SQLCipher) with a key in its keyring; a server's file is not.
    if let Some(key) = store_key(path) {
        options = options.pragma("key", format!("\"x'{key}'\""));
    }
    options
        .connect()
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// Helper process: prints the workspace key a keyring holds. Run by `store_key()` in a
/// child with a test session's D-Bus environment (the keyring crate reads it from the
/// process environment).
#[test]
#[ignore = "helper process of the harness, run with a test session's D-Bus environment"]
fn store_key_probe() {
    let id = std::env::var("HELPDECK_STORE_KEY_PROBE").expect("HELPDECK_STORE_KEY_PROBE");
    let key = block_on(helpdeck_store::vault::secret_get(&format!(
        "store-key:{id}"
    )))
    .unwrap();
    println!("PROBE_KEY=[{}]", key.unwrap_or_default());
}

/// The key of the workspace in `dir` (for a test that opens its store in-process).
pub fn workspace_key(dir: &Path) -> helpdeck_store::StoreKey {
    let key = store_key(&dir.join(helpdeck_store::DB_FILE))
        .unwrap_or_else(|| panic!("{} has no workspace key", dir.display()));
    helpdeck_store::StoreKey::from_hex(&key).unwrap()
}

/// The key (hex) of the workspace whose database is `db`, from the keyring of whichever
/// running test session holds it; `None` for a file without a key (a server's).
fn store_key(db: &Path) -> Option<String> {
    static FOUND: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let id = std::fs::read_to_string(db.parent()?.join(helpdeck_store::vault::KEY_ID_FILE)).ok()?;
    let id = id.trim().to_string();
    if let Some((_, k)) = FOUND.lock().unwrap().iter().find(|(i, _)| *i == id) {
        return Some(k.clone());
    }
    let sessions = KEYRING_SESSIONS.lock().unwrap().clone();
    for env in sessions {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sync_harness::store_key_probe",
                "--ignored",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("HELPDECK_STORE_KEY_PROBE", &id)
            .bounded_output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let key = stdout
            .split_once("PROBE_KEY=[")
            .and_then(|(_, r)| r.split_once(']'))
            .map(|(k, _)| k.to_string())
            .unwrap_or_default();
        if !key.is_empty() {
            FOUND.lock().unwrap().push((id, key.clone()));
            return Some(key);
        }
    }
    panic!(
        "the key of {} is in no running test session's keyring",
        db.display()
    )
}

/// `PRAGMA integrity_check` of a SQLite file (opened as the next program would: recovering
/// its WAL after a crash).
pub fn assert_integrity(path: &Path) {
    let result: Vec<String> = block_on(async {
        let mut c = open_sqlite(path, false).await;
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut c)
            .await
            .unwrap()
    });
    assert_eq!(
        result,
        vec!["ok".to_string()],
        "integrity_check of {}",
        path.display()
    );
}

/// Rows of a query on a SQLite file, each as strings (NULL → "").
pub fn sqlite_rows(path: &Path, sql: &str) -> Vec<Vec<String>> {
    use sqlx::{Row, ValueRef};
    block_on(async {
        let mut c = open_sqlite(path, true).await;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .map(|r| {
                (0..r.columns().len())
                    .map(|i| {
                        if r.try_get_raw(i).unwrap().is_null() {
                            String::new()
                        } else if let Ok(s) = r.try_get::<String, _>(i) {
                            s
                        } else if let Ok(n) = r.try_get::<i64, _>(i) {
                            n.to_string()
                        } else if let Ok(x) = r.try_get::<f64, _>(i) {
                            x.to_string()
                        } else {
                            String::from_utf8_lossy(&r.try_get::<Vec<u8>, _>(i).unwrap())
                                .to_string()
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

/// Runs one writing statement on a SQLite file (tests that set a fixture up).
pub fn sqlite_exec(path: &Path, sql: &str) {
    block_on(async {
        let mut c = open_sqlite(path, false).await;
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    })
}

pub fn sqlite_count(path: &Path, sql: &str) -> i64 {
    sqlite_rows(path, sql)[0][0].parse().unwrap()
}

/// I5 on a customer's own store, read straight from its SQLite file: only tickets the
/// customer requested, no internal note, no agent-only field or history of one.
pub fn assert_customer_store(customer: &Replica) {
    let db = customer.db_path();
    let me = customer.user_id();
    let foreign = sqlite_rows(
        &db,
        &format!(
            "SELECT number, title, requester_id FROM tickets WHERE requester_id IS NULL OR requester_id != '{me}'"
        ),
    );
    assert!(
        foreign.is_empty(),
        "{} holds tickets of another requester: {foreign:?}",
        customer.email
    );
    let internal = sqlite_rows(
        &db,
        "SELECT ticket_id, body FROM comments WHERE visibility = 'internal'",
    );
    assert!(
        internal.is_empty(),
        "{} holds internal notes: {internal:?}",
        customer.email
    );
    // (The assignee is not agent-only: a requester sees who handles it, spec §1.)
    let agent_only = sqlite_count(
        &db,
        "SELECT count(*) FROM tickets WHERE team_id IS NOT NULL OR asset_id IS NOT NULL OR tags != '[]'",
    );
    assert_eq!(agent_only, 0, "{} sees agent-only fields", customer.email);
    let events = sqlite_rows(
        &db,
        "SELECT field, new_value FROM events WHERE field IN ('team_id', 'tier', 'tags', 'asset_id')",
    );
    assert!(
        events.is_empty(),
        "{} sees agent-only history: {events:?}",
        customer.email
    );
}

/// Rows of a query on PostgreSQL, each as strings (NULL → ""; integers and text only).
pub fn pg_rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    use sqlx::{Connection, Row, ValueRef};
    block_on(async {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let out = rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        if r.try_get_raw(i).unwrap().is_null() {
                            String::new()
                        } else if let Ok(s) = r.try_get::<String, _>(i) {
                            s
                        } else if let Ok(n) = r.try_get::<i64, _>(i) {
                            n.to_string()
                        } else {
                            r.try_get::<i32, _>(i).unwrap().to_string()
                        }
                    })
                    .collect()
            })
            .collect();
        let _ = c.close().await;
        out
    })
}
