//! Route handlers, one module per resource.

pub mod runs;
pub mod system;
pub mod tasks;
pub mod tenant;
