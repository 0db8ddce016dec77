//! The demo's gifts (SPEC D6, C7, J3): the four reward gifts and the exchange catalogue with a
//! coupon, stock received at WFJ and XD on delivery notes, one transfer, a stock-take waiting
//! for approval, a few points exchanges at the WFJ desk, and a birthday gift per tier.
//! Everything goes through the use cases.

mod store;

use std::fmt::Write as _;

use anyhow::anyhow;

use crate::areas::gifts::stock::DocRow;
use crate::areas::gifts::{GiftsError, birthday, catalogue, exchange, stock, stocktake};
use crate::kernel::ctx::{Actor, App, Ctx, StaffActor};

fn err(what: &str) -> impl Fn(GiftsError) -> anyhow::Error + '_ {
    move |e| anyhow!("demo gifts, {what}: {e}")
}

/// (code, name zh, name en, kind, value in yuan, points price)
const GIFTS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "REWARD-200",
        "返礼 ¥200 礼品",
        "Reward gift ¥200",
        "gift",
        "200",
        "",
    ),
    (
        "REWARD-500",
        "返礼 ¥500 礼品",
        "Reward gift ¥500",
        "gift",
        "500",
        "",
    ),
    (
        "REWARD-800",
        "返礼 ¥800 礼品",
        "Reward gift ¥800",
        "gift",
        "800",
        "",
    ),
    (
        "REWARD-1380",
        "返礼 ¥1,380 礼品",
        "Reward gift ¥1,380",
        "gift",
        "1380",
        "",
    ),
    ("MUG", "品牌马克杯", "Branded mug", "gift", "50", "500"),
    ("UMBRELLA", "晴雨伞", "Umbrella", "gift", "100", "1000"),
    ("TEASET", "功夫茶具", "Tea set", "gift", "300", "3000"),
    (
        "COUPON-50",
        "¥50 购物券",
        "¥50 shopping coupon",
        "coupon",
        "50",
        "500",
    ),
    (
        "CAKE",
        "生日蛋糕券",
        "Birthday cake voucher",
        "coupon",
        "88",
        "",
    ),
];

fn lines(items: &[(&str, i64)]) -> Vec<stock::LineIn> {
    items
        .iter()
        .map(|(g, q)| stock::LineIn {
            gift_code: (*g).into(),
            qty: q.to_string(),
        })
        .collect()
}

/// Adds the demo's gifts; `actor` finds a demo account by user name.
pub async fn build(
    app: &App,
    out: &mut String,
    actor: impl Fn(&str) -> Option<StaffActor>,
) -> anyhow::Result<()> {
    let as_ = |name: &str| -> anyhow::Result<Ctx> {
        let a = actor(name).ok_or_else(|| anyhow!("demo account {name} is missing"))?;
        Ok(Ctx::new(app.clone(), Actor::Staff(a), None))
    };
    let manager = as_("manager")?;
    let reward = as_("reward")?;
    let clerk = as_("clerk")?;
    add_gifts(app, &manager).await?;
    let (wfj, xd, transfer) = receive_and_transfer(&manager, &reward).await?;
    let exchanged = exchanges(app, &clerk).await?;
    let take = count_wfj(app, &reward, wfj.store_id).await?;
    let gifts = catalogue::list_gifts(&app.db).await?;
    let entitled = birthday_gifts(app, &manager).await?;
    let _ = writeln!(
        out,
        "\nGifts: {} in the list; delivery notes {} (WFJ) and {} (XD), transfer {}, {exchanged} \
         points exchanges at WFJ, stock-take {} waiting for approval; {entitled} birthday gifts \
         today (/rewards/stock, /rewards/exchange, /rewards/birthday).",
        gifts.len(),
        wfj.no(),
        xd.no(),
        transfer.no(),
        take.no(),
    );
    Ok(())
}

/// The gift list (the reward gifts may exist already: the reward-slip demo creates them if it
/// runs first).
async fn add_gifts(app: &App, manager: &Ctx) -> anyhow::Result<()> {
    for (code, zh, en, kind, value, price) in GIFTS {
        if catalogue::gift_by_code(&app.db, code).await?.is_some() {
            continue;
        }
        catalogue::save_gift(
            manager,
            &catalogue::GiftIn {
                code: (*code).into(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
                kind: (*kind).into(),
                value: (*value).into(),
                points_price: (*price).into(),
                active: true,
            },
        )
        .await
        .map_err(err("gift list"))?;
    }
    Ok(())
}

/// Deliveries at WFJ and XD, and a transfer from WFJ to XD: (WFJ note, XD note, transfer).
async fn receive_and_transfer(
    manager: &Ctx,
    reward: &Ctx,
) -> anyhow::Result<(DocRow, DocRow, DocRow)> {
    let wfj = stock::receive(
        reward,
        &stock::DeliveryIn {
            store_code: "WFJ".into(),
            note_no: "HX-20261102".into(),
            supplier: "华信礼品有限公司".into(),
            lines: lines(&[
                ("REWARD-200", 40),
                ("REWARD-500", 20),
                ("REWARD-800", 10),
                ("REWARD-1380", 5),
                ("MUG", 60),
                ("UMBRELLA", 30),
                ("TEASET", 8),
                ("COUPON-50", 100),
                ("CAKE", 50),
            ]),
            note: "十一月礼品到货".into(),
        },
    )
    .await
    .map_err(err("WFJ delivery"))?;
    let xd = stock::receive(
        manager,
        &stock::DeliveryIn {
            store_code: "XD".into(),
            note_no: "HX-20261105".into(),
            supplier: "华信礼品有限公司".into(),
            lines: lines(&[
                ("REWARD-200", 20),
                ("REWARD-500", 10),
                ("MUG", 30),
                ("COUPON-50", 50),
                ("CAKE", 20),
            ]),
            note: String::new(),
        },
    )
    .await
    .map_err(err("XD delivery"))?;
    let transfer = stock::transfer(
        manager,
        &stock::TransferIn {
            store_code: "WFJ".into(),
            to_store_code: "XD".into(),
            lines: lines(&[("UMBRELLA", 10), ("TEASET", 2)]),
            note: "西单店兑换需求".into(),
        },
    )
    .await
    .map_err(err("transfer"))?;
    Ok((wfj, xd, transfer))
}

/// A few exchanges at the WFJ desk, by members with enough points; how many.
async fn exchanges(app: &App, clerk: &Ctx) -> anyhow::Result<usize> {
    let cards = store::cards_with_points(&app.db, 3000, app.clock.now().date_naive(), 4).await?;
    let mut exchanged = 0;
    for (card, gift) in cards.iter().zip(["MUG", "UMBRELLA", "COUPON-50", "TEASET"]) {
        exchange::exchange(
            clerk,
            &exchange::ExchangeIn {
                store_code: "WFJ".into(),
                card_no: card.clone(),
                gift_code: gift.into(),
                qty: "1".into(),
                key: String::new(),
            },
        )
        .await
        .map_err(err("exchange"))?;
        exchanged += 1;
    }
    Ok(exchanged)
}

/// The month's stock-take at WFJ: one mug broken, one umbrella missing; waits for approval.
async fn count_wfj(app: &App, reward: &Ctx, wfj: i64) -> anyhow::Result<DocRow> {
    let stock_now = stock::stock_all(&app.db).await?;
    let gifts = catalogue::list_gifts(&app.db).await?;
    let have = |code: &str| -> i64 {
        let id = gifts
            .iter()
            .find(|g| g.code == code)
            .map(|g| g.id)
            .unwrap_or(0);
        stock_now
            .iter()
            .find(|(s, g, _)| *s == wfj && *g == id)
            .map(|x| x.2)
            .unwrap_or(0)
    };
    let counts = [
        ("MUG", 1, "搬运破损一只"),
        ("UMBRELLA", 1, "展示样品遗失"),
        ("REWARD-200", 0, ""),
    ]
    .iter()
    .map(|(code, less, why)| stocktake::CountIn {
        gift_code: (*code).into(),
        counted: (have(code) - less).max(0).to_string(),
        explanation: (*why).into(),
    })
    .collect();
    stocktake::stocktake(
        reward,
        &stocktake::StocktakeIn {
            store_code: "WFJ".into(),
            month: String::new(),
            lines: counts,
        },
    )
    .await
    .map_err(err("stock-take"))
}

/// Birthday gifts per tier, and today's entitlements (how many).
async fn birthday_gifts(app: &App, manager: &Ctx) -> anyhow::Result<u64> {
    for (tier, gift, qty) in [
        ("normal", "CAKE", "1"),
        ("silver", "CAKE", "1"),
        ("gold", "MUG", "1"),
        ("platinum", "TEASET", "1"),
    ] {
        let r = birthday::save_setting(
            manager,
            &birthday::TierGiftIn {
                tier_code: tier.into(),
                gift_code: gift.into(),
                qty: qty.into(),
            },
        )
        .await;
        // A tier the demo's loyalty settings do not have is skipped.
        if let Err(e) = r
            && !matches!(e, GiftsError::Invalid(_))
        {
            return Err(err("birthday gifts")(e));
        }
    }
    let today = crate::kernel::dates::business_date(app.clock.now(), app.config.tz());
    Ok(birthday::entitle(manager, today).await?)
}
