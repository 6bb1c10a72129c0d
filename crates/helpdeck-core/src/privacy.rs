//! Personal data (PIPL, seed 001): what an erasure removes and what it keeps, and the
//! masking of phone and ID numbers. The server and a local workspace erase with these
//! functions; each stores the result in its own tables.
//!
//! An erased customer keeps existing as an anonymous person ("Erased customer 1a2b3c"), so
//! ticket statistics stay true: every ticket they requested keeps its number, status,
//! priority, category, channel, times, SLA history and satisfaction score; its title,
//! description, resolution text, site and satisfaction comment, every comment they wrote,
//! and the audit entries that recorded those texts, become [`ERASED`].

use serde::Serialize;
use uuid::Uuid;

use crate::Timestamp;
use crate::sync::{CommentState, EventState};
use crate::ticket::Ticket;
use crate::user::{Role, User};

/// What erased text reads as.
pub const ERASED: &str = "[erased]";

/// Audit-trail fields whose values are text a person wrote (erased with the ticket).
pub const TEXT_FIELDS: &[&str] = &[
    "title",
    "description",
    "site",
    "resolution",
    "csat",
    "csat_comment",
];

/// The anonymous name and email an erased person keeps (unique, recognisable, no
/// personal data; `.invalid` never delivers mail).
pub fn anonymous(id: Uuid) -> (String, String) {
    let short = &id.simple().to_string()[26..];
    (
        format!("Erased customer {short}"),
        format!("erased-{}@erased.invalid", id.simple()),
    )
}

/// Is this email an erased person's?
pub fn is_erased_email(email: &str) -> bool {
    email.ends_with("@erased.invalid")
}

/// Only customers are erased: staff are signed out and their role changed, never erased,
/// because their changes are the audit trail of everyone's tickets.
pub fn check_erasable(user: &User) -> Result<(), crate::DomainError> {
    if user.role != Role::Customer {
        return Err(crate::DomainError::invalid(
            "email",
            format!(
                "{} is a {}; only customers are erased (staff are signed out with `server user revoke` and their role changed; their changes are the audit trail)",
                user.email, user.role
            ),
        ));
    }
    if is_erased_email(&user.email) {
        return Err(crate::DomainError::invalid(
            "email",
            "this person was already erased".to_string(),
        ));
    }
    Ok(())
}

/// A ticket the erased person requested: its text goes, its facts stay.
pub fn erase_ticket(t: &mut Ticket) {
    t.title = ERASED.into();
    t.description = ERASED.into();
    if t.site.is_some() {
        t.site = Some(ERASED.into());
    }
    if let Some(r) = &mut t.resolution {
        r.cause = ERASED.into();
        r.solution = ERASED.into();
        if r.prevention.is_some() {
            r.prevention = Some(ERASED.into());
        }
    }
    if let Some(c) = &mut t.csat
        && c.comment.is_some()
    {
        c.comment = Some(ERASED.into());
    }
}

/// A comment the erased person wrote.
pub fn erase_comment(c: &mut CommentState) {
    c.body = ERASED.into();
}

/// An audit entry of an erased person's ticket: the texts it recorded go.
pub fn erase_event(e: &mut EventState) {
    if TEXT_FIELDS.contains(&e.field.as_str()) {
        if e.old_value.is_some() {
            e.old_value = Some(ERASED.into());
        }
        if e.new_value.is_some() {
            e.new_value = Some(ERASED.into());
        }
    }
}

/// Everything Helpdeck holds about one person (`privacy export`).
#[derive(Debug, Clone, Serialize)]
pub struct PersonalData {
    pub exported_at: Timestamp,
    pub person: PersonRecord,
    /// Tickets they requested.
    pub tickets: Vec<PersonalTicket>,
    /// Comments they wrote (on any ticket they may see).
    pub comments: Vec<PersonalComment>,
    /// Devices they signed in from (server only).
    pub devices: Vec<PersonalDevice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRecord {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonalTicket {
    pub number: i64,
    pub title: String,
    pub description: String,
    pub status: crate::status::Status,
    pub created_at: Timestamp,
    pub site: Option<String>,
    pub satisfaction: Option<crate::ticket::Csat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonalComment {
    pub ticket_number: i64,
    pub created_at: Timestamp,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonalDevice {
    pub name: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl PersonRecord {
    pub fn of(user: &User, organization: Option<String>) -> PersonRecord {
        PersonRecord {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            organization,
            created_at: user.created_at,
        }
    }
}

impl PersonalTicket {
    pub fn of(t: &Ticket) -> PersonalTicket {
        PersonalTicket {
            number: t.number,
            title: t.title.clone(),
            description: t.description.clone(),
            status: t.status,
            created_at: t.created_at,
            site: t.site.clone(),
            satisfaction: t.csat.clone(),
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize)]
pub struct Erasure {
    pub person_id: Uuid,
    /// The anonymous email the person now has.
    pub now_known_as: String,
    pub tickets: u64,
    pub comments: u64,
    pub attachments: u64,
}

// ---------------------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------------------

/// Masks mainland mobile numbers (`138****5678`), resident ID numbers (`1101**********123X`)
/// and other long digit runs that look like phone numbers (keeping the last 4 digits) in a
/// text shown to someone who does not need them (a desktop notification, a knowledge
/// article drafted from a ticket, a customer's view of a colleague's ticket).
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of digits, allowing single spaces or dashes inside (138-1234-5678), and a
        // final X of an ID number.
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            let mut digits = String::new();
            let mut end = i;
            // Lengths of the groups between separators: a phone number's are 3 or more
            // (138-1234-5678, 021 6888 1234); a date's are not (2026-11-28).
            let mut groups = vec![0usize];
            while j < chars.len() {
                let c = chars[j];
                if c.is_ascii_digit() {
                    digits.push(c);
                    *groups.last_mut().expect("one group") += 1;
                    end = j + 1;
                    j += 1;
                } else if (c == ' ' || c == '-')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                    && digits.len() < 18
                {
                    groups.push(0);
                    j += 1;
                } else if (c == 'X' || c == 'x') && digits.len() == 17 {
                    digits.push('X');
                    end = j + 1;
                    break;
                } else {
                    break;
                }
            }
            let followed_by_word = chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
            // Groups after the last digit (a separator then text) do not count.
            let counted = &groups[..groups.iter().rposition(|g| *g > 0).map_or(0, |p| p + 1)];
            let phone_like = counted.len() == 1 || counted.iter().all(|g| *g >= 3);
            if let Some(masked) = mask_run(&digits).filter(|_| !followed_by_word && phone_like) {
                out.push_str(&masked);
                i = end;
                continue;
            }
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn mask_run(digits: &str) -> Option<String> {
    let n = digits.len();
    let is_mobile = n == 11 && digits.starts_with('1') && digits.as_bytes()[1] >= b'3';
    let is_id = n == 18;
    if is_mobile {
        return Some(format!("{}****{}", &digits[..3], &digits[7..]));
    }
    if is_id {
        return Some(format!(
            "{}{}{}",
            &digits[..4],
            "*".repeat(10),
            &digits[14..]
        ));
    }
    // Landlines and international numbers: 8 to 15 digits (not a year, not an amount).
    if (8..=15).contains(&n) {
        return Some(format!("{}{}", "*".repeat(n - 4), &digits[n - 4..]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_id_numbers_are_masked_other_numbers_are_not() {
        assert_eq!(
            mask_numbers("请回电 13812345678，谢谢"),
            "请回电 138****5678，谢谢"
        );
        assert_eq!(mask_numbers("call 138-1234-5678"), "call 138****5678");
        assert_eq!(
            mask_numbers("身份证 11010519491231002X 已核对"),
            "身份证 1101**********002X 已核对"
        );
        assert_eq!(mask_numbers("office 021 6888 1234"), "office *******1234");
        // Ticket numbers, years, amounts, versions, short codes stay.
        for keep in [
            "HD-1234 since 2026-11-28",
            "invoice 2026118 costs 4500 yuan",
            "room 301, printer v2.1",
            "serial ABC12345678",
        ] {
            assert_eq!(mask_numbers(keep), keep);
        }
    }

    #[test]
    fn a_customer_sees_a_colleagues_numbers_masked_and_their_own_as_written() {
        let agent = crate::testing::person(Role::Agent, None);
        let rules = crate::command::Rules::default();
        let c = crate::testing::context(&agent, &rules);
        let mut t = crate::command::create_ticket(
            crate::command::NewTicket {
                title: "Call Wang 13812345678".into(),
                description: "ID 11010519491231002X".into(),
                ..Default::default()
            },
            Uuid::now_v7(),
            3,
            &c,
        )
        .unwrap()
        .ticket;
        let wang = crate::testing::person(Role::Customer, None);
        let mut admin = crate::testing::person(Role::Customer, None);
        admin.org_admin = true;
        t.requester_id = Some(wang.id);
        let seen = crate::sync::redact_ticket(&admin, &t);
        assert_eq!(seen.title, "Call Wang 138****5678");
        assert_eq!(seen.description, "ID 1101**********002X");
        assert_eq!(crate::sync::redact_ticket(&wang, &t).title, t.title);
        assert_eq!(crate::sync::redact_ticket(&agent, &t).title, t.title);
        let reply = CommentState {
            id: Uuid::now_v7(),
            ticket_id: t.id,
            author_id: wang.id,
            visibility: crate::record::Visibility::Public,
            by_agent: false,
            body: "my number is 13912345678".into(),
            created_at: t.created_at,
            deleted: false,
        };
        assert_eq!(
            crate::sync::redact_comment(&admin, t.requester_id, reply.clone()).body,
            "my number is 139****5678"
        );
        assert_eq!(
            crate::sync::redact_comment(&wang, t.requester_id, reply.clone()).body,
            reply.body
        );
    }

    #[test]
    fn an_erased_ticket_keeps_its_facts_and_loses_its_text() {
        let actor = crate::testing::person(Role::Agent, None);
        let rules = crate::command::Rules::default();
        let c = crate::testing::context(&actor, &rules);
        let mut t = crate::command::create_ticket(
            crate::command::NewTicket {
                title: "Zhang San's laptop at 13812345678".into(),
                description: "每次打印都卡纸".into(),
                ..Default::default()
            },
            Uuid::now_v7(),
            7,
            &c,
        )
        .unwrap()
        .ticket;
        t.site = Some("Room 3, 88 Huaihai Rd".into());
        t.csat = Some(crate::ticket::Csat {
            score: 2,
            comment: Some("slow".into()),
        });
        let before = t.clone();
        erase_ticket(&mut t);
        assert_eq!(t.title, ERASED);
        assert_eq!(t.description, ERASED);
        assert_eq!(t.site.as_deref(), Some(ERASED));
        assert_eq!(t.csat.as_ref().unwrap().score, 2);
        assert_eq!(t.csat.as_ref().unwrap().comment.as_deref(), Some(ERASED));
        assert_eq!(
            (t.number, t.status, t.priority, &t.category, t.created_at),
            (
                before.number,
                before.status,
                before.priority,
                &before.category,
                before.created_at
            )
        );
        let (name, email) = anonymous(Uuid::now_v7());
        assert!(name.starts_with("Erased customer "));
        assert!(is_erased_email(&email));
    }
}
