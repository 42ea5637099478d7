//! One module per subcommand; each parses its own arguments and calls the library.

pub mod fragments;
