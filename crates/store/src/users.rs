//! Users and roles (SPEC §1, §17). Passwords are stored as Argon2id PHC strings.

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString, rand_core::OsRng};
use jixiao_domain::types::Role;

/// Hashes a password with Argon2id and a random salt. CPU-heavy: call from a blocking task in
/// servers.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("密码无法加密：{e}")))
}

/// Checks a password against a stored PHC string; a malformed hash never verifies.
pub fn verify_password(password: &str, phc: &str) -> bool {
    verify_password_in(&mut HashMemory::default(), password, phc)
}

/// The working memory of one Argon2 verification (19 MiB with the default parameters), kept by
/// a long-lived worker and reused (issue 13): allocating and freeing it per login let the C
/// allocator keep every freed copy, and 160 simultaneous logins took the server to 720 MB
/// although only four verifications ever ran at once.
#[derive(Default)]
pub struct HashMemory(Vec<argon2::Block>);

/// [`verify_password`] in `memory`, which grows to the hash's cost once and is then reused.
/// The comparison of the outputs is constant-time (`password_hash::Output`'s equality).
pub fn verify_password_in(memory: &mut HashMemory, password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.0.len() < blocks {
        memory.0.resize(blocks, argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory.0[..blocks],
        )
        .is_ok()
        && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub region: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    /// An Argon2id PHC string from [`hash_password`].
    pub password_hash: &'a str,
    pub unit_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub must_change_password: bool,
    pub roles: &'a [Role],
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<i64> {
    let at = now();
    let sql = "INSERT INTO users (region_code, username, display_name, password_hash, unit_id, agency_id, \
               must_change_password, password_changed_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(u.region)
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.password_hash)
        .bind(u.unit_id)
        .bind(u.agency_id)
        .bind(u.must_change_password)
        .bind(at)
        .bind(at)
        .fetch_one(&mut *c)
        .await?);
    for role in u.roles {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(role.code())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub region_code: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub unit_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_logins: i32,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub password_changed_at: chrono::DateTime<chrono::Utc>,
}

const USER_COLUMNS: &str = "id, region_code, username, display_name, password_hash, unit_id, agency_id, \
                            must_change_password, disabled, failed_logins, locked_until, password_changed_at";

pub async fn by_id(store: &Store, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// A temporary password for an administrator's reset or a new account: 16 characters drawn
/// from an unambiguous alphabet by the operating system's random source (about 90 bits; issue 13
/// found a 32-bit one), always with upper and lower case, a digit and a symbol, and never
/// one the password policy would refuse for `username` (a random draw can spell a short user
/// name such as "ld"; CI once drew one).
pub fn temporary_password(username: &str) -> String {
    loop {
        let candidate = draw_password();
        if jixiao_domain::password::check(&Default::default(), username, &candidate).is_ok() {
            return candidate;
        }
    }
}

fn draw_password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#%+=@";
    let pick = |set: &[u8]| set[(OsRng.next_u32() as usize) % set.len()] as char;
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
    let mut out: Vec<char> = vec![pick(UPPER), pick(LOWER), pick(DIGIT), pick(SYMBOL)];
    while out.len() < 16 {
        out.push(pick(&all));
    }
    // Shuffle so the guaranteed classes are not always first (Fisher–Yates).
    for i in (1..out.len()).rev() {
        let j = (OsRng.next_u32() as usize) % (i + 1);
        out.swap(i, j);
    }
    out.into_iter().collect()
}

/// The state of an account at the start of a login attempt, counted atomically with the attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Attempts since the last success or lock, this one included.
    pub attempts: i32,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub disabled: bool,
}

/// Counts a login attempt before its password is verified, in one statement, so that parallel
/// attempts each see their own number (issue 13: 39 wrong passwords and the right one sent at
/// once must not get more than the allowed guesses verified). A lock that has run out is
/// cleared by the same statement.
pub async fn begin_attempt(store: &Store, user_id: i64) -> Result<Attempt> {
    let sql = "UPDATE users SET \
               failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_logins + 1 END, \
               locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN NULL ELSE locked_until END \
               WHERE id = $1 RETURNING failed_logins, locked_until, disabled";
    let (attempts, locked_until, disabled): (i32, Option<chrono::DateTime<chrono::Utc>>, bool) =
        on_pool!(store, |p| sqlx::query_as(sql)
            .bind(user_id)
            .bind(now())
            .fetch_one(p)
            .await?);
    Ok(Attempt {
        attempts,
        locked_until,
        disabled,
    })
}

/// Locks the account for `lock_minutes` after a failed attempt that reached the limit.
pub async fn lock(store: &Store, user_id: i64, lock_minutes: i64) -> Result<()> {
    let until = now() + chrono::Duration::minutes(lock_minutes);
    let sql = "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(until)
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Clears the attempt count after a verified password, unless the account was locked or
/// disabled meanwhile; returns whether the login may go ahead.
pub async fn finish_success(store: &Store, user_id: i64) -> Result<bool> {
    let sql = "UPDATE users SET failed_logins = 0 WHERE id = $1 AND disabled = FALSE \
               AND (locked_until IS NULL OR locked_until <= $2) RETURNING id";
    let row: Option<i64> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(now())
        .fetch_optional(p)
        .await?);
    Ok(row.is_some())
}

/// Records a failed login; returns whether the account is now locked (SPEC §17: 5 failures lock
/// it for 15 minutes).
pub async fn record_failure(
    store: &Store,
    user_id: i64,
    max_failures: i32,
    lock_minutes: i64,
) -> Result<bool> {
    let sql =
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins";
    let failures: i32 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_one(p)
        .await?);
    if failures >= max_failures {
        let until = now() + chrono::Duration::minutes(lock_minutes);
        let sql = "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2";
        on_pool!(store, |p| sqlx::query(sql)
            .bind(until)
            .bind(user_id)
            .execute(p)
            .await
            .map(|_| ())?);
        return Ok(true);
    }
    Ok(false)
}

/// Clears the failure count after a successful login.
pub async fn record_success(store: &Store, user_id: i64) -> Result<()> {
    let sql = "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The hashes of the user's current password and of the ones before it, newest first, at most
/// `n` in all: a new password may match none of them.
pub async fn recent_password_hashes(store: &Store, user_id: i64, n: usize) -> Result<Vec<String>> {
    let sql = "SELECT password_hash FROM users WHERE id = $1";
    let current: Option<String> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_optional(p)
        .await?);
    let sql = "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY set_at DESC LIMIT $2";
    let earlier: Vec<String> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(user_id)
        .bind(n.saturating_sub(1) as i64)
        .fetch_all(p)
        .await?);
    Ok(current.into_iter().chain(earlier).take(n).collect())
}

/// Sets a new password hash (from [`hash_password`]); `must_change` forces a change at next login
/// (after an administrator's reset).
pub async fn set_password(
    tx: &mut Tx,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<()> {
    // The password being replaced joins the history (issue 13: no reuse of the last five).
    let keep = "INSERT INTO password_history (user_id, password_hash, set_at) \
                SELECT id, password_hash, password_changed_at FROM users WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(keep)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    let trim = "DELETE FROM password_history WHERE user_id = $1 AND set_at NOT IN \
                (SELECT set_at FROM password_history WHERE user_id = $1 ORDER BY set_at DESC LIMIT $2)";
    on_tx!(tx, |c| sqlx::query(trim)
        .bind(user_id)
        .bind(jixiao_domain::password::HISTORY as i64)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    let sql = "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, \
               failed_logins = 0, locked_until = NULL WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(password_hash)
        .bind(must_change)
        .bind(now())
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn by_username(store: &Store, username: &str) -> Result<Option<User>> {
    // Usernames are unique ignoring case (migration 0008), and found ignoring case.
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower($1)");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(username)
        .fetch_optional(p)
        .await?))
}

pub async fn roles(store: &Store, user_id: i64) -> Result<Vec<Role>> {
    let sql = "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role";
    let codes: Vec<String> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_all(p)
        .await?);
    Ok(codes.iter().filter_map(|c| Role::parse(c)).collect())
}

pub async fn count(store: &Store) -> Result<i64> {
    Ok(on_pool!(store, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("Demo#2023").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Demo#2023", &h));
        assert!(!verify_password("demo#2023", &h));
        assert!(!verify_password("Demo#2023", "not a hash"));
        // Reused memory gives the same answers, whatever the previous password left in it,
        // and agrees with the library's own verifier.
        let mut memory = HashMemory::default();
        for (candidate, want) in [
            ("demo#2023", false),
            ("Demo#2023", true),
            ("x", false),
            ("Demo#2023", true),
        ] {
            assert_eq!(
                verify_password_in(&mut memory, candidate, &h),
                want,
                "{candidate}"
            );
            let parsed = PasswordHash::new(&h).expect("phc");
            assert_eq!(
                argon2::password_hash::PasswordVerifier::verify_password(
                    &Argon2::default(),
                    candidate.as_bytes(),
                    &parsed
                )
                .is_ok(),
                want
            );
        }
        let cheap = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(64, 1, 1, None).expect("params"),
        )
        .hash_password(b"Small#2026", &SaltString::generate(&mut OsRng))
        .expect("hash")
        .to_string();
        assert!(
            verify_password_in(&mut memory, "Small#2026", &cheap),
            "a smaller cost in a larger memory"
        );
        assert!(!verify_password_in(&mut memory, "Small#2027", &cheap));
    }

    #[test]
    fn a_temporary_password_always_passes_the_policy_for_its_user() {
        // Two-letter names are spelled by chance often enough to fail a CI run once in a while.
        for name in ["ld", "dl", "a2"] {
            for _ in 0..3000 {
                let p = temporary_password(name);
                assert_eq!(p.chars().count(), 16);
                assert!(
                    jixiao_domain::password::check(&Default::default(), name, &p).is_ok(),
                    "{p} for {name}"
                );
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_name: Option<String>,
    pub agency_name: Option<String>,
    pub roles: String,
    pub disabled: bool,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub must_change_password: bool,
}

/// Users of a region with their roles (comma-separated codes), for administration.
pub async fn list(store: &Store, region: &str) -> Result<Vec<UserRow>> {
    let sql = "SELECT u.id, u.username, u.display_name, n.name AS unit_name, a.name AS agency_name, \
               COALESCE((SELECT STRING_AGG(r.role, ',') FROM user_roles r WHERE r.user_id = u.id), '') AS roles, \
               u.disabled, u.locked_until, u.must_change_password \
               FROM users u LEFT JOIN units n ON n.id = u.unit_id LEFT JOIN agencies a ON a.id = u.agency_id \
               WHERE u.region_code = $1 ORDER BY u.username";
    let sql = match store {
        // SQLite spells STRING_AGG as GROUP_CONCAT.
        Store::Sqlite(_) => sql.replace("STRING_AGG(r.role, ',')", "GROUP_CONCAT(r.role, ',')"),
        Store::Postgres(_) => sql.to_string(),
    };
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Enables or disables an account; a disabled account cannot log in and its sessions end.
pub async fn set_disabled(tx: &mut Tx, user_id: i64, disabled: bool) -> Result<()> {
    let sql =
        "UPDATE users SET disabled = $1, failed_logins = 0, locked_until = NULL WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(disabled)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
