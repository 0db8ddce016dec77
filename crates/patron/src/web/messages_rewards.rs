//! Messages of the rewards pages: (key, zh-CN, en).

pub const REWARDS: &[(&str, &str, &str)] = &[
    ("nav.rewards", "返礼与领奖", "Rewards"),
    (
        "error.out_of_stock",
        "该奖品库存不足",
        "This gift is out of stock",
    ),
];
