//! Members and VIP cards (SPEC B1–B6, B9–B11): registration with personal data encrypted,
//! cards issued in sequence per store, duplicates refused with the existing member named.
//!
//! Members use the points area (referral points go through `points::ledger`, card rules are
//! points' settings); points never uses members.

pub mod applications;
pub mod birthdays;
pub mod cards;
pub mod closing;
pub mod data;
pub mod details;
pub mod error;
pub mod import;
mod input;
pub mod labels;
pub mod messages;
pub mod pages;
pub mod portal_password;
mod profile;
mod register;
pub mod store;
pub mod tiles;

pub use details::{CONSENT_SOURCES, DetailsIn, change_details};
pub use error::MembersError;
pub use input::{CHANNELS, MemberIn, ValidMember, parse_channel, parse_date, parse_gender};
pub use portal_password::{PortalPassword, issue_portal_password};
pub use profile::{MemberView, PROFILE_FIELDS, export_one, reveal, save_profile, search, view};
pub use register::{
    Issue, Referral, Registered, queue_welcome, referral_points, register, register_at, register_in,
};
