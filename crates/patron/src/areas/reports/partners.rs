//! Partner merchants (M4, G1–G4) by pipeline stage or by month: where the partners stand, how
//! they moved in the period, their contracts and callbacks.
//!
//! - By stage: partners at each stage now, those that moved into it in the period, and the
//!   contracts and callbacks of the partners now at it.
//! - By month: partners screened (new) and stage changes in each month, contracts starting,
//!   in force at the month's end and ending in it, callbacks made.
//!
//! A contract is signed in the period when it starts in it, in force on a day between its start
//! and end (unless its partner was ended before), expiring when its end falls in the period.
//! Partners are kept for the whole business: the store filter narrows the contracts to those
//! that apply at that store.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::members::{label, period_note};
use super::sheet::{Chart, Row, SeriesOf, Sheet};
use super::span::{Groups, months};
use super::store::partners as store;
use super::{Filter, ReportError};
use crate::areas::partners::STAGES;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::month_key;
use crate::web::export::Cell;
use crate::web::i18n::Lang;
use crate::web::said::Said;

#[derive(Debug, Default, Clone, Copy)]
struct Line {
    /// By stage: partners at it now; by month: partners screened.
    partners: i64,
    /// By stage: moved into it; by month: stage changes (screening aside).
    moves: i64,
    signed: i64,
    in_force: i64,
    expiring: i64,
    callbacks: i64,
}

impl Line {
    fn cells(&self, name: String) -> Vec<Cell> {
        vec![
            Cell::Text(name),
            Cell::Int(self.partners),
            Cell::Int(self.moves),
            Cell::Int(self.signed),
            Cell::Int(self.in_force),
            Cell::Int(self.expiring),
            Cell::Int(self.callbacks),
        ]
    }
}

/// Whether a contract is in force on `day`: started, not past its end, and its partner not
/// ended by then (`ended`: the day the partner was ended, if it was).
fn in_force(c: &store::ContractRow, day: NaiveDate, ended: Option<NaiveDate>) -> bool {
    c.starts_on <= day
        && day <= c.ends_on
        && !(c.state == "ended" && ended.is_none_or(|e| e <= day))
}

/// Whether a contract applies at the store chosen (every contract, with no store chosen).
fn applies(c: &store::ContractRow, f: &Filter) -> bool {
    let Some(store) = &f.store else {
        return true;
    };
    c.stores.trim().is_empty()
        || c.stores
            .split(',')
            .any(|s| s.trim().eq_ignore_ascii_case(&store.code))
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    let by_stage = f.by != "month";
    let now: HashMap<i64, (String, NaiveDate)> = store::stages_now(db)
        .await?
        .into_iter()
        .map(|(id, stage, on)| (id, (stage, on)))
        .collect();
    let ended = |id: i64| {
        now.get(&id)
            .filter(|(s, _)| s == "ended")
            .map(|(_, on)| *on)
    };
    let stage_of = |id: i64| now.get(&id).map_or("", |(s, _)| s.as_str()).to_string();
    let mut groups: Groups<Line> = Groups::new();
    let stage_row = |stage: &str| -> (String, String) {
        let rank = STAGES
            .iter()
            .position(|s| *s == stage)
            .unwrap_or(STAGES.len());
        (format!("{rank:02}"), label(lang, "partners.stage.", stage))
    };
    let month_ends = months(f);
    if by_stage {
        for s in STAGES {
            let (k, l) = stage_row(s);
            groups.at(k, || l);
        }
        for (stage, _) in now.values() {
            let (k, l) = stage_row(stage);
            groups.at(k, || l).partners += 1;
        }
    } else {
        for (m, _) in &month_ends {
            groups.at(m.clone(), || m.clone());
        }
    }
    // The row of a figure of partner `id` on `day`.
    let row = |id: i64, day: NaiveDate| -> (String, String) {
        if by_stage {
            stage_row(&stage_of(id))
        } else {
            (month_key(day), month_key(day))
        }
    };
    for m in store::moves(db, f.from, f.to).await? {
        if by_stage {
            let (k, l) = stage_row(&m.to_stage);
            groups.at(k, || l).moves += 1;
        } else {
            let (k, l) = row(m.partner_id, m.on_date);
            let line = groups.at(k, || l);
            if m.from_stage.is_none() {
                line.partners += 1;
            } else {
                line.moves += 1;
            }
        }
    }
    let end = f.to.min(f.today);
    for c in store::contracts(db, f.from, f.to).await? {
        if !applies(&c, f) {
            continue;
        }
        let gone = ended(c.partner_id);
        if f.from <= c.starts_on && c.starts_on <= f.to {
            let (k, l) = row(c.partner_id, c.starts_on);
            groups.at(k, || l).signed += 1;
        }
        if f.from <= c.ends_on && c.ends_on <= f.to {
            let (k, l) = row(c.partner_id, c.ends_on);
            groups.at(k, || l).expiring += 1;
        }
        if by_stage {
            if in_force(&c, end, gone) {
                let (k, l) = row(c.partner_id, end);
                groups.at(k, || l).in_force += 1;
            }
        } else {
            for (m, last) in &month_ends {
                if in_force(&c, (*last).min(f.today), gone) {
                    groups.at(m.clone(), || m.clone()).in_force += 1;
                }
            }
        }
    }
    for (id, day) in store::callbacks(db, f.from, f.to).await? {
        let (k, l) = row(id, day);
        groups.at(k, || l).callbacks += 1;
    }
    let mut total = Line::default();
    for (_, l) in groups.rows() {
        total.partners += l.partners;
        total.moves += l.moves;
        total.signed += l.signed;
        total.expiring += l.expiring;
        total.callbacks += l.callbacks;
        total.in_force += l.in_force;
    }
    if !by_stage {
        // In force is a standing: the total is the standing at the period's end.
        total.in_force = groups.rows().last().map_or(0, |(_, l)| l.in_force);
    }
    let chart = chart(&groups, by_stage, lang);
    let columns = columns(by_stage);
    Ok(Sheet {
        columns,
        rows: groups
            .rows()
            .map(|(n, l)| Row::new(l.cells(n.clone())))
            .collect(),
        totals: Some(total.cells(lang.t("reports.total").into())),
        chart: Some(chart),
        notes: vec![
            period_note(f, lang),
            Said::new(if by_stage {
                "reports.partners.note_stage"
            } else {
                "reports.partners.note_month"
            })
            .say(lang),
        ],
    })
}

/// The chart: partners at each stage now, or each month's contracts and callbacks.
fn chart(groups: &Groups<Line>, by_stage: bool, lang: Lang) -> Chart {
    let series: &[SeriesOf<Line>] = if by_stage {
        &[("reports.partners.col.now", |l| l.partners)]
    } else {
        &[
            ("reports.partners.col.signed", |l| l.signed),
            ("reports.partners.col.in_force", |l| l.in_force),
            ("reports.partners.col.callbacks", |l| l.callbacks),
        ]
    };
    Chart::of("bar", groups.rows(), series, lang)
}

/// The columns' catalog keys.
fn columns(by_stage: bool) -> Vec<&'static str> {
    let mut columns = if by_stage {
        vec![
            "reports.by.stage",
            "reports.partners.col.now",
            "reports.partners.col.entered",
        ]
    } else {
        vec![
            "reports.by.month",
            "reports.partners.col.new",
            "reports.partners.col.moves",
        ]
    };
    columns.extend([
        "reports.partners.col.signed",
        "reports.partners.col.in_force",
        "reports.partners.col.expiring",
        "reports.partners.col.callbacks",
    ]);
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_contract_is_in_force_from_its_start_to_its_end_unless_its_partner_was_ended() {
        let c = store::ContractRow {
            partner_id: 1,
            starts_on: d("2026-01-01"),
            ends_on: d("2026-12-31"),
            state: "in_force".into(),
            stores: String::new(),
        };
        assert!(!in_force(&c, d("2025-12-31"), None));
        assert!(in_force(&c, d("2026-12-31"), None));
        assert!(!in_force(&c, d("2027-01-01"), None));
        let ended = store::ContractRow {
            state: "ended".into(),
            ..c
        };
        assert!(in_force(&ended, d("2026-05-31"), Some(d("2026-06-01"))));
        assert!(!in_force(&ended, d("2026-06-01"), Some(d("2026-06-01"))));
    }
}
