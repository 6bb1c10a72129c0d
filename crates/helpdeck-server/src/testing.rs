//! What the server's unit tests share: a server database in a new directory and signed-in
//! users.

use helpdeck_core::user::Role;
use uuid::Uuid;

use crate::accounts::{Caller, NewUser, add_user, authenticate, login};
use crate::db::Db;

/// Adds a user with `role` (a customer in `organization`) and signs them in on a new device.
pub(crate) async fn signed_in(
    db: &Db,
    email: &str,
    role: Role,
    organization: Option<&str>,
) -> Caller {
    add_user(
        db,
        NewUser {
            email: email.into(),
            name: email.into(),
            role,
            organization: organization.map(str::to_string),
            org_admin: false,
            team: None,
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("user added");
    let session = login(
        db,
        "127.0.0.1".parse().unwrap(),
        email,
        "correct horse battery",
        Uuid::now_v7(),
        "laptop",
    )
    .await
    .expect("signed in");
    authenticate(db, &session.token).await.expect("token works")
}

/// A signed-in agent.
pub(crate) async fn agent(db: &Db, email: &str) -> Caller {
    signed_in(db, email, Role::Agent, None).await
}

/// A server database in a new directory (kept while the first value lives) with `n`
/// signed-in agents.
pub(crate) async fn server_with_agents(n: usize) -> (tempfile::TempDir, Db, Vec<Caller>) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("server.db").display()
    ))
    .await
    .unwrap();
    let mut agents = Vec::new();
    for i in 0..n {
        agents.push(agent(&db, &format!("agent{i}@example.com")).await);
    }
    (dir, db, agents)
}
