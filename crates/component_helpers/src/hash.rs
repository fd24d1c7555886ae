//! FNV-1a, the hash upstream names things with (pod-template-hash,
//! controller revisions): stable across builds, runs and machines.

/// 32-bit FNV-1a of `bytes`, continuing from `hash` (start from
/// [`FNV32_OFFSET`]).
pub fn fnv1a32(mut hash: u32, bytes: &[u8]) -> u32 {
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

pub const FNV32_OFFSET: u32 = 0x811c_9dc5;

/// 64-bit FNV-1a of `bytes`, continuing from `hash` (start from
/// [`FNV64_OFFSET`]).
pub fn fnv1a64(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_test_vectors() {
        assert_eq!(fnv1a32(FNV32_OFFSET, b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(FNV32_OFFSET, b"a"), 0xe40c_292c);
        assert_eq!(fnv1a64(FNV64_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        // Feeding in parts is feeding the whole.
        assert_eq!(
            fnv1a32(fnv1a32(FNV32_OFFSET, b"fo"), b"obar"),
            fnv1a32(FNV32_OFFSET, b"foobar")
        );
    }
}
