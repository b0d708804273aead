//! Password policy (SPEC §17, 等保 2.0 level 3): at least 8 characters from at least 3 of the 4
//! classes (upper case, lower case, digits, symbols), not the username, and not expired.

use serde::{Deserialize, Serialize};

/// Password and login settings (configurable; defaults from SPEC §17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginPolicy {
    pub min_length: usize,
    pub min_classes: usize,
    /// Days after which a password must be changed; 0 = never.
    pub expiry_days: i64,
    /// Failed logins before the account locks.
    pub max_failures: i32,
    pub lock_minutes: i64,
    /// Idle minutes after which a session ends.
    pub idle_minutes: i64,
    /// Hours after which a session ends however active it was (issue 13: 12).
    pub session_hours: i64,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            min_length: 8,
            min_classes: 3,
            expiry_days: 90,
            max_failures: 5,
            lock_minutes: 15,
            idle_minutes: 30,
            session_hours: 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("密码长度至少 {0} 位")]
    TooShort(usize),
    #[error("密码须包含大写字母、小写字母、数字、符号中的至少 {0} 类")]
    TooFewClasses(usize),
    #[error("密码不能包含用户名或倒写的用户名")]
    ContainsUsername,
    #[error("新密码不能与原密码相同")]
    Unchanged,
    #[error("密码不能超过 {0} 位")]
    TooLong(usize),
    #[error("密码过于常见，容易被猜中，请换一个")]
    Common,
    #[error("新密码不能与最近 {0} 次使用过的密码相同")]
    Reused(usize),
}

/// The longest password accepted: long enough for any passphrase, short enough that hashing it
/// costs nothing unusual (issue 13: a 100,000-character password was accepted).
pub const MAX_LENGTH: usize = 128;

/// How many earlier passwords a new one may not repeat.
pub const HISTORY: usize = 5;

/// Whether `password` is on the bundled list of common passwords (ignoring case).
pub fn is_common(password: &str) -> bool {
    let candidate = password.trim().to_lowercase();
    include_str!("password_data/common.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == candidate)
}

/// Checks a new password against the policy; all problems at once.
pub fn check(
    policy: &LoginPolicy,
    username: &str,
    password: &str,
) -> Result<(), Vec<PasswordProblem>> {
    let mut problems = Vec::new();
    if password.chars().count() < policy.min_length {
        problems.push(PasswordProblem::TooShort(policy.min_length));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < policy.min_classes {
        problems.push(PasswordProblem::TooFewClasses(policy.min_classes));
    }
    if password.chars().count() > MAX_LENGTH {
        problems.push(PasswordProblem::TooLong(MAX_LENGTH));
    }
    let user = username.trim().to_lowercase();
    let reversed: String = user.chars().rev().collect();
    let lower = password.to_lowercase();
    if !user.is_empty() && (lower.contains(&user) || lower.contains(&reversed)) {
        problems.push(PasswordProblem::ContainsUsername);
    }
    if is_common(password) {
        problems.push(PasswordProblem::Common);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether a password set `age_days` ago has expired.
pub fn is_expired(policy: &LoginPolicy, age_days: i64) -> bool {
    policy.expiry_days > 0 && age_days >= policy.expiry_days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_spec_17() {
        let p = LoginPolicy::default();
        assert_eq!(check(&p, "jxg", "Demo#2023"), Ok(()));
        assert_eq!(
            check(&p, "jxg", "abcdefgh"),
            Err(vec![PasswordProblem::TooFewClasses(3)])
        );
        assert_eq!(
            check(&p, "jxg", "Ab1#"),
            Err(vec![PasswordProblem::TooShort(8)])
        );
        assert_eq!(
            check(&p, "admin", "Admin#2023"),
            Err(vec![PasswordProblem::ContainsUsername])
        );
        assert_eq!(
            check(&p, "x", "abcdefg1"),
            Err(vec![PasswordProblem::TooFewClasses(3)])
        );
        assert_eq!(check(&p, "x", "abcdefG1"), Ok(()));
    }

    /// Issue 13: the reversed username, common passwords and very long ones are refused.
    #[test]
    fn reversed_usernames_common_and_long_passwords_are_refused() {
        let p = LoginPolicy::default();
        assert_eq!(
            check(&p, "zhangwei", "Iewgnahz#1"),
            Err(vec![PasswordProblem::ContainsUsername])
        );
        for common in [
            "P@ssw0rd",
            "Admin@123",
            "ADMIN@123",
            "Qwer@1234",
            "1qaz@WSX",
        ] {
            assert_eq!(
                check(&p, "jxg", common),
                Err(vec![PasswordProblem::Common]),
                "{common}"
            );
        }
        let long = format!("Aa#1{}", "x".repeat(100_000));
        assert_eq!(
            check(&p, "jxg", &long),
            Err(vec![PasswordProblem::TooLong(MAX_LENGTH)])
        );
        let edge = format!("Aa#1{}", "x".repeat(MAX_LENGTH - 4));
        assert_eq!(check(&p, "jxg", &edge), Ok(()));
        assert!(
            !is_common("Demo#2023"),
            "the demo password is not on the list"
        );
    }

    #[test]
    fn expiry_spec_17() {
        let p = LoginPolicy::default();
        assert!(!is_expired(&p, 89));
        assert!(is_expired(&p, 90));
        assert!(!is_expired(
            &LoginPolicy {
                expiry_days: 0,
                ..p
            },
            1000
        ));
    }
}
