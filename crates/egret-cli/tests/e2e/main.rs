//! End-to-end tests that drive the real `egret` binary: the command line,
//! the served platform over HTTP, and (in headless Chromium) the pages.

mod browser;
mod cli;
mod cockpit;
mod data;
mod server;
mod tls;
mod xbrl;
