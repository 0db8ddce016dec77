//! The demo's events (filled in by the area's change).

use crate::ctx::{App, StaffActor};

/// Adds the demo's events; `actor` finds a demo account by user name.
pub async fn build(
    _app: &App,
    _out: &mut String,
    _actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    Ok(())
}
