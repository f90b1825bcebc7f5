//! Byte-order conversion: C `htons(3)`, `htonl(3)`, `ntohs(3)`, `ntohl(3)`, the
//! operations behind `socket.htons`, `socket.htonl`, `socket.ntohs` and `socket.ntohl`.
//!
//! Network order is big-endian; on a big-endian host all four are the identity, on a
//! little-endian one they swap bytes. Range checks on Python ints live in `py`.

/// `htons(3)`: 16-bit host to network order.
pub fn htons(x: u16) -> u16 {
    x.to_be()
}

/// `ntohs(3)`: 16-bit network to host order.
pub fn ntohs(x: u16) -> u16 {
    u16::from_be(x)
}

/// `htonl(3)`: 32-bit host to network order.
pub fn htonl(x: u32) -> u32 {
    x.to_be()
}

/// `ntohl(3)`: 32-bit network to host order.
pub fn ntohl(x: u32) -> u32 {
    u32::from_be(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn short_round_trip(x: u16) {
            prop_assert_eq!(ntohs(htons(x)), x);
            prop_assert_eq!(htons(ntohs(x)), x);
        }

        #[test]
        fn long_round_trip(x: u32) {
            prop_assert_eq!(ntohl(htonl(x)), x);
            prop_assert_eq!(htonl(ntohl(x)), x);
        }

        #[test]
        fn network_order_is_big_endian(x: u32) {
            prop_assert_eq!(htonl(x).to_ne_bytes(), x.to_be_bytes());
        }
    }

    #[test]
    fn known_values() {
        if cfg!(target_endian = "little") {
            assert_eq!(htons(0x1234), 0x3412);
            assert_eq!(htonl(0x1234), 0x3412_0000);
        } else {
            assert_eq!(htons(0x1234), 0x1234);
        }
    }
}
