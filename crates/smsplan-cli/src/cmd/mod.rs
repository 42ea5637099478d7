//! One module per subcommand; each parses its own arguments and calls the library.

pub mod audience;
pub mod campaign;
pub mod completions;
pub mod fragments;
pub mod holidays;
pub mod phone;
pub mod plan;
pub mod report;
pub mod window;
