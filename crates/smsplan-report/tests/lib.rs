//! The report's integration tests in one binary: rendering checks on the HTML, and the
//! `browser*` tests that open it in headless Chromium.

mod browser;
mod render;
mod support;
