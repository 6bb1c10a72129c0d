//! A signed-in device talking raw HTTP to a real server: for suites that send what the
//! CLI never would (forged, oversized, backdated or otherwise hostile ops).

use helpdeck_core::Timestamp;
use helpdeck_core::op::{Entity, OP_SCHEMA_VERSION};
use helpdeck_core::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION, hlc_at};
use serde_json::{Value, json};
use uuid::Uuid;

use super::PASSWORD;

/// A signed-in device talking raw HTTP.
pub struct Device {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub user_id: Uuid,
    pub device_id: Uuid,
}

pub async fn sign_in(url: &str, email: &str) -> Device {
    let http = reqwest::Client::new();
    let device_id = Uuid::now_v7();
    let resp = http
        .post(format!("{url}/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "device_id": device_id, "device_name": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login {email}");
    let body: Value = resp.json().await.unwrap();
    Device {
        http,
        url: url.to_string(),
        token: body["token"].as_str().unwrap().to_string(),
        user_id: body["user"]["id"].as_str().unwrap().parse().unwrap(),
        device_id,
    }
}

impl Device {
    /// An op as JSON (so a test can also send what no client would).
    pub fn op(&self, entity: Entity, entity_id: Uuid, change: Value) -> Value {
        self.op_at(entity, entity_id, change, Timestamp::now())
    }

    pub fn op_at(&self, entity: Entity, entity_id: Uuid, change: Value, at: Timestamp) -> Value {
        json!({
            "op_id": Uuid::now_v7(),
            "entity": entity,
            "entity_id": entity_id,
            "change": change,
            "hlc": hlc_at(at, self.device_id),
            "at": at,
            "device_id": self.device_id,
            "actor_id": self.user_id,
            "schema_version": OP_SCHEMA_VERSION,
        })
    }

    pub fn new_ticket(&self, title: &str) -> (Uuid, Value) {
        self.new_ticket_with(json!({ "title": title }))
    }

    /// A create with these draft fields (`title` and the rest).
    pub fn new_ticket_with(&self, draft: Value) -> (Uuid, Value) {
        let id = Uuid::now_v7();
        let mut change = draft;
        change["action"] = json!("create_ticket");
        (id, self.op(Entity::Ticket, id, change))
    }

    pub fn comment(&self, ticket: Uuid, visibility: &str, body: &str) -> Value {
        let id = Uuid::now_v7();
        let change = json!({
            "action": "add_comment", "ticket_id": ticket, "visibility": visibility, "body": body,
        });
        self.op(Entity::Comment, id, change)
    }

    pub fn set(&self, ticket: Uuid, fields: Value) -> Value {
        let mut change = fields;
        change["action"] = json!("update_ticket");
        self.op(Entity::Ticket, ticket, change)
    }

    pub fn transition(&self, ticket: Uuid, from: &str, to: &str, reason: Option<&str>) -> Value {
        self.op(
            Entity::Ticket,
            ticket,
            json!({"action": "transition", "from": from, "to": to, "reason": reason}),
        )
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
    }

    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .patch(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
    }

    /// Pushes ops that must be answered 200; returns the acks.
    pub async fn push(&self, ops: &[Value]) -> Vec<Value> {
        let resp = self
            .post("/sync/push")
            .json(&json!({ "ops": ops }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        body["acks"].as_array().unwrap().clone()
    }
}

/// Asserts an ack refused the op with an error mentioning `needle`.
pub fn assert_rejected(ack: &Value, needle: &str) {
    assert_eq!(ack["status"], "rejected", "{ack}");
    assert!(ack.get("server_seq").is_none(), "{ack}");
    let error = ack["error"].as_str().unwrap_or_default();
    assert!(
        error.to_lowercase().contains(&needle.to_lowercase()),
        "error {error:?} should mention {needle:?}"
    );
}
