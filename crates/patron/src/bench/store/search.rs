//! SQL of `patron bench search`: members with Chinese names, phone lookup hashes and active
//! cards loaded straight into their tables in set-based statements (numbers only, never input).

use super::reports::series;
use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Common surnames, the most common first (the loader favours the front of the list).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
/// Characters of given names.
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国家晓文斌宇浩凯俊峰欣怡佳琪雪梅丹婷云飞晨阳光荣志海波林鑫淑珍凤慧颖琳瑞博思远天宏亮成龙子涵梓轩雨泽诗韵晶莉倩蕾嘉";

/// Members `from+1 ..= from+n` (their ids), at `store_id`: a surname (the common ones more
/// often) and one or two given characters (seven in ten have two), phone hash `h<id>`.
pub fn members_statement(pg: bool, store_id: i64, from: u64, n: u64) -> String {
    let (ns, ng) = (SURNAMES.chars().count(), GIVEN.chars().count());
    let surname = format!(
        "substr('{SURNAMES}', CAST(1 + ((s.i * 2654435761) % 1000) * ((s.i * 2654435761) % 1000) \
         * {ns} / 1000000 AS INT), 1)"
    );
    let first = format!("substr('{GIVEN}', CAST(1 + ((s.i * 2246822519) / 7) % {ng} AS INT), 1)");
    let second = format!(
        "case when s.i % 10 < 7 then substr('{GIVEN}', CAST(1 + ((s.i * 3266489917) / 13) % {ng} AS INT), 1) \
         else '' end"
    );
    format!(
        "insert into members (id, name, phone_hash, phone_masked, channel, store_id, tier_code, \
         tier_since, joined_on, created_at) {overriding} select s.i, {surname} || {first} || \
         {second}, 'h' || s.i, '139****0000', 'desk', {store_id}, 'normal', {day}, {day}, {now} \
         from {series}",
        overriding = if pg { "overriding system value" } else { "" },
        day = if pg {
            "date '2025-01-01'"
        } else {
            "'2025-01-01'"
        },
        now = if pg {
            "now()"
        } else {
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
        },
        series = series(pg, from, n)
    )
}

/// The active card `S<id>` of each member `from+1 ..= from+n`.
pub fn cards_statement(pg: bool, store_id: i64, from: u64, n: u64) -> String {
    format!(
        "insert into cards (card_no, member_id, store_id, issued_on, expires_on, activated_at, \
         state, created_at) select 'S' || s.i, s.i, {store_id}, {day}, {end}, {now}, 'active', {now} \
         from {series}",
        day = if pg {
            "date '2025-01-01'"
        } else {
            "'2025-01-01'"
        },
        end = if pg {
            "date '2099-12-31'"
        } else {
            "'2099-12-31'"
        },
        now = if pg {
            "now()"
        } else {
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
        },
        series = series(pg, from, n)
    )
}

/// What the bench searches for: a member's name, phone hash and card.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sample {
    pub name: String,
    pub phone_hash: String,
    pub card_no: String,
}

/// The member with id `id` as the bench loaded them.
pub async fn sample(db: &Db, id: i64) -> Result<Option<Sample>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.name, m.phone_hash, c.card_no from members m \
             join cards c on c.member_id = m.id where m.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}
