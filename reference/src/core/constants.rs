//! The `socket` module's integer constants on this platform, and the four enum classes
//! that group some of them: `socket.AddressFamily` (`AF_*`), `socket.SocketKind`
//! (`SOCK_*`), `socket.MsgFlag` (`MSG_*`) and `socket.AddressInfo` (`AI_*`).
//!
//! Values come from [`crate::sys::constants`]. Membership follows CPython's `socket.py`,
//! which converts every module constant whose name is upper case (`str.isupper`) and
//! starts with the class's prefix (`IntEnum._convert_` / `IntFlag._convert_`); so
//! `AF_DECnet` stays a plain int. Members are ordered by value, then name; of several
//! names with one value the first is the member and the others are aliases of it
//! (`socket.AF_ROUTE` *is* `AddressFamily.AF_NETLINK` on Linux).

use std::sync::OnceLock;

use crate::sys;

/// One of the `socket` module's `IntEnum` / `IntFlag` classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumClass {
    /// `socket.AddressFamily` (`IntEnum`): the `AF_*` constants.
    AddressFamily,
    /// `socket.SocketKind` (`IntEnum`): the `SOCK_*` constants.
    SocketKind,
    /// `socket.MsgFlag` (`IntFlag`): the `MSG_*` constants.
    MsgFlag,
    /// `socket.AddressInfo` (`IntFlag`): the `AI_*` constants.
    AddressInfo,
}

impl EnumClass {
    /// All four classes.
    pub const ALL: [EnumClass; 4] = [
        EnumClass::AddressFamily,
        EnumClass::SocketKind,
        EnumClass::MsgFlag,
        EnumClass::AddressInfo,
    ];

    /// The class's `__name__`: `"AddressFamily"`.
    pub fn short_name(self) -> &'static str {
        match self {
            EnumClass::AddressFamily => "AddressFamily",
            EnumClass::SocketKind => "SocketKind",
            EnumClass::MsgFlag => "MsgFlag",
            EnumClass::AddressInfo => "AddressInfo",
        }
    }

    /// The qualified type name: `"socket.AddressFamily"`.
    pub fn name(self) -> String {
        format!("socket.{}", self.short_name())
    }

    /// The name prefix of its members: `"AF_"`.
    pub fn prefix(self) -> &'static str {
        match self {
            EnumClass::AddressFamily => "AF_",
            EnumClass::SocketKind => "SOCK_",
            EnumClass::MsgFlag => "MSG_",
            EnumClass::AddressInfo => "AI_",
        }
    }

    /// Whether it is an `IntFlag` (its values combine with `|`) rather than an `IntEnum`.
    pub fn is_flag(self) -> bool {
        matches!(self, EnumClass::MsgFlag | EnumClass::AddressInfo)
    }

    /// The method resolution order as type names.
    pub fn mro(self) -> Vec<String> {
        let mut mro = vec![self.name()];
        let rest: &[&str] = if self.is_flag() {
            &[
                "enum.IntFlag",
                "int",
                "enum.ReprEnum",
                "enum.Flag",
                "enum.Enum",
                "object",
            ]
        } else {
            &[
                "enum.IntEnum",
                "int",
                "enum.ReprEnum",
                "enum.Enum",
                "object",
            ]
        };
        mro.extend(rest.iter().map(|s| (*s).to_owned()));
        mro
    }

    /// The class a constant name belongs to, by CPython's rule (upper case + prefix).
    pub fn for_name(name: &str) -> Option<EnumClass> {
        let upper = name.chars().any(char::is_alphabetic) && !name.chars().any(char::is_lowercase);
        if !upper {
            return None;
        }
        EnumClass::ALL
            .into_iter()
            .find(|class| name.starts_with(class.prefix()))
    }

    /// The class with this type name (`"socket.AddressFamily"`).
    pub fn from_name(name: &str) -> Option<EnumClass> {
        EnumClass::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The canonical members `(name, value)`, in definition order (by value, then name),
    /// aliases left out.
    pub fn members(self) -> &'static [(&'static str, i64)] {
        static MEMBERS: OnceLock<Vec<Vec<(&'static str, i64)>>> = OnceLock::new();
        let all = MEMBERS.get_or_init(|| {
            EnumClass::ALL
                .into_iter()
                .map(|class| {
                    let mut m: Vec<(&'static str, i64)> = all()
                        .iter()
                        .filter(|c| c.class == Some(class))
                        .map(|c| (c.name, c.value))
                        .collect();
                    m.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
                    m.dedup_by_key(|e| e.1);
                    m
                })
                .collect()
        });
        let index = EnumClass::ALL
            .iter()
            .position(|&c| c == self)
            .unwrap_or_default();
        &all[index]
    }

    /// The canonical member with this value.
    pub fn member_by_value(self, value: i64) -> Option<&'static str> {
        self.members()
            .iter()
            .find(|&&(_, v)| v == value)
            .map(|&(n, _)| n)
    }

    /// The member a name (canonical or alias) refers to: `(canonical name, value)`.
    pub fn member_by_name(self, name: &str) -> Option<(&'static str, i64)> {
        let constant = lookup(name).filter(|c| c.class == Some(self))?;
        Some((self.member_by_value(constant.value)?, constant.value))
    }

    /// The name of a flag value as `IntFlag` builds it: the members covering its bits in
    /// definition order joined with `|`, then any remaining bits as a decimal number
    /// (`MSG_OOB|MSG_PEEK`, `MSG_OOB|1048576`); `None` for 0 or when no member bit is set.
    pub fn flag_name(self, value: i64) -> Option<String> {
        if let Some(name) = self.member_by_value(value) {
            return Some(name.to_owned());
        }
        let mut parts = Vec::new();
        let mut covered = 0i64;
        for &(name, bit) in self.members() {
            if bit > 0 && bit.count_ones() == 1 && value & bit == bit {
                parts.push(name.to_owned());
                covered |= bit;
            }
        }
        if parts.is_empty() {
            return None;
        }
        let rest = value & !covered;
        if rest != 0 {
            parts.push(rest.to_string());
        }
        Some(parts.join("|"))
    }

    /// `2**n - 1` for the highest member bit: the mask `IntFlag` uses to bring a negative
    /// value into range.
    pub fn all_bits(self) -> i64 {
        let max = self.members().iter().map(|&(_, v)| v).max().unwrap_or(0);
        let bits = 64 - max.leading_zeros();
        if bits >= 63 {
            i64::MAX
        } else {
            (1i64 << bits) - 1
        }
    }
}

/// `socket.has_ipv6`: whether this platform supports IPv6 (CPython's build-time
/// `ENABLE_IPV6`).
pub const HAS_IPV6: bool = sys::HAS_IPV6;

/// One integer constant of the `socket` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constant {
    /// Its name, e.g. `"AF_INET"`.
    pub name: &'static str,
    /// Its value on this platform.
    pub value: i64,
    /// The enum class it is a member (or alias) of, if any.
    pub class: Option<EnumClass>,
}

/// Every integer constant of the `socket` module on this platform, in the OS layer's
/// order.
pub fn all() -> &'static [Constant] {
    static TABLE: OnceLock<Vec<Constant>> = OnceLock::new();
    TABLE.get_or_init(|| {
        sys::constants()
            .iter()
            .map(|&(name, value)| Constant {
                name,
                value,
                class: EnumClass::for_name(name),
            })
            .collect()
    })
}

/// The constant with this name, if the platform has it.
pub fn lookup(name: &str) -> Option<Constant> {
    all().iter().copied().find(|c| c.name == name)
}

/// The value of a constant this platform has (`None` elsewhere).
pub fn value(name: &str) -> Option<i64> {
    lookup(name).map(|c| c.value)
}

/// The `EAI_*` name of a `getaddrinfo` error code (what `errno_name` reports for a
/// `socket.gaierror`).
pub fn gai_error_name(code: i64) -> Option<&'static str> {
    all()
        .iter()
        .find(|c| c.name.starts_with("EAI_") && c.value == code)
        .map(|c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.name), "duplicate constant {}", c.name);
        }
    }

    #[rstest]
    #[case("AF_INET", Some(EnumClass::AddressFamily))]
    #[case("AF_DECnet", None)]
    #[case("PF_CAN", None)]
    #[case("SOCK_STREAM", Some(EnumClass::SocketKind))]
    #[case("MSG_PEEK", Some(EnumClass::MsgFlag))]
    #[case("AI_PASSIVE", Some(EnumClass::AddressInfo))]
    #[case("SOL_SOCKET", None)]
    #[case("EAI_AGAIN", None)]
    fn membership(#[case] name: &str, #[case] class: Option<EnumClass>) {
        assert_eq!(EnumClass::for_name(name), class);
    }

    #[test]
    fn required_constants_exist() {
        for name in [
            "AF_INET",
            "AF_INET6",
            "AF_UNIX",
            "AF_UNSPEC",
            "SOCK_STREAM",
            "SOCK_DGRAM",
            "SOL_SOCKET",
            "SO_REUSEADDR",
            "SOMAXCONN",
            "MSG_PEEK",
            "SHUT_RDWR",
            "IPPROTO_TCP",
            "INADDR_ANY",
            "EAI_NONAME",
            "AI_PASSIVE",
            "NI_NUMERICHOST",
            "TCP_NODELAY",
            "IPPORT_RESERVED",
        ] {
            assert!(lookup(name).is_some(), "{name} missing");
        }
    }

    #[test]
    fn linux_alias_af_route() {
        if std::env::consts::OS != "linux" {
            return; // platform-specific values
        }
        let c = lookup("AF_ROUTE").unwrap();
        assert_eq!(c.class, Some(EnumClass::AddressFamily));
        assert_eq!(
            EnumClass::AddressFamily.member_by_name("AF_ROUTE"),
            Some(("AF_NETLINK", c.value))
        );
        assert!(
            EnumClass::AddressFamily
                .members()
                .iter()
                .all(|&(n, _)| n != "AF_ROUTE")
        );
    }

    #[test]
    fn flag_names() {
        let oob = value("MSG_OOB").unwrap();
        let peek = value("MSG_PEEK").unwrap();
        assert_eq!(
            EnumClass::MsgFlag.flag_name(oob | peek).as_deref(),
            Some("MSG_OOB|MSG_PEEK")
        );
        assert_eq!(EnumClass::MsgFlag.flag_name(0), None);
    }

    #[test]
    fn mro() {
        assert_eq!(
            EnumClass::AddressFamily.mro(),
            [
                "socket.AddressFamily",
                "enum.IntEnum",
                "int",
                "enum.ReprEnum",
                "enum.Enum",
                "object"
            ]
        );
        assert_eq!(EnumClass::MsgFlag.mro()[1], "enum.IntFlag");
    }
}
