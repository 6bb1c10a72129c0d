//! Text rules for full-text search, shared by indexing and querying.
//!
//! SQLite's `unicode61` tokenizer keeps a run of Chinese characters as one token, so a
//! two-character query such as 网络 would never match inside 公司网络中断. Before indexing,
//! every run of CJK characters is rewritten as overlapping bigrams plus its last character
//! (公司网络 → `公司 司网 网络 络`); queries are rewritten the same way. A one-character
//! query becomes a prefix query (`网*`), which finds every occurrence because every character
//! of a run starts some token. Latin text is left to the tokenizer (with Porter stemming).

use crate::error::DomainError;

/// True for the scripts that are written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B–F, compatibility supplement
}

/// A ticket's own search document: its title, and its description followed by the number
/// it had before it was brought over (so `HD-12` still finds it after a connect).
pub fn ticket_document(t: &crate::ticket::Ticket) -> (String, String) {
    document_of(&t.title, &t.description, t.former_number)
}

/// [`ticket_document`] from the three fields it reads (what a stored row gives).
pub fn document_of(title: &str, description: &str, former_number: Option<i64>) -> (String, String) {
    let body = match former_number {
        Some(n) => index_text(&format!("{description}\n{}", crate::ticket::ticket_key(n))),
        None => index_text(description),
    };
    (index_text(title), body)
}

/// The terms of a text being written (what knowledge-base suggestions and frequent-problem
/// keywords are made of): each English word, and each pair of neighbouring
/// Chinese characters (Chinese has no spaces; a sentence is matched by its bigrams).
pub fn text_terms(text: &str) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = word.chars().collect();
        let mut latin = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if is_cjk(c) {
                if latin.chars().count() >= 2 {
                    out.insert(latin.to_lowercase());
                }
                latin.clear();
                if let Some(&n) = chars.get(i + 1).filter(|n| is_cjk(**n)) {
                    out.insert(format!("{c}{n}"));
                }
            } else {
                latin.push(c);
            }
            i += 1;
        }
        if latin.chars().count() >= 2 {
            out.insert(latin.to_lowercase());
        }
    }
    out.into_iter().take(48).collect()
}

/// Rewrites text for the index: CJK runs become bigrams, everything else is unchanged.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut run: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else {
            flush_run(&mut run, &mut out);
            out.push(c);
        }
    }
    flush_run(&mut run, &mut out);
    out
}

fn flush_run(run: &mut Vec<char>, out: &mut String) {
    if run.is_empty() {
        return;
    }
    out.push(' ');
    for pair in run.windows(2) {
        out.push(pair[0]);
        out.push(pair[1]);
        out.push(' ');
    }
    out.push(run[run.len() - 1]);
    out.push(' ');
    run.clear();
}

/// One term of a parsed user query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryTerm {
    /// A Latin (or other spaced-script) word; `prefix` when written with a trailing `*`.
    Word { text: String, prefix: bool },
    /// A run of CJK characters.
    Cjk(String),
    /// Words in this order (`"a phrase"`, or text joined by punctuation such as `HD-12`).
    Phrase(Vec<QueryTerm>),
}

/// Field filters of a query (`status:open priority:P1 assignee:me tag:vpn created:>2026-01-01`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub statuses: Vec<crate::status::Status>,
    pub priority: Option<crate::ticket::Priority>,
    /// `me`, `none` or an email.
    pub assignee: Option<String>,
    /// A requester's email.
    pub requester: Option<String>,
    /// An organization's name.
    pub organization: Option<String>,
    pub tags: Vec<String>,
    pub kind: Option<crate::ticket::Kind>,
    pub category: Option<String>,
    /// Created on or after this day (in the workspace's time zone).
    pub created_from: Option<jiff::civil::Date>,
    /// Created before this day.
    pub created_before: Option<jiff::civil::Date>,
}

impl SearchFilters {
    pub fn is_empty(&self) -> bool {
        *self == SearchFilters::default()
    }
}

/// A parsed search query (spec §7): words must all match (AND); `OR` between words gives
/// alternatives; `"a phrase"` matches words in order; `-word` excludes; `word*` is a
/// prefix; `field:value` filters. FTS5 syntax is never passed through, so any input is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Alternatives (joined by OR), each a list of terms that must all match.
    pub groups: Vec<Vec<QueryTerm>>,
    /// Terms that must not match.
    pub excluded: Vec<QueryTerm>,
    pub filters: SearchFilters,
}

/// What a query filter field may be.
pub const FILTER_FIELDS: &str =
    "status, priority, assignee, requester, org, tag, kind, category, created";

fn filter_error(what: &str, value: &str, allowed: &str) -> DomainError {
    DomainError::invalid(
        "query",
        format!("{what}:{value} is not understood (allowed: {allowed})"),
    )
}

fn parse_day(field: &str, v: &str) -> Result<jiff::civil::Date, DomainError> {
    v.parse::<jiff::civil::Date>()
        .map_err(|_| filter_error(field, v, "a date such as 2026-01-31, after >, >=, < or <="))
}

impl SearchFilters {
    fn set(&mut self, field: &str, value: &str) -> Result<(), DomainError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(filter_error(field, v, "a value after the colon"));
        }
        match field {
            "status" => self.statuses.push(
                v.parse()
                    .map_err(|_| filter_error(field, v, &crate::status::Status::allowed()))?,
            ),
            "priority" => {
                self.priority = Some(
                    v.to_uppercase()
                        .parse()
                        .map_err(|_| filter_error(field, v, &crate::ticket::Priority::allowed()))?,
                )
            }
            "kind" => {
                self.kind = Some(
                    v.parse()
                        .map_err(|_| filter_error(field, v, &crate::ticket::Kind::allowed()))?,
                )
            }
            "assignee" => self.assignee = Some(v.to_lowercase()),
            "requester" => self.requester = Some(v.to_lowercase()),
            "org" | "organization" => self.organization = Some(v.to_string()),
            "tag" => self.tags.push(v.to_lowercase()),
            "category" => self.category = Some(v.to_lowercase()),
            "created" => {
                let next = |d: jiff::civil::Date| d.tomorrow().unwrap_or(d);
                if let Some(d) = v.strip_prefix(">=") {
                    self.created_from = Some(parse_day(field, d)?);
                } else if let Some(d) = v.strip_prefix('>') {
                    self.created_from = Some(next(parse_day(field, d)?));
                } else if let Some(d) = v.strip_prefix("<=") {
                    self.created_before = Some(next(parse_day(field, d)?));
                } else if let Some(d) = v.strip_prefix('<') {
                    self.created_before = Some(parse_day(field, d)?);
                } else {
                    let d = parse_day(field, v.trim_start_matches('='))?;
                    self.created_from = Some(d);
                    self.created_before = Some(next(d));
                }
            }
            _ => return Err(filter_error(field, v, FILTER_FIELDS)),
        }
        Ok(())
    }
}

/// Splits what a user typed into tokens: quoted phrases (with their sign), `OR`, and words.
fn tokens(input: &str) -> Vec<(bool, bool, String)> {
    // (negated, quoted, text)
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-' && {
            let mut look = chars.clone();
            look.next();
            look.peek().is_some_and(|n| !n.is_whitespace())
        };
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut text = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
            out.push((negated, true, text));
        } else {
            let mut text = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '"' && text.ends_with(':') {
                    // field:"a value with spaces"
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        text.push(c);
                    }
                    continue;
                }
                text.push(c);
            }
            out.push((negated, false, text));
        }
    }
    out
}

/// The search terms in a piece of text (words, CJK runs, `word*` prefixes).
fn terms_of(text: &str) -> Vec<QueryTerm> {
    let mut terms = Vec::new();
    let mut word = String::new();
    let mut cjk = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            push_word(&mut word, false, &mut terms);
            cjk.push(c);
        } else if c.is_alphanumeric() || c == '_' {
            push_cjk(&mut cjk, &mut terms);
            word.push(c);
        } else {
            push_cjk(&mut cjk, &mut terms);
            let prefix = c == '*' && !word.is_empty();
            push_word(&mut word, prefix, &mut terms);
        }
    }
    push_cjk(&mut cjk, &mut terms);
    push_word(&mut word, false, &mut terms);
    terms
}

fn term_expression(term: &QueryTerm) -> String {
    match term {
        QueryTerm::Word { text, prefix } => {
            let mut p = format!("\"{}\"", text.replace('"', ""));
            if *prefix {
                p.push('*');
            }
            p
        }
        QueryTerm::Cjk(run) => {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                format!("\"{}\"*", chars[0])
            } else {
                format!("\"{}\"", bigrams(&chars).join(" "))
            }
        }
        QueryTerm::Phrase(parts) => {
            let mut toks = Vec::new();
            for p in parts {
                match p {
                    QueryTerm::Word { text, .. } => toks.push(text.replace('"', "")),
                    QueryTerm::Cjk(run) => {
                        let chars: Vec<char> = run.chars().collect();
                        if chars.len() == 1 {
                            toks.push(run.clone());
                        } else {
                            toks.extend(bigrams(&chars));
                        }
                    }
                    QueryTerm::Phrase(_) => {}
                }
            }
            format!("\"{}\"", toks.join(" "))
        }
    }
}

fn bigrams(chars: &[char]) -> Vec<String> {
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

impl SearchQuery {
    /// Parses what a user typed.
    pub fn parse(input: &str) -> Result<SearchQuery, DomainError> {
        let mut groups: Vec<Vec<QueryTerm>> = vec![Vec::new()];
        let mut excluded = Vec::new();
        let mut filters = SearchFilters::default();
        for (negated, quoted, text) in tokens(input) {
            if !quoted && !negated && text == "OR" {
                if groups.last().is_some_and(|g| !g.is_empty()) {
                    groups.push(Vec::new());
                }
                continue;
            }
            if !quoted
                && let Some((field, value)) = text.split_once(':')
                && !field.is_empty()
                && field.chars().all(|c| c.is_ascii_alphabetic())
            {
                if negated {
                    return Err(DomainError::invalid(
                        "query",
                        format!("-{text}: a filter cannot be negated (allowed: {FILTER_FIELDS})"),
                    ));
                }
                filters.set(&field.to_lowercase(), value)?;
                continue;
            }
            let found = terms_of(&text);
            if found.is_empty() {
                continue;
            }
            // A quoted phrase, or unquoted text joined by punctuation (HD-12, e-mail), keeps
            // its words in order; text that only changes script (VPN连接) is separate terms.
            let joined = text
                .chars()
                .any(|c| !c.is_alphanumeric() && c != '_' && c != '*' && !is_cjk(c));
            let terms = if found.len() > 1 && (quoted || joined) {
                vec![QueryTerm::Phrase(found)]
            } else {
                found
            };
            for term in terms {
                if negated {
                    excluded.push(term);
                } else {
                    groups.last_mut().expect("a group").push(term);
                }
            }
        }
        groups.retain(|g| !g.is_empty());
        if groups.is_empty() && !excluded.is_empty() {
            return Err(DomainError::invalid(
                "query",
                "-word only excludes: add a word to search for, or a filter such as status:open",
            ));
        }
        if groups.is_empty() && filters.is_empty() {
            return Err(DomainError::invalid(
                "query",
                format!(
                    "is empty: type words, \"a phrase\", Chinese text, a prefix such as print*, or a filter ({FILTER_FIELDS})"
                ),
            ));
        }
        Ok(SearchQuery {
            groups,
            excluded,
            filters,
        })
    }

    /// Is there text to match (else the query is filters only)?
    pub fn has_text(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The FTS5 MATCH expression for the bigram index (`None` for filters only).
    pub fn fts_expression(&self) -> Option<String> {
        if self.groups.is_empty() {
            return None;
        }
        let group = |g: &Vec<QueryTerm>| {
            g.iter()
                .map(term_expression)
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let positive = if self.groups.len() == 1 {
            group(&self.groups[0])
        } else {
            self.groups
                .iter()
                .map(|g| format!("({})", group(g)))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        if self.excluded.is_empty() {
            return Some(positive);
        }
        let not = self
            .excluded
            .iter()
            .map(term_expression)
            .collect::<Vec<_>>()
            .join(" OR ");
        Some(format!("({positive}) NOT ({not})"))
    }

    /// The literal strings to highlight in results.
    pub fn highlight_terms(&self) -> Vec<String> {
        fn add(t: &QueryTerm, out: &mut Vec<String>) {
            match t {
                QueryTerm::Word { text, .. } => out.push(highlight_stem(text)),
                QueryTerm::Cjk(run) => out.push(run.clone()),
                QueryTerm::Phrase(parts) => parts.iter().for_each(|p| add(p, out)),
            }
        }
        let mut out = Vec::new();
        for g in &self.groups {
            for t in g {
                add(t, &mut out);
            }
        }
        out
    }
}

/// The index stems English words (Porter), so `printers` also matches `printer`; highlight
/// the shared stem by dropping a common inflection.
fn highlight_stem(word: &str) -> String {
    let w = word.to_lowercase();
    for suffix in ["ing", "es", "ed", "s"] {
        if w.len() > suffix.len() + 3
            && w.is_ascii()
            && let Some(stem) = w.strip_suffix(suffix)
        {
            return stem.to_string();
        }
    }
    w
}

fn push_word(word: &mut String, prefix: bool, terms: &mut Vec<QueryTerm>) {
    if !word.is_empty() {
        terms.push(QueryTerm::Word {
            text: std::mem::take(word).to_lowercase(),
            prefix,
        });
    }
}

fn push_cjk(run: &mut String, terms: &mut Vec<QueryTerm>) {
    if !run.is_empty() {
        terms.push(QueryTerm::Cjk(std::mem::take(run)));
    }
}

/// A short excerpt of a text around the first match, with the matched ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The excerpt (with `…` where it was cut).
    pub text: String,
    /// Byte ranges of `text` that matched a term.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The excerpt with every match wrapped in `open`/`close`; other text passed through `escape`.
    pub fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(s, e) in &self.highlights {
            out.push_str(&escape(&self.text[at..s]));
            out.push_str(open);
            out.push_str(&escape(&self.text[s..e]));
            out.push_str(close);
            at = e;
        }
        out.push_str(&escape(&self.text[at..]));
        out
    }

    /// HTML with `<mark>` around matches and everything else escaped.
    pub fn to_html(&self) -> String {
        self.render("<mark>", "</mark>", html_escape)
    }
}

/// Escapes the five HTML special characters.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Finds the terms in `text` (case-insensitive) and cuts an excerpt of about `width`
/// characters around the first match. `None` when no term occurs.
pub fn snippet(text: &str, terms: &[String], width: usize) -> Option<Snippet> {
    // Lower-casing may change byte lengths for some scripts; match on a char-aligned
    // lower-cased copy and map positions back through char indices.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|&(_, c)| c.to_lowercase().next().unwrap_or(c))
        .collect();
    let mut matches: Vec<(usize, usize)> = Vec::new(); // char ranges
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > lower.len() {
            continue;
        }
        let mut i = 0;
        while i + t.len() <= lower.len() {
            if lower[i..i + t.len()] == t[..] {
                // For Latin words, extend to the end of the word (prefix and stem matches).
                let mut end = i + t.len();
                if t.iter().all(|c| !is_cjk(*c)) {
                    while end < lower.len() && lower[end].is_alphanumeric() && !is_cjk(lower[end]) {
                        end += 1;
                    }
                }
                matches.push((i, end));
                i = end;
            } else {
                i += 1;
            }
        }
    }
    if matches.is_empty() {
        return None;
    }
    matches.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for m in matches {
        match merged.last_mut() {
            Some(last) if m.0 <= last.1 => last.1 = last.1.max(m.1),
            _ => merged.push(m),
        }
    }
    let first = merged[0].0;
    let mut start = first.saturating_sub(width / 3);
    let mut end = (start + width).min(chars.len());
    // Cut between words, not inside one (scripts written with spaces).
    let wordy = |i: usize| {
        lower
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() && !is_cjk(*c))
    };
    if start > 0
        && wordy(start)
        && wordy(start - 1)
        && let Some(ws) = (start..first.min(start + 16)).find(|&i| lower[i].is_whitespace())
    {
        start = ws + 1;
    }
    if end < chars.len() && wordy(end) && wordy(end - 1) {
        let floor = merged
            .iter()
            .map(|m| m.1)
            .find(|&e| e > start && e <= end)
            .unwrap_or(start);
        if let Some(ws) = (floor.max(end.saturating_sub(16))..end)
            .rev()
            .find(|&i| lower[i].is_whitespace())
        {
            end = ws;
        }
    }
    let byte = |ci: usize| chars.get(ci).map_or(text.len(), |&(b, _)| b);
    let mut out = String::new();
    let prefix = if start > 0 { "…" } else { "" };
    out.push_str(prefix);
    let body = &text[byte(start)..byte(end)];
    // Flatten line breaks so a snippet is one line.
    let flat: String = body
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    out.push_str(&flat);
    let mut highlights = Vec::new();
    for (s, e) in merged {
        if s >= end || e <= start {
            continue;
        }
        let s = s.max(start);
        let e = e.min(end);
        let off = prefix.len();
        highlights.push((off + byte(s) - byte(start), off + byte(e) - byte(start)));
    }
    if end < chars.len() {
        out.push('…');
    }
    Some(Snippet {
        text: out,
        highlights,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_bigrams() {
        assert_eq!(index_text("公司网络中断"), " 公司 司网 网络 络中 中断 断 ");
        assert_eq!(index_text("VPN连不上 today"), "VPN 连不 不上 上  today");
        assert_eq!(index_text("网"), " 网 ");
        assert_eq!(index_text("printer jam"), "printer jam");
    }

    fn fts(q: &str) -> String {
        SearchQuery::parse(q).unwrap().fts_expression().unwrap()
    }

    #[test]
    fn queries() {
        assert_eq!(fts("网络"), "\"网络\"");
        assert_eq!(fts("打印机"), "\"打印 印机\"");
        assert_eq!(fts("网"), "\"网\"*");
        assert_eq!(fts("print* VPN"), "\"print\"* AND \"vpn\"");
        assert_eq!(fts("VPN连接"), "\"vpn\" AND \"连接\"");
    }

    #[test]
    fn or_phrases_exclusions_and_filters() {
        assert_eq!(fts("vpn OR wifi"), "(\"vpn\") OR (\"wifi\")");
        assert_eq!(
            fts("printer jam OR 卡纸"),
            "(\"printer\" AND \"jam\") OR (\"卡纸\")"
        );
        assert_eq!(fts("\"paper jam\""), "\"paper jam\"");
        assert_eq!(fts("\"三楼打印机\""), "\"三楼 楼打 打印 印机\"");
        assert_eq!(fts("printer -toner"), "(\"printer\") NOT (\"toner\")");
        assert_eq!(fts("HD-12"), "\"hd 12\"");
        let q = SearchQuery::parse(
            "vpn status:open status:in_progress priority:p1 assignee:me tag:VPN created:>2026-01-31 created:<2026-03-01",
        )
        .unwrap();
        assert_eq!(q.fts_expression().unwrap(), "\"vpn\"");
        let f = &q.filters;
        assert_eq!(f.statuses.len(), 2);
        assert_eq!(f.priority, Some(crate::ticket::Priority::P1));
        assert_eq!(f.assignee.as_deref(), Some("me"));
        assert_eq!(f.tags, ["vpn"]);
        assert_eq!(f.created_from, Some(jiff::civil::date(2026, 2, 1)));
        assert_eq!(f.created_before, Some(jiff::civil::date(2026, 3, 1)));
        let q = SearchQuery::parse("tag:onsite org:\"Client Ltd\"").unwrap();
        assert_eq!(q.filters.organization.as_deref(), Some("Client Ltd"));
        // Filters alone list tickets.
        let q = SearchQuery::parse("status:pending_customer").unwrap();
        assert!(q.fts_expression().is_none() && !q.filters.is_empty());
    }

    #[test]
    fn bad_queries_say_what_is_allowed() {
        let e = SearchQuery::parse("colour:red").unwrap_err().to_string();
        assert!(e.contains("status, priority"), "{e}");
        let e = SearchQuery::parse("priority:P9").unwrap_err().to_string();
        assert!(e.contains("P1, P2, P3, P4"), "{e}");
        let e = SearchQuery::parse("created:>yesterday")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2026-01-31"), "{e}");
        assert!(SearchQuery::parse("-toner").is_err());
        assert!(SearchQuery::parse("  *** ()").is_err());
    }

    #[test]
    fn syntax_characters_are_not_interpreted() {
        assert_eq!(
            fts("(b) NEAR c AND d"),
            "\"b\" AND \"near\" AND \"c\" AND \"and\" AND \"d\""
        );
        assert_eq!(fts("\"a\" OR"), "\"a\"");
    }

    #[test]
    fn snippets_highlight_matches() {
        let s = snippet(
            "The printer on floor 3 jams; printers elsewhere fine",
            &["print".into()],
            80,
        )
        .unwrap();
        assert_eq!(
            s.render("[", "]", str::to_string),
            "The [printer] on floor 3 jams; [printers] elsewhere fine"
        );
        let s = snippet("三楼的网络打印机无法打印", &["打印".into()], 80).unwrap();
        assert_eq!(
            s.render("[", "]", str::to_string),
            "三楼的网络[打印]机无法[打印]"
        );
        assert!(snippet("nothing here", &["网络".into()], 80).is_none());
    }

    #[test]
    fn snippet_html_is_escaped() {
        let s = snippet("<script>alert(1)</script> printer", &["printer".into()], 80).unwrap();
        assert_eq!(
            s.to_html(),
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>printer</mark>"
        );
    }

    #[test]
    fn snippets_cut_between_words() {
        let text = "the quick brown fox jumps over the lazy dog near the printer that jams every single morning without fail";
        let s = snippet(text, &["printer".into()], 40).unwrap();
        let body = s.text.trim_matches('…');
        for w in body.split_whitespace() {
            assert!(
                text.split_whitespace().any(|t| t == w),
                "cut word {w:?} in {:?}",
                s.text
            );
        }
        assert!(s.render("[", "]", str::to_string).contains("[printer]"));
    }

    #[test]
    fn long_text_is_cut_around_first_match() {
        let text = format!("{} network down {}", "a ".repeat(100), "b ".repeat(100));
        let s = snippet(&text, &["network".into()], 40).unwrap();
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.render("[", "]", str::to_string).contains("[network]"));
    }
}
