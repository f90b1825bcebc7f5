//! Python version ranges (`python: ">=3.7,<3.12"`) and platform tags, as cases state them.

use std::fmt;
use std::str::FromStr;

/// A Python version: `3.11.7`, or `3.15` when the patch level is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
}

impl FromStr for PyVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a version like 3.10 or 3.11.7");
        // Interpreters may report "3.13.0rc1" or "3.12.1+": keep the leading numbers.
        let parts: Vec<&str> = s.trim().split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let num = |p: &str| -> Result<u32, String> {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().map_err(|_| bad())
        };
        Ok(PyVersion {
            major: num(parts[0])?,
            minor: num(parts[1])?,
            patch: parts.get(2).map(|p| num(p)).transpose()?,
        })
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "{}.{}.{}", self.major, self.minor, p),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

/// A conjunction of comparisons. A bound written `X.Y` compares only major and minor, so
/// `==3.10` holds for 3.10.13 and `<=3.10` for every 3.10.x.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq {
    text: String,
    clauses: Vec<(Op, PyVersion)>,
}

impl FromStr for VersionReq {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut clauses = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
            ]
            .iter()
            .find_map(|(p, op)| part.strip_prefix(p).map(|r| (*op, r)))
            .ok_or_else(|| {
                format!("`{part}` must start with one of >=, >, <=, <, ==, != (e.g. \">=3.10\")")
            })?;
            clauses.push((op, rest.trim().parse()?));
        }
        Ok(VersionReq {
            text: s.to_owned(),
            clauses,
        })
    }
}

impl VersionReq {
    /// The versions its comparisons name, in the order written (`">=3.7,<3.12"` → 3.7, 3.12).
    pub fn bounds(&self) -> impl Iterator<Item = PyVersion> + '_ {
        self.clauses.iter().map(|&(_, v)| v)
    }

    pub fn matches(&self, v: PyVersion) -> bool {
        self.clauses.iter().all(|(op, bound)| {
            let have = (v.major, v.minor, bound.patch.map(|_| v.patch.unwrap_or(0)));
            let want = (bound.major, bound.minor, bound.patch);
            match op {
                Op::Ge => have >= want,
                Op::Gt => have > want,
                Op::Le => have <= want,
                Op::Lt => have < want,
                Op::Eq => have == want,
                Op::Ne => have != want,
            }
        })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// True when `wanted` is absent, or one of its entries holds: an entry is a tag
/// (`linux`) or tags joined by `+` that must all be among the backend's
/// (`linux+little-endian`).
pub fn platforms_match(wanted: Option<&[String]>, have: &[String]) -> bool {
    wanted.is_none_or(|w| {
        w.iter()
            .any(|entry| entry.split('+').all(|t| have.iter().any(|h| h == t)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(">=3.10", "3.10.13", true)]
    #[case(">=3.10", "3.9.18", false)]
    #[case("<3.10", "3.9.18", true)]
    #[case("<3.10", "3.10.0", false)]
    #[case("==3.10", "3.10.13", true)]
    #[case("<=3.10", "3.10.13", true)]
    #[case(">3.10", "3.10.13", false)]
    #[case(">=3.7,<3.12", "3.11.7", true)]
    #[case(">=3.7,<3.12", "3.12.1", false)]
    #[case(">=3.11.4", "3.11.3", false)]
    #[case(">=3.11.4", "3.11.7", true)]
    #[case("!=3.8", "3.8.18", false)]
    #[case(">=3.14", "3.15", true)]
    fn ranges(#[case] req: &str, #[case] v: &str, #[case] holds: bool) {
        let req: VersionReq = req.parse().unwrap();
        assert_eq!(req.matches(v.parse().unwrap()), holds, "{req} vs {v}");
    }

    #[rstest]
    #[case("3.10")]
    #[case("=>3.10")]
    #[case(">=three")]
    #[case(">=3")]
    fn bad_ranges_are_rejected(#[case] req: &str) {
        assert!(req.parse::<VersionReq>().is_err());
    }

    #[rstest]
    #[case(&["linux"], true)]
    #[case(&["macos", "linux"], true)]
    #[case(&["linux+little-endian"], true)]
    #[case(&["linux+big-endian"], false)]
    #[case(&["windows", "linux+x86_64"], true)]
    fn platform_entries(#[case] wanted: &[&str], #[case] holds: bool) {
        let have = ["linux", "little-endian", "x86_64"].map(String::from);
        let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        assert_eq!(platforms_match(Some(&wanted), &have), holds);
    }

    #[test]
    fn bounds_are_the_versions_compared_with() {
        let req: VersionReq = ">=3.7, <3.12.1".parse().unwrap();
        let bounds: Vec<String> = req.bounds().map(|v| v.to_string()).collect();
        assert_eq!(bounds, ["3.7", "3.12.1"]);
    }

    #[test]
    fn odd_version_suffixes_parse() {
        let v: PyVersion = "3.13.0rc1".parse().unwrap();
        assert_eq!(v.to_string(), "3.13.0");
    }
}
