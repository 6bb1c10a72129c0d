//! A ticket created on a replica shows a provisional number at once; when the server gives
//! it another, both numbers find it (spec §3: "an offline-created ticket shows a provisional
//! key until the server assigns one"; issue 11: "both find the ticket").

mod sync_harness;

use sync_harness::*;

#[test]
fn a_provisional_number_still_finds_its_ticket_on_sqlite() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user(
        "carol@client.example",
        "Carol",
        "customer",
        Some("Client Ltd"),
    );
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@client.example");

    // Both write their first ticket before either syncs: both show HD-1.
    alice.ok(&["ticket", "create", "--title", "Switch in room 3 beeps"]);
    let mine = carol.json(&["ticket", "create", "--title", "My laptop will not charge"]);
    assert_eq!(
        mine["number"], "HD-1",
        "the provisional number is shown at once"
    );
    alice.sync();
    carol.sync();

    // The server gave Carol's request HD-2; the number she was shown still opens it.
    let by_new = carol.json(&["ticket", "show", "HD-2"]);
    assert_eq!(by_new["title"], "My laptop will not charge");
    let by_old = carol.json(&["ticket", "show", "HD-1"]);
    assert_eq!(by_old["id"], by_new["id"]);
    assert_eq!(by_old["number"], "HD-2");

    // For the agent HD-1 is the switch (the number's holder comes first) and HD-2 Carol's.
    alice.sync();
    assert_eq!(
        alice.json(&["ticket", "show", "HD-1"])["title"],
        "Switch in room 3 beeps"
    );
    assert_eq!(
        alice.json(&["ticket", "show", "HD-2"])["title"],
        "My laptop will not charge"
    );
}
