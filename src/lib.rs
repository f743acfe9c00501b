//! rtadvisor: which real-time transport a feature should use, and why.
//!
//! Data flows one way: input → [`profile::Profile`] → [`engine::Engine`] →
//! [`engine::Decision`] → a renderer in [`report`].

pub mod diag;
pub mod engine;
pub mod input;
pub mod profile;
pub mod rules;
pub mod yaml;
