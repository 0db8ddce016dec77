//! Partner merchants (特约商户, SPEC G1–G4): the pipeline from screened to ended, contracts and
//! their expiry reminders, callbacks, and the active partners members see in the portal.

pub mod pages;
