//! Ids and tokens: random, unique, and shaped like the service's.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::ids::{Uuid, base64};

/// Random bytes behind a participant token (252 base64 characters).
pub(super) const PARTICIPANT_TOKEN_BYTES: usize = 189;
/// Random bytes behind a connection token (200 base64 characters).
pub(super) const CONNECTION_TOKEN_BYTES: usize = 150;

/// A token with the look of the service's: `QVFJREFI` (base64 of `AQIDAH`) and base64 of random
/// bytes; visible ASCII only, as a header value must be.
pub(super) fn new_token(random: usize) -> String {
    let mut bytes = vec![0u8; random];
    random_bytes(&mut bytes);
    format!("QVFJREFI{}", base64(&bytes))
}

/// A random UUID v4, lower case: the library's own [`Uuid`], of fresh random bytes.
pub(super) fn new_uuid() -> String {
    let mut b = [0u8; 16];
    random_bytes(&mut b);
    Uuid::v4(b).as_str().to_owned()
}

/// Fills `buf` from the system's random source. The emulator's ids and tokens need only be
/// unique and hard to guess on one machine; should the draw fail, a clock-seeded
/// generator stands in rather than failing the request.
pub(super) fn random_bytes(buf: &mut [u8]) {
    if getrandom::getrandom(buf).is_ok() {
        return;
    }
    let mut x = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64
        ^ (buf.as_ptr() as u64);
    for b in buf.iter_mut() {
        // splitmix64
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        *b = (z ^ (z >> 31)) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_ids_have_the_service_s_look() {
        let t = new_token(PARTICIPANT_TOKEN_BYTES);
        assert_eq!(t.len(), 260);
        assert!(t.starts_with("QVFJREFI") && t.bytes().all(|b| b.is_ascii_graphic()));
        assert_eq!(new_token(CONNECTION_TOKEN_BYTES).len(), 208);
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
