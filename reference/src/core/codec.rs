//! The text codecs the io layer needs (`utf-8`, `ascii`, `latin-1`), with Python's
//! codec registry names (`codecs.lookup`), error handlers (`strict`, `replace`,
//! `ignore`, `backslashreplace`, `xmlcharrefreplace`) and the exact
//! `UnicodeDecodeError` / `UnicodeEncodeError` ranges and reasons CPython's C codecs
//! report (`Objects/unicodeobject.c`: `unicode_decode_utf8`, `ascii_decode`,
//! `unicode_encode_ucs1`).

use super::ExcType;
use super::error::{CodecInput, Error, ErrorArgs};

/// `str(UnicodeEncodeError)`: `'idna' codec can't encode character '\x2e' in position 2:
/// label empty` for one character (`start..end` in characters of `text`), or
/// `... can't encode characters in position 0-63: ...` for a longer range.
pub fn encode_error_message(
    encoding: &str,
    text: &str,
    start: usize,
    end: usize,
    reason: &str,
) -> String {
    match text.chars().nth(start) {
        Some(c) if end == start + 1 => {
            let code = u32::from(c);
            let shown = if code <= 0xff {
                format!("\\x{code:02x}")
            } else if code <= 0xffff {
                format!("\\u{code:04x}")
            } else {
                format!("\\U{code:08x}")
            };
            format!(
                "'{encoding}' codec can't encode character '{shown}' in position {start}: {reason}"
            )
        }
        _ => format!(
            "'{encoding}' codec can't encode characters in position {start}-{}: {reason}",
            end.saturating_sub(1)
        ),
    }
}

/// A codec the reference implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `utf-8`
    Utf8,
    /// `ascii`
    Ascii,
    /// `latin-1` (`iso8859-1`)
    Latin1,
}

impl Codec {
    /// `codecs.lookup(name)`: Python's `encodings.normalize_encoding` (case, spaces and
    /// hyphens) and its aliases; `LookupError("unknown encoding: NAME")` for any other
    /// name. `"locale"` is the locale's encoding, UTF-8 here.
    pub fn lookup(name: &str) -> Result<Codec, Error> {
        let norm: String = name
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect();
        Ok(match norm.as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001" | "locale" => {
                Codec::Utf8
            }
            "ascii" | "us_ascii" | "646" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
            | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us"
            | "iso_646.irv_1991" | "iso_ir_6" | "us" => Codec::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "iso_ir_100" | "iso_8859_1_1987" | "ibm819" | "csisolatin1" => {
                Codec::Latin1
            }
            _ => {
                return Err(Error::new(
                    ExcType::LookupError,
                    format!("unknown encoding: {name}"),
                ));
            }
        })
    }

    /// The name errors show (`codec.name`).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
        }
    }

    fn limit(self) -> u32 {
        match self {
            Codec::Utf8 => 0x11_0000,
            Codec::Ascii => 0x80,
            Codec::Latin1 => 0x100,
        }
    }
}

fn unknown_handler(errors: &str) -> Error {
    Error::new(
        ExcType::LookupError,
        format!("unknown error handler name '{errors}'"),
    )
}

/// Decodes `input` (an incremental decoder's pending bytes plus new input): the text
/// and how many bytes were consumed. Unless `is_final`, an incomplete UTF-8 sequence at
/// the end is left unconsumed (for the next call), as `codecs` incremental decoders do.
pub fn decode(
    codec: Codec,
    input: &[u8],
    errors: &str,
    is_final: bool,
) -> Result<(String, usize), Error> {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let (ch, len) = match codec {
            Codec::Latin1 => (Ok(char::from(input[i])), 1),
            Codec::Ascii if input[i] < 0x80 => (Ok(char::from(input[i])), 1),
            Codec::Ascii => (Err((1, "ordinal not in range(128)")), 1),
            Codec::Utf8 => match utf8_step(&input[i..]) {
                Step::Char(c, n) => (Ok(c), n),
                Step::Incomplete if !is_final => break,
                Step::Incomplete => (Err((input.len() - i, "unexpected end of data")), 0),
                Step::Invalid(n, why) => (Err((n, why)), 0),
            },
        };
        match ch {
            Ok(c) => {
                out.push(c);
                i += len;
            }
            Err((bad, reason)) => {
                let end = i + bad;
                match errors {
                    "strict" => {
                        return Err(Error {
                            ty: ExcType::UnicodeDecodeError,
                            args: ErrorArgs::Codec {
                                encoding: codec.name().to_owned(),
                                object: CodecInput::Bytes(input.to_vec()),
                                start: i,
                                end,
                                reason: reason.to_owned(),
                            },
                        });
                    }
                    "replace" => out.push('\u{fffd}'),
                    "ignore" => {}
                    "backslashreplace" => {
                        for b in &input[i..end] {
                            out.push_str(&format!("\\x{b:02x}"));
                        }
                    }
                    "surrogateescape" | "surrogatepass" => {
                        return Err(Error::not_implemented(&format!(
                            "the {errors} error handler (lone surrogates)"
                        )));
                    }
                    other => return Err(unknown_handler(other)),
                }
                i = end;
            }
        }
    }
    Ok((out, i))
}

enum Step {
    Char(char, usize),
    Incomplete,
    /// Invalid: how many bytes the error covers, and why.
    Invalid(usize, &'static str),
}

/// One UTF-8 sequence at the start of `b`, with CPython's error ranges: an invalid
/// start byte covers 1 byte; an invalid continuation byte covers the valid bytes
/// before it.
fn utf8_step(b: &[u8]) -> Step {
    let first = b[0];
    let (len, lo, hi) = match first {
        0x00..=0x7f => return Step::Char(char::from(first), 1),
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return Step::Invalid(1, "invalid start byte"),
    };
    for k in 1..len {
        let Some(&c) = b.get(k) else {
            return Step::Incomplete;
        };
        let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xbf) };
        if !(l..=h).contains(&c) {
            return Step::Invalid(k, "invalid continuation byte");
        }
    }
    match std::str::from_utf8(&b[..len])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => Step::Char(c, len),
        None => Step::Invalid(1, "invalid start byte"),
    }
}

/// Encodes `text` with the `errors` handler. A strict failure reports the run of
/// consecutive characters the codec cannot encode, as CPython's encoders do.
pub fn encode(codec: Codec, text: &str, errors: &str) -> Result<Vec<u8>, Error> {
    if codec == Codec::Utf8 {
        return Ok(text.as_bytes().to_vec());
    }
    let limit = codec.limit();
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if u32::from(c) < limit {
            out.push(u8::try_from(u32::from(c)).unwrap_or(b'?'));
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && u32::from(chars[end]) >= limit {
            end += 1;
        }
        for &c in &chars[i..end] {
            let code = u32::from(c);
            match errors {
                "strict" => {
                    return Err(Error {
                        ty: ExcType::UnicodeEncodeError,
                        args: ErrorArgs::Codec {
                            encoding: codec.name().to_owned(),
                            object: CodecInput::Str(text.to_owned()),
                            start: i,
                            end,
                            reason: format!("ordinal not in range({limit})"),
                        },
                    });
                }
                "replace" => out.push(b'?'),
                "ignore" => {}
                "xmlcharrefreplace" => out.extend(format!("&#{code};").bytes()),
                "backslashreplace" => out.extend(
                    if code <= 0xff {
                        format!("\\x{code:02x}")
                    } else if code <= 0xffff {
                        format!("\\u{code:04x}")
                    } else {
                        format!("\\U{code:08x}")
                    }
                    .bytes(),
                ),
                other => return Err(unknown_handler(other)),
            }
        }
        i = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("UTF-8", Codec::Utf8)]
    #[case("utf8", Codec::Utf8)]
    #[case("Latin-1", Codec::Latin1)]
    #[case("iso-8859-1", Codec::Latin1)]
    #[case("US-ASCII", Codec::Ascii)]
    fn lookup(#[case] name: &str, #[case] codec: Codec) {
        assert_eq!(Codec::lookup(name).unwrap(), codec);
    }

    #[test]
    fn unknown_encoding() {
        let e = Codec::lookup("no-such-codec").unwrap_err();
        assert_eq!(e.ty, ExcType::LookupError);
        assert_eq!(e.message(), "unknown encoding: no-such-codec");
    }

    #[rstest]
    #[case(
        Codec::Ascii,
        b"a\xffb",
        "'ascii' codec can't decode byte 0xff in position 1: ordinal not in range(128)"
    )]
    #[case(
        Codec::Utf8,
        b"\xff",
        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
    )]
    #[case(
        Codec::Utf8,
        b"x\xe2\x82X",
        "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
    )]
    #[case(
        Codec::Utf8,
        b"\xe2X",
        "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"
    )]
    #[case(
        Codec::Utf8,
        b"ab\xe2\x82",
        "'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
    )]
    #[case(
        Codec::Utf8,
        b"\xed\xa0\x80",
        "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"
    )]
    fn decode_errors(#[case] codec: Codec, #[case] input: &[u8], #[case] message: &str) {
        let e = decode(codec, input, "strict", true).unwrap_err();
        assert_eq!(e.ty, ExcType::UnicodeDecodeError);
        assert_eq!(e.message(), message);
    }

    #[test]
    fn incremental_utf8_keeps_the_tail() {
        assert_eq!(
            decode(Codec::Utf8, b"h\xc3", "strict", false).unwrap(),
            ("h".to_owned(), 1)
        );
        assert_eq!(
            decode(Codec::Utf8, b"a\xffb", "replace", true).unwrap(),
            ("a\u{fffd}b".to_owned(), 3)
        );
        assert_eq!(
            decode(Codec::Ascii, b"a\xffb", "backslashreplace", true)
                .unwrap()
                .0,
            "a\\xffb"
        );
    }

    #[rstest]
    #[case("é", "xmlcharrefreplace", b"&#233;")]
    #[case("é", "replace", b"?")]
    #[case("aé", "ignore", b"a")]
    #[case("é€", "backslashreplace", b"\\xe9\\u20ac")]
    fn encode_handlers(#[case] text: &str, #[case] errors: &str, #[case] out: &[u8]) {
        assert_eq!(encode(Codec::Ascii, text, errors).unwrap(), out);
    }

    #[test]
    fn encode_strict_reports_the_run() {
        let e = encode(Codec::Latin1, "a€€b", "strict").unwrap_err();
        let ErrorArgs::Codec {
            start, end, reason, ..
        } = e.args
        else {
            panic!("not a codec error");
        };
        assert_eq!(
            (start, end, reason.as_str()),
            (1, 3, "ordinal not in range(256)")
        );
        assert!(encode(Codec::Ascii, "é", "nope").is_err());
    }

    proptest! {
        #[test]
        fn utf8_round_trips_in_any_split(text in "\\PC{0,40}", cut in 0usize..200) {
            let bytes = text.as_bytes();
            let cut = cut.min(bytes.len());
            let (head, used) = decode(Codec::Utf8, &bytes[..cut], "strict", false).unwrap();
            let mut rest = bytes[used..cut].to_vec();
            rest.extend_from_slice(&bytes[cut..]);
            let (tail, _) = decode(Codec::Utf8, &rest, "strict", true).unwrap();
            prop_assert_eq!(head + &tail, text);
        }
    }
}
