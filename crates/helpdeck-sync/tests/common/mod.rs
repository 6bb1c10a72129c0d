//! What the sync tests share: a real server in-process (real HTTP) on a database file or URL,
//! its people, and replicas signed in to it.

use std::path::Path;

use helpdeck_core::sync::LoginRequest;
use helpdeck_core::user::Role;
use helpdeck_server::{Config, Db, NewUser};
use helpdeck_store::{InitOptions, ReplicaInit, Store};
use helpdeck_sync::Client;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

/// Adds a person to the server's database (before or while it serves).
pub async fn add_user(db: &Db, email: &str, name: &str, role: Role, org: Option<&str>) {
    helpdeck_server::add_user(
        db,
        NewUser {
            email: email.into(),
            name: name.into(),
            role,
            organization: org.map(str::to_string),
            org_admin: false,
            team: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
}

/// A server serving `db` (a SQLite file or a PostgreSQL URL) on a free port; its jobs wait an
/// hour. [`Served::stop`] ends it.
pub struct Served {
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    /// Stops the server and waits until it has (a failure inside it fails the test).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

pub async fn serve(dir: &Path, db: String, name: &str) -> Served {
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db,
        name: Some(name.into()),
        timezone: Some("Europe/Berlin".into()),
        jobs_interval: std::time::Duration::from_secs(3600),
        blobs_dir: dir.join("blobs"),
        tls: None,
    };
    let task = tokio::spawn(async move {
        helpdeck_server::serve(
            config,
            async {
                let _ = stop_rx.await;
            },
            move |a| {
                let _ = addr_tx.send(a);
            },
        )
        .await
        .unwrap();
    });
    let url = format!("http://{}", addr_rx.await.unwrap());
    Served { url, stop, task }
}

/// A server on a new SQLite file in `dir` whose people are the agents `(email, name)`, and
/// two signed-in replicas of the first two of them (in `dir/a` and `dir/b`).
// Each test crate compiles this module; not every one uses every helper.
#[allow(dead_code)]
pub async fn agents_on_sqlite(
    dir: &Path,
    agents: &[(&str, &str)],
    name: &str,
) -> (Served, (Store, Client), (Store, Client)) {
    let db_path = dir.join("server.db").display().to_string();
    let db = Db::connect(&db_path).await.unwrap();
    for (email, name) in agents {
        add_user(&db, email, name, Role::Agent, None).await;
    }
    drop(db);
    let served = serve(dir, db_path, name).await;
    let a = replica(&served.url, agents[0].0, "first laptop", &dir.join("a")).await;
    let b = replica(&served.url, agents[1].0, "second laptop", &dir.join("b")).await;
    (served, a, b)
}

/// Signs `email` in as a new device and makes its replica in `dir`: the replica and a client
/// holding the device's token.
pub async fn replica(url: &str, email: &str, device_name: &str, dir: &Path) -> (Store, Client) {
    let device_id = Uuid::now_v7();
    let resp = Client::new(url, None)
        .unwrap()
        .login(&LoginRequest {
            email: email.into(),
            password: PASSWORD.into(),
            device_id,
            device_name: device_name.into(),
        })
        .await
        .unwrap();
    let store = Store::init_replica_with_key(
        dir,
        InitOptions {
            name: resp.workspace_name.clone(),
            timezone: resp.timezone.clone(),
            language: "en".into(),
            owner_name: resp.user.name.clone(),
            owner_email: resp.user.email.clone(),
        },
        ReplicaInit {
            server_url: url.into(),
            workspace_id: resp.workspace_id,
            device_id,
            user: resp.user.clone(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    (store, Client::new(url, Some(resp.token)).unwrap())
}
