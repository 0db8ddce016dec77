//! The top-member file (B9, 铂金会员档案本): the profile the members area keeps (size,
//! personality, hobbies, favourite brands, clothing style, body type, spending status,
//! companions, the advisor's suggestions, care dates — read through its `view` use case), the
//! member's advisor and its history, the purchase details from the ledger (receipts), and the
//! care history: schedules, tasks and receptions.

use patron_core::Permission;

use super::CareError;
use super::store::figures::{self as figures_store, PurchaseRow};
use super::store::receptions::{self as receptions_store, Filter, ReceptionRow};
use super::store::schedules::{self as schedules_store, ScheduleRow};
use super::store::tasks::{self as tasks_store, TaskRow};
use super::store::{self, AdvisorChange, AdvisorRow};
use crate::areas::members::{self, MemberView};
use crate::kernel::ctx::Ctx;

/// The purchases a file lists (the latest).
pub const PURCHASES: i64 = 200;

pub struct MemberFile {
    pub view: MemberView,
    pub advisor: Option<AdvisorRow>,
    pub advisor_history: Vec<AdvisorChange>,
    pub purchases: Vec<PurchaseRow>,
    pub schedules: Vec<ScheduleRow>,
    pub tasks: Vec<TaskRow>,
    pub receptions: Vec<ReceptionRow>,
}

impl MemberFile {
    /// The total of the purchases listed, in fen.
    pub fn purchases_total(&self) -> i64 {
        self.purchases.iter().map(|p| p.total_fen).sum()
    }
}

/// The file of member `id`.
pub async fn file(ctx: &Ctx, id: i64) -> Result<MemberFile, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let view = members::view(ctx, id, 0).await?;
    Ok(MemberFile {
        advisor: store::advisor(ctx.db(), id).await?,
        advisor_history: store::advisor_history(ctx.db(), id).await?,
        purchases: figures_store::purchases(ctx.db(), id, PURCHASES).await?,
        schedules: schedules_store::of_member(ctx.db(), id).await?,
        tasks: tasks_store::of_member(ctx.db(), id).await?,
        receptions: receptions_store::list(
            ctx.db(),
            &Filter {
                member_id: Some(id),
                limit: 500,
                ..Filter::default()
            },
        )
        .await?,
        view,
    })
}
