//! Deterministic per-occurrence jitter.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Keeps this hash apart from any other FNV use of the same bytes; bump only with a migration.
const DOMAIN: &[u8] = b"sundial/jitter/v1";

/// Deterministic jitter offset in `[0, jitter_seconds]` seconds, millisecond resolution, for
/// this task and occurrence: FNV-1a-64 over (domain tag, task UUID bytes, scheduled instant as
/// big-endian seconds and nanoseconds) with a SplitMix64 finalizer. Stable across processes,
/// nodes and versions.
pub fn jitter(task_uuid: Uuid, scheduled_for: Timestamp, jitter_seconds: u32) -> SignedDuration {
    if jitter_seconds == 0 {
        return SignedDuration::ZERO;
    }
    let mut hash = FNV_OFFSET_BASIS;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    };
    feed(DOMAIN);
    feed(task_uuid.as_bytes());
    feed(&scheduled_for.as_second().to_be_bytes());
    feed(&scheduled_for.subsec_nanosecond().to_be_bytes());
    let range_ms = u64::from(jitter_seconds) * 1000 + 1;
    let millis = splitmix64(hash) % range_ms;
    SignedDuration::from_millis(millis as i64)
}

/// The SplitMix64 output function: spreads FNV's weak low bits over the whole word.
fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
