//! Money (SPEC §2, §17): amounts are stored as an exact integer number of 分 (0.01 元) and shown
//! the way finance staff read them, in 万元.

use crate::decimal::{fixed2, round2, trim};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

/// An exact amount of money in 分.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// 1 万元 = 10 000 元 = 1 000 000 分.
pub const FEN_PER_WAN: i64 = 1_000_000;
/// 1 元 = 100 分.
pub const FEN_PER_YUAN: i64 = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额“{0}”不是有效的数字")]
    NotANumber(String),
    #[error("金额“{0}”超出可表示的范围")]
    OutOfRange(String),
    #[error("金额“{0}”的精度超过了分")]
    TooPrecise(String),
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * FEN_PER_YUAN)
    }

    pub fn from_wan(wan: i64) -> Fen {
        Fen(wan * FEN_PER_WAN)
    }

    /// Converts an exact decimal amount in 万元; refuses values finer than 1 分.
    pub fn from_wan_decimal(wan: Decimal) -> Result<Fen, MoneyError> {
        Self::from_decimal(wan, Decimal::from(FEN_PER_WAN))
    }

    /// Converts an exact decimal amount in 元; refuses values finer than 1 分.
    pub fn from_yuan_decimal(yuan: Decimal) -> Result<Fen, MoneyError> {
        Self::from_decimal(yuan, Decimal::from(FEN_PER_YUAN))
    }

    fn from_decimal(value: Decimal, factor: Decimal) -> Result<Fen, MoneyError> {
        let fen = value
            .checked_mul(factor)
            .ok_or_else(|| MoneyError::OutOfRange(value.to_string()))?;
        if fen.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise(value.to_string()));
        }
        i64::try_from(fen)
            .map(Fen)
            .map_err(|_| MoneyError::OutOfRange(value.to_string()))
    }

    /// Parses "563.4" (万元) exactly.
    pub fn parse_wan(text: &str) -> Result<Fen, MoneyError> {
        let d =
            crate::decimal::parse_loose(text).ok_or_else(|| MoneyError::NotANumber(text.into()))?;
        Self::from_wan_decimal(d)
    }

    /// The exact amount in 万元.
    pub fn wan(self) -> Decimal {
        Decimal::new(self.0, 6)
    }

    /// The exact amount in 元.
    pub fn yuan(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// 万元 without trailing zeros, rounded to 2 places, as the narrative writes it:
    /// "101108", "563.4", "6927.25".
    pub fn wan_text(self) -> String {
        trim(round2(self.wan()))
    }

    /// 万元 with exactly two decimals, as the forms show it: "563.40".
    pub fn wan_2dp(self) -> String {
        fixed2(self.wan())
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        self.0 += rhs.0;
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

/// `part / whole` as a ratio (not a percentage), or `None` when `whole` is zero.
pub fn ratio(part: Fen, whole: Fen) -> Option<Decimal> {
    if whole.0 == 0 {
        None
    } else {
        Some(Decimal::from(part.0) / Decimal::from(whole.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn wan_conversions_are_exact() {
        assert_eq!(Fen::parse_wan("563.4").unwrap(), Fen(563_400_000));
        assert_eq!(Fen::parse_wan("6927.25").unwrap().wan_text(), "6927.25");
        assert_eq!(Fen::from_wan(101108).wan_text(), "101108");
        assert_eq!(Fen::from_wan(101108).wan_2dp(), "101108.00");
        assert_eq!(Fen(563_400_000).wan_2dp(), "563.40");
        assert_eq!(Fen::from_yuan(1).wan(), dec!(0.0001));
    }

    #[test]
    fn refuses_sub_fen_precision() {
        assert!(matches!(
            Fen::from_yuan_decimal(dec!(0.001)),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(Fen::parse_wan("abc").is_err());
    }

    #[test]
    fn ratio_of_zero_whole_is_none() {
        assert_eq!(ratio(Fen(5), Fen(0)), None);
        assert_eq!(ratio(Fen(1), Fen(4)), Some(dec!(0.25)));
    }
}
