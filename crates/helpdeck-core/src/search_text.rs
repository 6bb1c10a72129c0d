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
    let body = match t.former_number {
        Some(n) => index_text(&format!(
            "{}\n{}",
            t.description,
            crate::ticket::ticket_key(n)
        )),
        None => index_text(&t.description),
    };
    (index_text(&t.title), body)
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
}

/// A parsed search query: the FTS5 expression and the terms to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<QueryTerm>,
}

impl SearchQuery {
    /// Parses what a user typed. Every term must match (AND); `word*` is a prefix search.
    /// FTS5 syntax characters are not interpreted, so any input is safe.
    pub fn parse(input: &str) -> Result<SearchQuery, DomainError> {
        let mut terms = Vec::new();
        let mut word = String::new();
        let mut cjk = String::new();
        let chars: Vec<char> = input.chars().collect();
        for &c in &chars {
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
        if terms.is_empty() {
            return Err(DomainError::invalid(
                "query",
                "is empty: type words, Chinese text or a prefix such as print*",
            ));
        }
        Ok(SearchQuery { terms })
    }

    /// The FTS5 MATCH expression for the bigram index.
    pub fn fts_expression(&self) -> String {
        let mut parts = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match term {
                QueryTerm::Word { text, prefix } => {
                    let mut p = format!("\"{}\"", text.replace('"', ""));
                    if *prefix {
                        p.push('*');
                    }
                    parts.push(p);
                }
                QueryTerm::Cjk(run) => {
                    let chars: Vec<char> = run.chars().collect();
                    if chars.len() == 1 {
                        parts.push(format!("\"{}\"*", chars[0]));
                    } else {
                        let bigrams: Vec<String> =
                            chars.windows(2).map(|w| w.iter().collect()).collect();
                        parts.push(format!("\"{}\"", bigrams.join(" ")));
                    }
                }
            }
        }
        parts.join(" AND ")
    }

    /// The literal strings to highlight in results.
    pub fn highlight_terms(&self) -> Vec<String> {
        self.terms
            .iter()
            .map(|t| match t {
                QueryTerm::Word { text, .. } => highlight_stem(text),
                QueryTerm::Cjk(run) => run.clone(),
            })
            .collect()
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
    let start = first.saturating_sub(width / 3);
    let end = (start + width).min(chars.len());
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

    #[test]
    fn queries() {
        let q = SearchQuery::parse("网络").unwrap();
        assert_eq!(q.fts_expression(), "\"网络\"");
        let q = SearchQuery::parse("打印机").unwrap();
        assert_eq!(q.fts_expression(), "\"打印 印机\"");
        let q = SearchQuery::parse("网").unwrap();
        assert_eq!(q.fts_expression(), "\"网\"*");
        let q = SearchQuery::parse("print* VPN").unwrap();
        assert_eq!(q.fts_expression(), "\"print\"* AND \"vpn\"");
        let q = SearchQuery::parse("VPN连接").unwrap();
        assert_eq!(q.fts_expression(), "\"vpn\" AND \"连接\"");
    }

    #[test]
    fn syntax_characters_are_not_interpreted() {
        let q = SearchQuery::parse("\"a\" OR (b) NEAR -c:d").unwrap();
        assert_eq!(
            q.fts_expression(),
            "\"a\" AND \"or\" AND \"b\" AND \"near\" AND \"c\" AND \"d\""
        );
        assert!(SearchQuery::parse("  *** ()").is_err());
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
