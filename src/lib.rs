//! rtadvisor: which real-time transport a feature should use, and why.
//!
//! Data flows one way: input → [`profile::Profile`] → [`engine::Engine`] →
//! [`engine::Decision`] → a renderer in [`report`]. Only [`app`] prints.

pub mod app;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod engine;
pub mod fsx;
pub mod input;
pub mod load;
pub mod markers;
pub mod output;
pub mod profile;
pub mod report;
pub mod rules;
pub mod term;
pub mod yaml;
