//! Command palette helpers: keyboard shortcuts and fuzzy matching.

/// A parsed shortcut such as `mod+shift+k`, rendered once per platform
/// style at load time.
#[derive(Debug, Clone, PartialEq, Eq, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Shortcut {
    /// `⌘⇧K` style (macOS, iOS).
    pub mac: String,
    /// `Ctrl+Shift+K` style (everything else).
    pub other: String,
}

impl Shortcut {
    #[cfg(feature = "authoring")]
    /// Parses `modifier+...+key`. Modifiers: `mod` (⌘ on Apple platforms,
    /// Ctrl elsewhere), `ctrl`, `alt`, `shift`. The key is one letter, digit
    /// or punctuation character, or a named key (`enter`, `escape`, `up`...).
    pub fn parse(text: &str) -> Result<Shortcut, &'static str> {
        let parts: Vec<&str> = text.split('+').collect();
        let Some((key, modifiers)) = parts.split_last() else {
            return Err("a shortcut is modifiers and a key joined by `+`");
        };
        let mut mac = String::new();
        let mut other = String::new();
        let mut seen: Vec<&str> = Vec::new();
        for m in modifiers {
            let (symbol, word) = match *m {
                "mod" => ("⌘", "Ctrl"),
                "ctrl" => ("⌃", "Ctrl"),
                "alt" => ("⌥", "Alt"),
                "shift" => ("⇧", "Shift"),
                _ => return Err("modifiers are `mod`, `ctrl`, `alt` and `shift`"),
            };
            if seen.contains(&word) {
                return Err("a modifier appears twice");
            }
            seen.push(word);
            mac.push_str(symbol);
            other.push_str(word);
            other.push('+');
        }
        let named = match *key {
            "enter" => Some(("↩", "Enter")),
            "escape" => Some(("⎋", "Esc")),
            "up" => Some(("↑", "Up")),
            "down" => Some(("↓", "Down")),
            "left" => Some(("←", "Left")),
            "right" => Some(("→", "Right")),
            "space" => Some(("Space", "Space")),
            "backspace" => Some(("⌫", "Backspace")),
            "tab" => Some(("⇥", "Tab")),
            _ => None,
        };
        match named {
            Some((symbol, word)) => {
                mac.push_str(symbol);
                other.push_str(word);
            }
            None => {
                let mut chars = key.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_graphic() && c != '+' => {
                        let upper = c.to_ascii_uppercase();
                        mac.push(upper);
                        other.push(upper);
                    }
                    _ => return Err("the key is one printable character or a named key"),
                }
            }
        }
        Ok(Shortcut { mac, other })
    }
}

/// Fuzzy match of one query word against one candidate text. `None` when
/// the word does not match. Higher is better. `scattered` allows the last
/// kind of match below (labels allow it; keywords, which are exact
/// alternative names, do not: "sso" should not find "salesforce").
///
/// Scores (per word): the whole text 1000; a prefix of the text 800; a
/// prefix of a word in the text 600; a substring 400; otherwise an
/// in-order subsequence scored from 100 up, with bonuses for consecutive
/// characters and word starts. Shorter texts win ties of kind.
fn score_text(word: &str, text: &str, scattered: bool) -> Option<u32> {
    let len_penalty = (text.len().min(99)) as u32;
    if text.eq_ignore_ascii_case(word) {
        return Some(1000);
    }
    if starts_with_ci(text, word) {
        return Some(800 - len_penalty);
    }
    let mut best_sub: Option<u32> = None;
    for (i, _) in text.char_indices() {
        let rest = text.get(i..).unwrap_or_default();
        if starts_with_ci(rest, word) {
            let at_word = i == 0
                || text
                    .get(..i)
                    .and_then(|b| b.chars().next_back())
                    .is_some_and(|c| !c.is_alphanumeric());
            let s = (if at_word { 600 } else { 400 }) - len_penalty;
            best_sub = Some(best_sub.map_or(s, |b| b.max(s)));
            if at_word {
                break;
            }
        }
    }
    if best_sub.is_some() || !scattered {
        return best_sub;
    }
    // Subsequence, starting at a word start: "cnt" finds "Contacts", but
    // "acc" does not find "Create contact" through scattered letters.
    let first = word.chars().next()?;
    let mut prev_char: Option<char> = None;
    let mut start = None;
    for (i, c) in text.char_indices() {
        if chars_eq(c, first) && prev_char.is_none_or(|p| !p.is_alphanumeric()) {
            start = Some(i);
            break;
        }
        prev_char = Some(c);
    }
    let rest = text.get(start?..).unwrap_or_default();
    let mut score = 100u32;
    let mut wanted = word.chars().peekable();
    let mut prev_matched = false;
    for c in rest.chars() {
        let Some(&w) = wanted.peek() else { break };
        if chars_eq(c, w) {
            let word_start = prev_char.is_none_or(|p| !p.is_alphanumeric());
            score += 1 + u32::from(prev_matched) * 5 + u32::from(word_start) * 10;
            wanted.next();
            prev_matched = true;
        } else {
            prev_matched = false;
        }
        prev_char = Some(c);
    }
    if wanted.peek().is_some() {
        return None;
    }
    Some(score.saturating_sub(len_penalty).max(1))
}

fn chars_eq(a: char, b: char) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b))
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    let mut t = text.chars();
    prefix
        .chars()
        .all(|p| t.next().is_some_and(|c| chars_eq(c, p)))
}

/// Score of a palette entry for a query: every whitespace-separated word of
/// the query must match the label or a keyword (keywords without scattered
/// letters); the entry's score is the sum
/// of each word's best match (keyword matches count 80 %). An empty query
/// matches everything with score 0.
pub(crate) fn score(query: &str, label: &str, keywords: &[String]) -> Option<u32> {
    let mut total = 0u32;
    for word in query.split_whitespace() {
        let in_label = score_text(word, label, true);
        let in_keywords = keywords
            .iter()
            .filter_map(|k| score_text(word, k, false))
            .max()
            .map(|s| s * 4 / 5);
        total += in_label.into_iter().chain(in_keywords).max()?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_render_per_platform() {
        let s = Shortcut::parse("mod+shift+k").unwrap();
        assert_eq!(s.mac, "⌘⇧K");
        assert_eq!(s.other, "Ctrl+Shift+K");
        let s = Shortcut::parse("mod+,").unwrap();
        assert_eq!((s.mac.as_str(), s.other.as_str()), ("⌘,", "Ctrl+,"));
        for bad in ["", "mod+", "hyper+k", "mod+mod+k", "mod+kk"] {
            assert!(Shortcut::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn better_matches_score_higher() {
        let none: Vec<String> = vec![];
        let exact = score("accounts", "Accounts", &none).unwrap();
        let prefix = score("acc", "Accounts", &none).unwrap();
        let word = score("acc", "Create account", &none).unwrap();
        let sub = score("cnt", "Contacts", &none).unwrap();
        assert!(
            exact > prefix && prefix > word && word > sub,
            "{exact} {prefix} {word} {sub}"
        );
        assert_eq!(score("xyz", "Contacts", &none), None);
        assert_eq!(score("acc", "Create contact", &none), None);
        assert_eq!(score("", "Contacts", &none), Some(0));
    }

    #[test]
    fn every_word_must_match() {
        let kw = vec!["people".to_string()];
        assert!(score("create con", "Create contact", &kw).is_some());
        assert!(score("create zzz", "Create contact", &kw).is_none());
        assert!(score("peop", "Contacts", &kw).is_some());
        assert!(score("pepl", "Contacts", &kw).is_none());
        assert!(score("cnt", "Contacts", &kw).is_some());
    }
}
