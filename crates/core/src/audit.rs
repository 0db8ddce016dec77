//! The audit log's hash chain (SPEC A5).
//!
//! Each entry stores the hash of the entry before it and its own hash over its fields and that
//! link. Editing, inserting or deleting a row by hand breaks the chain at that row, and
//! `ChainVerifier` names the first broken link. The encoding is length-prefixed so no two
//! different entries can hash the same bytes.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that the chain covers, in their stored text form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, as stored.
    pub at: &'a str,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub entity_kind: &'a str,
    pub entity_id: &'a str,
    pub store_id: Option<i64>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

fn put(h: &mut Sha256, field: Option<&[u8]>) {
    match field {
        None => h.update([0u8]),
        Some(bytes) => {
            h.update([1u8]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
    }
}

/// The hash of an entry given the hash of the entry before it (hex, lowercase).
pub fn link_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"patron-audit-v1");
    put(&mut h, Some(prev_hash.as_bytes()));
    put(&mut h, Some(&f.seq.to_be_bytes()));
    put(&mut h, Some(f.at.as_bytes()));
    put(&mut h, Some(f.actor_kind.as_bytes()));
    put(
        &mut h,
        f.actor_id.map(i64::to_be_bytes).as_ref().map(|b| &b[..]),
    );
    put(&mut h, Some(f.actor_name.as_bytes()));
    put(&mut h, Some(f.action.as_bytes()));
    put(&mut h, Some(f.entity_kind.as_bytes()));
    put(&mut h, Some(f.entity_id.as_bytes()));
    put(
        &mut h,
        f.store_id.map(i64::to_be_bytes).as_ref().map(|b| &b[..]),
    );
    put(&mut h, f.before.map(str::as_bytes));
    put(&mut h, f.after.map(str::as_bytes));
    put(&mut h, f.request_id.map(str::as_bytes));
    hex::encode(h.finalize())
}

/// Why the chain is broken at an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {found} follows entry {}: an entry is missing or was inserted", .expected - 1)]
    SeqGap { expected: i64, found: i64 },
    #[error("entry {seq} does not link to the entry before it")]
    BadLink { seq: i64 },
    #[error("entry {seq} was changed after it was written")]
    BadHash { seq: i64 },
}

impl ChainBreak {
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::SeqGap { found, .. } => *found,
            ChainBreak::BadLink { seq } | ChainBreak::BadHash { seq } => *seq,
        }
    }
}

/// Walks the chain in `seq` order and stops at the first broken link.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry (with its stored `prev_hash` and `hash`).
    pub fn push(
        &mut self,
        f: &AuditFields<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), ChainBreak> {
        if f.seq != self.next_seq {
            return Err(ChainBreak::SeqGap {
                expected: self.next_seq,
                found: f.seq,
            });
        }
        if prev_hash != self.prev_hash {
            return Err(ChainBreak::BadLink { seq: f.seq });
        }
        if link_hash(prev_hash, f) != hash {
            return Err(ChainBreak::BadHash { seq: f.seq });
        }
        self.next_seq += 1;
        self.prev_hash = hash.to_string();
        Ok(())
    }

    /// How many entries checked out.
    pub fn verified(&self) -> i64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Row {
        seq: i64,
        action: String,
        after: Option<String>,
        prev: String,
        hash: String,
    }

    fn fields(r: &Row) -> AuditFields<'_> {
        AuditFields {
            seq: r.seq,
            at: "2026-11-22T09:00:00.000000Z",
            actor_kind: "staff",
            actor_id: Some(1),
            actor_name: "admin",
            action: &r.action,
            entity_kind: "store",
            entity_id: "1",
            store_id: None,
            before: None,
            after: r.after.as_deref(),
            request_id: None,
        }
    }

    fn chain(actions: &[String]) -> Vec<Row> {
        let mut prev = GENESIS.to_string();
        let mut rows = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let mut row = Row {
                seq: i as i64 + 1,
                action: a.clone(),
                after: Some(format!("{{\"n\":{i}}}")),
                prev: prev.clone(),
                hash: String::new(),
            };
            row.hash = link_hash(&prev, &fields(&row));
            prev = row.hash.clone();
            rows.push(row);
        }
        rows
    }

    fn verify(rows: &[Row]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for r in rows {
            v.push(&fields(r), &r.prev, &r.hash)?;
        }
        Ok(v.verified())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let rows = chain(&["a".into(), "b".into(), "c".into()]);
        assert_eq!(verify(&rows), Ok(3));
    }

    #[test]
    fn an_absent_field_hashes_differently_from_an_empty_one() {
        let mut row = chain(&["a".into()]).remove(0);
        let with_none = link_hash(GENESIS, &fields(&row));
        row.after = Some(String::new());
        assert_ne!(with_none, link_hash(GENESIS, &fields(&row)));
    }

    #[test]
    fn a_deleted_entry_is_reported_where_the_gap_is() {
        let mut rows = chain(&["a".into(), "b".into(), "c".into()]);
        rows.remove(1);
        assert_eq!(
            verify(&rows),
            Err(ChainBreak::SeqGap {
                expected: 2,
                found: 3
            })
        );
    }

    proptest! {
        #[test]
        fn editing_any_entry_is_reported_at_that_entry(
            actions in proptest::collection::vec("[a-z]{1,8}", 1..20),
            pick in any::<proptest::sample::Index>(),
            new_after in "[a-z0-9]{0,10}",
        ) {
            let mut rows = chain(&actions);
            let i = pick.index(rows.len());
            prop_assume!(rows[i].after.as_deref() != Some(new_after.as_str()));
            rows[i].after = Some(new_after);
            prop_assert_eq!(verify(&rows), Err(ChainBreak::BadHash { seq: i as i64 + 1 }));
        }

        #[test]
        fn a_rehashed_edit_is_still_caught_by_the_next_link(
            actions in proptest::collection::vec("[a-z]{1,8}", 2..20),
            pick in any::<proptest::sample::Index>(),
        ) {
            // Someone who edits a row and recomputes its hash still breaks the row after it.
            let mut rows = chain(&actions);
            let i = pick.index(rows.len() - 1);
            rows[i].action.push('x');
            let h = link_hash(&rows[i].prev, &fields(&rows[i]));
            rows[i].hash = h;
            prop_assert_eq!(verify(&rows), Err(ChainBreak::BadLink { seq: i as i64 + 2 }));
        }
    }
}
