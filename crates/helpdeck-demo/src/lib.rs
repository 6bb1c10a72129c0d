//! Deterministic demo data: realistic tickets in Chinese and English.
//!
//! A small IT service company (three teams, a dozen agents) supports eight client
//! organizations. Tickets are written from scenario templates ([`vocab`]) with their slots
//! (floors, rooms, devices, error codes, sites, counts) filled per ticket, follow valid paths
//! through the status machine, and carry replies, internal notes, service reports and ratings.
//! The same `(tickets, seed, base)` always gives the same [`Dataset`].

mod vocab;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use helpdeck_core::record::{
    CommentRecord, Dataset, OrganizationRecord, StatusChangeRecord, TicketRecord, UserRecord,
    Visibility,
};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Channel, Csat, DEFAULT_CATEGORIES, Kind, Priority, Resolution, Tier};
use helpdeck_core::user::{CustomerTier, Role};

use vocab::{HW, L, Lang, NET, SW, Scenario, Variant};

type R = ChaCha8Rng;

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Local time of the demo company (China Standard Time), for office hours.
const TZ_OFFSET: i64 = 8 * HOUR;
/// How far back tickets go.
const HORIZON: i64 = 90 * DAY;

/// The support company's teams.
pub const TEAMS: [&str; 3] = ["Service Desk", "Infrastructure", "Field Service"];
const SERVICE_DESK: usize = 0;
const INFRASTRUCTURE: usize = 1;
const FIELD_SERVICE: usize = 2;

/// Email domain of the support company's staff.
const STAFF_DOMAIN: &str = "helpdeck.example";

struct OrgDef {
    name: &'static str,
    domain: &'static str,
    tier: CustomerTier,
    /// Mostly writes in Chinese.
    zh: bool,
    customers: usize,
    sites: &'static [&'static str],
    ssid: &'static str,
}

const ORGS: &[OrgDef] = &[
    OrgDef {
        name: "华东精密制造有限公司",
        domain: "huadong-precision.example",
        tier: CustomerTier::Strategic,
        zh: true,
        customers: 28,
        sites: &["苏州工业园区 A 厂区", "苏州工业园区 B 厂区", "上海研发中心"],
        ssid: "HDP-Office",
    },
    OrgDef {
        name: "Harbor Logistics Ltd",
        domain: "harbor-logistics.example",
        tier: CustomerTier::Strategic,
        zh: false,
        customers: 24,
        sites: &[
            "Pier 7 Warehouse",
            "Kowloon Bay Office",
            "Airport Cargo Centre",
        ],
        ssid: "Harbor-Staff",
    },
    OrgDef {
        name: "上海同和医疗器械有限公司",
        domain: "tonghe-med.example",
        tier: CustomerTier::Strategic,
        zh: true,
        customers: 20,
        sites: &["上海张江总部", "浦东物流仓库"],
        ssid: "TongHe-Corp",
    },
    OrgDef {
        name: "Evergreen Dental Group",
        domain: "evergreen-dental.example",
        tier: CustomerTier::Strategic,
        zh: false,
        customers: 22,
        sites: &["Central Clinic", "Riverside Clinic", "Eastside Clinic"],
        ssid: "Evergreen-Clinic",
    },
    OrgDef {
        name: "深圳启航教育科技有限公司",
        domain: "qihang-edu.example",
        tier: CustomerTier::Standard,
        zh: true,
        customers: 16,
        sites: &["深圳南山校区", "深圳福田校区"],
        ssid: "QiHang-Staff",
    },
    OrgDef {
        name: "Northwind Trading Co.",
        domain: "northwind-trading.example",
        tier: CustomerTier::Standard,
        zh: false,
        customers: 16,
        sites: &["Head Office", "Shenzhen Showroom"],
        ssid: "Northwind",
    },
    OrgDef {
        name: "北京明德律师事务所",
        domain: "mingde-law.example",
        tier: CustomerTier::Standard,
        zh: true,
        customers: 12,
        sites: &["北京国贸办公室"],
        ssid: "MingDe-Law",
    },
    OrgDef {
        name: "Bluestone Architects",
        domain: "bluestone-arch.example",
        tier: CustomerTier::Standard,
        zh: false,
        customers: 12,
        sites: &["Studio Loft", "Client Lounge"],
        ssid: "Bluestone",
    },
];

struct StaffDef {
    name: &'static str,
    local: &'static str,
    role: Role,
    team: usize,
    tier: Tier,
    field: bool,
}

const fn staff(name: &'static str, local: &'static str, team: usize, tier: Tier) -> StaffDef {
    StaffDef {
        name,
        local,
        role: Role::Agent,
        team,
        tier,
        field: team == FIELD_SERVICE,
    }
}

/// The admin first, then the agents.
const STAFF: &[StaffDef] = &[
    StaffDef {
        name: "Morgan Lee",
        local: "morgan.lee",
        role: Role::Admin,
        team: SERVICE_DESK,
        tier: Tier::L3,
        field: false,
    },
    staff("李娜", "li.na", SERVICE_DESK, Tier::L1),
    staff("Emma Clark", "emma.clark", SERVICE_DESK, Tier::L1),
    staff("王磊", "wang.lei", SERVICE_DESK, Tier::L1),
    staff("Daniel Wu", "daniel.wu", SERVICE_DESK, Tier::L2),
    staff("赵敏", "zhao.min", SERVICE_DESK, Tier::L2),
    staff("周涛", "zhou.tao", INFRASTRUCTURE, Tier::L2),
    staff("Priya Nair", "priya.nair", INFRASTRUCTURE, Tier::L2),
    staff("孙浩", "sun.hao", INFRASTRUCTURE, Tier::L3),
    staff("Oliver Grant", "oliver.grant", INFRASTRUCTURE, Tier::L3),
    staff("刘洋", "liu.yang", FIELD_SERVICE, Tier::L1),
    staff("Marcus Bell", "marcus.bell", FIELD_SERVICE, Tier::L2),
    staff("黄建华", "huang.jianhua", FIELD_SERVICE, Tier::L2),
];

const ZH_SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
];

const ZH_GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("建华", "jianhua"),
    ("志强", "zhiqiang"),
    ("思远", "siyuan"),
    ("雨欣", "yuxin"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("佳怡", "jiayi"),
    ("一鸣", "yiming"),
];

const EN_FIRST: &[&str] = &[
    "James", "Olivia", "Noah", "Emma", "Liam", "Ava", "Lucas", "Mia", "Ethan", "Chloe", "Ryan",
    "Grace", "Kevin", "Hannah", "Jason", "Sophie", "Kelvin", "Natalie", "Adrian", "Rachel",
    "Samuel", "Zoe", "Victor", "Isabel", "Harry", "Alice", "Owen", "Megan", "Felix", "Laura",
];

const EN_LAST: &[&str] = &[
    "Smith", "Chan", "Brown", "Wong", "Taylor", "Lee", "Wilson", "Patel", "Walker", "Ho", "Wright",
    "Green", "Hall", "Cheung", "Turner", "Murphy", "Hughes", "Lam", "Evans", "Reid", "Foster",
    "Ng", "Barker", "Kelly", "Tsang", "Morris", "Fraser", "Young",
];

/// Generates `tickets` tickets (plus the organizations, teams and users they refer to),
/// the same for the same `seed` and `base` (the "now" the history leads up to).
pub fn generate(tickets: usize, seed: u64, base: Timestamp) -> Dataset {
    let mut rng = R::seed_from_u64(seed);
    let world = World::build(&mut rng);
    let clock = Clock::new(base);
    let mut out = Vec::with_capacity(tickets);
    // Every text is built here and then copied out at its exact size.
    let mut buf = String::with_capacity(1024);
    for _ in 0..tickets {
        out.push(world.ticket(&mut rng, &clock, &mut buf, None));
    }
    dataset(world, out)
}

/// A workspace with `years` of history: the last 90 days as [`generate`] makes them (the same
/// share of `tickets` as of the whole span), every older ticket closed, spread evenly over the
/// years before — the shape of a desk that has worked for years (reports at scale, where a
/// month is a small share of the tickets).
pub fn generate_history(tickets: usize, seed: u64, base: Timestamp, years: u32) -> Dataset {
    let mut rng = R::seed_from_u64(seed);
    let world = World::build(&mut rng);
    let clock = Clock::new(base);
    let span = i64::from(years.max(1)) * 365 * DAY;
    let recent = (HORIZON as f64 / span as f64).min(1.0);
    let mut out = Vec::with_capacity(tickets);
    let mut buf = String::with_capacity(1024);
    for _ in 0..tickets {
        let history = (!rng.random_bool(recent)).then_some(span);
        out.push(world.ticket(&mut rng, &clock, &mut buf, history));
    }
    // Oldest first, as a desk's history would be imported.
    out.sort_by_key(|t| t.created_at);
    dataset(world, out)
}

fn dataset(world: World, out: Vec<TicketRecord>) -> Dataset {
    Dataset {
        organizations: ORGS
            .iter()
            .map(|o| OrganizationRecord {
                name: o.name.to_string(),
                customer_tier: o.tier,
            })
            .collect(),
        teams: TEAMS.iter().map(|t| t.to_string()).collect(),
        users: world.users,
        tickets: out,
    }
}

/// Whole seconds relative to `base`, and their conversion back to timestamps.
struct Clock {
    base: Timestamp,
    /// `base` rounded down to a whole second.
    now: i64,
}

impl Clock {
    fn new(base: Timestamp) -> Clock {
        let mut now = base.as_second();
        if Timestamp::from_second(now).is_ok_and(|t| t > base) {
            now -= 1;
        }
        Clock { base, now }
    }

    fn at(&self, second: i64) -> Timestamp {
        Timestamp::from_second(second.min(self.now)).unwrap_or(self.base)
    }
}

struct Customer {
    name: String,
    email: String,
    org: usize,
}

/// The people and lookup tables tickets are drawn from.
struct World {
    users: Vec<UserRecord>,
    /// Staff emails, indexed like `STAFF`.
    staff_email: Vec<String>,
    customers: Vec<Customer>,
    /// Agent indices (into `STAFF`) per team and tier.
    pools: [[Vec<usize>; 3]; 3],
    /// Agent indices per team.
    teams: [Vec<usize>; 3],
    /// Service desk L1 agents, who triage.
    triage: Vec<usize>,
    zh_weight: u32,
    en_weight: u32,
}

fn tier_index(t: Tier) -> usize {
    match t {
        Tier::L1 => 0,
        Tier::L2 => 1,
        Tier::L3 => 2,
    }
}

impl World {
    fn build(rng: &mut R) -> World {
        let mut users = Vec::with_capacity(STAFF.len() + 160);
        let mut staff_email = Vec::with_capacity(STAFF.len());
        let mut pools: [[Vec<usize>; 3]; 3] = Default::default();
        let mut teams: [Vec<usize>; 3] = Default::default();
        let mut triage = Vec::new();
        for (i, s) in STAFF.iter().enumerate() {
            let email = format!("{}@{STAFF_DOMAIN}", s.local);
            staff_email.push(email.clone());
            users.push(UserRecord {
                email,
                name: s.name.to_string(),
                role: s.role,
                organization: None,
                org_admin: false,
                team: Some(TEAMS[s.team].to_string()),
                tier: Some(s.tier),
                field: s.field,
            });
            if s.role == Role::Agent {
                pools[s.team][tier_index(s.tier)].push(i);
                teams[s.team].push(i);
                if s.team == SERVICE_DESK && s.tier == Tier::L1 {
                    triage.push(i);
                }
            }
        }

        let mut seen: HashSet<String> = HashSet::new();
        let mut customers = Vec::new();
        for (oi, org) in ORGS.iter().enumerate() {
            for ci in 0..org.customers {
                let (name, local) = if org.zh {
                    let (s, sp) = pick(rng, ZH_SURNAMES);
                    let (g, gp) = pick(rng, ZH_GIVEN);
                    (format!("{s}{g}"), format!("{gp}.{sp}"))
                } else {
                    let f = pick(rng, EN_FIRST);
                    let l = pick(rng, EN_LAST);
                    (format!("{f} {l}"), format!("{f}.{l}").to_ascii_lowercase())
                };
                let mut email = format!("{local}@{}", org.domain);
                let mut n = 2;
                while seen.contains(&email) {
                    email = format!("{local}{n}@{}", org.domain);
                    n += 1;
                }
                seen.insert(email.clone());
                // The first customer of every organization, and a second one in larger ones,
                // see all of the organization's tickets.
                let org_admin = ci == 0 || (ci == 1 && org.customers >= 20);
                users.push(UserRecord {
                    email: email.clone(),
                    name: name.clone(),
                    role: Role::Customer,
                    organization: Some(org.name.to_string()),
                    org_admin,
                    team: None,
                    tier: None,
                    field: false,
                });
                customers.push(Customer {
                    name,
                    email,
                    org: oi,
                });
            }
        }

        World {
            users,
            staff_email,
            customers,
            pools,
            teams,
            triage,
            zh_weight: vocab::ZH.scenarios.iter().map(|s| s.weight).sum(),
            en_weight: vocab::EN.scenarios.iter().map(|s| s.weight).sum(),
        }
    }

    /// One ticket; `history` (seconds before now) makes it a closed ticket from before the
    /// last 90 days, created between `history` and `HORIZON` ago.
    fn ticket(
        &self,
        rng: &mut R,
        clock: &Clock,
        buf: &mut String,
        history: Option<i64>,
    ) -> TicketRecord {
        let requester = &self.customers[rng.random_range(0..self.customers.len())];
        let org_i = requester.org;
        let org = &ORGS[org_i];
        // Most people write in their organization's language; some switch.
        let zh = org.zh != rng.random_bool(0.12);
        let (lang, total): (&'static Lang, u32) = if zh {
            (&vocab::ZH, self.zh_weight)
        } else {
            (&vocab::EN, self.en_weight)
        };
        let sc = pick_scenario(rng, lang.scenarios, total);
        let var = &sc.variants[rng.random_range(0..sc.variants.len())];

        let priority = weighted(
            rng,
            &[
                (Priority::P1, 3),
                (Priority::P2, 17),
                (Priority::P3, 50),
                (Priority::P4, 30),
            ],
        );
        let tier = match priority {
            Priority::P1 => weighted(rng, &[(Tier::L2, 50), (Tier::L3, 50)]),
            Priority::P2 => weighted(rng, &[(Tier::L1, 40), (Tier::L2, 45), (Tier::L3, 15)]),
            Priority::P3 => weighted(rng, &[(Tier::L1, 65), (Tier::L2, 30), (Tier::L3, 5)]),
            Priority::P4 => weighted(rng, &[(Tier::L1, 85), (Tier::L2, 15)]),
        };
        let mut channel = weighted(
            rng,
            &[
                (Channel::Portal, 30),
                (Channel::Email, 24),
                (Channel::Phone, 18),
                (Channel::Chat, 12),
                (Channel::WalkIn, 5),
                (Channel::Field, 7),
                (Channel::Monitoring, 4),
            ],
        );
        if channel == Channel::Field && !sc.field {
            channel = Channel::Phone;
        }
        if channel == Channel::Monitoring && !sc.monitor {
            channel = Channel::Email;
        }
        let kind = if sc.kind != Kind::Question && rng.random_bool(0.045) {
            Kind::Complaint
        } else {
            sc.kind
        };
        let status = if history.is_some() {
            Status::Closed
        } else {
            weighted(
                rng,
                &[
                    (Status::New, 10),
                    (Status::Open, 15),
                    (Status::InProgress, 15),
                    (Status::PendingCustomer, 8),
                    (Status::OnHold, 4),
                    (Status::Resolved, 15),
                    (Status::Closed, 33),
                ],
            )
        };

        // Routing: team, assignee, and who triaged it.
        let team = if channel == Channel::Field {
            FIELD_SERVICE
        } else {
            match sc.category {
                HW if sc.field && rng.random_bool(0.35) => FIELD_SERVICE,
                NET if tier != Tier::L1
                    || channel == Channel::Monitoring
                    || rng.random_bool(0.4) =>
                {
                    INFRASTRUCTURE
                }
                SW if tier == Tier::L3 => INFRASTRUCTURE,
                _ => SERVICE_DESK,
            }
        };
        let assigned = rng.random_bool(if status == Status::New { 0.25 } else { 0.93 });
        let assignee = assigned.then(|| {
            let pool = &self.pools[team][tier_index(tier)];
            if !pool.is_empty() && rng.random_bool(0.85) {
                pick(rng, pool)
            } else {
                pick(rng, &self.teams[team])
            }
        });
        let triager = pick(rng, &self.triage);
        let handler = assignee.unwrap_or(triager);
        let team_name = if assigned || (status != Status::New && rng.random_bool(0.5)) {
            Some(TEAMS[team].to_string())
        } else {
            None
        };

        let site_text = pick(rng, org.sites);
        let site = (channel == Channel::Field
            || channel == Channel::WalkIn
            || (sc.field && rng.random_bool(0.25)))
        .then(|| site_text.to_string());

        let floor = rng.random_range(2..=28u32);
        let cx = Ctx {
            lang,
            sc,
            var,
            a: pick_or(rng, sc.things),
            code: pick_or(rng, sc.codes),
            laptop: pick(rng, vocab::LAPTOPS),
            floor,
            room: floor * 100 + rng.random_range(1..=30u32),
            n: rng.random_range(3..=40u32),
            m: rng.random_range(2..=9u32),
            asset: rng.random_range(10_000..=99_999u32),
            ip: [10 + org_i as u32, floor, rng.random_range(2..=250u32)],
            site: site_text,
            user: &requester.name,
            first: requester
                .name
                .split_once(' ')
                .map_or(requester.name.as_str(), |(f, _)| f),
            agent: STAFF[handler].name,
            ssid: org.ssid,
            when: pick(rng, lang.when),
            city: pick(rng, lang.cities),
            topic: sc.topic,
            ext: rng.random_range(8_000..=8_999u32),
            tier,
        };

        buf.clear();
        if priority == Priority::P1 && rng.random_bool(0.5) {
            buf.push_str(lang.urgent_prefix);
        } else if channel == Channel::Monitoring {
            buf.push_str(lang.monitor_prefix);
        } else if kind == Kind::Complaint {
            buf.push_str(lang.complaint_prefix);
        }
        cx.expand(buf, var.title);
        let title = String::from(buf.as_str());
        let description = cx.describe(rng, buf, channel, priority, kind);

        // Timeline.
        let created = match history {
            Some(span) => old_created_at(rng, span, clock.now),
            None => created_at(rng, status, clock.now),
        };
        let (path, close) = path_for(rng, status);
        let changes = path.len().saturating_sub(1) + usize::from(close);
        let mut times = [0i64; 8];
        if changes > 0 {
            let mut total = 0i64;
            // A closing path ends in `resolved`, so its last entry is the close's `from` too.
            for (i, from) in path.iter().copied().take(changes).enumerate() {
                times[i] = dwell(rng, from);
                total += times[i];
            }
            // Fit the whole history into 90% of the ticket's age.
            let budget = (clock.now - created) * 9 / 10;
            if total > budget {
                for t in &mut times[..changes] {
                    *t = ((i128::from(*t) * i128::from(budget) / i128::from(total)) as i64).max(1);
                }
            }
            let mut t = created;
            for x in &mut times[..changes] {
                t += *x;
                *x = t;
            }
        }
        let mut history = Vec::with_capacity(changes);
        let mut resolved_s = None;
        let mut closed_s = None;
        let mut reopened = false;
        {
            let steps = path
                .windows(2)
                .map(|w| (w[0], w[1]))
                .chain(close.then_some((Status::Resolved, Status::Closed)));
            for (i, (from, to)) in steps.enumerate() {
                let at = times[i];
                // L1 often triages before the assignee takes over.
                let actor = if i == 0 && rng.random_bool(0.4) {
                    triager
                } else {
                    handler
                };
                match to {
                    Status::Resolved => resolved_s = Some(at),
                    Status::Closed => closed_s = Some(at),
                    Status::Open if matches!(from, Status::Resolved | Status::Closed) => {
                        reopened = true;
                        resolved_s = None;
                        closed_s = None;
                    }
                    _ => {}
                }
                history.push(StatusChangeRecord {
                    at: clock.at(at),
                    from,
                    to,
                    actor: Some(self.staff_email[actor].clone()),
                });
            }
        }
        let first_change = times[0];
        let last_change = if changes > 0 {
            times[changes - 1]
        } else {
            created
        };

        // Comments.
        let mut comments: Vec<CommentRecord> = Vec::new();
        let mut first_response = None;
        let mut last_comment = created;
        if status == Status::New {
            if rng.random_bool(0.35) {
                comments.reserve_exact(1);
                let at = created + span(rng, MINUTE, (clock.now - created).max(MINUTE + 1), 1.5);
                let body = cx.text(buf, pick(rng, lang.followups));
                comments.push(comment(
                    clock,
                    &requester.email,
                    Visibility::Public,
                    body,
                    at,
                ));
                last_comment = at;
            }
        } else {
            let done = matches!(status, Status::Resolved | Status::Closed);
            let pending = status == Status::PendingCustomer;
            // Replies run up to the fix (done), the request for information (pending), or
            // some time before now.
            let end = match resolved_s {
                Some(r) if done => r,
                _ if pending => last_change,
                _ => {
                    last_change
                        + ((clock.now - last_change) as f64 * rng.random_range(0.1..1.0)) as i64
                }
            };
            let k = weighted(
                rng,
                &[(1usize, 15), (2, 25), (3, 25), (4, 18), (5, 10), (6, 7)],
            );
            comments.reserve_exact(k + usize::from(closed_s.is_some()));
            let mut at = first_change;
            let mut rest = k;
            if rng.random_bool(0.92) {
                let body = cx.text(buf, pick(rng, lang.ack));
                comments.push(comment(
                    clock,
                    &self.staff_email[handler],
                    Visibility::Public,
                    body,
                    at,
                ));
                first_response = Some(at);
                rest -= 1;
            }
            let slot = ((end - at) / (rest as i64 + 1)).max(1);
            for j in 0..rest {
                let last = j + 1 == rest;
                let closing = last && ((done && k >= 2) || pending);
                at = if closing {
                    end.max(at + 1)
                } else {
                    (first_change + 1 + j as i64 * slot + rng.random_range(0..slot)).max(at + 1)
                };
                let body;
                let (author, vis) = if closing && done {
                    body = cx.text(buf, pick(rng, lang.done));
                    (handler, Visibility::Public)
                } else if closing {
                    body = cx.text(buf, pick(rng, lang.ask));
                    (handler, Visibility::Public)
                } else {
                    match rng.random_range(0..100) {
                        0..35 => {
                            body = cx.text(buf, pick(rng, lang.progress));
                            (handler, Visibility::Public)
                        }
                        35..70 => {
                            body = cx.text(buf, pick(rng, lang.replies));
                            comments.push(comment(
                                clock,
                                &requester.email,
                                Visibility::Public,
                                body,
                                at,
                            ));
                            continue;
                        }
                        _ => {
                            let notes = if !sc.notes.is_empty() && rng.random_bool(0.5) {
                                sc.notes
                            } else {
                                lang.internal
                            };
                            body = cx.text(buf, pick(rng, notes));
                            let author = if rng.random_bool(0.2) {
                                pick(rng, &self.teams[team])
                            } else {
                                handler
                            };
                            (author, Visibility::Internal)
                        }
                    }
                };
                if vis == Visibility::Public && first_response.is_none() {
                    first_response = Some(at);
                }
                comments.push(comment(clock, &self.staff_email[author], vis, body, at));
            }
            if let (Some(r), Some(c)) = (resolved_s, closed_s)
                && comments.len() < 6
                && c - r >= 2
                && rng.random_bool(0.3)
            {
                let t = (r + (c - r) / 2).max(at + 1);
                if t < c {
                    at = t;
                    let body = cx.text(buf, pick(rng, lang.confirms));
                    comments.push(comment(
                        clock,
                        &requester.email,
                        Visibility::Public,
                        body,
                        at,
                    ));
                }
            }
            last_comment = at;
        }

        // Service report and rating.
        let resolution = matches!(status, Status::Resolved | Status::Closed).then(|| {
            let cause = cx.text(buf, var.cause);
            let solution = cx.text(buf, var.solution);
            let prevention = rng
                .random_bool(0.45)
                .then(|| pick(rng, lang.prevention).to_string());
            Resolution {
                cause,
                solution,
                prevention,
            }
        });
        let csat = (status == Status::Closed && rng.random_bool(0.6)).then(|| {
            let score = weighted(rng, &[(5u8, 55), (4, 28), (3, 10), (2, 4), (1, 3)]);
            let comment = rng.random_bool(0.45).then(|| {
                let list = match score {
                    5 | 4 => lang.csat_high,
                    3 => lang.csat_mid,
                    _ => lang.csat_low,
                };
                pick(rng, list).to_string()
            });
            Csat { score, comment }
        });

        let tags = tags(rng, sc, org, site.is_some(), reopened);
        let updated = created.max(last_change).max(last_comment);

        TicketRecord {
            id: None,
            number: None,
            title,
            description,
            kind,
            category: DEFAULT_CATEGORIES[sc.category].to_string(),
            status,
            priority,
            channel,
            requester: Some(requester.email.clone()),
            organization: Some(org.name.to_string()),
            assignee: assignee.map(|a| self.staff_email[a].clone()),
            team: team_name,
            tier,
            tags,
            site,
            created_at: clock.at(created),
            updated_at: clock.at(updated),
            first_response_at: first_response.map(|t| clock.at(t)),
            resolved_at: resolved_s.map(|t| clock.at(t)),
            closed_at: closed_s.map(|t| clock.at(t)),
            resolution,
            csat,
            comments,
            history,
        }
    }
}

fn comment(
    clock: &Clock,
    author: &str,
    visibility: Visibility,
    body: String,
    at: i64,
) -> CommentRecord {
    CommentRecord {
        id: None,
        author: author.to_string(),
        visibility,
        body,
        created_at: clock.at(at),
    }
}

/// 0–3 short lowercase tags.
fn tags(rng: &mut R, sc: &Scenario, org: &OrgDef, onsite: bool, reopened: bool) -> Vec<String> {
    let count = weighted(rng, &[(0usize, 20), (1, 35), (2, 30), (3, 15)]);
    if count == 0 {
        return Vec::new();
    }
    let mut pool: [&str; 6] = [""; 6];
    let mut n = 0;
    for t in sc.tags.iter().take(3) {
        pool[n] = t;
        n += 1;
    }
    if org.tier == CustomerTier::Strategic {
        pool[n] = "vip";
        n += 1;
    }
    if onsite {
        pool[n] = "onsite";
        n += 1;
    }
    if reopened {
        pool[n] = "reopened";
        n += 1;
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count.min(n) {
        let i = rng.random_range(0..n);
        out.push(pool[i].to_string());
        pool.swap(i, n - 1);
        n -= 1;
    }
    out
}

/// When an older, closed ticket was created: evenly between `span` and 90 days ago, in
/// office hours (China time) on a weekday.
fn old_created_at(rng: &mut R, span: i64, now: i64) -> i64 {
    let created = now - rng.random_range(HORIZON..span.max(HORIZON + DAY));
    let mut day = (created + TZ_OFFSET).div_euclid(DAY);
    match (day + 4).rem_euclid(7) {
        6 => day -= 1,
        0 => day -= 2,
        _ => {}
    }
    day * DAY + 8 * HOUR + 30 * MINUTE + rng.random_range(0..10 * HOUR) - TZ_OFFSET
}

/// When the ticket was created: recent tickets are more likely still open; mostly office hours.
fn created_at(rng: &mut R, status: Status, now: i64) -> i64 {
    let (lo, hi, p) = match status {
        // A desk that keeps up: new tickets are hours old, open ones mostly days (median
        // under two), a long tail for parts on order and customers who never answer.
        Status::New => (5 * MINUTE, 4 * DAY, 2.5),
        Status::Open | Status::InProgress | Status::PendingCustomer | Status::OnHold => {
            (HOUR, 30 * DAY, 3.5)
        }
        Status::Resolved => (2 * HOUR, 40 * DAY, 1.2),
        Status::Closed => (DAY, HORIZON - HOUR, 0.6),
    };
    let age = span(rng, lo, hi, p);
    let created = now - age;
    let latest = now - lo;
    let earliest = now - HORIZON;
    // Move it into office hours (China time), mostly on a weekday.
    let mut day = (created + TZ_OFFSET).div_euclid(DAY);
    let weekday = (day + 4).rem_euclid(7); // 0 = Sunday
    if rng.random_bool(0.75) {
        if weekday == 6 {
            day += 2;
        } else if weekday == 0 {
            day += 1;
        }
    }
    let time_of_day = if rng.random_bool(0.88) {
        8 * HOUR + 30 * MINUTE + rng.random_range(0..10 * HOUR)
    } else {
        rng.random_range(0..DAY)
    };
    let shaped = day * DAY + time_of_day - TZ_OFFSET;
    if (earliest..=latest).contains(&shaped) {
        shaped
    } else {
        created
    }
}

/// A path through the status machine from `new` to `status`; `true` appends `resolved → closed`.
fn path_for(rng: &mut R, status: Status) -> (&'static [Status], bool) {
    use Status::*;
    const OPEN: &[(&[Status], u32)] = &[
        (&[New, Open], 70),
        (&[New, InProgress, PendingCustomer, Open], 18),
        (&[New, Open, InProgress, Resolved, Open], 8),
        (&[New, InProgress, Resolved, Closed, Open], 4),
    ];
    const IN_PROGRESS: &[(&[Status], u32)] = &[
        (&[New, InProgress], 35),
        (&[New, Open, InProgress], 45),
        (&[New, Open, InProgress, PendingCustomer, InProgress], 12),
        (&[New, InProgress, OnHold, InProgress], 5),
        (&[New, InProgress, Resolved, Open, InProgress], 3),
    ];
    const PENDING: &[(&[Status], u32)] = &[
        (&[New, Open, PendingCustomer], 40),
        (&[New, InProgress, PendingCustomer], 35),
        (&[New, Open, InProgress, PendingCustomer], 25),
    ];
    const ON_HOLD: &[(&[Status], u32)] = &[
        (&[New, Open, OnHold], 40),
        (&[New, Open, InProgress, OnHold], 45),
        (&[New, InProgress, OnHold], 15),
    ];
    const RESOLVED: &[(&[Status], u32)] = &[
        (&[New, Open, InProgress, Resolved], 40),
        (&[New, InProgress, Resolved], 25),
        (&[New, Resolved], 8),
        (&[New, Open, Resolved], 8),
        (&[New, InProgress, PendingCustomer, InProgress, Resolved], 8),
        (&[New, Open, InProgress, OnHold, InProgress, Resolved], 5),
        (&[New, InProgress, Resolved, Open, InProgress, Resolved], 6),
    ];
    match status {
        New => (&[New], false),
        Open => (weighted(rng, OPEN), false),
        InProgress => (weighted(rng, IN_PROGRESS), false),
        PendingCustomer => (weighted(rng, PENDING), false),
        OnHold => (weighted(rng, ON_HOLD), false),
        Resolved => (weighted(rng, RESOLVED), false),
        Closed => (weighted(rng, RESOLVED), true),
    }
}

/// How long a ticket typically stays in `status` before the next change, in seconds.
fn dwell(rng: &mut R, status: Status) -> i64 {
    match status {
        Status::New => span(rng, 2 * MINUTE, 4 * HOUR, 2.0),
        Status::Open => span(rng, 10 * MINUTE, DAY, 1.8),
        Status::InProgress => span(rng, 30 * MINUTE, 3 * DAY, 1.6),
        Status::PendingCustomer => span(rng, HOUR, 4 * DAY, 1.5),
        Status::OnHold => span(rng, 4 * HOUR, 7 * DAY, 1.3),
        Status::Resolved => span(rng, HOUR, 3 * DAY, 1.0),
        Status::Closed => span(rng, HOUR, 10 * DAY, 1.5),
    }
}

/// A value in `lo..=hi`, skewed towards `lo` for `p > 1`.
fn span(rng: &mut R, lo: i64, hi: i64, p: f64) -> i64 {
    let u: f64 = rng.random();
    lo + ((hi - lo) as f64 * u.powf(p)) as i64
}

fn pick<T: Copy>(rng: &mut R, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

fn pick_or(rng: &mut R, xs: L) -> &'static str {
    if xs.is_empty() { "" } else { pick(rng, xs) }
}

fn weighted<T: Copy>(rng: &mut R, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total);
    for &(v, w) in table {
        if r < w {
            return v;
        }
        r -= w;
    }
    table[table.len() - 1].0
}

fn pick_scenario<'a>(rng: &mut R, scenarios: &'a [Scenario], total: u32) -> &'a Scenario {
    let mut r = rng.random_range(0..total);
    for s in scenarios {
        if r < s.weight {
            return s;
        }
        r -= s.weight;
    }
    &scenarios[scenarios.len() - 1]
}

/// The values a ticket's templates are filled with.
struct Ctx<'a> {
    lang: &'static Lang,
    sc: &'static Scenario,
    var: &'static Variant,
    a: &'static str,
    code: &'static str,
    laptop: &'static str,
    floor: u32,
    room: u32,
    n: u32,
    m: u32,
    asset: u32,
    ip: [u32; 3],
    site: &'static str,
    user: &'a str,
    /// First name (English names) or full name (Chinese names), for greetings.
    first: &'a str,
    agent: &'static str,
    ssid: &'static str,
    when: &'static str,
    city: &'static str,
    topic: &'static str,
    ext: u32,
    tier: Tier,
}

impl Ctx<'_> {
    /// Markdown description: intro, then details / an error block / a line, then a closing.
    fn describe(
        &self,
        rng: &mut R,
        s: &mut String,
        channel: Channel,
        priority: Priority,
        kind: Kind,
    ) -> String {
        let (cx, lang, sc) = (self, self.lang, self.sc);
        s.clear();
        match channel {
            Channel::Phone => {
                s.push_str(lang.phone_note);
                s.push_str("\n\n");
            }
            Channel::WalkIn => {
                s.push_str(lang.walk_in_note);
                s.push_str("\n\n");
            }
            Channel::Email if rng.random_bool(0.7) => {
                s.push_str(pick(rng, lang.greetings));
                s.push_str("\n\n");
            }
            _ => {}
        }
        cx.expand(s, cx.var.intro);
        if kind == Kind::Complaint {
            s.push_str("\n\n");
            cx.expand(s, pick(rng, lang.complaint_paras));
        }
        let layout = rng.random_range(0..10);
        if layout < 6 && !sc.details.is_empty() {
            s.push_str("\n\n");
            s.push_str(lang.details_heading);
            s.push_str("\n\n");
            let i = rng.random_range(0..sc.details.len());
            s.push_str("- ");
            cx.expand(s, sc.details[i]);
            s.push('\n');
            if sc.details.len() > 1 {
                let j = (i + rng.random_range(1..sc.details.len())) % sc.details.len();
                s.push_str("- ");
                cx.expand(s, sc.details[j]);
                s.push('\n');
            }
            if rng.random_bool(0.5) {
                s.push_str("- ");
                cx.expand(s, lang.location);
                s.push('\n');
            }
            if sc.kind == Kind::Incident {
                let tried = lang.tried[sc.category];
                s.push('\n');
                s.push_str(lang.tried_heading);
                s.push_str("\n\n");
                let i = rng.random_range(0..tried.len());
                s.push_str("- ");
                s.push_str(tried[i]);
                s.push('\n');
                if rng.random_bool(0.5) {
                    s.push_str("- ");
                    s.push_str(tried[(i + 1) % tried.len()]);
                    s.push('\n');
                }
            }
        } else if layout < 8 && (cx.var.intro.contains("{code}") || cx.var.title.contains("{code}"))
        {
            s.push_str("\n\n");
            s.push_str(lang.error_heading);
            s.push_str("\n\n```text\n");
            s.push_str(cx.code);
            s.push_str("\n```\n");
        } else if !sc.details.is_empty() {
            s.push_str("\n\n- ");
            cx.expand(s, pick(rng, sc.details));
            s.push('\n');
        }
        s.truncate(s.trim_end().len());
        s.push_str("\n\n");
        let closings = if priority == Priority::P1 {
            lang.urgent_closings
        } else {
            lang.closings
        };
        cx.expand(s, pick(rng, closings));
        String::from(s.as_str())
    }

    /// `template` filled in, built in `buf` and returned at its exact size.
    fn text(&self, buf: &mut String, template: &str) -> String {
        buf.clear();
        self.expand(buf, template);
        String::from(buf.as_str())
    }

    /// Appends `template` with its `{slot}`s filled in.
    fn expand(&self, out: &mut String, template: &str) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return;
            };
            self.slot(out, &after[..close]);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }

    fn slot(&self, out: &mut String, name: &str) {
        match name {
            "a" => out.push_str(self.a),
            "code" => out.push_str(self.code),
            "laptop" => out.push_str(self.laptop),
            "floor" => push_num(out, self.floor),
            "room" => push_num(out, self.room),
            "n" => push_num(out, self.n),
            "m" => push_num(out, self.m),
            "asset" => {
                out.push_str("IT-");
                push_num(out, self.asset);
            }
            "ip" => {
                out.push_str("10.");
                push_num(out, self.ip[0]);
                out.push('.');
                push_num(out, self.ip[1]);
                out.push('.');
                push_num(out, self.ip[2]);
            }
            "site" => out.push_str(self.site),
            "user" => out.push_str(self.user),
            "first" => out.push_str(self.first),
            "agent" => out.push_str(self.agent),
            "ssid" => out.push_str(self.ssid),
            "when" => out.push_str(self.when),
            "city" => out.push_str(self.city),
            "topic" => out.push_str(self.topic),
            "ext" => push_num(out, self.ext),
            "tier" => out.push_str(self.tier.as_str()),
            other => {
                debug_assert!(false, "unknown template slot {{{other}}}");
            }
        }
    }
}

/// Appends the decimal digits of `n` without going through `fmt`.
fn push_num(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// Makes the sample desk a healthy one: a desk that keeps up has a few tickets at risk and
/// fewer breached, not a sea of red. Each open ticket whose SLA (by `policy` and `calendar`
/// at `now`) is breached has its past brought closer to now — creation, replies and history
/// scaled together towards `now`, their order kept — until no target is breached, except
/// about one in twenty-five, which stays breached. Deterministic for a seed.
pub fn settle(
    data: &mut Dataset,
    policy: &helpdeck_core::sla::SlaPolicy,
    calendar: &helpdeck_core::sla::Calendar,
    now: Timestamp,
    seed: u64,
) {
    use helpdeck_core::sla::{SlaFacts, SlaState, evaluate};
    let staff: std::collections::HashSet<String> = data
        .users
        .iter()
        .filter(|u| u.role != Role::Customer)
        .map(|u| u.email.to_lowercase())
        .collect();
    let mut rng = R::seed_from_u64(seed ^ 0x005e_771e);
    let facts = |t: &TicketRecord| SlaFacts {
        created_at: t.created_at,
        priority: t.priority,
        kind: t.kind,
        status_changes: t.status_changes(),
        agent_public_replies: t
            .comments
            .iter()
            .filter(|c| {
                c.visibility == Visibility::Public && staff.contains(&c.author.to_lowercase())
            })
            .map(|c| c.created_at)
            .collect(),
    };
    for t in data.tickets.iter_mut() {
        if !t.status.is_open() {
            continue;
        }
        let report = evaluate(&facts(t), policy, calendar, now);
        let breached = report.targets.iter().any(|r| r.state == SlaState::Breached);
        if !breached || rng.random_bool(0.04) {
            continue;
        }
        // Bring the ticket's past closer to now (every time scaled towards now, order kept)
        // until no target is breached any more; a few steps are enough.
        let original = t.clone();
        let squeezed = |k: f64| {
            let squeeze = |at: Timestamp| {
                let age = (now.as_millisecond() - at.as_millisecond()).max(0) as f64;
                Timestamp::from_millisecond(now.as_millisecond() - (age * k) as i64).unwrap_or(at)
            };
            let mut t = original.clone();
            t.created_at = squeeze(t.created_at);
            t.updated_at = squeeze(t.updated_at);
            t.first_response_at = t.first_response_at.map(squeeze);
            for c in t.comments.iter_mut() {
                c.created_at = squeeze(c.created_at);
            }
            for h in t.history.iter_mut() {
                h.at = squeeze(h.at);
            }
            t
        };
        let mut k = 1.0_f64;
        for _ in 0..10 {
            k *= rng.random_range(0.35..0.7);
            *t = squeezed(k);
            let after = evaluate(&facts(t), policy, calendar, now);
            if !after.targets.iter().any(|r| r.state == SlaState::Breached) {
                // Most then have time to spare, not minutes: a few stay at risk.
                if rng.random_bool(0.8) {
                    *t = squeezed(k * rng.random_range(0.15..0.5));
                }
                break;
            }
        }
    }
}
