//! A small deterministic generator (SplitMix64): the demo must come out identical on every
//! machine and every run, so it uses no system randomness.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `[low, high]`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = (high - low + 1).max(1) as u64;
        low + (self.next_u64() % span) as i64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// Splits `total` into `n` parts that add up to it exactly, each a multiple of `step`, with
/// sizes proportional to `weights` (jittered by `rng`). `total` must be a multiple of `step`.
pub fn partition(total: i64, weights: &[i64], step: i64, rng: &mut Rng) -> Vec<i64> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let units = total / step;
    let jittered: Vec<i64> = weights
        .iter()
        .map(|w| w.max(&1) * rng.range(70, 130))
        .collect();
    let sum: i64 = jittered.iter().sum();
    let mut parts: Vec<i64> = jittered
        .iter()
        .map(|w| ((units as i128 * *w as i128) / sum as i128) as i64)
        .collect();
    let mut rest = units - parts.iter().sum::<i64>();
    let mut i = 0;
    while rest > 0 {
        parts[i % n] += 1;
        rest -= 1;
        i += 1;
    }
    parts.iter().map(|p| p * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_is_exact_and_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let w = [5, 1, 3, 8, 2];
        let pa = partition(6_927_250_000, &w, 10_000, &mut a);
        let pb = partition(6_927_250_000, &w, 10_000, &mut b);
        assert_eq!(pa, pb);
        assert_eq!(pa.iter().sum::<i64>(), 6_927_250_000);
        assert!(pa.iter().all(|p| *p > 0 && p % 10_000 == 0));
    }
}
