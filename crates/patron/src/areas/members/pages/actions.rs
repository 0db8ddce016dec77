//! The desk's actions on the member page: card operations, points adjustments, missed
//! receipts and tier requests. A refused form shows the member page again with its errors.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;

use super::member::{AdjustForm, MissedForm, rejected, rejected_fields};
use crate::areas::members::cards::{self, CardAction};
use crate::areas::members::store;
use crate::areas::points::adjust::{self, Missed};
use crate::areas::points::receipts::{ReceiptIn, ReceiptLineIn};
use crate::kernel::error as codes;
use crate::web::error::AppError;
use crate::web::extract::{Console, Verified};
use crate::web::layout::FormErrors;

#[derive(Deserialize)]
pub(super) struct CardForm {
    action: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn card_action(Path(id): Path<i64>, v: Verified<CardForm>) -> Response {
    let c = v.console;
    let Some(action) = CardAction::parse(&v.form.action) else {
        return AppError::new(codes::VALIDATION).into_response();
    };
    match cards::act(&c.ctx, id, action, &v.form.reason).await {
        Ok(_) => {
            Redirect::to(&format!("/members/{id}?ok=flash.card_{}", action.code())).into_response()
        }
        Err(e) => {
            let err = AppError::from(e);
            if ![codes::VALIDATION, codes::CARD_INACTIVE].contains(&err.code) {
                return err.into_response();
            }
            let message = Some(c.lang.t(err.code.key).to_string());
            rejected(
                &c,
                id,
                AdjustForm::default(),
                MissedForm::default(),
                FormErrors(err.fields),
                message,
            )
            .await
        }
    }
}

pub(super) async fn adjust_request(Path(id): Path<i64>, v: Verified<AdjustForm>) -> Response {
    let c = v.console;
    let form = v.form;
    let points = form.points.trim().replace(['+', ','], "").parse::<i64>();
    let result = match points {
        Ok(p) => adjust::request_points(&c.ctx, id, p, &form.reason, &form.kind)
            .await
            .map_err(AppError::from),
        Err(_) => {
            Err(crate::kernel::validation::Invalid::one("points", "invalid.adjust_points").into())
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response(),
        Err(err) if err.code == codes::VALIDATION => {
            rejected(
                &c,
                id,
                form,
                MissedForm::default(),
                FormErrors(err.fields),
                None,
            )
            .await
        }
        Err(err) => err.into_response(),
    }
}

pub(super) async fn missed_entry(Path(id): Path<i64>, v: Verified<MissedForm>) -> Response {
    let c = v.console;
    let form = v.form;
    let result = missed_input(&c, id, &form).await;
    let outcome = match result {
        Ok(input) => adjust::enter_missed(&c.ctx, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(Missed::Accrued(_, out)) => Redirect::to(&format!(
            "/members/{id}?ok=flash.missed_accrued&points={}",
            out.points_awarded
        ))
        .into_response(),
        Ok(Missed::Pending(_)) => {
            Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response()
        }
        Err(err)
            if [
                codes::VALIDATION,
                codes::RECEIPT_CONFLICT,
                codes::CARD_INACTIVE,
                codes::CARD_FROZEN,
                codes::CARD_EXPIRED,
            ]
            .contains(&err.code) =>
        {
            // The refusal in the clerk's words (credited when and with how much, the dates).
            let message = match &err.note {
                Some(note) => Some(note.say(c.lang)),
                None => (err.code != codes::VALIDATION).then(|| c.lang.t(err.code.key).to_string()),
            };
            rejected(
                &c,
                id,
                AdjustForm::default(),
                form,
                FormErrors(err.fields),
                message,
            )
            .await
        }
        Err(err) => err.into_response(),
    }
}

/// The receipt a missed-points form describes (one line, the amount after discount).
pub(super) async fn missed_input(
    c: &Console,
    id: i64,
    form: &MissedForm,
) -> Result<ReceiptIn, AppError> {
    let member = store::get_member(c.ctx.db(), id)
        .await?
        .ok_or_else(|| AppError::new(codes::MEMBER_NOT_FOUND))?;
    let card_no = member
        .card_no
        .ok_or_else(|| AppError::new(codes::CARD_INACTIVE))?;
    let mut bad = crate::kernel::validation::Invalid::new();
    let amount = bad.check(
        "amount",
        patron_core::Fen::parse_yuan(&form.amount).map_err(|_| "invalid.amount"),
    );
    let when = NaiveDateTime::parse_from_str(form.occurred_at.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(form.occurred_at.trim(), "%Y-%m-%d %H:%M"))
        .ok()
        .and_then(|t| c.ctx.app.config.tz().from_local_datetime(&t).single());
    if when.is_none() {
        bad.add("occurred_at", "invalid.date");
    }
    bad.into_result()?;
    let (Some(amount), Some(when)) = (amount, when) else {
        return Err(AppError::new(codes::VALIDATION));
    };
    Ok(ReceiptIn {
        store_code: form.store_code.clone(),
        till_id: None,
        receipt_no: form.receipt_no.clone(),
        card_no,
        occurred_at: when.fixed_offset(),
        lines: vec![ReceiptLineIn {
            line_no: 1,
            sku: String::new(),
            amount_fen: amount.0,
            promotional: false,
        }],
    })
}

#[derive(Deserialize)]
pub(super) struct TierRequestForm {
    tier: String,
    #[serde(default)]
    tier_reason: String,
}

/// Asks a manager to move the member to a tier that needs approval (platinum).
pub(super) async fn tier_request(Path(id): Path<i64>, v: Verified<TierRequestForm>) -> Response {
    let c = v.console;
    match adjust::request_tier(&c.ctx, id, &v.form.tier, &v.form.tier_reason).await {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=flash.submitted")).into_response(),
        Err(e) => rejected_fields(&c, id, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    #[serde(default)]
    close_reason: String,
    #[serde(default)]
    close_confirm: String,
}

/// Asks a supervisor to close the member (B11): the desk confirms the member was told what
/// happens to the remaining points and the personal data.
pub(super) async fn close_request(Path(id): Path<i64>, v: Verified<CloseForm>) -> Response {
    let c = v.console;
    let confirmed = v.form.close_confirm == "yes";
    match crate::areas::members::closing::request_close(&c.ctx, id, &v.form.close_reason, confirmed)
        .await
    {
        Ok(_) => Redirect::to(&format!("/members/{id}?ok=flash.close_requested")).into_response(),
        Err(e) => rejected_fields(&c, id, e).await,
    }
}

/// The form of a button with nothing to type.
#[derive(Deserialize)]
pub(super) struct NoFields {}

/// 发放/重置门户密码: a temporary portal password goes to the member by SMS (never shown here);
/// the member changes it at first login.
pub(super) async fn portal_password(Path(id): Path<i64>, v: Verified<NoFields>) -> Response {
    let c = v.console;
    match crate::areas::members::issue_portal_password(&c.ctx, id).await {
        Ok(done) => {
            let flash = match done {
                crate::areas::members::PortalPassword::Issued => "flash.portal_password_issued",
                crate::areas::members::PortalPassword::Reset => "flash.portal_password_reset",
            };
            Redirect::to(&format!("/members/{id}?ok={flash}")).into_response()
        }
        Err(e) => rejected_fields(&c, id, e).await,
    }
}
