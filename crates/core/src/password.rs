//! Password rules and login lockout.

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password is shorter than {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password must not contain the user name")]
    ContainsUsername,
    #[error("the password is too simple")]
    TooSimple,
    #[error("the new password must differ from the current one")]
    Unchanged,
}

impl PasswordProblem {
    /// The message-catalog key for this problem.
    pub fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.too_short",
            PasswordProblem::ContainsUsername => "password.contains_username",
            PasswordProblem::TooSimple => "password.too_simple",
            PasswordProblem::Unchanged => "password.unchanged",
        }
    }
}

/// Checks a new password chosen by `username` (who currently has `current`).
pub fn check_new_password(username: &str, current: &str, new: &str) -> Result<(), PasswordProblem> {
    if new.chars().count() < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if !username.is_empty() && new.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordProblem::ContainsUsername);
    }
    let mut distinct: Vec<char> = new.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(PasswordProblem::TooSimple);
    }
    if new == current {
        return Err(PasswordProblem::Unchanged);
    }
    Ok(())
}

/// How many failed logins in a row lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_minutes: u32,
}

impl LockoutPolicy {
    /// After `failures` consecutive failures, whether the account is now locked.
    pub fn locks_after(&self, failures: u32) -> bool {
        self.max_failures > 0 && failures >= self.max_failures
    }

    /// The lock window in seconds.
    pub fn window_secs(&self) -> i64 {
        i64::from(self.lock_minutes) * 60
    }

    /// How long the next attempt waits after `failures` failures counted against one account
    /// from every address, or from one address against every account (progressive, so that a
    /// stranger's few tries slow an account down without locking it): nothing for the first
    /// `max_failures`, then 1 s, 2 s, 4 s … doubling, never more than the lock window.
    pub fn delay_after(&self, failures: u32) -> i64 {
        if self.max_failures == 0 || failures < self.max_failures {
            return 0;
        }
        let doublings = (failures - self.max_failures).min(30);
        (1i64 << doublings).min(self.window_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_trivial_passwords_are_refused() {
        assert_eq!(
            check_new_password("wang", "x", "abc"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("wang", "x", "aaaaaaaaaaaa"),
            Err(PasswordProblem::TooSimple)
        );
        assert_eq!(
            check_new_password("wang", "x", "Wang-2026-autumn"),
            Err(PasswordProblem::ContainsUsername)
        );
    }

    #[test]
    fn the_same_password_again_is_refused() {
        assert_eq!(
            check_new_password("li", "Good-Pass-2026", "Good-Pass-2026"),
            Err(PasswordProblem::Unchanged)
        );
    }

    #[test]
    fn a_reasonable_password_is_accepted() {
        assert_eq!(check_new_password("li", "old", "秋天的月饼-2026"), Ok(()));
    }

    #[test]
    fn the_account_locks_at_the_configured_failure_count() {
        let p = LockoutPolicy {
            max_failures: 5,
            lock_minutes: 15,
        };
        assert!(!p.locks_after(4));
        assert!(p.locks_after(5));
        let off = LockoutPolicy {
            max_failures: 0,
            lock_minutes: 15,
        };
        assert!(!off.locks_after(100));
    }

    #[test]
    fn the_delay_starts_after_the_free_tries_and_doubles_up_to_the_window() {
        let p = LockoutPolicy {
            max_failures: 5,
            lock_minutes: 15,
        };
        assert_eq!(p.delay_after(4), 0);
        assert_eq!(p.delay_after(5), 1);
        assert_eq!(p.delay_after(6), 2);
        assert_eq!(p.delay_after(9), 16);
        assert_eq!(p.delay_after(40), 900);
        assert_eq!(p.delay_after(u32::MAX), 900);
        let off = LockoutPolicy {
            max_failures: 0,
            lock_minutes: 15,
        };
        assert_eq!(off.delay_after(1000), 0);
    }

    proptest::proptest! {
        #[test]
        fn the_delay_never_shrinks_and_never_exceeds_the_window(
            max in 0u32..20, minutes in 0u32..120, n in 0u32..10_000
        ) {
            let p = LockoutPolicy { max_failures: max, lock_minutes: minutes };
            proptest::prop_assert!(p.delay_after(n) <= p.delay_after(n + 1));
            proptest::prop_assert!(p.delay_after(n) <= p.window_secs().max(1));
        }
    }
}
