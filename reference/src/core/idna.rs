//! Python's `idna` codec (`encodings/idna.py`, IDNA 2003: RFC 3490 ToASCII with the
//! nameprep profile of RFC 3491 and punycode, RFC 3492), which CPython applies to a
//! non-ASCII `str` host before resolving it (`idna_converter`, `getaddrinfo`).
//!
//! The steps and the error positions are those of CPython 3.13's codec: the host is
//! split at the four IDNA dots (`.`, U+3002, U+FF0E, U+FF61), a trailing empty label
//! is kept as a trailing `.`, and each label goes through ToASCII; a failure becomes a
//! [`IdnaError`] whose `start..end` are code-point offsets into the whole host, as the
//! codec's `UnicodeEncodeError` has them.
//!
//! Nameprep is implemented from the RFC's tables with two approximations, documented in
//! the reference's README: case folding (table B.2) is Unicode's lower-case mapping
//! (plus `ß` → `ss`, final sigma, and NFKC), and the bidirectional classes of tables
//! D.1 / D.2 are taken by script range (Hebrew, Arabic, Syriac, Thaana, N'Ko and their
//! presentation forms are right-to-left; other letters left-to-right). NFKC is the
//! current Unicode version's (`unicode-normalization`), not Unicode 3.2's.

use unicode_normalization::UnicodeNormalization;

/// Why the codec refused a host: `UnicodeEncodeError("idna", host, start, end, reason)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdnaError {
    /// First code point of the offending range, in the whole host.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
    /// The codec's reason.
    pub reason: Reason,
}

/// The reasons the codec gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `"label empty"`
    LabelEmpty,
    /// `"label too long"`
    LabelTooLong,
    /// `"Invalid character 'x'"` (a nameprep-prohibited code point; the text shows its
    /// `repr()`)
    InvalidCharacter(char),
    /// `Reason::Bidi(2)` / `"… 3"`
    Bidi(u8),
    /// `Reason::AcePrefix`
    AcePrefix,
}

impl Reason {
    /// The reason's text; `char_repr` gives Python's `repr()` of a one-character `str`.
    pub fn text(&self, char_repr: impl Fn(char) -> String) -> String {
        match self {
            Reason::LabelEmpty => "label empty".to_owned(),
            Reason::LabelTooLong => "label too long".to_owned(),
            Reason::InvalidCharacter(c) => format!("Invalid character {}", char_repr(*c)),
            Reason::Bidi(n) => format!("Violation of BIDI requirement {n}"),
            Reason::AcePrefix => "Label starts with ACE prefix".to_owned(),
        }
    }
}

impl IdnaError {
    fn new(start: usize, end: usize, reason: Reason) -> IdnaError {
        IdnaError { start, end, reason }
    }

    /// `str(UnicodeEncodeError)` for this error on `host`: `'idna' codec can't encode
    /// character '\x2e' in position 2: label empty`; `char_repr` as for
    /// [`Reason::text`].
    pub fn message(&self, host: &str, char_repr: impl Fn(char) -> String) -> String {
        let reason = self.reason.text(char_repr);
        super::codec::encode_error_message("idna", host, self.start, self.end, &reason)
    }
}

/// The IDNA label separators (RFC 3490 section 3.1).
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{ff0e}' | '\u{ff61}')
}

/// `host.encode("idna")`.
pub fn encode(host: &str) -> Result<Vec<u8>, IdnaError> {
    if host.is_empty() {
        return Ok(Vec::new());
    }
    if host.is_ascii() {
        // The codec's fast path: only the lengths are checked.
        let labels: Vec<&str> = host.split('.').collect();
        let mut offset = 0;
        for (i, label) in labels.iter().enumerate() {
            if label.is_empty() && i + 1 < labels.len() {
                return Err(IdnaError::new(offset, offset + 1, Reason::LabelEmpty));
            }
            offset += label.len() + 1;
        }
        let mut offset = 0;
        for label in &labels {
            if label.len() >= 64 {
                return Err(IdnaError::new(
                    offset,
                    offset + label.len(),
                    Reason::LabelTooLong,
                ));
            }
            offset += label.len() + 1;
        }
        return Ok(host.as_bytes().to_vec());
    }
    let mut labels: Vec<Vec<char>> = vec![Vec::new()];
    for c in host.chars() {
        if is_dot(c) {
            labels.push(Vec::new());
        } else if let Some(last) = labels.last_mut() {
            last.push(c);
        }
    }
    let trailing_dot = labels.last().is_some_and(Vec::is_empty);
    if trailing_dot {
        labels.pop();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for label in &labels {
        if !out.is_empty() {
            out.push(b'.');
        }
        let encoded = to_ascii(label)
            .map_err(|e| IdnaError::new(offset + e.start, offset + e.end, e.reason))?;
        out.extend(encoded);
        offset += label.len() + 1;
    }
    if trailing_dot {
        out.push(b'.');
    }
    Ok(out)
}

/// RFC 3490 ToASCII of one label (`AllowUnassigned`, not `UseSTD3ASCIIRules`), with
/// offsets relative to the label.
fn to_ascii(label: &[char]) -> Result<Vec<u8>, IdnaError> {
    let length_checked = |label: &[char]| -> Result<Vec<u8>, IdnaError> {
        if (1..64).contains(&label.len()) {
            return Ok(label.iter().map(|&c| c as u8).collect());
        }
        if label.is_empty() {
            Err(IdnaError::new(0, 1, Reason::LabelEmpty))
        } else {
            Err(IdnaError::new(0, label.len(), Reason::LabelTooLong))
        }
    };
    if label.iter().all(char::is_ascii) {
        return length_checked(label);
    }
    let label = nameprep(label)?;
    if label.iter().all(char::is_ascii) {
        return length_checked(&label);
    }
    let lower: String = label.iter().take(4).collect::<String>().to_lowercase();
    if lower == "xn--" {
        return Err(IdnaError::new(0, 4, Reason::AcePrefix));
    }
    let mut ascii = b"xn--".to_vec();
    ascii.extend(punycode(&label));
    if ascii.len() < 64 {
        Ok(ascii)
    } else {
        Err(IdnaError::new(0, label.len(), Reason::LabelTooLong))
    }
}

/// RFC 3454 table B.1: code points mapped to nothing.
fn in_b1(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{1806}' | '\u{180b}'..='\u{180d}' | '\u{200b}'..='\u{200d}'
        | '\u{2060}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
}

/// Tables C.1.2, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9: prohibited output.
fn prohibited(c: char) -> bool {
    let code = u32::from(c);
    matches!(c,
        // C.1.2 non-ASCII space
        '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        // C.2.2 non-ASCII control
        | '\u{80}'..='\u{9f}' | '\u{6dd}' | '\u{70f}' | '\u{180e}' | '\u{200c}' | '\u{200d}'
        | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2063}' | '\u{206a}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffc}' | '\u{1d173}'..='\u{1d17a}'
        // C.3 private use
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}'
        // C.4 non-character code points (with those of every plane, below)
        | '\u{fdd0}'..='\u{fdef}'
        // C.6 inappropriate for plain text
        | '\u{fffd}'
        // C.7 inappropriate for canonical representation
        | '\u{2ff0}'..='\u{2ffb}'
        // C.8 change display properties or deprecated
        | '\u{340}' | '\u{341}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
        // C.9 tagging characters
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
        || code & 0xfffe == 0xfffe
}

/// Table D.1 (bidirectional class R or AL), by script range.
fn is_rand_al(c: char) -> bool {
    matches!(c,
        '\u{5be}' | '\u{5c0}' | '\u{5c3}' | '\u{5d0}'..='\u{5f4}' | '\u{608}' | '\u{60b}'
        | '\u{60d}' | '\u{61b}'..='\u{64a}' | '\u{66d}'..='\u{66f}' | '\u{671}'..='\u{6d5}'
        | '\u{6e5}' | '\u{6e6}' | '\u{6ee}'..='\u{6ef}' | '\u{6fa}'..='\u{70d}' | '\u{710}'
        | '\u{712}'..='\u{72f}' | '\u{74d}'..='\u{7a5}' | '\u{7b1}' | '\u{7c0}'..='\u{7ea}'
        | '\u{fb1d}' | '\u{fb1f}'..='\u{fb28}' | '\u{fb2a}'..='\u{fd3d}' | '\u{fd50}'..='\u{fdfc}'
        | '\u{fe70}'..='\u{fefc}')
}

/// Table D.2 (bidirectional class L): letters and marks that are not right-to-left.
fn is_l(c: char) -> bool {
    c.is_alphabetic() && !is_rand_al(c)
}

/// RFC 3491 nameprep: map (B.1, B.2), normalise (NFKC), prohibit (C.*), check bidi.
fn nameprep(label: &[char]) -> Result<Vec<char>, IdnaError> {
    let mut mapped = String::new();
    for &c in label {
        if in_b1(c) {
            continue;
        }
        match c {
            'ß' => mapped.push_str("ss"),
            'ς' => mapped.push('σ'),
            c => mapped.extend(c.to_lowercase()),
        }
    }
    let label: Vec<char> = mapped.nfkc().collect();
    for (i, &c) in label.iter().enumerate() {
        if prohibited(c) {
            return Err(IdnaError::new(i, i + 1, Reason::InvalidCharacter(c)));
        }
    }
    if label.iter().any(|&c| is_rand_al(c)) {
        if let Some(i) = label.iter().position(|&c| is_l(c)) {
            return Err(IdnaError::new(i, i + 1, Reason::Bidi(2)));
        }
        if !label.first().is_some_and(|&c| is_rand_al(c)) {
            return Err(IdnaError::new(0, 1, Reason::Bidi(3)));
        }
        if !label.last().is_some_and(|&c| is_rand_al(c)) {
            let n = label.len();
            return Err(IdnaError::new(n - 1, n, Reason::Bidi(3)));
        }
    }
    Ok(label)
}

/// RFC 3492 punycode encoding of a label (without the ACE prefix).
fn punycode(input: &[char]) -> Vec<u8> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> u8 {
        if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        }
    }
    let mut out: Vec<u8> = input
        .iter()
        .filter(|c| c.is_ascii())
        .map(|&c| c as u8)
        .collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push(b'-');
    }
    let mut n: u32 = 0x80;
    let mut delta: u32 = 0;
    let mut bias: u32 = 72;
    let mut handled = basic;
    let total = input.len() as u32;
    while handled < total {
        let m = input
            .iter()
            .map(|&c| u32::from(c))
            .filter(|&c| c >= n)
            .min()
            .unwrap_or(n);
        delta = delta.wrapping_add((m - n).wrapping_mul(handled + 1));
        n = m;
        for &c in input {
            let c = u32::from(c);
            if c < n {
                delta = delta.wrapping_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.wrapping_add(1);
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// `repr()` of a one-character `str`, as far as these tests need it.
    fn repr(c: char) -> String {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{e0001}') {
            let code = u32::from(c);
            if code <= 0xffff {
                format!("'\\u{code:04x}'")
            } else {
                format!("'\\U{code:08x}'")
            }
        } else {
            format!("'{c}'")
        }
    }

    /// Results of `host.encode("idna")` on CPython 3.13.
    #[rstest]
    #[case("１２７.０.０.１", "127.0.0.1")]
    #[case("127\u{3002}0\u{3002}0\u{3002}1", "127.0.0.1")]
    #[case("ß.x", "ss.x")]
    #[case("é\u{3002}", "xn--9ca.")]
    #[case("é.", "xn--9ca.")]
    #[case("x\0é", "xn--x\0-cja")]
    #[case("ab\u{301}", "xn--ab-9tb")]
    #[case("AÉ", "xn--a-bga")]
    #[case("bücher.example", "xn--bcher-kva.example")]
    #[case("münchen", "xn--mnchen-3ya")]
    #[case("例え", "xn--r8jz45g")]
    fn encodes(#[case] host: &str, #[case] expected: &str) {
        assert_eq!(encode(host), Ok(expected.as_bytes().to_vec()));
    }

    /// `str()` of the `UnicodeEncodeError` CPython 3.13 raises.
    #[rstest]
    #[case(
        "é..x",
        "'idna' codec can't encode character '\\x2e' in position 2: label empty"
    )]
    #[case(
        "\u{200b}",
        "'idna' codec can't encode character '\\u200b' in position 0: label empty"
    )]
    #[case(
        ".é",
        "'idna' codec can't encode character '\\x2e' in position 0: label empty"
    )]
    #[case(
        "\u{fffd}",
        "'idna' codec can't encode character '\\ufffd' in position 0: Invalid character '\u{fffd}'"
    )]
    #[case(
        "\u{2028}",
        "'idna' codec can't encode character '\\u2028' in position 0: Invalid character '\\u2028'"
    )]
    #[case(
        "\u{e0001}",
        "'idna' codec can't encode character '\\U000e0001' in position 0: Invalid character '\\U000e0001'"
    )]
    fn fails(#[case] host: &str, #[case] message: &str) {
        assert_eq!(encode(host).unwrap_err().message(host, repr), message);
    }

    #[test]
    fn long_labels() {
        let host = format!("{}.é", "a".repeat(64));
        assert_eq!(
            encode(&host).unwrap_err().message(&host, repr),
            "'idna' codec can't encode characters in position 0-63: label too long"
        );
        let host = format!("é.{}", "a".repeat(64));
        assert_eq!(
            encode(&host).unwrap_err().message(&host, repr),
            "'idna' codec can't encode characters in position 2-65: label too long"
        );
        let host = "é".repeat(70);
        assert_eq!(
            encode(&host).unwrap_err().message(&host, repr),
            "'idna' codec can't encode characters in position 0-69: label too long"
        );
    }
}
