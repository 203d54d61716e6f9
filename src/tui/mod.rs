//! The interactive face: plan a change on a shared screen or over SSH and
//! watch the blast radius live. Same analysis as `check` ([`Review`]).
//!
//! A blocking, input-driven loop: the screen is drawn only when something
//! happened (a key, the mouse, a resize), in a synchronized update, after
//! draining every pending event. The terminal is restored on every way out:
//! normal exit, error, panic, SIGTERM, SIGHUP and SIGINT; and the app ends
//! when its terminal goes away, signal or not.
//!
//! [`Review`]: crate::review::Review

pub mod action;
pub mod app;
pub mod graph;
pub mod keymap;
pub mod layout;
pub mod persist;
mod terminal;
pub mod theme;
pub mod view;

pub use terminal::{run, translate, unsuitable_terminal};
