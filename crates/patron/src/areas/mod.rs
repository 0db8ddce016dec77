//! The business areas, one folder each, named as their tables, URLs, templates and tests.
//! Areas depend on each other one way (DESIGN.md): staff → members → points → {groupbuy,
//! gifts} → rewards → events → partners → pos, portal; calendar → customers, plans (plans
//! reads the customers' and other areas' records for its actuals).

pub mod backup;
pub mod calendar;
pub mod care;
pub mod complaints;
pub mod customers;
pub mod events;
pub mod gifts;
pub mod groupbuy;
pub mod members;
pub mod partners;
pub mod plans;
pub mod points;
pub mod portal;
pub mod pos;
pub mod reports;
pub mod rewards;
pub mod rotation;
pub mod staff;
