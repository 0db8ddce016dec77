//! What every console page's template receives: the language, the signed-in user, the
//! navigation they are allowed to see, the CSRF token, and a flash message.

use patron_core::Permission;

use super::assets;
use super::i18n::Lang;
use crate::web::extract::Console;

pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// The console's sections, each shown only to those holding its permission.
const NAV: &[(&str, &str, Permission)] = &[
    ("/", "nav.dashboard", Permission::ViewDashboard),
    ("/members", "nav.members", Permission::ViewMembers),
    ("/approvals", "nav.approvals", Permission::ViewApprovals),
    (
        "/points/liability",
        "nav.liability",
        Permission::ViewPointsLiability,
    ),
    ("/groupbuy", "nav.groupbuy", Permission::ViewGroupBuy),
    ("/till", "nav.till", Permission::TillStandIn),
    ("/rewards", "nav.rewards", Permission::ViewRewards),
    ("/rewards/stock", "nav.gifts", Permission::ViewRewards),
    ("/events", "nav.events", Permission::ViewEvents),
    ("/partners", "nav.partners", Permission::ViewPartners),
    ("/customers", "nav.customers", Permission::ViewCustomers),
    (
        "/customers/visits",
        "nav.customer_visits",
        Permission::ViewCustomers,
    ),
    ("/plans", "plans.nav", Permission::WritePlans),
    ("/targets", "plans.nav_targets", Permission::ViewTargets),
    ("/rotation", "rotation.nav", Permission::UseRotation),
    ("/care", "care.nav", Permission::CareForMembers),
    ("/reports", "nav.reports", Permission::ViewReports),
    ("/admin/loyalty", "nav.loyalty", Permission::ManageLoyalty),
    (
        "/admin/groupbuy",
        "nav.groupbuy_settings",
        Permission::ManageGroupBuySettings,
    ),
    ("/admin/stores", "nav.stores", Permission::ManageStores),
    ("/admin/staff", "nav.staff", Permission::ManageStaff),
    ("/admin/roles", "nav.roles", Permission::ViewPermissions),
    ("/admin/tills", "nav.tills", Permission::ManageTillKeys),
    ("/admin/tokens", "nav.tokens", Permission::ManageApiTokens),
    ("/admin/audit", "nav.audit", Permission::ViewAudit),
    (
        "/admin/calendar",
        "nav.calendar",
        Permission::ManageCalendar,
    ),
    (
        "/admin/outbox",
        "nav.outbox",
        Permission::ManageNotifications,
    ),
    (
        "/complaints",
        "complaints.nav",
        Permission::HandleComplaints,
    ),
    (
        "/admin/complaints",
        "complaints.nav_settings",
        Permission::ManageComplaints,
    ),
    ("/admin/care", "care.nav_settings", Permission::ManageCare),
    ("/admin/backups", "nav.backups", Permission::ManageBackups),
    (
        "/admin/reports",
        "reports.nav_settings",
        Permission::ManageLoyalty,
    ),
];

pub struct Flash {
    pub kind: &'static str,
    pub key: &'static str,
}

pub struct Page {
    pub lang: Lang,
    pub title_key: &'static str,
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    /// The settings and administration sections (`/admin/…`), under one menu entry so the
    /// navigation stays on one line.
    pub admin_nav: Vec<NavItem>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// Times are shown in the configured business time zone.
    pub tz: chrono_tz::Tz,
    /// The permissions the reader holds (at some store): links and forms are shown only to
    /// those who may use them (`may`).
    pub held: Vec<Permission>,
}

/// Pages that sit under another section's address but belong to a menu entry of their own.
const SECTION_ALIASES: &[(&str, &str)] = &[
    ("/rewards/gifts", "/rewards/stock"),
    ("/rewards/exchange", "/rewards/stock"),
    ("/rewards/birthday", "/rewards/stock"),
    ("/admin/messages", "/admin/outbox"),
];

/// The one menu entry a path belongs to: its alias, else the longest entry it starts with.
fn current_section(path: &str) -> Option<&'static str> {
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(['/', '?', '.']))
    };
    if let Some((_, section)) = SECTION_ALIASES.iter().find(|(p, _)| under(p)) {
        return Some(section);
    }
    NAV.iter()
        .map(|(href, _, _)| *href)
        .filter(|href| {
            if *href == "/" {
                path == "/"
            } else {
                under(href)
            }
        })
        .max_by_key(|href| href.len())
}

impl Page {
    /// A page for a signed-in staff member.
    pub fn console(c: &Console, title_key: &'static str) -> Page {
        let current = current_section(&c.path);
        let (admin_nav, nav): (Vec<NavItem>, Vec<NavItem>) = NAV
            .iter()
            .filter(|(_, _, p)| c.ctx.can(*p))
            .map(|(href, key, _)| NavItem {
                href,
                key,
                current: Some(*href) == current,
            })
            .partition(|item| item.href.starts_with("/admin/"));
        Page {
            lang: c.lang,
            title_key,
            user_name: Some(c.staff().display_name.clone()),
            nav,
            admin_nav,
            csrf: c.csrf_token.clone(),
            flash: None,
            tz: c.ctx.app.config.tz(),
            held: Permission::ALL
                .into_iter()
                .filter(|p| c.ctx.can(*p))
                .collect(),
        }
    }

    /// A page shown without signing in (login, errors).
    pub fn anonymous(lang: Lang, title_key: &'static str) -> Page {
        Page {
            lang,
            title_key,
            user_name: None,
            nav: Vec::new(),
            admin_nav: Vec::new(),
            csrf: String::new(),
            flash: None,
            tz: chrono_tz::Asia::Shanghai,
            held: Vec::new(),
        }
    }

    /// Shows a flash message named by a `?ok=` / `?err=` query key, if it is a known message.
    pub fn with_flash(mut self, kind: &'static str, key: Option<&str>) -> Page {
        if let Some(k) = key
            && let Some(known) = Lang::known(k).filter(|k| k.starts_with("flash."))
        {
            self.flash = Some(Flash { kind, key: known });
        }
        self
    }

    /// Whether the page belongs to one of the administration menu's sections.
    pub fn admin_current(&self) -> bool {
        self.admin_nav.iter().any(|i| i.current)
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// Whether the reader holds the permission whose code is `code` (`sell_vouchers`): a
    /// template shows a link or a form only to those it would not refuse.
    pub fn may(&self, code: &str) -> bool {
        self.held.iter().any(|p| p.code() == code)
    }

    /// The message for `key` if the catalog has it, else the one for `fallback` (labels built
    /// from stored codes: entry kinds, approval kinds).
    pub fn t_or(&self, key: &str, fallback: &str) -> &'static str {
        if Lang::has(key) {
            self.t(key)
        } else {
            self.t(fallback)
        }
    }

    /// A points ledger entry's kind (`receipt`, `return`, …) in this page's language.
    pub fn entry_kind(&self, kind: &str) -> &'static str {
        self.t_or(&format!("points.kind.{kind}"), "points.kind.other")
    }

    /// A number of points (or any count people read) grouped by thousands: `28,317`.
    pub fn pts(&self, n: &i64) -> String {
        patron_core::money::grouped(*n)
    }

    /// A ledger entry's note as people read it: the notes Patron writes itself (stored in
    /// English, the ledger being append-only) become catalog sentences; a note a clerk typed is
    /// shown as typed.
    pub fn ledger_note(&self, note: &str) -> String {
        use crate::web::said::Said;
        let note = note.trim();
        let fixed = match note {
            "birthday" => Some("points.note.birthday"),
            "opening balance" => Some("points.note.opening_balance"),
            _ => None,
        };
        if let Some(key) = fixed {
            return self.t(key).to_string();
        }
        // "receipt R-1; 1937 points reversed" (written by a return).
        if let Some(rest) = note.strip_prefix("receipt ")
            && let Some((receipt, tail)) = rest.split_once("; ")
            && let Some(points) = tail.strip_suffix(" points reversed")
            && let Ok(points) = points.parse::<i64>()
        {
            return Said::new("points.note.reversed")
                .text("receipt", receipt)
                .text("points", patron_core::money::grouped(points))
                .say(self.lang);
        }
        note.to_string()
    }

    /// Where a ledger entry came from as people read it: the references Patron writes itself
    /// (`approval #12`, `lot 2026-12-31`, `member #45`, `EV3`) in this page's language; a
    /// receipt or slip number as it is.
    pub fn ledger_source(&self, source: &str) -> String {
        use crate::web::said::Said;
        let source = source.trim();
        let numbered = |key: &'static str, no: &str| Said::new(key).text("no", no).say(self.lang);
        if let Some(id) = source.strip_prefix("approval #") {
            return numbered("points.source.approval", &format!("#{id}"));
        }
        if let Some(id) = source.strip_prefix("member #") {
            return numbered("points.source.member", &format!("#{id}"));
        }
        if let Some(date) = source.strip_prefix("lot ") {
            return Said::new("points.source.lot")
                .text("date", date)
                .say(self.lang);
        }
        if let Some(id) = source.strip_prefix("EV")
            && id.chars().all(|c| c.is_ascii_digit())
            && !id.is_empty()
        {
            return numbered("points.source.event", source);
        }
        match source {
            "import" => self.t("points.source.import").to_string(),
            "demo" => self.t("points.source.demo").to_string(),
            _ => source.to_string(),
        }
    }

    /// An amount of money as shown: `¥1,234.50`.
    pub fn yuan(&self, fen: &i64) -> String {
        patron_core::Fen(*fen).to_string()
    }

    /// An amount of money for an input field (no currency sign): `1,234.50`.
    pub fn plain_yuan(&self, fen: &i64) -> String {
        patron_core::Fen(*fen).plain()
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// A role's name in this page's language.
    pub fn role_name(&self, role: &patron_core::Role) -> &'static str {
        match self.lang {
            Lang::ZhCn => role.name_zh(),
            Lang::En => role.name_en(),
        }
    }

    /// A permission's name in this page's language.
    pub fn permission_name(&self, p: &Permission) -> &'static str {
        match self.lang {
            Lang::ZhCn => p.name_zh(),
            Lang::En => p.name_en(),
        }
    }

    /// A timestamp in the store's zone, to the minute.
    pub fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// An audit action in this page's language (the code itself when it has no label).
    /// An audited action as people read it: its own catalog key, else `audit.action.` + the
    /// action (for actions whose own name would start a key family), else the stored name.
    pub fn action_label(&self, action: &str) -> String {
        if super::i18n::Lang::has(action) {
            self.t(action).to_string()
        } else {
            self.label("audit.action.", action)
        }
    }

    /// The label of a stored code (`channel.` + `desk` → 门店服务台); the code itself when the
    /// catalog has none.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}{code}");
        if Lang::has(&key) {
            self.t(&key).to_string()
        } else {
            code.to_string()
        }
    }

    /// What an audited record is, in this page's language (the stored kind when it has no label).
    pub fn entity_label(&self, kind: &str) -> String {
        self.label("audit.kind.", kind)
    }

    /// A record's id as the audit log shows it: a record named by a code (a calendar, a
    /// festival) by its name in this page's language (`audit.id.<kind>.<id>`), any other id as
    /// it is.
    pub fn entity_id_label(&self, kind: &str, id: &str) -> String {
        let key = format!("audit.id.{kind}.{id}");
        if Lang::has(&key) {
            self.t(&key).to_string()
        } else {
            id.to_string()
        }
    }

    /// The audited kinds with their labels, for the audit log's filter: (stored kind, label).
    pub fn entity_kinds(&self) -> Vec<(&'static str, &'static str)> {
        Lang::keys_with_prefix("audit.kind.")
            .into_iter()
            .map(|k| (k.trim_start_matches("audit.kind."), self.t(k)))
            .collect()
    }

    /// Who did something, as recorded: a staff name as it is, the command line or the system
    /// in this page's language with the operating-system account after it.
    pub fn actor_label(&self, recorded: &str) -> (String, String) {
        if let Some(os_user) = recorded.strip_prefix("cli:") {
            (self.t("audit.actor_cli").to_string(), os_user.to_string())
        } else if let Some(till) = recorded.strip_prefix("till ") {
            (self.t("audit.actor_till").to_string(), till.to_string())
        } else if recorded == "system" {
            (self.t("audit.actor_system").to_string(), String::new())
        } else {
            (recorded.to_string(), String::new())
        }
    }

    /// "Revoked" or "Active" for a key or token, in this page's language.
    pub fn revoked_label(
        &self,
        revoked_at: &Option<chrono::DateTime<chrono::Utc>>,
    ) -> &'static str {
        self.t(if revoked_at.is_some() {
            "common.revoked"
        } else {
            "common.active"
        })
    }

    pub fn time_opt(&self, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        t.as_ref().map(|t| self.time(t)).unwrap_or_default()
    }
}

/// Field errors of a re-shown form, for templates.
#[derive(Default)]
pub struct FormErrors(pub Vec<crate::kernel::validation::FieldError>);

impl FormErrors {
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// The message for `field` in `lang`, or "" when the field is fine.
    pub fn msg(&self, page: &Page, field: &str) -> &'static str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| page.t(e.key))
            .unwrap_or("")
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

#[cfg(test)]
mod ledger_note_tests {
    use super::*;

    #[test]
    fn one_menu_entry_is_current_for_a_page() {
        assert_eq!(current_section("/rewards/stock"), Some("/rewards/stock"));
        assert_eq!(
            current_section("/rewards/stock/movements"),
            Some("/rewards/stock")
        );
        assert_eq!(current_section("/rewards/birthday"), Some("/rewards/stock"));
        assert_eq!(current_section("/rewards/slips/FL1"), Some("/rewards"));
        assert_eq!(current_section("/rewards"), Some("/rewards"));
        assert_eq!(current_section("/"), Some("/"));
        assert_eq!(current_section("/members/5"), Some("/members"));
        assert_eq!(current_section("/groupbuy_x"), None);
    }

    #[test]
    fn notes_patron_wrote_read_as_sentences_and_typed_notes_as_typed() {
        let zh = Page::anonymous(Lang::ZhCn, "login.title");
        assert_eq!(zh.ledger_note("birthday"), "生日双倍积分");
        assert_eq!(zh.ledger_note("opening balance"), "开户结转积分");
        assert_eq!(zh.ledger_source("approval #12"), "审批 #12");
        assert_eq!(zh.ledger_source("lot 2026-12-31"), "2026-12-31 到期批次");
        assert_eq!(zh.ledger_source("member #45"), "推荐会员 #45");
        assert_eq!(zh.ledger_source("import"), "导入");
        assert_eq!(zh.ledger_source("R-88"), "R-88");
        assert_eq!(
            zh.ledger_note("receipt R-88; 1937 points reversed"),
            "小票 R-88 退货，扣回 1,937 积分"
        );
        assert_eq!(zh.ledger_note("顾客投诉补偿"), "顾客投诉补偿");
        let en = Page::anonymous(Lang::En, "login.title");
        assert_eq!(en.ledger_source("approval #12"), "Approval #12");
        assert_eq!(
            en.ledger_note("receipt R-88; 1937 points reversed"),
            "Receipt R-88 returned: 1,937 points taken back"
        );
        assert_eq!(zh.pts(&28_317), "28,317");
    }
}
