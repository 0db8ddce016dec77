//! The areas' message catalogs, one line per area. The toolkit's `i18n` reads this list (the
//! documented exception to the layer rule: pure data, no behaviour).

pub const AREAS: &[&[(&str, &str, &str)]] = &[
    crate::areas::members::messages::LOYALTY,
    crate::areas::points::messages::POINTS,
    crate::areas::members::labels::LABELS,
    crate::areas::groupbuy::messages::GROUPBUY,
    crate::areas::groupbuy::words::WORDS,
    crate::areas::gifts::messages::GIFTS,
    crate::areas::rewards::messages::REWARDS,
    crate::areas::events::messages::EVENTS,
    crate::areas::partners::messages::PARTNERS,
    crate::areas::calendar::messages::CALENDAR,
    crate::areas::customers::messages::CUSTOMERS,
    crate::areas::customers::files::messages::CUSTOMER_FILES,
    crate::areas::customers::callbacks::messages::CUSTOMER_CALLBACKS,
    crate::areas::customers::visits::messages::CUSTOMER_VISITS,
    crate::areas::plans::messages::PLANS,
    crate::notify::messages::NOTIFY,
    crate::areas::pos::pages::MESSAGES,
    crate::areas::backup::messages::BACKUP,
    crate::areas::points::import::MESSAGES,
    crate::areas::customers::files::import::MESSAGES,
    crate::areas::members::data::MESSAGES,
];
