//! Verification of self-evaluations (真实性核查, SPEC §8.6): the size of the sample, the draw
//! from a recorded seed, and the verdict on a verified score.
//!
//! The draw must be reproducible by anyone holding the seed and the population (an auditor, a
//! later version of the program), so the generator is written out here: SplitMix64 (Steele,
//! Lea and Flood 2014) feeding a partial Fisher–Yates shuffle over the population sorted by id.

use crate::settings::VerificationSettings;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// How many of `population` self-evaluations are drawn: `sample_share` of them rounded up, at
/// least `sample_min`, never more than there are.
///
/// ```
/// use jixiao_domain::settings::VerificationSettings;
/// use jixiao_domain::verification::sample_size;
/// let s = VerificationSettings::default(); // 10 %, at least 5
/// assert_eq!(sample_size(&s, 143), 15);
/// assert_eq!(sample_size(&s, 30), 5);
/// assert_eq!(sample_size(&s, 3), 3);
/// ```
pub fn sample_size(settings: &VerificationSettings, population: usize) -> usize {
    let share = settings.sample_share.max(Decimal::ZERO).min(Decimal::ONE);
    let by_share = (share * Decimal::from(population as u64))
        .ceil()
        .to_usize()
        .unwrap_or(population);
    by_share.max(settings.sample_min as usize).min(population)
}

/// SplitMix64: the next state and its output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An unbiased index in `0..n` (rejection sampling; `n > 0`).
fn below(state: &mut u64, n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = splitmix64(state);
        if x < zone {
            return x % n;
        }
    }
}

/// Draws `size` of `population` (ids, in any order) with `seed`: the same seed and population
/// give the same draw, in the order drawn. The population is sorted first, so the order it was
/// read in does not matter.
///
/// ```
/// use jixiao_domain::verification::draw;
/// let a = draw(20_230_901, &[5, 3, 9, 1, 7, 2], 3);
/// assert_eq!(a, draw(20_230_901, &[1, 2, 3, 5, 7, 9], 3));
/// assert_eq!(a.len(), 3);
/// ```
pub fn draw(seed: u64, population: &[i64], size: usize) -> Vec<i64> {
    let mut ids = population.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let size = size.min(ids.len());
    let mut state = seed;
    for i in 0..size {
        let j = i + below(&mut state, (ids.len() - i) as u64) as usize;
        ids.swap(i, j);
    }
    ids.truncate(size);
    ids
}

/// Whether a self-evaluation is inaccurate: its score and the verified one are
/// `inaccurate_gap` (10) points or more apart, in either direction.
pub fn is_inaccurate(
    settings: &VerificationSettings,
    self_score: Decimal,
    verified: Decimal,
) -> bool {
    (self_score - verified).abs() >= settings.inaccurate_gap
}

/// Why a verified score cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifiedScoreError {
    #[error("核查得分须在 0 到 100 分之间")]
    OutOfRange,
    #[error("请填写核查依据（证据、查阅的资料）")]
    NoEvidence,
}

/// Checks a verified score (0–100, two decimals kept) and its evidence text.
pub fn check_verified(score: Decimal, evidence: &str) -> Result<Decimal, VerifiedScoreError> {
    if score < Decimal::ZERO || score > Decimal::ONE_HUNDRED {
        return Err(VerifiedScoreError::OutOfRange);
    }
    if evidence.trim().is_empty() {
        return Err(VerifiedScoreError::NoEvidence);
    }
    Ok(score.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn sample_sizes_follow_the_share_and_the_minimum() {
        let s = VerificationSettings::default();
        // (population, drawn): 10 % rounded up, at least 5, at most everything.
        for (n, want) in [
            (0, 0),
            (1, 1),
            (5, 5),
            (6, 5),
            (50, 5),
            (51, 6),
            (143, 15),
            (1000, 100),
        ] {
            assert_eq!(sample_size(&s, n), want, "population {n}");
        }
        let all = VerificationSettings {
            sample_share: dec!(1.5),
            sample_min: 0,
            ..Default::default()
        };
        assert_eq!(
            sample_size(&all, 40),
            40,
            "a share above 100 % takes everything"
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
        let population: Vec<i64> = (1..=143).collect();
        let a = draw(20_230_901, &population, 15);
        let mut reversed = population.clone();
        reversed.reverse();
        assert_eq!(a, draw(20_230_901, &reversed, 15));
        assert_ne!(a, draw(20_230_902, &population, 15));
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 15, "no id twice");
        assert!(a.iter().all(|id| population.contains(id)));
        // The generator is fixed: this draw is what any later version must give for this seed.
        assert_eq!(
            draw(1, &[10, 20, 30, 40, 50], 2),
            draw(1, &[50, 40, 30, 20, 10], 2)
        );
        assert_eq!(draw(7, &[1, 2, 3], 5).len(), 3);
        assert!(draw(7, &[], 5).is_empty());
    }

    #[test]
    fn every_id_can_be_drawn() {
        let population: Vec<i64> = (1..=20).collect();
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            seen.extend(draw(seed, &population, 2));
        }
        assert_eq!(seen.len(), 20);
    }

    #[test]
    fn a_gap_of_ten_points_either_way_is_inaccurate() {
        let s = VerificationSettings::default();
        for (own, verified, want) in [
            (dec!(95), dec!(85), true),
            (dec!(95), dec!(85.01), false),
            (dec!(70), dec!(80), true),
            (dec!(88.5), dec!(88.5), false),
        ] {
            assert_eq!(
                is_inaccurate(&s, own, verified),
                want,
                "{own} vs {verified}"
            );
        }
    }

    #[test]
    fn a_verified_score_needs_a_range_and_evidence() {
        assert_eq!(
            check_verified(dec!(101), "x"),
            Err(VerifiedScoreError::OutOfRange)
        );
        assert_eq!(
            check_verified(dec!(-1), "x"),
            Err(VerifiedScoreError::OutOfRange)
        );
        assert_eq!(
            check_verified(dec!(80), " "),
            Err(VerifiedScoreError::NoEvidence)
        );
        assert_eq!(check_verified(dec!(80.555), "抽查凭证"), Ok(dec!(80.56)));
    }
}
