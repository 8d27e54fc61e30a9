//! Stateless, seeded randomness: every value is a hash of (seed, stream, index), so any sample of
//! the scenario can be recomputed on its own, in any order, and always comes out the same.

/// SplitMix64's finaliser: a good 64-bit mix, enough for demo noise.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of several words, order-sensitive.
pub fn hash(seed: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(mix(seed), |acc, p| mix(acc ^ mix(*p)))
}

/// A uniform float in [0, 1) from a hash.
pub fn unit(seed: u64, parts: &[u64]) -> f64 {
    (hash(seed, parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// A uniform float in [lo, hi).
pub fn between(seed: u64, parts: &[u64], lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(seed, parts)
}

/// FNV-1a 64 of a byte string (Alertmanager fingerprints are 64-bit label hashes too).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A version-4-shaped UUID string from a hash, for silence ids.
pub fn uuid(seed: u64, parts: &[u64]) -> String {
    let a = hash(seed, parts);
    let b = mix(a ^ 0x5555_5555_5555_5555);
    let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_outputs_and_seed_matters() {
        assert_eq!(hash(1, &[2, 3]), hash(1, &[2, 3]));
        assert_ne!(hash(1, &[2, 3]), hash(2, &[2, 3]));
        assert_ne!(hash(1, &[2, 3]), hash(1, &[3, 2]));
    }

    #[test]
    fn unit_stays_in_range_and_spreads() {
        let xs: Vec<f64> = (0..1000).map(|i| unit(7, &[i])).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
    }

    #[test]
    fn uuid_has_the_v4_shape() {
        let id = uuid(42, &[1]);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert_ne!(id, uuid(42, &[2]));
    }
}
