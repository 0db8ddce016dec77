//! Member events (会员活动, SPEC H1–H4): plan → approval → invitation → sign-up with capacity and
//! tier priority → check-in → event points once per member → analysis archived with the plan.

pub mod pages;
